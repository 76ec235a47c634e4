"""How the classifier reads letters written blind: a development measure that is no evaluation set.

    .venv/bin/python bench/nlu_blind_cv.py [--folds 5]
    bench/embedding_compare.sh          # the same, beside a sentence-embedding feature

The blind rounds in ``nlu/data/sourced`` (``BLIND_FILES``) were written from public pages by
writers who never saw the intents and labelled apart by two labellers; they are the closest
the training data come to the evaluation sets. This trains the embedded classifier ``--folds``
times on everything else plus the other folds of the blind rounds, folds grouped by source
page so that no page is on both sides, and parses each held-out message as the bot would
(salutations, crisis net, fallback threshold). Choices can be tried here without ever
looking at ``nlu/eval``.

With ``--embeddings VECTORS --texts TEXTS`` (written by ``bench/embed_texts.py``) it also
scores a logistic regression on the sentence embeddings, alone and mixed into the
classifier's probabilities. Figures only.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from nlu.embedded import EmbeddedRecognizer  # noqa: E402
from nlu.linear_model import LinearIntentModel  # noqa: E402
from nlu.salutations import strip_salutations  # noqa: E402
from nlu.trainer import fit  # noqa: E402
from nlu.training_data import (  # noqa: E402
    DEFAULT_DATA_DIR,
    Example,
    data_files,
    load_training_file,
    strip_annotations,
)
from nlu.types import FALLBACK_INTENT  # noqa: E402

BLIND_FILES = ("sourced/blind_letters.yml", "sourced/blind_messages.yml")
FALLBACK_THRESHOLD = 0.45  # as nlu.fallback_threshold in config.yml
MIX_WEIGHTS = (0.2, 0.35, 0.5)
EMBEDDING_C = 100.0


def blind_examples(data_dir: Path) -> list[tuple[Example, str]]:
    """Each blind-round message with the page it was written from."""
    found: list[tuple[Example, str]] = []
    for name in BLIND_FILES:
        document: Any = yaml.safe_load((data_dir / name).read_text(encoding="utf-8"))
        for block in document["nlu"]:
            source = str((block.get("metadata") or {}).get("source", ""))
            for line in block["examples"].splitlines():
                line = line.strip()
                if line.startswith("- "):
                    text = strip_annotations(line[2:].strip())
                    found.append((Example(text, block["intent"]), source))
    return found


def other_examples(data_dir: Path) -> list[Example]:
    """Every example outside the blind rounds."""
    blind = {data_dir / name for name in BLIND_FILES}
    examples: list[Example] = []
    for path in data_files(data_dir):
        if path not in blind:
            examples.extend(load_training_file(path).examples)
    return examples


def report(name: str, gold: Sequence[str], predicted: Sequence[str]) -> None:
    from sklearn.metrics import f1_score

    right = sum(g == p for g, p in zip(gold, predicted, strict=True))
    fallbacks = sum(p == FALLBACK_INTENT for p in predicted)
    wrong = len(gold) - right - fallbacks
    macro = f1_score(gold, predicted, labels=sorted(set(gold)), average="macro", zero_division=0)
    scope = [p for g, p in zip(gold, predicted, strict=True) if g == "out_of_scope"]
    print(
        f"{name:40s} accuracy {right / len(gold):.3f}  macro-F1 {macro:.3f}  "
        f"fallbacks {fallbacks:3d}  wrong {wrong:3d}  "
        f"out of scope {scope.count('out_of_scope')}/{len(scope)}"
    )


def thresholded(probabilities: Any, classes: Sequence[str]) -> list[str]:
    return [
        classes[int(row.argmax())] if row.max() >= FALLBACK_THRESHOLD else FALLBACK_INTENT
        for row in probabilities
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--embeddings", type=Path, help="vectors from bench/embed_texts.py")
    parser.add_argument("--texts", type=Path, help="the texts those vectors are of")
    parser.add_argument("--write-texts", type=Path, help="write the texts to embed and stop")
    arguments = parser.parse_args()

    blind = blind_examples(arguments.data)
    rest = other_examples(arguments.data)
    if arguments.write_texts:
        texts = sorted({strip_salutations(e.text) for e in rest + [e for e, _ in blind]})
        arguments.write_texts.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
        print(f"wrote {len(texts)} texts to {arguments.write_texts}")
        return
    vectors = None
    if arguments.embeddings:
        texts = json.loads(arguments.texts.read_text(encoding="utf-8"))
        matrix = np.load(arguments.embeddings)
        vectors = {text: matrix[row] for row, text in enumerate(texts)}

    pages = sorted({source for _, source in blind})
    random.Random(7).shuffle(pages)
    fold_of = {page: number % arguments.folds for number, page in enumerate(pages)}
    print(
        f"{len(blind)} blind messages from {len(pages)} pages, {arguments.folds} folds by page; "
        f"{len(rest)} other examples always in training"
    )
    gold: list[str] = []
    parsed: list[str] = []
    probabilities: list[Any] = []
    embedded: list[Any] = []
    classes: tuple[str, ...] = ()
    for number in range(arguments.folds):
        training = rest + [e for e, source in blind if fold_of[source] != number]
        held = [e for e, source in blind if fold_of[source] == number]
        model: LinearIntentModel = fit(training)
        classes = model.classes
        recognizer = EmbeddedRecognizer(model, fallback_threshold=FALLBACK_THRESHOLD)
        for example in held:
            gold.append(example.intent)
            parsed.append(recognizer.parse(example.text)["intent"]["name"])
            row = model.probabilities(strip_salutations(example.text))
            probabilities.append(np.full(len(classes), 1 / len(classes)) if row is None else row)
        if vectors is not None:
            embedded.append(embedding_probabilities(training, held, vectors, classes))
    report("as parsed by the bot", gold, parsed)
    svm = np.array(probabilities)
    report("classifier alone (no crisis net)", gold, thresholded(svm, classes))
    if vectors is not None:
        sentence = np.vstack(embedded)
        alone = thresholded(sentence, classes)
        report(f"sentence embeddings alone (C={EMBEDDING_C:g})", gold, alone)
        for weight in MIX_WEIGHTS:
            mixed = (1 - weight) * svm + weight * sentence
            report(f"classifier + embeddings, weight {weight}", gold, thresholded(mixed, classes))


def embedding_probabilities(
    training: Sequence[Example],
    held: Sequence[Example],
    vectors: dict[str, Any],
    classes: Sequence[str],
) -> Any:
    """A logistic regression on the sentence embeddings, scored on the held-out fold."""
    from sklearn.linear_model import LogisticRegression

    inputs = np.array([vectors[strip_salutations(e.text)] for e in training])
    labels = np.array([classes.index(e.intent) for e in training])
    regression = LogisticRegression(C=EMBEDDING_C, max_iter=3000).fit(inputs, labels)
    result = np.zeros((len(held), len(classes)))
    result[:, regression.classes_] = regression.predict_proba(
        np.array([vectors[strip_salutations(e.text)] for e in held])
    )
    return result


if __name__ == "__main__":
    main()
