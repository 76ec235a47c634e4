"""The cached model: trained when missing, retrained when the data change, deterministic."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bot.kernel.errors import ModelTrainingError, TrainingDataError
from nlu.embedded import EmbeddedRecognizer
from nlu.linear_model import MODEL_FILE, read_meta
from nlu.model_store import is_fresh, load_or_train
from nlu.trainer import fit
from nlu.training_data import DEFAULT_DATA_DIR, load_training_data, load_training_file

SMALL_DATA = """version: "3.1"
nlu:
- intent: greet
  examples: |
    - hej
    - goddag
    - hejsa
- intent: goodbye
  examples: |
    - farvel
    - tak for i dag
    - vi ses
"""


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "data"
    directory.mkdir()
    (directory / "nlu.yml").write_text(SMALL_DATA, encoding="utf-8")
    return directory


def test_a_missing_model_is_trained_and_then_reused(data_dir: Path, tmp_path: Path) -> None:
    model_dir = tmp_path / "model"
    model = load_or_train(data_dir, model_dir)
    assert model.classes == ("goodbye", "greet")
    assert is_fresh(data_dir, model_dir)
    written = (model_dir / MODEL_FILE).stat().st_mtime_ns
    load_or_train(data_dir, model_dir)
    assert (model_dir / MODEL_FILE).stat().st_mtime_ns == written


def test_changed_data_make_the_model_stale_and_it_retrains(data_dir: Path, tmp_path: Path) -> None:
    model_dir = tmp_path / "model"
    load_or_train(data_dir, model_dir)
    (data_dir / "more.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: affirm\n  examples: |\n    - ja\n    - jep\n',
        encoding="utf-8",
    )
    assert not is_fresh(data_dir, model_dir)
    model = load_or_train(data_dir, model_dir)
    assert "affirm" in model.classes
    assert is_fresh(data_dir, model_dir)


def test_training_twice_gives_the_same_model() -> None:
    examples = load_training_data(DEFAULT_DATA_DIR).examples
    first, second = fit(examples), fit(examples)
    assert first.classes == second.classes
    assert first.feature_index == second.feature_index
    assert np.array_equal(first.weights, second.weights)
    assert np.array_equal(first.bias, second.bias)


def test_broken_training_data_fail_with_the_file_named(data_dir: Path, tmp_path: Path) -> None:
    (data_dir / "broken.yml").write_text("nlu: [unclosed", encoding="utf-8")
    with pytest.raises(TrainingDataError, match=r"broken\.yml"):
        load_training_data(data_dir)
    with pytest.raises(ModelTrainingError, match=r"broken\.yml"):
        load_or_train(data_dir, tmp_path / "model")


def test_a_model_without_its_metadata_counts_as_missing(tmp_path: Path) -> None:
    (tmp_path / MODEL_FILE).write_bytes(b"not a model")
    assert read_meta(tmp_path) is None


def test_the_shipped_data_have_forty_examples_per_intent_and_no_test_leakage() -> None:
    from nlu.training_data import DEFAULT_TEST_DIR
    from nlu.types import INTENTS

    training = load_training_data(DEFAULT_DATA_DIR)
    counts = dict.fromkeys(INTENTS, 0)
    for example in training.examples:
        counts[example.intent] += 1
    assert set(training.intents) == set(INTENTS)
    assert min(counts.values()) >= 40
    held_out = load_training_data(DEFAULT_TEST_DIR)
    seen = {example.text.lower() for example in training.examples}
    assert not [e.text for e in held_out.examples if e.text.lower() in seen]


def test_the_server_loads_a_trained_model_without_scikit_learn(model_dir: Path) -> None:
    # scikit-learn and scipy would add tens of megabytes to every server process.
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "import bot.wiring, bot.cli.main\n"
        "from nlu.embedded import EmbeddedRecognizer\n"
        f"recognizer = EmbeddedRecognizer.load(Path({str(model_dir)!r}))\n"
        "assert recognizer.parse('hej')['intent']['name'] == 'greet'\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sklearn', 'scipy')))\n"
    )
    EmbeddedRecognizer.load(model_dir)  # trained by this process if it is not yet
    completed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    assert completed.stdout.strip() == "[]"


def test_one_file_reads_as_the_directory_of_that_file_alone(data_dir: Path) -> None:
    (data_dir / "synonyms_only.yml").write_text(
        'version: "3.1"\nnlu:\n- synonym: kontanthjælp\n  examples: |\n    - kontant\n',
        encoding="utf-8",
    )
    files = sorted(data_dir.glob("*.yml"))
    merged = [e for path in files for e in load_training_file(path).examples]
    assert merged == load_training_data(data_dir).examples
    assert load_training_file(data_dir / "synonyms_only.yml").examples == []


def test_the_blind_rounds_the_development_bench_holds_out_name_their_pages() -> None:
    # bench/nlu_blind_cv.py folds these files by page: a block without its page would
    # put one page on both sides of a fold.
    import yaml

    for name in ("sourced/blind_letters.yml", "sourced/blind_messages.yml"):
        document = yaml.safe_load((DEFAULT_DATA_DIR / name).read_text(encoding="utf-8"))
        assert all(block["metadata"]["source"].startswith("https://") for block in document["nlu"])
