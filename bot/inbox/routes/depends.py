"""The FastAPI dependencies every inbox section shares, and the route class that answers refusals.

A dependency that refuses a request (no login, an expired form, not an admin) raises
:class:`Answer` with the page or redirect to send instead; :class:`InboxRoute`, the route class
of every inbox router, answers with it. Every POST but the login form needs the CSRF token of
the login session (:data:`FormSender`); a refused check answers 403 and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

from bot.inbox import auth
from bot.inbox.audit import AuditTrail
from bot.inbox.auth import CookieSigner, Viewer
from bot.inbox.routes.rendering import Renderer
from bot.inbox.text import InboxText
from bot.kernel.errors import InboxError
from bot.services import Services
from bot.store.db import transaction


class Answer(Exception):
    """The request is answered with ``response`` instead of by its endpoint."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


class InboxRoute(APIRoute):
    """A route whose dependencies and endpoint may answer early by raising :class:`Answer`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def answered(request: Request) -> Response:
            try:
                return await handle(request)
            except Answer as answer:
                return answer.response

        return answered


def section_router() -> APIRouter:
    """The router of one section of the inbox, under ``/inbox``."""
    return APIRouter(prefix="/inbox", include_in_schema=False, route_class=InboxRoute)


def to_login() -> RedirectResponse:
    return RedirectResponse("/inbox/login", status_code=303)


def see_other(url: str, *, notice: str = "", error: str = "") -> RedirectResponse:
    """Back to a page, with a notice or an error to show on it."""
    if notice:
        url += ("&" if "?" in url else "?") + "notice=" + quote(notice)
    if error:
        url += ("&" if "?" in url else "?") + "error=" + quote(error)
    return RedirectResponse(url, status_code=303)


def explain(text: InboxText, error: InboxError) -> str:
    return text(error.key, **error.params)


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(_services)]


def _text(services: ServicesDep) -> InboxText:
    return InboxText(services.config.settings.locale.inbox_language)


Text = Annotated[InboxText, Depends(_text)]


def _signer(request: Request, services: ServicesDep) -> CookieSigner:
    signer: CookieSigner | None = getattr(request.app.state, "inbox_signer", None)
    if signer is None:
        signer = CookieSigner(auth.load_secret_key(services.config))
        request.app.state.inbox_signer = signer
    return signer


Signer = Annotated[CookieSigner, Depends(_signer)]


def _renderer(request: Request, services: ServicesDep, text: Text, signer: Signer) -> Renderer:
    return Renderer(request, text, signer, services.config.settings.tz)


Render = Annotated[Renderer, Depends(_renderer)]


def _logged_in(request: Request, services: ServicesDep, signer: Signer) -> Viewer:
    token = signer.unsign(request.cookies.get(auth.SESSION_COOKIE))
    with transaction(services.session_factory) as db:
        viewer = auth.viewer_for(db, token, services.clock.now())
    if viewer is None:
        raise Answer(to_login())
    return viewer


LoggedIn = Annotated[Viewer, Depends(_logged_in)]


def _admin_only(viewer: Viewer, render: Renderer) -> Viewer:
    if not viewer.is_admin:
        raise Answer(render.forbidden(viewer, "errors.admins_only"))
    return viewer


def _admin(viewer: LoggedIn, render: Render) -> Viewer:
    return _admin_only(viewer, render)


Admin = Annotated[Viewer, Depends(_admin)]


def _form_sender(
    viewer: LoggedIn,
    signer: Signer,
    render: Render,
    csrf_token: Annotated[str, Form()] = "",
) -> Viewer:
    if not signer.csrf_valid(viewer.session_token, csrf_token):
        raise Answer(render.forbidden(viewer, "errors.form_expired"))
    return viewer


# The consultant who sent a form with their session's CSRF token.
FormSender = Annotated[Viewer, Depends(_form_sender)]


def _form_admin(viewer: FormSender, render: Render) -> Viewer:
    return _admin_only(viewer, render)


FormAdmin = Annotated[Viewer, Depends(_form_admin)]


def _session(services: ServicesDep) -> Iterator[Session]:
    with services.session_factory() as db:
        yield db


# Closed when the endpoint returns, before the response is sent.
SessionDep = Annotated[Session, Depends(_session, scope="function")]


def _in_transaction(db: SessionDep) -> Iterator[Session]:
    with db.begin():
        yield db


# A page's one transaction: committed when the endpoint returns (or answers early).
Transaction = Annotated[Session, Depends(_in_transaction, scope="function")]


@dataclass(frozen=True, slots=True)
class Changes:
    """What a form changes, in one transaction of its own."""

    db: Session
    text: InboxText

    @contextmanager
    def transaction(self, back: str) -> Iterator[Session]:
        """On an :class:`InboxError` the changes are rolled back and the consultant is sent
        back to ``back`` with the error's text."""
        try:
            with self.db.begin():
                yield self.db
        except InboxError as exc:
            raise Answer(see_other(back, error=explain(self.text, exc))) from exc


def _changes(db: SessionDep, text: Text) -> Changes:
    return Changes(db, text)


ChangesDep = Annotated[Changes, Depends(_changes, scope="function")]


@contextmanager
def found_or_404(render: Renderer, viewer: Viewer) -> Iterator[None]:
    """An :class:`InboxError` in the block answers the error page with 404."""
    try:
        yield
    except InboxError as exc:
        raise Answer(render.error(viewer, 404, explain(render.text, exc))) from exc


def _audit_trail(db: SessionDep, viewer: LoggedIn) -> AuditTrail:
    return AuditTrail(db, viewer)


Audit = Annotated[AuditTrail, Depends(_audit_trail, scope="function")]
