"""The cached model in ``nlu.model_dir``: loaded when fresh, retrained when the data changed.

A model is fresh when its fingerprint (a hash of ``nlu/data``, the feature version and the
hyper-parameters) matches. Training runs ``python -m nlu.trainer`` in a child process so that
scikit-learn and scipy (about 60 MB) never load into the server; the server only needs numpy.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from bot.kernel.errors import ModelTrainingError
from nlu.features import FEATURE_VERSION
from nlu.linear_model import META_FILE, MODEL_FILE, LinearIntentModel, read_meta
from nlu.training_data import PACKAGE_DIR, data_fingerprint

log = logging.getLogger(__name__)

# Inverse regularisation strength of the linear SVM, chosen on nlu/tests and cross-validation.
REGULARISATION_C = 1.0
# SVM margins times this scale (an inverse temperature) go through a softmax to give Rasa-like
# confidences. Fitted by 5-fold cross-validation (bench/nlu_calibration.py): 6 minimises the
# out-of-fold log-loss and halves the wrong answers given with 0.8 or more, against 10 before.
SOFTMAX_SCALE = 6.0
TRAINING_TIMEOUT_SECONDS = 300
# The child runs from the folder this nlu package is imported from, so `-m nlu.trainer` is
# this very code (a checkout's or an installed one) whatever the caller's working directory.
_IMPORT_ROOT = PACKAGE_DIR.parent

# Models trained by this process, by fingerprint: a second model directory (tests use one per
# test) gets a copy instead of another training run.
_trained_here: dict[str, Path] = {}
_training_lock = threading.Lock()


def model_fingerprint(data_dir: Path) -> str:
    """What a trained model depends on: the data, the features and the hyper-parameters."""
    return data_fingerprint(
        data_dir, f"features={FEATURE_VERSION}", f"C={REGULARISATION_C}", f"scale={SOFTMAX_SCALE}"
    )


def is_fresh(data_dir: Path, model_dir: Path) -> bool:
    meta = read_meta(model_dir)
    return meta is not None and meta.get("fingerprint") == model_fingerprint(data_dir)


def train_in_subprocess(data_dir: Path, model_dir: Path) -> None:
    """Train with scikit-learn in a child process and wait for the saved model."""
    command = [
        sys.executable,
        "-m",
        "nlu.trainer",
        "--data",
        str(data_dir.absolute()),
        "--out",
        str(model_dir.absolute()),
    ]
    try:
        completed = subprocess.run(  # noqa: S603 - our own interpreter and module
            command,
            cwd=_IMPORT_ROOT,
            capture_output=True,
            text=True,
            timeout=TRAINING_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ModelTrainingError(f"NLU training could not run: {exc}") from exc
    if completed.returncode != 0:
        tail = completed.stderr.strip().splitlines()[-3:]
        raise ModelTrainingError("NLU training failed: " + " | ".join(tail))


def load_or_train(data_dir: Path, model_dir: Path) -> LinearIntentModel:
    """The model for ``data_dir``, trained first if the one in ``model_dir`` is stale."""
    with _training_lock:
        if not is_fresh(data_dir, model_dir):
            fingerprint = model_fingerprint(data_dir)
            earlier = _trained_here.get(fingerprint)
            if earlier is not None and is_fresh(data_dir, earlier):
                model_dir.mkdir(parents=True, exist_ok=True)
                for name in (MODEL_FILE, META_FILE):
                    shutil.copyfile(earlier / name, model_dir / name)
            else:
                log.info("NLU model in %s is stale or missing: training", model_dir)
                train_in_subprocess(data_dir, model_dir)
                if not is_fresh(data_dir, model_dir):
                    raise ModelTrainingError(f"NLU training wrote no fresh model to {model_dir}")
                _trained_here[fingerprint] = model_dir
        return LinearIntentModel.load(model_dir)
