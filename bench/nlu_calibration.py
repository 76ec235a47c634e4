"""NLU calibration benchmark: how far the classifier's confidences can be trusted.

    .venv/bin/python bench/nlu_calibration.py [--folds 5]

Trains the embedded classifier ``--folds`` times, each time without one fold of ``nlu/data``,
and scores the left-out examples (out-of-fold). From those scores it prints, for a range of
softmax scales (the temperature in ``nlu.model_store.SOFTMAX_SCALE``), the negative
log-likelihood, the expected calibration error and how many wrong answers come with a
confidence of 0.8 or more; and how well three signals separate right from wrong answers
(AUROC): the top confidence, the margin between the top two, and the largest cosine
similarity to a training example (an out-of-distribution check). Figures only.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from nlu.features import extract_features  # noqa: E402
from nlu.linear_model import LinearIntentModel  # noqa: E402
from nlu.model_store import SOFTMAX_SCALE  # noqa: E402
from nlu.normalization import fold  # noqa: E402
from nlu.trainer import fit  # noqa: E402
from nlu.training_data import DEFAULT_DATA_DIR, Example, load_training_data  # noqa: E402

SCALES = (3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 10.0, 12.0, 15.0)


def unit_vector(model: LinearIntentModel, text: str) -> tuple[Any, Any] | None:
    index = model.feature_index
    rows = np.asarray(
        [index[name] for name in extract_features(fold(text)) if name in index], dtype=np.intp
    )
    if not len(rows):
        return None
    values = model.idf[rows]
    return rows, values / np.sqrt(values @ values)


def out_of_fold(examples: list[Example], folds: int) -> tuple[Any, Any, list[str]]:
    """Raw margins, max cosine to the training fold and the true intent of each example."""
    from scipy.sparse import csr_matrix

    order = list(range(len(examples)))
    random.Random(0).shuffle(order)
    margins: list[Any] = []
    cosines: list[float] = []
    labels: list[str] = []
    classes: tuple[str, ...] = ()
    for fold_number in range(folds):
        held = set(order[fold_number::folds])
        training = [example for row, example in enumerate(examples) if row not in held]
        model = fit(training)
        classes = model.classes
        rows, columns, values = [], [], []
        for row, example in enumerate(training):
            vector = unit_vector(model, example.text)
            if vector is not None:
                rows.extend([row] * len(vector[0]))
                columns.extend(vector[0].tolist())
                values.extend(vector[1].tolist())
        by_feature = csr_matrix(
            (values, (columns, rows)), shape=(len(model.feature_index), len(training))
        )
        for row in sorted(held):
            vector = unit_vector(model, examples[row].text)
            if vector is None:
                continue
            features, weights = vector
            margins.append(weights @ model.weights[features] + model.bias)
            cosines.append(float((by_feature[features].T @ weights).max()))
            labels.append(examples[row].intent)
    truth = np.array([classes.index(label) for label in labels])
    return np.array(margins), np.array(cosines), [classes[row] for row in truth]


def softmax(scores: Any, scale: float) -> Any:
    shifted = (scores - scores.max(axis=1, keepdims=True)) * scale
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


def auroc(score: Any, positive: Any) -> float:
    """The probability that a random right answer scores above a random wrong one."""
    ranks = np.empty(len(score))
    ranks[np.argsort(score)] = np.arange(len(score))
    right = int(positive.sum())
    wrong = len(score) - right
    return float((ranks[positive].sum() - right * (right - 1) / 2) / (right * wrong))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    arguments = parser.parse_args()
    examples = [
        example
        for example in load_training_data(DEFAULT_DATA_DIR).examples
        if extract_features(fold(example.text))
    ]
    margins, cosines, labels = out_of_fold(examples, arguments.folds)
    classes = sorted(set(labels))
    truth = np.array([classes.index(label) for label in labels])
    predicted = margins.argmax(axis=1)
    right = predicted == truth
    print(
        f"{len(labels)} examples, {arguments.folds}-fold out-of-fold accuracy {right.mean():.3f} "
        f"(shipped scale {SOFTMAX_SCALE:g})"
    )
    for scale in SCALES:
        probabilities = softmax(margins, scale)
        confidence = probabilities.max(axis=1)
        nll = float(-np.log(probabilities[np.arange(len(truth)), truth] + 1e-12).mean())
        ece = 0.0
        for low in np.arange(0.0, 1.0, 0.1):
            chosen = (confidence > low) & (confidence <= low + 0.1)
            if chosen.any():
                ece += chosen.mean() * abs(confidence[chosen].mean() - right[chosen].mean())
        print(
            f"  scale {scale:4.1f}: NLL {nll:.3f}  ECE {ece:.3f}  "
            f"wrong with confidence >= 0.8: {int((~right & (confidence >= 0.8)).sum()):4d}  "
            f"below 0.45: right {int((right & (confidence < 0.45)).sum()):4d}, "
            f"wrong {int((~right & (confidence < 0.45)).sum()):4d}"
        )
    probabilities = softmax(margins, SOFTMAX_SCALE)
    ordered = np.sort(probabilities, axis=1)
    print("separating right from wrong answers (AUROC, 0.5 = chance):")
    for name, signal in (
        ("top confidence", ordered[:, -1]),
        ("margin top-2", ordered[:, -1] - ordered[:, -2]),
        ("max cosine to training", cosines),
    ):
        print(f"  {name:<24} {auroc(signal, right):.3f}")


if __name__ == "__main__":
    main()
