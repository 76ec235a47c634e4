"""The chatbot's answers for admins: sources, verified and review-by dates, expired first."""

from __future__ import annotations

from fastapi.responses import Response

from bot.inbox.content_review import answers_by_review
from bot.inbox.routes.depends import Admin, Render, ServicesDep, Text, section_router

router = section_router()


@router.get("/content")
def content_page(viewer: Admin, render: Render, services: ServicesDep, text: Text) -> Response:
    today = services.clock.now().astimezone(services.config.settings.tz).date()
    return render(
        "content.html",
        viewer,
        reviews=answers_by_review(services.content, text.language, today),
        today=today,
    )
