"""The real-phrasing evaluation sets: citizen messages modelled on public pages, with sources.

They measure how the recognizer does on wording nobody on the team wrote. They are read by the
benchmark and the tests only, never training data: tests keep their texts and their source
pages apart from ``nlu/data``. ``real_phrasing.yml`` is the first set; its aggregate figures
guided which kinds of training examples were added. ``sealed.yml`` was written later from other
pages and guided nothing, but from the same intent definitions as the sourced training data, so
it shares their label conventions and flatters the model: the first set is the fairer measure.
``independent.yml`` was written without labels by writers who never saw the training data, then
labelled by two labellers apart from each other and from any model (agreement and kappa in its
header), so neither the team's label conventions nor its wording are in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.kernel.errors import TrainingDataError
from nlu.training_data import PACKAGE_DIR

DEFAULT_REAL_PHRASING_FILE = PACKAGE_DIR / "eval" / "real_phrasing.yml"
SEALED_FILE = PACKAGE_DIR / "eval" / "sealed.yml"
INDEPENDENT_FILE = PACKAGE_DIR / "eval" / "independent.yml"
EVALUATION_SETS = {
    "real-phrasing": DEFAULT_REAL_PHRASING_FILE,
    "sealed": SEALED_FILE,
    "independent": INDEPENDENT_FILE,
}

LANGUAGES = frozenset({"da", "en"})
STYLES = frozenset({"standard", "sms", "non_native", "on_behalf"})
SOURCE_KINDS = frozenset(
    {"advice_column", "news", "association", "union", "municipal", "authority", "advisor"}
)
_FIELDS = ("text", "intent", "language", "style", "source_kind", "source")


@dataclass(frozen=True, slots=True)
class RealMessage:
    text: str
    intent: str
    language: str
    style: str
    source_kind: str
    source: str


def _message(entry: Any, number: int, path: Path) -> RealMessage:
    if not isinstance(entry, dict) or set(entry) != set(_FIELDS):
        raise TrainingDataError(f"{path}: message {number} needs exactly the fields {_FIELDS}")
    values = {name: str(entry[name]).strip() for name in _FIELDS}
    checks = (
        (values["language"] in LANGUAGES, "language"),
        (values["style"] in STYLES, "style"),
        (values["source_kind"] in SOURCE_KINDS, "source_kind"),
        (values["source"].startswith(("https://", "http://")), "source URL"),
        (bool(values["text"]), "text"),
    )
    for valid, name in checks:
        if not valid:
            raise TrainingDataError(f"{path}: message {number} has an invalid {name}")
    return RealMessage(**values)


def load_real_phrasing(path: Path = DEFAULT_REAL_PHRASING_FILE) -> list[RealMessage]:
    try:
        document: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise TrainingDataError(f"{path}: cannot read the real-phrasing set ({exc})") from exc
    entries = document.get("messages") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not entries:
        raise TrainingDataError(f"{path}: expected a non-empty 'messages' list")
    return [_message(entry, number, path) for number, entry in enumerate(entries, start=1)]
