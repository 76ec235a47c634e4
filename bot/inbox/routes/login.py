"""Logging in and out: the login form, its pre-login CSRF cookie, the session cookie, and the
login brake. Every login, refused login and logout is audited; a try the brake refuses before
any check is answered 429 with ``Retry-After`` and not audited (one client could otherwise fill
the log), and what was typed as a username is never stored.

The client is the peer address, or the one a proxy in ``inbox.trusted_proxies`` forwarded
(``bot.web.app`` trusts ``X-Forwarded-For`` from those addresses only).
"""

from __future__ import annotations

import math
import secrets
from datetime import timedelta
from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response

from bot.inbox import auth
from bot.inbox.audit import AuditAction, AuditObject, AuditTrail
from bot.inbox.routes.depends import (
    Audit,
    ChangesDep,
    FormSender,
    Render,
    ServicesDep,
    Signer,
    Text,
    Transaction,
    section_router,
    to_login,
)
from bot.inbox.routes.rendering import Renderer

router = section_router()


def _cookie_secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _login_refused(
    render: Renderer, status_code: int, error: str, csrf_token: str, username: str
) -> Response:
    return render(
        "login.html",
        None,
        status_code=status_code,
        login_csrf=csrf_token,
        error=error,
        username=username,
    )


@router.get("/login")
def login_page(request: Request, render: Render, signer: Signer) -> Response:
    nonce = request.cookies.get(auth.LOGIN_COOKIE) or secrets.token_urlsafe(24)
    response = render("login.html", None, login_csrf=signer.csrf_token(nonce))
    response.set_cookie(
        auth.LOGIN_COOKIE,
        nonce,
        httponly=True,
        samesite="lax",
        path="/inbox",
        secure=_cookie_secure(request),
    )
    return response


@router.post("/login")
def login(
    request: Request,
    services: ServicesDep,
    signer: Signer,
    render: Render,
    text: Text,
    db: Transaction,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    # Before login the form's CSRF token is bound to the pre-login cookie's nonce.
    nonce = request.cookies.get(auth.LOGIN_COOKIE)
    if not signer.csrf_valid(nonce, csrf_token):
        return render.forbidden(None, "errors.login_form_expired")
    now = services.clock.now()
    client = request.client.host if request.client else "unknown"
    wait = auth.login_wait(db, username, client, now)
    if wait > timedelta(0):
        refused = _login_refused(
            render, 429, text("errors.too_many_attempts"), csrf_token, username
        )
        refused.headers["Retry-After"] = str(math.ceil(wait.total_seconds()))
        return refused
    result = auth.authenticate(db, username, password, client, now)
    trail = AuditTrail(db, result.account)
    account_id = result.account.id if result.account else None
    if not result.accepted or result.account is None:
        trail.record(AuditAction.LOGIN_REFUSED, AuditObject.ACCOUNT, account_id, now, client=client)
        return _login_refused(render, 401, text("errors.wrong_login"), csrf_token, username)
    trail.record(AuditAction.LOGIN, AuditObject.ACCOUNT, account_id, now, client=client)
    token = auth.start_session(db, result.account, now)
    response = RedirectResponse("/inbox", status_code=303)
    response.set_cookie(
        auth.SESSION_COOKIE,
        signer.sign(token),
        httponly=True,
        samesite="lax",
        path="/inbox",
        secure=_cookie_secure(request),
        max_age=int(auth.SESSION_LIFETIME.total_seconds()),
    )
    response.delete_cookie(auth.LOGIN_COOKIE, path="/inbox")
    return response


@router.post("/logout")
def logout(
    viewer: FormSender, changes: ChangesDep, audit: Audit, services: ServicesDep
) -> Response:
    with changes.transaction(back="/inbox") as db:
        auth.end_session(db, viewer.session_token)
        audit.record(AuditAction.LOGOUT, AuditObject.ACCOUNT, viewer.id, services.clock.now())
    response = to_login()
    response.delete_cookie(auth.SESSION_COOKIE, path="/inbox")
    return response
