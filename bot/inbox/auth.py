"""Consultant authentication: argon2 password hashes, signed session cookies, CSRF tokens.

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
# A little brute-force protection: after this many refused logins in the window, refuse all.
FAILURE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USERNAME = 5
MAX_FAILURES_PER_CLIENT = 30
# A failed login with a name no account has is recorded under this, never under what was typed.
UNKNOWN_USER = "unknown user"
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

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


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


def recorded_username(consultant: Consultant | None) -> str:
    """The username a login attempt is recorded under: a known account's, else ``UNKNOWN_USER``.

    What was typed is never stored: a mistyped name may be a password or a CPR number.
    """
    return consultant.username if consultant is not None else UNKNOWN_USER


def too_many_failures(db: Session, username: str, client: str, now: datetime) -> bool:
    since = now - FAILURE_WINDOW
    by_username = db.scalar(
        select(func.count()).where(LoginFailure.username == username, LoginFailure.at >= since)
    )
    by_client = db.scalar(
        select(func.count()).where(LoginFailure.client == client, LoginFailure.at >= since)
    )
    return (by_username or 0) >= MAX_FAILURES_PER_USERNAME or (
        by_client or 0
    ) >= MAX_FAILURES_PER_CLIENT


def authenticate(
    db: Session, username: str, password: str, client: str, now: datetime
) -> Consultant | None:
    """The active consultant with this username and password, or None (and the failure noted)."""
    username = username.strip().lower()[:80]
    consultant = db.scalars(select(Consultant).where(Consultant.username == username)).first()
    ok = verify_password(consultant.password_hash if consultant else None, password)
    if consultant is None or not consultant.active or not ok:
        db.add(LoginFailure(username=recorded_username(consultant), client=client[:64], at=now))
        return None
    # Old failures for this user would otherwise lock them out after a typo or two.
    db.execute(delete(LoginFailure).where(LoginFailure.username == username))
    db.execute(
        delete(LoginFailure).where(
            or_(LoginFailure.at < now - FAILURE_WINDOW, LoginFailure.at > now + FAILURE_WINDOW)
        )
    )
    return consultant


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
    )
