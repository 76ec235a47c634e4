"""The consultant inbox's pages under ``/inbox``, one module per section.

Every page needs a login; every POST needs the CSRF token of the login session (or, for the
login form itself, of the pre-login cookie). A refused CSRF check answers 403 and changes
nothing. Views of conversations and citizen pages are written to the audit log. Every word a
consultant reads comes from ``bot/inbox/content`` in the language ``locale.inbox_language``.
"""

from __future__ import annotations

from fastapi import APIRouter

from bot.inbox.pages import admin, bookings, citizens, login, queue, slots

router = APIRouter()
for section in (login, queue, citizens, bookings, slots, admin):
    router.include_router(section.router)
