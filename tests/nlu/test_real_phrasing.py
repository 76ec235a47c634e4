"""The real-phrasing sets stay what they claim: sourced, labelled with known intents, unseen."""

from __future__ import annotations

import itertools
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity

from bot.kernel.errors import TrainingDataError
from nlu.normalization import fold
from nlu.real_phrasing import EVALUATION_SETS, load_real_phrasing
from nlu.training_data import DEFAULT_DATA_DIR, DEFAULT_TEST_DIR, data_files, load_training_data
from nlu.types import INTENTS

SOURCED_DATA_DIR = DEFAULT_DATA_DIR / "sourced"


def page(url: str) -> str:
    """A URL as the page it names: no scheme, no www., no query, fragment or trailing slash."""
    parts = urlsplit(url.strip())
    host = parts.netloc.lower().removeprefix("www.")
    return f"{host}{parts.path.rstrip('/')}"


def every_set_message() -> list[tuple[str, str]]:
    return [
        (name, message.text)
        for name, path in EVALUATION_SETS.items()
        for message in load_real_phrasing(path)
    ]


@pytest.mark.parametrize(
    ("name", "least"), [("real-phrasing", 200), ("sealed", 150), ("independent", 150)]
)
def test_each_set_has_sourced_messages_labelled_with_known_intents(name: str, least: int) -> None:
    messages = load_real_phrasing(EVALUATION_SETS[name])
    assert len(messages) >= least
    assert {message.intent for message in messages} <= set(INTENTS)
    assert len({message.source for message in messages}) >= len(messages) // 3


def test_no_real_message_is_training_data() -> None:
    trained = {fold(example.text) for example in load_training_data(DEFAULT_DATA_DIR).examples}
    leaked = [text for _, text in every_set_message() if fold(text) in trained]
    assert leaked == []


def test_no_real_message_repeats_itself_another_set_or_a_held_out_message() -> None:
    folded = [fold(text) for _, text in every_set_message()]
    held_out = {fold(example.text) for example in load_training_data(DEFAULT_TEST_DIR).examples}
    assert len(folded) == len(set(folded))
    assert set(folded).isdisjoint(held_out)


def test_no_real_message_has_a_near_copy_in_the_training_data() -> None:
    """Exact matches are not enough: a paraphrase of the same sentence would flatter the model."""
    trained = [example.text for example in load_training_data(DEFAULT_DATA_DIR).examples]
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    training_rows = vectorizer.fit_transform(trained)
    for path in EVALUATION_SETS.values():
        # Short replies ("ja tak, det passer") are alike whoever writes them.
        texts = [m.text for m in load_real_phrasing(path) if len(m.text.split()) >= 6]
        closest = cosine_similarity(vectorizer.transform(texts), training_rows).max(axis=1)
        near = [text for text, score in zip(texts, closest, strict=True) if score >= 0.75]
        assert near == [], path.name


def test_no_page_behind_the_training_data_is_behind_an_evaluation_set() -> None:
    trained_pages = {page(url) for url in load_training_data(DEFAULT_DATA_DIR).sources}
    for path in EVALUATION_SETS.values():
        evaluated_pages = {page(message.source) for message in load_real_phrasing(path)}
        assert trained_pages & evaluated_pages == set(), path.name


def test_no_two_sets_were_written_from_the_same_page() -> None:
    pages = {
        name: {page(message.source) for message in load_real_phrasing(path)}
        for name, path in EVALUATION_SETS.items()
    }
    shared = [
        (first, second, pages[first] & pages[second])
        for first, second in itertools.combinations(pages, 2)
        if pages[first] & pages[second]
    ]
    assert shared == []


def test_every_block_of_sourced_training_data_names_its_public_page() -> None:
    unsourced = []
    for path in data_files(SOURCED_DATA_DIR):
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            source = str((block.get("metadata") or {}).get("source", ""))
            if not source.startswith("https://"):
                unsourced.append(f"{path.name}: {block.get('intent')}")
    assert data_files(SOURCED_DATA_DIR)
    assert unsourced == []


def test_a_message_without_a_source_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "messages:\n  - text: hej\n    intent: greet\n    language: da\n    style: sms\n"
        "    source_kind: municipal\n    source: somewhere\n",
        encoding="utf-8",
    )
    with pytest.raises(TrainingDataError, match="source URL"):
        load_real_phrasing(broken)
