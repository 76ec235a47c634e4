"""Consultant authentication: argon2 password hashes, signed session cookies, CSRF tokens, and
the login brake (a growing wait per username and client, never a lockout).

The session cookie carries a random token and its HMAC under the secret key; the database keeps
only the token's SHA-256 (``LoginSession``), so logging out ends the session everywhere. CSRF
tokens are HMACs of the session token (or, before login, of a random pre-login nonce), so they
need no storage and cannot be forged without the key.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from bot.runtime.config import AppConfig
from bot.store.models import Consultant, LoginFailure, LoginSession

log = logging.getLogger(__name__)

SESSION_COOKIE = "borgerchat_inbox"
LOGIN_COOKIE = "borgerchat_inbox_login"
SESSION_LIFETIME = timedelta(hours=12)
# The login brake (login_wait): from the third refusal for one username from one client (the
# 21st from one client for any username) each refusal makes the next try wait, doubling from
# BRAKE_FIRST_DELAY up to BRAKE_MAX_DELAY. Refusals are remembered for a day, so a guesser stays
# at the cap (at most 96 tries a day); a login clears that username's refusals from that client.
BRAKE_MEMORY = timedelta(hours=24)
FREE_FAILURES_PER_PAIR = 2
FREE_FAILURES_PER_CLIENT = 20
BRAKE_FIRST_DELAY = timedelta(seconds=2)
BRAKE_MAX_DELAY = timedelta(minutes=15)
# Stands for every username that names no account (LoginFailure.username); never an account's
# name, as account names have no spaces.
UNKNOWN_USER = "unknown user"
MAX_USERNAME_LENGTH = 80
KEY_FILE_NAME = "inbox_secret_key"
MIN_PASSWORD_LENGTH = 10

_hasher = PasswordHasher()
# Verified against when the username is unknown, so both refusals take the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


class Role:
    CONSULTANT = "consultant"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class Viewer:
    """The logged-in consultant, detached from any database session."""

    id: int
    team_id: int
    username: str
    display_name: str
    role: str
    session_token: str
    # Reads every team's citizens, conversations and audit log (see bot.inbox.scope).
    system_admin: bool = False

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN or self.system_admin


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def load_secret_key(config: AppConfig, key_file: Path | None = None) -> bytes:
    """BORGERCHAT_SECRET_KEY, or in development a key generated once and kept in ``key_file``
    (by default in the data directory)."""
    if config.secrets.secret_key is not None:
        return config.secrets.secret_key.get_secret_value().encode()
    key_file = key_file or config.data_dir / KEY_FILE_NAME
    if key_file.exists():
        return key_file.read_text(encoding="ascii").strip().encode()
    log.warning(
        "BORGERCHAT_SECRET_KEY is not set: generated a development key in %s. "
        "Set BORGERCHAT_SECRET_KEY in production so sessions survive and stay secret.",
        key_file,
    )
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # Written aside and linked into place: with `serve --workers N` every process agrees on
    # the first key that lands, and none reads a half-written file.
    draft = key_file.with_name(f"{key_file.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key)
    try:
        os.link(draft, key_file)
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    return key_file.read_text(encoding="ascii").strip().encode()


class CookieSigner:
    def __init__(self, key: bytes) -> None:
        self._key = key

    def _mac(self, purpose: str, value: str) -> str:
        return hmac.new(self._key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()

    def sign(self, token: str) -> str:
        return f"{token}.{self._mac('session', token)}"

    def unsign(self, cookie: str | None) -> str | None:
        if not cookie or "." not in cookie:
            return None
        token, mac = cookie.rsplit(".", 1)
        return token if hmac.compare_digest(mac, self._mac("session", token)) else None

    def csrf_token(self, bound_to: str) -> str:
        """The CSRF token of a session token or pre-login nonce."""
        return self._mac("csrf", bound_to)

    def csrf_valid(self, bound_to: str | None, submitted: str | None) -> bool:
        if not bound_to or not submitted:
            return False
        return hmac.compare_digest(self.csrf_token(bound_to), submitted)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class LoginResult:
    """A login attempt's outcome; ``account`` is the account the username names, if any."""

    account: Consultant | None
    accepted: bool


def _account_named(db: Session, username: str) -> Consultant | None:
    username = username.strip().lower()
    if not username or len(username) > MAX_USERNAME_LENGTH:
        return None
    return db.scalars(select(Consultant).where(Consultant.username == username)).first()


def _failure_name(account: Consultant | None) -> str:
    # What was typed is never kept: it may be a mistyped password or a CPR number.
    return account.username if account is not None else UNKNOWN_USER


def _delay(failures: int, free: int) -> timedelta:
    """No wait for the first ``free`` refusals, then a wait doubling with each one, capped."""
    if failures <= free:
        return timedelta(0)
    doublings: int = min(failures - free - 1, 30)
    return min(BRAKE_FIRST_DELAY * (1 << doublings), BRAKE_MAX_DELAY)


def login_wait(db: Session, username: str, client: str, now: datetime) -> timedelta:
    """How long a login as ``username`` from ``client`` must still wait (zero: try now).

    Refused logins brake the pair (username, client) from the third on, and the client as a
    whole (whatever username it tries) after more; never the account itself, so while one
    client guesses, the owner logs in from another.
    """
    since = now - BRAKE_MEMORY
    recent = (LoginFailure.at >= since, LoginFailure.at <= now)
    pair_count, pair_last = db.execute(
        select(func.count(), func.max(LoginFailure.at)).where(
            LoginFailure.username == _failure_name(_account_named(db, username)),
            LoginFailure.client == client[:64],
            *recent,
        )
    ).one()
    client_count, client_last = db.execute(
        select(func.count(), func.max(LoginFailure.at)).where(
            LoginFailure.client == client[:64], *recent
        )
    ).one()
    until = now
    if pair_last is not None:
        until = max(until, pair_last + _delay(pair_count, FREE_FAILURES_PER_PAIR))
    if client_last is not None:
        until = max(until, client_last + _delay(client_count, FREE_FAILURES_PER_CLIENT))
    return until - now


def authenticate(
    db: Session, username: str, password: str, client: str, now: datetime
) -> LoginResult:
    """Check the password of the active account ``username``; a refusal is noted for the brake
    (:func:`login_wait`) under the account's name, or as an unknown user."""
    account = _account_named(db, username)
    ok = verify_password(account.password_hash if account else None, password)
    if account is None or not account.active or not ok:
        db.add(LoginFailure(username=_failure_name(account), client=client[:64], at=now))
        return LoginResult(account, accepted=False)
    # This client's refusals for this account were the owner's typos; others' stay.
    db.execute(
        delete(LoginFailure).where(
            LoginFailure.username == account.username, LoginFailure.client == client[:64]
        )
    )
    db.execute(
        delete(LoginFailure).where(
            or_(LoginFailure.at < now - BRAKE_MEMORY, LoginFailure.at > now + BRAKE_MEMORY)
        )
    )
    return LoginResult(account, accepted=True)


def start_session(db: Session, consultant: Consultant, now: datetime) -> str:
    """Create a login session and return its token (for the cookie)."""
    token = secrets.token_urlsafe(32)
    db.execute(delete(LoginSession).where(LoginSession.expires_at < now))
    db.add(
        LoginSession(
            token_hash=_token_hash(token),
            consultant_id=consultant.id,
            created_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
    )
    return token


def end_session(db: Session, token: str) -> None:
    db.execute(delete(LoginSession).where(LoginSession.token_hash == _token_hash(token)))


def viewer_for(db: Session, token: str | None, now: datetime) -> Viewer | None:
    if token is None:
        return None
    row = db.execute(
        select(LoginSession, Consultant)
        .join(Consultant, Consultant.id == LoginSession.consultant_id)
        .where(
            LoginSession.token_hash == _token_hash(token),
            LoginSession.expires_at > now,
            Consultant.active.is_(True),
        )
    ).first()
    if row is None:
        return None
    consultant = row[1]
    return Viewer(
        id=consultant.id,
        team_id=consultant.team_id,
        username=consultant.username,
        display_name=consultant.display_name,
        role=consultant.role,
        session_token=token,
        system_admin=consultant.system_admin,
    )
