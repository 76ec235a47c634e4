"""The login brake: a guesser waits longer after each refusal, the owner elsewhere logs in; the
client address comes from X-Forwarded-For only when a configured proxy sends it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine, select

from bot.inbox.auth import BRAKE_MAX_DELAY, FREE_FAILURES_PER_CLIENT, UNKNOWN_USER
from bot.kernel.clock import FixedClock
from bot.runtime.config import load_config
from bot.services import Services
from bot.store.db import transaction
from bot.store.models import AuditEntry, LoginFailure
from bot.wiring import build_services
from tests.bot.inbox.conftest import PASSWORD, InboxClient, InboxFactory, MakeConsultant, inbox_env

ATTACKER = ("203.0.113.66", 41000)
OWNER = ("198.51.100.10", 52000)
PROXY = ("10.0.0.2", 60000)


def wait_of(response: object) -> int:
    from httpx import Response

    assert isinstance(response, Response)
    assert response.status_code == 429
    assert "For mange forsøg" in response.text
    return int(response.headers["retry-after"])


def test_the_owner_logs_in_from_another_client_while_a_guesser_is_braked(
    inbox_factory: InboxFactory, make_consultant: MakeConsultant
) -> None:
    make_consultant("anna")
    guesser, owner = inbox_factory(client=ATTACKER), inbox_factory(client=OWNER)
    for guess in ("sommer2026", "anna1234", "password1"):
        assert guesser.login("anna", guess).status_code == 401
    assert wait_of(guesser.login("anna", "qwerty12345")) == 2
    # Not a lockout of the account: its owner, somewhere else, gets straight in.
    assert owner.login("anna").status_code == 303
    assert owner.get("/inbox").status_code == 200


def test_the_wait_doubles_after_each_refusal_up_to_a_cap(
    inbox_factory: InboxFactory, make_consultant: MakeConsultant, clock: FixedClock
) -> None:
    make_consultant("anna")
    guesser = inbox_factory(client=ATTACKER)
    for _ in range(3):
        guesser.login("anna", "guess-guess")
    waits = []
    for _ in range(12):
        wait = wait_of(guesser.login("anna", "guess-guess"))
        waits.append(wait)
        clock.set(clock.now() + timedelta(seconds=wait))
        assert guesser.login("anna", "guess-guess").status_code == 401
    cap = int(BRAKE_MAX_DELAY.total_seconds())
    assert waits == [2, 4, 8, 16, 32, 64, 128, 256, 512, cap, cap, cap]
    # Tries while braked are refused unchecked: the right password does not get in either.
    assert wait_of(guesser.login("anna")) == cap
    # Refusals are remembered for a day: a patient guesser stays at the cap.
    clock.set(clock.now() + timedelta(hours=20))
    assert guesser.login("anna", "guess-guess").status_code == 401
    assert wait_of(guesser.login("anna", "guess-guess")) == cap


def test_a_typo_or_two_never_slows_the_owner_and_a_login_forgets_them(
    inbox: InboxClient, make_consultant: MakeConsultant
) -> None:
    make_consultant("anna")
    assert inbox.login("anna", "correct horse batery").status_code == 401
    assert inbox.login("anna", "correct hose battery").status_code == 401
    assert inbox.login("anna").status_code == 303
    inbox.post("/inbox/logout")
    assert inbox.login("anna", "correct horse batery").status_code == 401
    assert inbox.login("anna", "Correct horse battery").status_code == 401
    assert inbox.login("anna").status_code == 303


def test_one_client_guessing_many_usernames_is_braked_as_a_whole(
    inbox_factory: InboxFactory, make_consultant: MakeConsultant
) -> None:
    names = [f"konsulent{n}" for n in range(FREE_FAILURES_PER_CLIENT // 2 + 1)]
    for name in names:
        make_consultant(name)
    guesser = inbox_factory(client=ATTACKER)
    for name in names[:-1]:  # two tries each: no pair of username and client is braked yet
        assert guesser.login(name, "guess-guess").status_code == 401
        assert guesser.login(name, "guess-guess").status_code == 401
    last = names[-1]
    assert guesser.login(last, "guess-guess").status_code == 401  # one more than is free
    assert wait_of(guesser.login(last, "guess-guess")) == 2
    assert wait_of(guesser.login(names[0])) == 2
    assert inbox_factory(client=OWNER).login(last).status_code == 303


def test_a_username_that_names_no_account_is_never_stored(
    inbox: InboxClient, services: Services, make_consultant: MakeConsultant
) -> None:
    make_consultant("anna")
    typed = "0101901234 hemmeligt-kodeord"
    assert inbox.login(typed, "whatever-it-is").status_code == 401
    for guess in ("anna-typo", "annna"):
        assert inbox.login(guess, "whatever-it-is").status_code == 401
    # Unknown names share one count per client: the next unknown one waits.
    assert wait_of(inbox.login("someone-else", "whatever")) == 2
    with transaction(services.session_factory) as db:
        failures = list(db.scalars(select(LoginFailure)))
        entries = list(db.scalars(select(AuditEntry)))
        assert {f.username for f in failures} == {UNKNOWN_USER}
        assert [(e.action, e.consultant_id, e.team_id) for e in entries] == [
            ("login_refused", None, None)
        ] * 3
        stored = repr([(f.username, f.client) for f in failures]) + repr(
            [(e.detail, e.object_id) for e in entries]
        )
    for fragment in ("0101901234", "hemmeligt", "anna-typo", "annna"):
        assert fragment not in stored


def test_a_spoofed_forwarded_for_from_an_unconfigured_peer_is_ignored(
    inbox_factory: InboxFactory, make_consultant: MakeConsultant, services: Services
) -> None:
    make_consultant("anna")
    guesser = inbox_factory(client=ATTACKER)
    for n in range(3):
        spoof = {"X-Forwarded-For": f"192.0.2.{n}", "Forwarded": f"for=192.0.2.{n}"}
        assert guesser.login("anna", "guess-guess", headers=spoof).status_code == 401
    spoof = {"X-Forwarded-For": "192.0.2.99", "Forwarded": "for=192.0.2.99"}
    assert wait_of(guesser.login("anna", "guess-guess", headers=spoof)) == 2
    with transaction(services.session_factory) as db:
        assert set(db.scalars(select(LoginFailure.client))) == {ATTACKER[0]}


def test_forwarded_for_from_a_trusted_proxy_names_the_client(
    inbox_factory: InboxFactory,
    make_consultant: MakeConsultant,
    database_url: str,
    tmp_path: Path,
    engine: Engine,
    clock: FixedClock,
) -> None:
    env = inbox_env(database_url, tmp_path) | {
        "BORGERCHAT_INBOX__TRUSTED_PROXIES": '["10.0.0.0/8"]'
    }
    behind_proxy = build_services(load_config(env=env), engine=engine, clock=clock)
    make_consultant("anna")
    guesser = inbox_factory(client=PROXY, app_services=behind_proxy)
    owner = inbox_factory(client=PROXY, app_services=behind_proxy)
    attacker_hop = {"X-Forwarded-For": "192.0.2.200, 198.51.100.66"}
    for _ in range(3):
        assert guesser.login("anna", "guess-guess", headers=attacker_hop).status_code == 401
    assert wait_of(guesser.login("anna", "guess-guess", headers=attacker_hop)) == 2
    # Same proxy, another client behind it: not braked.
    assert (
        owner.login("anna", PASSWORD, headers={"X-Forwarded-For": "198.51.100.10"}).status_code
        == 303
    )
    with transaction(behind_proxy.session_factory) as db:
        # The proxy appends the peer it saw: the last address is the one it vouches for.
        assert set(db.scalars(select(LoginFailure.client))) == {"198.51.100.66"}
        clients = [
            e.detail["client"] for e in db.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]
    assert clients == ["198.51.100.66"] * 3 + ["198.51.100.10"]
