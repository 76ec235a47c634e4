"""The inbox's stylesheet and script."""

from __future__ import annotations

from fastapi.responses import FileResponse, Response

from bot.inbox.routes.depends import section_router
from bot.inbox.routes.rendering import INBOX_DIR

router = section_router()
ASSETS = ("inbox.css", "inbox.js", "live.js", "shortcuts.js")


@router.get("/assets/{name}")
def asset(name: str) -> Response:
    if name not in ASSETS:
        return Response(status_code=404)
    return FileResponse(INBOX_DIR / "assets" / name, headers={"Cache-Control": "max-age=300"})
