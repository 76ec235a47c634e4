"""The trained intent classifier at run time: a linear model scored with numpy.

The model is a file pair in the model directory: ``model.npz`` (feature names, idf weights, the
weight matrix, biases and class names; no pickles) and ``model.json`` (the fingerprint of the
data it was trained on). Scoring one message touches only the rows of its features, so it takes
microseconds and holds no locks: one instance is safe to share between threads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from nlu.features import extract_features
from nlu.normalization import fold

MODEL_FILE = "model.npz"
META_FILE = "model.json"

FloatArray = npt.NDArray[np.floating[Any]]


@dataclass(frozen=True)
class LinearIntentModel:
    classes: tuple[str, ...]
    feature_index: dict[str, int]
    idf: FloatArray
    weights: FloatArray  # (features, classes)
    bias: FloatArray  # (classes,)
    scale: float = 1.0  # margins are multiplied by this before the softmax

    def probabilities(self, text: str) -> FloatArray | None:
        """Softmax probabilities over :attr:`classes` for ``text``, as in training.

        None when the text has no feature the model knows (empty, emoji only, another script):
        there is nothing to classify.
        """
        index = self.feature_index
        rows = [index[name] for name in extract_features(fold(text)) if name in index]
        if not rows:
            return None
        rows_array = np.asarray(rows, dtype=np.intp)
        values = self.idf[rows_array]
        norm = float(np.sqrt(np.dot(values, values)))
        scores: FloatArray = (values / norm) @ self.weights[rows_array] + self.bias
        scores = (scores - scores.max()) * self.scale
        exp = np.exp(scores)
        result: FloatArray = exp / exp.sum()
        return result

    def known_words(self, text: str) -> int:
        """How many of the text's words the model saw in training."""
        index = self.feature_index
        return sum(1 for word in fold(text).split() if "w:" + word in index)

    def save(self, directory: Path, meta: dict[str, Any]) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        names = sorted(self.feature_index, key=self.feature_index.__getitem__)
        # Write then rename, so a reader never sees half a model.
        temporary = directory / f".{MODEL_FILE}.tmp.npz"
        with temporary.open("wb") as stream:
            np.savez(
                stream,
                classes=np.array(self.classes),
                features=np.array(names),
                idf=self.idf,
                weights=self.weights,
                bias=self.bias,
                scale=np.array([self.scale], dtype=np.float32),
            )
        temporary.replace(directory / MODEL_FILE)
        meta_temporary = directory / f".{META_FILE}.tmp"
        meta_temporary.write_text(json.dumps(meta, indent=2, sort_keys=True), encoding="utf-8")
        meta_temporary.replace(directory / META_FILE)

    @classmethod
    def load(cls, directory: Path) -> LinearIntentModel:
        with np.load(directory / MODEL_FILE, allow_pickle=False) as archive:
            names = archive["features"].tolist()
            return cls(
                classes=tuple(archive["classes"].tolist()),
                feature_index={name: row for row, name in enumerate(names)},
                idf=archive["idf"].astype(np.float32),
                weights=np.ascontiguousarray(archive["weights"], dtype=np.float32),
                bias=archive["bias"].astype(np.float32),
                scale=float(archive["scale"][0]),
            )


def read_meta(directory: Path) -> dict[str, Any] | None:
    """The saved model's metadata, or None when there is no complete model."""
    try:
        meta: dict[str, Any] = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not (directory / MODEL_FILE).is_file():
        return None
    return meta
