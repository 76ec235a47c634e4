"""The id in a page's or a form's path, checked against the viewer's scope (:mod:`bot.inbox.scope`).

Every inbox route with an id takes it through one of these dependencies: a GET reads within
:meth:`Scope.reading` (a system admin sees every team), a form changes within
:meth:`Scope.changing`. An id outside the scope answers 404 with the very page an id that names
nothing gets, so ids cannot be probed. The endpoint's own work checks again in its transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Path, Request
from sqlalchemy import ColumnElement

from bot.inbox import scope
from bot.inbox.routes.depends import Answer, LoggedIn, Render, ServicesDep
from bot.inbox.scope import Scope
from bot.store.db import transaction
from bot.store.models import (
    AbsenceNotice,
    Booking,
    CannedReply,
    Citizen,
    Conversation,
    OpeningHours,
)

READING_METHODS = frozenset({"GET", "HEAD"})


def request_scope(request: Request, viewer: LoggedIn) -> Scope:
    if request.method in READING_METHODS:
        return Scope.reading(viewer)
    return Scope.changing(viewer)


RequestScope = Annotated[Scope, Depends(request_scope)]


def _visible_id(
    name: str,
    model: type[object],
    visible: Callable[[Scope], ColumnElement[bool]],
    not_found_key: str,
) -> Callable[..., int]:
    """A dependency giving the path's ``name`` once it names a ``model`` row ``visible`` to the
    request's scope, answering 404 otherwise."""

    def checked(
        object_id: int,
        within: RequestScope,
        viewer: LoggedIn,
        services: ServicesDep,
        render: Render,
    ) -> int:
        with transaction(services.session_factory) as db:
            found = scope.find(db, model, object_id, visible(within))
        if found is None:
            raise Answer(render.error(viewer, 404, render.text(not_found_key)))
        return object_id

    # Set here, not in the signature: postponed annotations are read in the module's namespace,
    # where ``name`` does not exist.
    checked.__annotations__["object_id"] = Annotated[int, Path(alias=name)]
    return checked


ConversationId = Annotated[
    int,
    Depends(
        _visible_id(
            "conversation_id",
            Conversation,
            Scope.conversations,
            "errors.conversation_not_found",
        )
    ),
]
CitizenId = Annotated[
    int,
    Depends(_visible_id("citizen_id", Citizen, Scope.citizens, "errors.citizen_not_found")),
]
BookingId = Annotated[
    int,
    Depends(_visible_id("booking_id", Booking, Scope.bookings, "errors.booking_not_found")),
]
CannedId = Annotated[
    int,
    Depends(_visible_id("canned_id", CannedReply, Scope.canned_replies, "errors.canned_not_found")),
]
OpeningHoursId = Annotated[
    int,
    Depends(_visible_id("hours_id", OpeningHours, Scope.opening_hours, "errors.hours_not_found")),
]
AbsenceId = Annotated[
    int,
    Depends(
        _visible_id("notice_id", AbsenceNotice, Scope.absence_notices, "contact.absence_not_found")
    ),
]
