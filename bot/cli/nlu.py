"""``borgerchat nlu train|parse|test``: train the embedded model, parse from stdin, evaluate."""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from bot.kernel.errors import TrainingDataError
from nlu.training_data import DEFAULT_DATA_DIR, DEFAULT_TEST_DIR

nlu_app = typer.Typer(help="Intent and entity recognition (NLU).", no_args_is_help=True)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"borgerchat nlu: {message}", err=True)
    return typer.Exit(2)


def _model_dir() -> Path:
    from bot.runtime.config import load_config

    return Path(load_config().settings.nlu.model_dir)


@nlu_app.command("train")
def train(
    data: Annotated[
        Path, typer.Option(help="Directory of Rasa-format NLU data.")
    ] = DEFAULT_DATA_DIR,
    out: Annotated[
        Path | None, typer.Option(help="Model directory (default: nlu.model_dir).")
    ] = None,
) -> None:
    """Train the embedded classifier on the NLU data and save it in the model directory."""
    from nlu.trainer import train_model

    model_dir = out or _model_dir()
    started = time.perf_counter()
    try:
        meta = train_model(data, model_dir)
    except TrainingDataError as exc:
        raise _fail(str(exc)) from exc
    typer.echo(
        f"trained on {meta['examples']} examples, {len(meta['intents'])} intents, "
        f"{meta['features']} features in {time.perf_counter() - started:.2f} s -> {model_dir}"
    )


@nlu_app.command("parse")
def parse(
    now: Annotated[
        str | None, typer.Option(help="Reference time (ISO 8601) for relative dates.")
    ] = None,
) -> None:
    """Parse one message per stdin line; write one JSON result per stdout line, in order."""
    from bot.runtime.config import load_config
    from bot.wiring import build_recognizer

    reference = datetime.now(UTC)
    if now is not None:
        try:
            reference = datetime.fromisoformat(now)
        except ValueError as exc:
            raise _fail(f"--now is not an ISO 8601 time: {now!r}") from exc
        if reference.tzinfo is None:
            config = load_config()
            reference = reference.replace(tzinfo=config.settings.tz)
    recognizer = build_recognizer(load_config())
    for line in sys.stdin:
        text = line.rstrip("\n").rstrip("\r")
        result = recognizer.parse(text, now=reference)
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        sys.stdout.flush()


@nlu_app.command("test")
def evaluate(
    cross_validation: Annotated[
        bool, typer.Option("--cross-validation", help="Cross-validate on the training data.")
    ] = False,
    folds: Annotated[int, typer.Option(min=2, help="Folds for cross-validation.")] = 5,
    data: Annotated[Path, typer.Option(help="Training data directory.")] = DEFAULT_DATA_DIR,
    test_data: Annotated[Path, typer.Option(help="Held-out test data.")] = DEFAULT_TEST_DIR,
    out: Annotated[
        Path | None,
        typer.Option(help="Where the results go (default: nlu-results/ in the data dir)."),
    ] = None,
) -> None:
    """Evaluate like `rasa test nlu`: report JSON, misclassified examples, confusion matrix."""
    from nlu.embedded import EmbeddedRecognizer
    from nlu.evaluation import CONFUSION_FILE, ERRORS_FILE, REPORT_FILE, predict, write_results
    from nlu.trainer import fit
    from nlu.training_data import load_training_data

    if out is None:
        from bot.runtime.config import load_config

        out = load_config().data_dir / "nlu-results"
    try:
        training = load_training_data(data)
        held_out = None if cross_validation else load_training_data(test_data)
    except TrainingDataError as exc:
        raise _fail(str(exc)) from exc
    predictions = []
    if held_out is not None:
        recognizer = EmbeddedRecognizer(fit(training.examples))
        with typer.progressbar(
            length=len(held_out.examples), label="testing", file=sys.stderr
        ) as bar:
            predictions = predict(recognizer, held_out.examples, bar.update)
    else:
        from sklearn.model_selection import StratifiedKFold

        examples = training.examples
        labels = [example.intent for example in examples]
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
        with typer.progressbar(
            length=len(examples), label=f"{folds}-fold CV", file=sys.stderr
        ) as bar:
            for train_rows, test_rows in splitter.split(examples, labels):
                recognizer = EmbeddedRecognizer(fit([examples[row] for row in train_rows]))
                predictions += predict(recognizer, [examples[row] for row in test_rows], bar.update)
    report = write_results(predictions, out)
    macro = report["macro avg"]
    typer.echo(
        f"macro F1 {macro['f1-score']:.3f}, precision {macro['precision']:.3f}, "
        f"recall {macro['recall']:.3f}, accuracy {report['accuracy']:.3f}, "
        f"{report['fallbacks']} fallbacks, {sum(p.expected != p.predicted for p in predictions)} "
        f"errors on {len(predictions)} examples"
    )
    typer.echo(f"wrote {out / REPORT_FILE}, {out / ERRORS_FILE}, {out / CONFUSION_FILE}")
