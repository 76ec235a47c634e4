"""The reminder policy (config ``reminders``) and the local-time arithmetic it needs.

The policy is applied in Europe/Copenhagen wall-clock time: a 48-hour reminder goes out two days
before at the same local time, also across a daylight-saving change; leads that are not whole
days (2 hours) are real elapsed hours. SMS reminders never go out in quiet hours: one that would
is pushed to the end of them, or, when that would leave less than half its lead time before the
meeting, to just before quiet hours began the evening before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.runtime.config import Settings


def _parse_clock(value: str, key: str) -> time:
    try:
        hours, minutes = value.split(":")
        return time(int(hours), int(minutes))
    except ValueError as exc:
        raise ValueError(f"reminders.{key}: not a HH:MM time: {value!r}") from exc


@dataclass(frozen=True, slots=True)
class ReminderPolicy:
    """The configured reminder policy, with the local-time arithmetic it needs."""

    name: str
    confirmation_at_booking: bool
    hours_before: tuple[float, ...]
    quiet_start: time
    quiet_end: time
    check_in_time: time
    tz: ZoneInfo

    @classmethod
    def from_settings(cls, settings: Settings) -> ReminderPolicy:
        config = settings.reminders
        return cls(
            name=config.policy,
            confirmation_at_booking=config.confirmation_at_booking,
            hours_before=tuple(sorted(set(config.hours_before), reverse=True)),
            quiet_start=_parse_clock(config.quiet_hours.start, "quiet_hours.start"),
            quiet_end=_parse_clock(config.quiet_hours.end, "quiet_hours.end"),
            check_in_time=_parse_clock(config.check_in_time, "check_in_time"),
            tz=settings.tz,
        )

    # -- local time -----------------------------------------------------------------------

    def _at(self, day: date, clock: time) -> datetime:
        return datetime.combine(day, clock, tzinfo=self.tz).astimezone(UTC)

    def lead_before(self, starts_at: datetime, hours: float) -> datetime:
        """When a reminder ``hours`` before ``starts_at`` is planned (see the module docstring)."""
        if hours % 24 == 0:
            local = starts_at.astimezone(self.tz)
            earlier = local.replace(tzinfo=None) - timedelta(days=hours // 24)
            return earlier.replace(tzinfo=self.tz).astimezone(UTC)
        return starts_at - timedelta(hours=hours)

    def in_quiet_hours(self, moment: datetime) -> bool:
        clock = moment.astimezone(self.tz).time()
        if self.quiet_start <= self.quiet_end:
            return self.quiet_start <= clock < self.quiet_end
        return clock >= self.quiet_start or clock < self.quiet_end

    def quiet_end_after(self, moment: datetime) -> datetime:
        local = moment.astimezone(self.tz)
        end = self._at(local.date(), self.quiet_end)
        return end if end > moment else self._at(local.date() + timedelta(days=1), self.quiet_end)

    def quiet_start_before(self, moment: datetime) -> datetime:
        local = moment.astimezone(self.tz)
        start = self._at(local.date(), self.quiet_start)
        if start <= moment:
            return start
        return self._at(local.date() - timedelta(days=1), self.quiet_start)

    def send_time(
        self, planned: datetime, starts_at: datetime, *, lead: timedelta, sms: bool
    ) -> datetime:
        """When a reminder planned for ``planned`` is sent, keeping SMS out of quiet hours."""
        if not sms or not self.in_quiet_hours(planned):
            return planned
        after = self.quiet_end_after(planned)
        if starts_at - after >= lead / 2:
            return after
        return self.quiet_start_before(planned) - timedelta(minutes=1)

    def next_check_in(self, after: datetime, every_weeks: int) -> datetime:
        """The check-in ``every_weeks`` weeks after ``after``, at the check-in time of day."""
        day = after.astimezone(self.tz).date() + timedelta(weeks=every_weeks)
        return self._at(day, self.check_in_time)
