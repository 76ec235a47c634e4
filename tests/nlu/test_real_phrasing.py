"""The real-phrasing set stays what it claims: sourced, labelled with known intents, unseen."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.kernel.errors import TrainingDataError
from nlu.normalization import fold
from nlu.real_phrasing import load_real_phrasing
from nlu.training_data import DEFAULT_DATA_DIR, DEFAULT_TEST_DIR, load_training_data
from nlu.types import INTENTS


def test_the_set_has_two_hundred_sourced_messages_labelled_with_known_intents() -> None:
    messages = load_real_phrasing()
    assert len(messages) >= 200
    assert {message.intent for message in messages} <= set(INTENTS)
    assert len({message.source for message in messages}) >= 100


def test_no_real_message_is_training_data() -> None:
    trained = {fold(example.text) for example in load_training_data(DEFAULT_DATA_DIR).examples}
    leaked = [message.text for message in load_real_phrasing() if fold(message.text) in trained]
    assert leaked == []


def test_no_real_message_repeats_itself_or_a_held_out_message() -> None:
    folded = [fold(message.text) for message in load_real_phrasing()]
    held_out = {fold(example.text) for example in load_training_data(DEFAULT_TEST_DIR).examples}
    assert len(folded) == len(set(folded))
    assert set(folded).isdisjoint(held_out)


def test_a_message_without_a_source_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "messages:\n  - text: hej\n    intent: greet\n    language: da\n    style: sms\n"
        "    source_kind: municipal\n    source: somewhere\n",
        encoding="utf-8",
    )
    with pytest.raises(TrainingDataError, match="source URL"):
        load_real_phrasing(broken)
