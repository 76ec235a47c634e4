"""Every configured help line says when it answers and where that was read."""

from __future__ import annotations

from datetime import date, time

import pytest

from bot.kernel.errors import ConfigError
from bot.runtime.config import load_config
from bot.runtime.crisis_settings import HelpLineSettings

CHECKED = {"verified": date(2026, 12, 2), "review_by": date(2027, 12, 2)}


def test_the_shipped_help_lines_are_livslinien_and_the_demo_regions_line() -> None:
    lines = load_config(env={}).settings.crisis.help_lines
    assert [(line.name, line.phone) for line in lines] == [
        ("Livslinien", "70 201 201"),
        ("Akuttelefonen", "1813"),
    ]
    assert (lines[0].opens, lines[0].closes) == (time(11), time(5))
    assert lines[1].always_open
    assert all(line.source.startswith("https://") for line in lines)


@pytest.mark.parametrize(
    "fields",
    [
        {},  # no hours at all: it would read as "open now"
        {"opens": time(11)},  # half the hours
        {"always_open": True, "opens": time(11), "closes": time(5)},  # both
    ],
)
def test_a_line_must_state_its_hours_one_way(fields: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"always_open|both"):
        HelpLineSettings(name="X", phone="1", source="https://example.org", **CHECKED, **fields)  # type: ignore[arg-type]


def test_a_line_needs_an_https_source() -> None:
    with pytest.raises(ValueError, match="https"):
        HelpLineSettings(
            name="X", phone="1", always_open=True, source="http://example.org", **CHECKED
        )


def test_a_config_without_help_lines_is_refused() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(env={"BORGERCHAT_CRISIS__HELP_LINES": "[]"})
    assert caught.value.key.startswith("crisis.help_lines")


def test_a_line_states_when_it_was_checked_and_when_it_is_checked_again() -> None:
    lines = load_config(env={}).settings.crisis.help_lines
    assert all(line.verified < line.review_by for line in lines)
    with pytest.raises(ValueError, match="review_by"):
        HelpLineSettings(
            name="X",
            phone="1",
            always_open=True,
            source="https://example.org",
            verified=date(2026, 12, 2),
            review_by=date(2026, 12, 1),
        )
