"""Reminder times: Copenhagen wall clock, daylight-saving changes and quiet hours for SMS."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.reminders.policy import ReminderPolicy
from bot.runtime.config import load_config

COPENHAGEN = ZoneInfo("Europe/Copenhagen")


@pytest.fixture
def policy() -> ReminderPolicy:
    return ReminderPolicy(
        name="48h+2h",
        confirmation_at_booking=True,
        hours_before=(48, 2),
        quiet_start=time(21, 0),
        quiet_end=time(8, 0),
        check_in_time=time(10, 0),
        tz=COPENHAGEN,
    )


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=COPENHAGEN).astimezone(UTC)


def test_the_policy_is_read_from_config_yml() -> None:
    policy = ReminderPolicy.from_settings(load_config(env={}).settings)
    assert policy.hours_before == (48, 2)
    assert (policy.quiet_start, policy.quiet_end) == (time(21, 0), time(8, 0))
    assert policy.name == "48h+2h"


@pytest.mark.parametrize(
    ("meeting", "reminder"),
    [
        # Spring forward on Sunday 2026-03-29: two days before is the same local time.
        (local(2026, 3, 30, 10, 0), local(2026, 3, 28, 10, 0)),
        (local(2026, 3, 31, 9, 0), local(2026, 3, 29, 9, 0)),
        # Fall back on Sunday 2026-10-25.
        (local(2026, 10, 26, 9, 0), local(2026, 10, 24, 9, 0)),
        (local(2026, 10, 27, 10, 0), local(2026, 10, 25, 10, 0)),
    ],
)
def test_the_48_hour_reminder_keeps_the_local_time_across_daylight_saving(
    policy: ReminderPolicy, meeting: datetime, reminder: datetime
) -> None:
    assert policy.lead_before(meeting, 48) == reminder


def test_the_48_hour_reminder_over_the_spring_change_is_47_real_hours(
    policy: ReminderPolicy,
) -> None:
    meeting = local(2026, 3, 30, 10, 0)
    assert meeting == utc(2026, 3, 30, 8, 0)
    assert policy.lead_before(meeting, 48) == utc(2026, 3, 28, 9, 0)
    assert meeting - policy.lead_before(meeting, 48) == timedelta(hours=47)


def test_the_2_hour_reminder_is_two_real_hours(policy: ReminderPolicy) -> None:
    meeting = local(2026, 10, 25, 10, 0)  # the fall-back Sunday
    assert policy.lead_before(meeting, 2) == meeting - timedelta(hours=2)


def test_quiet_hours_end_at_eight_local_on_both_change_days(policy: ReminderPolicy) -> None:
    assert policy.quiet_end_after(utc(2026, 3, 29, 1, 30)) == utc(2026, 3, 29, 6, 0)  # CEST
    assert policy.quiet_end_after(utc(2026, 10, 25, 1, 30)) == utc(2026, 10, 25, 7, 0)  # CET
    assert policy.in_quiet_hours(utc(2026, 10, 25, 6, 30))  # 07:30 CET
    assert not policy.in_quiet_hours(utc(2026, 3, 29, 6, 30))  # 08:30 CEST
    assert policy.in_quiet_hours(local(2026, 11, 23, 21, 0))
    assert not policy.in_quiet_hours(local(2026, 11, 23, 20, 59))


def test_an_sms_due_in_quiet_hours_waits_until_eight(policy: ReminderPolicy) -> None:
    meeting = local(2026, 3, 29, 9, 30)
    planned = policy.lead_before(meeting, 2)  # 07:30 CEST
    due = policy.send_time(planned, meeting, lead=timedelta(hours=2), sms=True)
    assert due == local(2026, 3, 29, 8, 0)


def test_an_sms_that_would_come_too_late_after_quiet_hours_goes_the_evening_before(
    policy: ReminderPolicy,
) -> None:
    meeting = local(2026, 11, 30, 8, 30)
    planned = policy.lead_before(meeting, 2)  # 06:30: 08:00 would leave only 30 minutes
    due = policy.send_time(planned, meeting, lead=timedelta(hours=2), sms=True)
    assert due == local(2026, 11, 29, 20, 59)
    assert not policy.in_quiet_hours(due)


def test_telegram_and_web_reminders_are_not_held_by_quiet_hours(policy: ReminderPolicy) -> None:
    meeting = local(2026, 11, 30, 8, 30)
    planned = policy.lead_before(meeting, 2)
    assert policy.send_time(planned, meeting, lead=timedelta(hours=2), sms=False) == planned


def test_check_ins_go_out_at_ten_local_n_weeks_later_also_over_a_change(
    policy: ReminderPolicy,
) -> None:
    assert policy.next_check_in(local(2026, 3, 16, 14, 0), 2) == local(2026, 3, 30, 10, 0)
    assert policy.next_check_in(local(2026, 10, 19, 9, 0), 1) == utc(2026, 10, 26, 9, 0)
