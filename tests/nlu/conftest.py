"""NLU fixtures: one embedded recognizer trained from nlu/data for the whole session."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlu.embedded import EmbeddedRecognizer


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("nlu-model")


@pytest.fixture(scope="session")
def recognizer(model_dir: Path) -> EmbeddedRecognizer:
    return EmbeddedRecognizer.load(model_dir)


@pytest.fixture
def model_dir_env(model_dir: Path) -> dict[str, str]:
    """Environment for load_config that points nlu.model_dir at the session's trained model."""
    return {"BORGERCHAT_NLU__MODEL_DIR": str(model_dir), "DATABASE_URL": "sqlite:///:memory:"}
