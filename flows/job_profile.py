"""The job wishes a citizen has told so far, as the job-wishes question keeps them."""

from __future__ import annotations

from dataclasses import dataclass

from bot.kernel.errors import MalformedFlowState
from flows.stored import optional_text, texts
from flows.types import StoredState

# The job wishes asked for, one at a time and in this order, by their keys in the profile.
JOB_PROFILE_FIELDS = ("kinds", "hours", "days", "cannot")


@dataclass(frozen=True, slots=True)
class JobProfile:
    """The job wishes told so far: the first ``answered`` of :data:`JOB_PROFILE_FIELDS`."""

    answered: int = 0
    kinds: tuple[str, ...] = ()
    hours: float | None = None  # None: not known
    days: tuple[str, ...] = ()
    cannot: str | None = None  # may be told before it is asked (a limit said early)
    hours_to: float | None = None  # the top of a range: "8-10 timer" is 8 to 10

    @property
    def next_field(self) -> str | None:
        return (
            JOB_PROFILE_FIELDS[self.answered] if self.answered < len(JOB_PROFILE_FIELDS) else None
        )

    def to_stored(self) -> StoredState:
        values = {
            "kinds": list(self.kinds),
            "hours": self.hours,
            "days": list(self.days),
            "cannot": self.cannot,
        }
        stored = {name: values[name] for name in JOB_PROFILE_FIELDS[: self.answered]}
        extra = {"hours_to": self.hours_to, "cannot": self.cannot}
        return {**stored, **{name: value for name, value in extra.items() if value is not None}}

    @classmethod
    def from_stored(cls, data: StoredState) -> JobProfile:
        answered = 0
        while answered < len(JOB_PROFILE_FIELDS) and JOB_PROFILE_FIELDS[answered] in data:
            answered += 1
        return cls(
            answered,
            texts(data, "kinds"),
            _hours(data.get("hours")),
            texts(data, "days"),
            optional_text(data, "cannot"),
            _hours(data.get("hours_to")),
        )


def _hours(value: object) -> float | None:
    if value is not None and (not isinstance(value, int | float) or isinstance(value, bool)):
        raise MalformedFlowState("hours")
    return None if value is None else float(value)
