"""Reading NLU data in Rasa's YAML format (``version: "3.1"``, ``nlu:`` blocks).

Only what the embedded recognizer uses is interpreted: ``intent`` examples (entity annotations
``[text](entity)`` are reduced to their text), ``synonym`` and ``lookup`` tables and ``regex``
patterns, and an intent block's ``metadata: {source: URL}``, the public page it was modelled
on. A malformed file raises :class:`TrainingDataError` naming the file and the block.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.kernel.errors import TrainingDataError

# [shown text](entity), [shown text](entity:value), [shown text]{"entity": ...}
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")

# Shipped inside the package (package-data), so found wherever it is installed.
PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_DATA_DIR = PACKAGE_DIR / "data"
DEFAULT_TEST_DIR = PACKAGE_DIR / "tests"


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    intent: str


@dataclass
class TrainingData:
    examples: list[Example] = field(default_factory=list)
    synonyms: dict[str, str] = field(default_factory=dict)
    lookups: dict[str, list[str]] = field(default_factory=dict)
    regexes: dict[str, list[str]] = field(default_factory=dict)
    sources: set[str] = field(default_factory=set)

    @property
    def intents(self) -> list[str]:
        return sorted({example.intent for example in self.examples})


def data_files(directory: Path) -> list[Path]:
    """The YAML files under ``directory``, in a stable order."""
    if not directory.is_dir():
        raise TrainingDataError(f"NLU data directory not found: {directory}")
    return sorted(p for p in directory.rglob("*") if p.suffix in (".yml", ".yaml") and p.is_file())


def data_fingerprint(directory: Path, *extra: str) -> str:
    """A hash of every data file's name and content (and ``extra``): changes when data change."""
    digest = hashlib.sha256()
    for path in data_files(directory):
        digest.update(path.relative_to(directory).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    for item in extra:
        digest.update(item.encode())
    return digest.hexdigest()


def _example_lines(block: str) -> list[str]:
    lines = []
    for raw in block.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("- "):
            line = line[2:]
        elif line == "-":
            continue
        lines.append(line.strip())
    return lines


def strip_annotations(text: str) -> str:
    return _ANNOTATION.sub(r"\1", text)


def _read_file(path: Path, data: TrainingData) -> None:
    try:
        document: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise TrainingDataError(f"{path}: not valid YAML ({exc})") from exc
    if document is None:
        return
    if not isinstance(document, dict):
        raise TrainingDataError(f"{path}: expected a mapping with an 'nlu' list")
    blocks = document.get("nlu") or []
    if not isinstance(blocks, list):
        raise TrainingDataError(f"{path}: 'nlu' must be a list")
    for number, block in enumerate(blocks, start=1):
        if not isinstance(block, dict) or not isinstance(block.get("examples", ""), str):
            raise TrainingDataError(f"{path}: nlu block {number} needs a name and 'examples: |'")
        lines = _example_lines(block.get("examples", ""))
        if "intent" in block:
            intent = str(block["intent"])
            metadata = block.get("metadata")
            if isinstance(metadata, dict) and metadata.get("source"):
                data.sources.add(str(metadata["source"]))
            data.examples.extend(Example(strip_annotations(line), intent) for line in lines)
        elif "synonym" in block:
            for line in lines:
                data.synonyms[line.lower()] = str(block["synonym"])
        elif "lookup" in block:
            data.lookups.setdefault(str(block["lookup"]), []).extend(lines)
        elif "regex" in block:
            data.regexes.setdefault(str(block["regex"]), []).extend(lines)
        else:
            raise TrainingDataError(
                f"{path}: nlu block {number} is not intent/synonym/lookup/regex"
            )


def load_training_file(path: Path) -> TrainingData:
    """One data file's content; a file of synonyms or lookups only has no examples."""
    data = TrainingData()
    _read_file(path, data)
    return data


def load_training_data(directory: Path) -> TrainingData:
    """Every file under ``directory`` merged into one :class:`TrainingData`."""
    data = TrainingData()
    for path in data_files(directory):
        _read_file(path, data)
    if not data.examples:
        raise TrainingDataError(f"no intent examples under {directory}")
    return data
