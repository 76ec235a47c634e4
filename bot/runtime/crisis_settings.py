"""Settings for a citizen waiting for a person, and the help lines a citizen in crisis is given.

Kept apart from :mod:`bot.runtime.config` (which holds the sections together) because the help
lines carry their own checks: every line states when it answers and where that was read, since a
crisis number with no hours reads as "open now" to someone at three in the morning.
"""

from __future__ import annotations

from datetime import date, time

from pydantic import Field, field_validator, model_validator

from bot.runtime.section import Section


class HelpLineSettings(Section):
    """One phone line, in local time. ``always_open``, or ``opens`` and ``closes`` (a close
    before the opening means past midnight: 11:00-05:00 is open until five the next morning)."""

    name: str = Field(min_length=1)
    phone: str = Field(min_length=1)
    always_open: bool = False
    opens: time | None = None
    closes: time | None = None
    # Where the number and hours were read: an https page a citizen can open; when that was
    # checked, and when it must be checked again (`borgerchat content check` fails after it).
    source: str
    verified: date
    review_by: date

    @field_validator("source")
    @classmethod
    def _source_is_https(cls, value: str) -> str:
        if not value.startswith("https://"):
            raise ValueError("must be an https:// address")
        return value

    @model_validator(mode="after")
    def _hours_are_stated(self) -> HelpLineSettings:
        if self.always_open == (self.opens is not None or self.closes is not None):
            raise ValueError("give always_open: true, or opens and closes, not both")
        if not self.always_open and (self.opens is None or self.closes is None):
            raise ValueError("give both opens and closes")
        if self.review_by <= self.verified:
            raise ValueError("review_by must come after verified")
        return self


def _demo_help_lines() -> list[HelpLineSettings]:
    return [
        HelpLineSettings(
            name="Livslinien",
            phone="70 201 201",
            opens=time(11, 0),
            closes=time(5, 0),
            source="https://www.livslinien.dk",
            verified=date(2026, 12, 2),
            review_by=date(2027, 3, 1),
        ),
        HelpLineSettings(
            name="Akuttelefonen",
            phone="1813",
            always_open=True,
            source="https://www.regionh.dk/presse-og-nyt/pressemeddelelser-og-nyheder/Sider/Fakta-om-1813.aspx",
            verified=date(2026, 12, 2),
            review_by=date(2027, 12, 2),
        ),
    ]


class CrisisSettings(Section):
    # Said with 112 in every crisis reply, in this order; the ones closed now say when they open.
    help_lines: list[HelpLineSettings] = Field(default_factory=_demo_help_lines, min_length=1)


class WaitingSettings(Section):
    # A citizen waiting for a person gets at most one "we have your message" per this many
    # minutes (a burst of messages gets one); a citizen in crisis gets the numbers every time.
    acknowledge_every_minutes: float = Field(default=10, gt=0)
