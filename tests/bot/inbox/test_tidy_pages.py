"""Tidy pages: codes in words, *Tider* one week at a time, a fresh "senest set", and a demo
seed whose past fills *Statistik*."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from bot.cli.demo import seed_demo_with_history
from bot.kernel.clock import FixedClock
from bot.services import Services
from bot.store.db import transaction
from bot.store.models import Booking, Citizen, Reminder
from tests.bot.inbox.conftest import InboxClient, MakeConsultant
from tests.chat import ChatTester


def _seed(services: Services) -> None:
    with transaction(services.session_factory) as db:
        seed_demo_with_history(db, services.clock.now(), services.config.settings.tz, 3)


def test_the_demo_seed_has_a_past_that_fills_the_statistics_and_is_made_once(
    services: Services, inbox: InboxClient, make_consultant: MakeConsultant
) -> None:
    _seed(services)
    _seed(services)  # `make run` seeds every time: nothing is made twice
    with transaction(services.session_factory) as db:
        past = db.scalars(select(Booking).where(Booking.starts_at < services.clock.now())).all()
        answered = db.scalar(select(func.count()).where(Reminder.answered_at.is_not(None)))
        demo_citizens = db.scalar(select(func.count(Citizen.id)))
    assert {b.status for b in past} == {"attended", "no_show", "cancelled"}
    assert answered
    assert demo_citizens == 4
    make_consultant("anna", team="Jobcenter Demo")
    inbox.login("anna")
    page = inbox.get("/inbox/statistics").text
    assert "<svg" in page
    weeks = page[page.index('id="weeks"') : page.index("</table>", page.index('id="weeks"'))]
    totals = [int(n) for n in re.findall(r"<tr><td>[^<]+</td><td>(\d+)</td>", weeks)]
    assert sum(totals) == len(past)
    assert re.search(r"<td>[1-9]\d* %</td>", weeks)  # some week had no-shows or cancellations


def test_tider_shows_one_week_folded_per_day_and_walks_between_weeks(
    services: Services, inbox: InboxClient, make_consultant: MakeConsultant
) -> None:
    _seed(services)
    make_consultant("anna", team="Jobcenter Demo")
    inbox.login("anna")
    this_week = inbox.get("/inbox/slots").text
    assert "Uge 48: 23.11–29.11.2026" in this_week  # the reference time is Monday 23.11
    assert this_week.count("<details") <= 7
    assert '<details class="day card" open>' in this_week  # today unfolded
    next_week = inbox.get("/inbox/slots?week=1").text
    assert "Uge 49: 30.11–06.12.2026" in next_week
    assert 'href="/inbox/slots?week=0#week"' in next_week
    assert 'href="/inbox/slots?week=2#week"' in next_week
    # A week that is no number shows this week; far weeks stop at a year either way.
    assert "Uge 48" in inbox.get("/inbox/slots?week=x").text
    far = inbox.get("/inbox/slots?week=9999").text
    assert "Ugen efter" not in far
    assert inbox.get("/inbox/slots?week=" + "9" * 5).status_code == 422  # longer than allowed


def test_the_queue_shows_priority_in_words_and_the_citizen_page_when_last_seen(
    services: Services, clock: FixedClock, inbox: InboxClient, make_consultant: MakeConsultant
) -> None:
    citizen = ChatTester(services, address="web-tidy-1")
    citizen.say("jeg vil tale med et menneske")
    make_consultant("anna")
    inbox.login("anna")
    queue = inbox.get("/inbox").text
    assert "Almindelig" in queue
    assert re.search(r"<td>\d+</td>", queue[queue.index('id="waiting"') :]) is None  # no "0"
    # The stored "last seen" moves by the hour; the page says the newest message's minute.
    clock.set(clock.now() + timedelta(minutes=25))
    citizen.say("er der nogen?")
    with transaction(services.session_factory) as db:
        citizen_id = db.scalars(select(Citizen.id)).one()
    page = inbox.get(f"/inbox/citizens/{citizen_id}").text
    assert "senest set 23.11.2026 09:37" in page  # 08:37 UTC in Copenhagen
