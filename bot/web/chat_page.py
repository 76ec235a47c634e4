"""The web chat page anyone can try the bot in; it talks to ``integrations/webchat.py``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from bot.services import Services

router = APIRouter()


@router.get("/chat", response_class=HTMLResponse)
def chat_page(request: Request, lang: str = "da") -> HTMLResponse:
    services: Services = request.app.state.services
    language = lang if lang in ("da", "en") else "da"
    content = services.content
    labels: dict[str, Any] = {
        key: content.text(language, f"webchat.{key}")
        for key in ("title", "intro", "placeholder", "send", "error", "you", "bot")
    }
    labels["privacy"] = content.text(language, "privacy_web.link_label")
    # Who says what, shown and read aloud with every message; the greeting and its menu.
    labels.update(
        {
            "bot": content.text(language, "webchat_page.speaker_bot"),
            "consultant": content.text(language, "webchat_page.speaker_consultant"),
            "transcript": content.text(language, "webchat_page.transcript"),
            "accessibility": content.text(language, "accessibility.link_label"),
            "greeting": content.text(language, "core.greeting"),
            "greeting_choices": content.raw(language, "core.greeting_choices"),
        }
    )
    # The page says a chatbot answers before anything is written (EU AI Act art. 50).
    labels["bot_notice"] = content.text(language, "core.bot_disclosure")
    # Ending the session (bot/domain/web_sessions.py): the button, and what the page then says.
    labels.update(
        {
            f"session_{key}": content.text(language, f"session.{key}")
            for key in ("end", "end_hint", "confirm_end", "ended", "expired")
        }
    )
    templates = request.app.state.templates
    response: HTMLResponse = templates.TemplateResponse(
        request, "chat.html", {"labels": labels, "language": language}
    )
    return response
