"""Evaluation like ``rasa test nlu``: per-intent report, misclassified examples, confusion matrix.

Used by ``borgerchat nlu test`` only (it imports scikit-learn and matplotlib, which the server
never loads). Predictions go through the whole recognizer, fallback and crisis net included,
so the figures describe what citizens meet.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlu.training_data import Example
from nlu.types import FALLBACK_INTENT, IntentRecognizer

REPORT_FILE = "intent_report.json"
ERRORS_FILE = "intent_errors.json"
CONFUSION_FILE = "intent_confusion_matrix.png"


@dataclass(frozen=True, slots=True)
class Prediction:
    text: str
    expected: str
    predicted: str
    confidence: float


def predict(
    recognizer: IntentRecognizer,
    examples: Iterable[Example],
    progress: Callable[[int], None] | None = None,
) -> list[Prediction]:
    predictions = []
    for example in examples:
        result = recognizer.parse(example.text)
        predictions.append(
            Prediction(
                example.text,
                example.intent,
                result["intent"]["name"],
                float(result["intent"]["confidence"]),
            )
        )
        if progress is not None:
            progress(1)
    return predictions


def intent_report(predictions: Sequence[Prediction]) -> dict[str, Any]:
    """Precision, recall, F1 and support per intent and averaged, as ``rasa test nlu`` writes.

    Averages are over the intents of the test data; a ``nlu_fallback`` prediction counts as a
    miss for the expected intent.
    """
    from sklearn.metrics import classification_report

    expected = [p.expected for p in predictions]
    predicted = [p.predicted for p in predictions]
    labels = sorted(set(expected))
    report: dict[str, Any] = classification_report(
        expected, predicted, labels=labels, output_dict=True, zero_division=0
    )
    report["accuracy"] = sum(e == p for e, p in zip(expected, predicted, strict=True)) / max(
        len(expected), 1
    )
    report["fallbacks"] = predicted.count(FALLBACK_INTENT)
    report.pop("micro avg", None)
    return report


def errors(predictions: Sequence[Prediction]) -> list[dict[str, Any]]:
    return [
        {
            "text": p.text,
            "intent": p.expected,
            "intent_prediction": {"name": p.predicted, "confidence": round(p.confidence, 4)},
        }
        for p in predictions
        if p.expected != p.predicted
    ]


def plot_confusion_matrix(predictions: Sequence[Prediction], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import confusion_matrix

    expected = [p.expected for p in predictions]
    predicted = [p.predicted for p in predictions]
    labels = sorted(set(expected) | set(predicted))
    matrix = confusion_matrix(expected, predicted, labels=labels)
    figure, axes = plt.subplots(figsize=(11, 9))
    image = axes.imshow(matrix, cmap="Blues")
    axes.set_xticks(range(len(labels)), labels, rotation=60, ha="right", fontsize=8)
    axes.set_yticks(range(len(labels)), labels, fontsize=8)
    axes.set_xlabel("predicted intent")
    axes.set_ylabel("true intent")
    axes.set_title("Intent confusion matrix")
    for row in range(len(labels)):
        for column in range(len(labels)):
            if matrix[row, column]:
                dark = matrix[row, column] > matrix.max() / 2
                axes.text(
                    column, row, str(matrix[row, column]), ha="center", va="center", fontsize=7,
                    color="white" if dark else "black",
                )  # fmt: skip
    figure.colorbar(image)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def write_results(predictions: Sequence[Prediction], out_dir: Path) -> dict[str, Any]:
    """Write the report, the errors and the confusion matrix to ``out_dir``; return the report."""
    out_dir.mkdir(parents=True, exist_ok=True)
    report = intent_report(predictions)
    (out_dir / REPORT_FILE).write_text(json.dumps(report, indent=2), encoding="utf-8")
    (out_dir / ERRORS_FILE).write_text(
        json.dumps(errors(predictions), indent=2, ensure_ascii=False), encoding="utf-8"
    )
    plot_confusion_matrix(predictions, out_dir / CONFUSION_FILE)
    return report
