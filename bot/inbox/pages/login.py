"""Logging in and out, and the inbox's own CSS and JavaScript."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from bot.inbox import auth
from bot.inbox.auth import Viewer
from bot.inbox.pages.rendering import (
    PACKAGE_DIR,
    client_of,
    forbidden,
    inbox_text,
    render,
    run_action,
    services_of,
    signer_of,
    to_login,
)
from bot.store.db import transaction

router = APIRouter(prefix="/inbox", include_in_schema=False)


@router.get("/assets/{name}")
def asset(name: str) -> Response:
    if name not in ("inbox.css", "inbox.js"):
        return Response(status_code=404)
    return FileResponse(PACKAGE_DIR / "assets" / name, headers={"Cache-Control": "max-age=300"})


# -- login --------------------------------------------------------------------------------------


@router.get("/login")
def login_page(request: Request) -> Response:
    nonce = request.cookies.get(auth.LOGIN_COOKIE) or secrets.token_urlsafe(24)
    response = render(request, "login.html", None, login_csrf=signer_of(request).csrf_token(nonce))
    response.set_cookie(
        auth.LOGIN_COOKIE,
        nonce,
        httponly=True,
        samesite="lax",
        path="/inbox",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/login")
def login(
    request: Request,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    services = services_of(request)
    signer = signer_of(request)
    nonce = request.cookies.get(auth.LOGIN_COOKIE)
    if not signer.csrf_valid(nonce, csrf_token):
        return forbidden(request, None, "errors.login_form_expired")
    assert nonce is not None
    now = services.clock.now()
    client = client_of(request)
    text = inbox_text(request)
    with transaction(services.session_factory) as db:
        if auth.too_many_failures(db, username.strip().lower(), client, now):
            return render(
                request,
                "login.html",
                None,
                status_code=429,
                login_csrf=csrf_token,
                error=text("errors.too_many_attempts"),
                username=username,
            )
        consultant = auth.authenticate(db, username, password, client, now)
        if consultant is None:
            return render(
                request,
                "login.html",
                None,
                status_code=401,
                login_csrf=csrf_token,
                error=text("errors.wrong_login"),
                username=username,
            )
        token = auth.start_session(db, consultant, now)
    response = RedirectResponse("/inbox", status_code=303)
    response.set_cookie(
        auth.SESSION_COOKIE,
        signer.sign(token),
        httponly=True,
        samesite="lax",
        path="/inbox",
        secure=request.url.scheme == "https",
        max_age=int(auth.SESSION_LIFETIME.total_seconds()),
    )
    response.delete_cookie(auth.LOGIN_COOKIE, path="/inbox")
    return response


@router.post("/logout")
def logout(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
    def handler(db: Session, viewer: Viewer) -> Response:
        auth.end_session(db, viewer.session_token)
        response = to_login()
        response.delete_cookie(auth.SESSION_COOKIE, path="/inbox")
        return response

    return run_action(request, csrf_token, handler, back="/inbox")
