"""A logged-in consultant's hostile ids, numbers and dates on every inbox route that takes one:
a 4xx or the page, never a 5xx (on PostgreSQL, ids at or above 2**31 overflowed before)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.kernel.bounds import ROW_ID_MAX
from tests.bot.inbox.conftest import InboxClient, MakeConsultant

HOSTILE = settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
OUT_OF_RANGE = [str(ROW_ID_MAX + 1), str(2**63), "9" * 30, "0", "-1"]
# Every inbox route with an id in its path: (method, path with {id}).
ID_ROUTES = [
    ("GET", "/inbox/citizens/{id}"),
    ("POST", "/inbox/citizens/{id}/check-in"),
    ("POST", "/inbox/citizens/{id}/contact"),
    ("POST", "/inbox/citizens/{id}/book"),
    ("POST", "/inbox/absences/{id}/annul"),
    ("POST", "/inbox/absences/{id}/correct"),
    ("GET", "/inbox/conversations/{id}"),
    ("GET", "/inbox/conversations/{id}/transcript.fragment"),
    ("POST", "/inbox/conversations/{id}/claim"),
    ("POST", "/inbox/conversations/{id}/reply"),
    ("POST", "/inbox/conversations/{id}/notes"),
    ("POST", "/inbox/conversations/{id}/hand-back"),
    ("POST", "/inbox/conversations/{id}/close"),
    ("GET", "/inbox/conversations/{id}/close"),
    ("POST", "/inbox/conversations/{id}/assign"),
    ("POST", "/inbox/bookings/{id}/mark"),
    ("POST", "/inbox/canned/{id}/delete"),
    ("POST", "/inbox/opening-hours/{id}/delete"),
    ("POST", "/inbox/conversations/{id}/messages/{id}/send-again"),
]


@pytest.fixture
def admin(inbox: InboxClient, make_consultant: MakeConsultant) -> InboxClient:
    make_consultant("anna", role="admin")
    inbox.login("anna")
    return inbox


def _call(inbox: InboxClient, method: str, path: str) -> int:
    if method == "GET":
        return inbox.get(path).status_code
    return inbox.post(path, text="hej", status="attended", weeks="2").status_code


def test_an_id_beyond_the_column_names_nothing_on_every_route(admin: InboxClient) -> None:
    for method, path in ID_ROUTES:
        for value in OUT_OF_RANGE:
            status = _call(admin, method, path.format(id=value))
            # Like an id of another team's: not found, so ids cannot be probed.
            assert status == 404, (path, value, status)
        # The largest id a column holds is no error, just nobody's.
        assert _call(admin, method, path.format(id=ROW_ID_MAX)) < 500


def test_the_audit_log_refuses_a_citizen_id_beyond_the_column(admin: InboxClient) -> None:
    assert admin.get(f"/inbox/audit?citizen={2**31}").status_code == 422
    assert admin.get(f"/inbox/audit?citizen={ROW_ID_MAX}").status_code == 200


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "3000-01-01"])
def test_a_bookings_day_out_of_range_shows_today(admin: InboxClient, day: str) -> None:
    response = admin.get(f"/inbox/bookings?day={day}")
    assert response.status_code == 200
    assert "2026" in response.text


def test_slots_and_exceptions_refuse_far_dates_and_huge_numbers(admin: InboxClient) -> None:
    slot = admin.post(
        "/inbox/slots",
        consultant_id=str(2**40),
        location_id="1",
        day="9999-12-31",
        starts="09:00",
        minutes=str(2**40),
        weeks="1",
    )
    assert slot.status_code == 303  # back to the page with the error shown
    exception = admin.post("/inbox/exceptions", first_day="9999-12-31", last_day="9999-12-31")
    assert exception.status_code == 303
    assert "error=" in exception.headers["location"]


@HOSTILE
@given(
    value=st.one_of(st.integers().map(str), st.text(max_size=40)),
    day=st.one_of(st.dates().map(str), st.text(max_size=20)),
)
def test_hostile_ids_numbers_and_dates_never_give_a_5xx(
    admin: InboxClient, value: str, day: str
) -> None:
    for method, path in ID_ROUTES:
        segment = quote(value, safe="") if value.strip(".") else "x"
        assert _call(admin, method, path.format(id=segment)) < 500
    assert (
        admin.http.get(
            "/inbox/audit", params={"citizen": value}, follow_redirects=False
        ).status_code
        < 500
    )
    assert (
        admin.http.get("/inbox/bookings", params={"day": day}, follow_redirects=False).status_code
        < 500
    )
    fields = {"consultant_id": value, "location_id": value, "minutes": value, "weeks": value}
    assert admin.post("/inbox/slots", day=day, starts="09:00", **fields).status_code < 500
    assert admin.post("/inbox/exceptions", first_day=day, last_day=day).status_code < 500
