"""Training the embedded classifier with scikit-learn: a linear support vector machine.

This module is imported only where training happens (``borgerchat nlu train|test`` and the
training subprocess the server starts when its model is stale, see :mod:`nlu.model_store`), so
scikit-learn and scipy never sit in the server's memory. Training is deterministic: the same
data give the same weights.

Run as ``python -m nlu.trainer --data nlu/data --out var/nlu``.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bot.kernel.errors import TrainingDataError
from nlu.features import extract_features
from nlu.linear_model import LinearIntentModel
from nlu.model_store import REGULARISATION_C, SOFTMAX_SCALE, model_fingerprint
from nlu.normalization import fold
from nlu.training_data import Example, load_training_data

MAX_ITERATIONS = 5000


def fit(examples: Sequence[Example], *, c: float = REGULARISATION_C) -> LinearIntentModel:
    """Train a :class:`LinearIntentModel` on ``examples``."""
    # Imported here so that bad data fail fast, before seconds of scikit-learn imports.
    from scipy.sparse import csr_matrix
    from sklearn.svm import LinearSVC

    # Examples without features (emoji only) teach nothing and are left out.
    examples = [example for example in examples if extract_features(fold(example.text))]
    feature_sets = [extract_features(fold(example.text)) for example in examples]
    document_frequency: dict[str, int] = {}
    for features in feature_sets:
        for name in features:
            document_frequency[name] = document_frequency.get(name, 0) + 1
    names = sorted(document_frequency)
    feature_index = {name: row for row, name in enumerate(names)}
    total = len(feature_sets)
    idf = np.array(
        [math.log((1 + total) / (1 + document_frequency[name])) + 1.0 for name in names],
        dtype=np.float64,
    )
    rows: list[int] = []
    columns: list[int] = []
    values: list[float] = []
    for row, features in enumerate(feature_sets):
        indices = sorted(feature_index[name] for name in features)
        weights = idf[indices]
        norm = float(np.sqrt(np.dot(weights, weights)))
        rows.extend([row] * len(indices))
        columns.extend(indices)
        values.extend((weights / norm).tolist())
    matrix = csr_matrix((values, (rows, columns)), shape=(total, len(names)))
    classes = sorted({example.intent for example in examples})
    labels = np.array([classes.index(example.intent) for example in examples])
    # One-vs-rest linear SVM (liblinear): as accurate as logistic regression here (see the
    # README's NLU section) and ten times faster to train. A fixed seed keeps it deterministic.
    classifier = LinearSVC(C=c, max_iter=MAX_ITERATIONS, random_state=0)
    classifier.fit(matrix, labels)
    coefficients = classifier.coef_
    bias = classifier.intercept_
    if len(classes) == 2:  # sklearn keeps one row for two classes
        coefficients = np.vstack([-coefficients[0], coefficients[0]])
        bias = np.array([-bias[0], bias[0]])
    return LinearIntentModel(
        classes=tuple(classes),
        feature_index=feature_index,
        idf=idf.astype(np.float32),
        weights=np.ascontiguousarray(coefficients.T, dtype=np.float32),
        bias=bias.astype(np.float32),
        scale=SOFTMAX_SCALE,
    )


def train_model(data_dir: Path, model_dir: Path) -> dict[str, Any]:
    """Train on every file under ``data_dir`` and save the model in ``model_dir``."""
    started = time.perf_counter()
    fingerprint = model_fingerprint(data_dir)
    data = load_training_data(data_dir)
    model = fit(data.examples)
    meta: dict[str, Any] = {
        "fingerprint": fingerprint,
        "examples": len(data.examples),
        "intents": list(model.classes),
        "features": len(model.feature_index),
        "training_seconds": round(time.perf_counter() - started, 3),
    }
    model.save(model_dir, meta)
    return meta


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Train the embedded NLU classifier.")
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    arguments = parser.parse_args(argv)
    try:
        meta = train_model(arguments.data, arguments.out)
    except TrainingDataError as exc:
        # One line, so that the parent process can show it.
        sys.exit("nlu training: " + " ".join(str(exc).split()))
    print(f"trained on {meta['examples']} examples in {meta['training_seconds']} s")


if __name__ == "__main__":
    main()
