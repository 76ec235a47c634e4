"""The full privacy notice (GDPR art. 13) at ``/privacy``: Danish first, English at ``?lang=en``.

Rendered from the content (``privacy_web.notice``) with the controller, the DPO and every retention
period from config, so the page says what the retention purge does.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from bot.domain.stated_facts import NOTICE_PATH, notice_params
from bot.services import Services

router = APIRouter()


@router.get(NOTICE_PATH, response_class=HTMLResponse)
def privacy_page(request: Request, lang: str = "da") -> HTMLResponse:
    services: Services = request.app.state.services
    language = lang if lang in ("da", "en") else "da"
    content = services.content
    params = notice_params(services.config.settings)
    sections: list[dict[str, str]] = [
        {"heading": str(section["heading"]), "text": str(section["text"]).format(**params).strip()}
        for section in content.raw(language, "privacy_web.notice")
    ]
    labels: dict[str, Any] = {
        key: content.text(language, f"privacy_web.{key}")
        for key in ("page_title", "page_intro", "other_language", "sources_heading")
    }
    other = "en" if language == "da" else "da"
    templates = request.app.state.templates
    response: HTMLResponse = templates.TemplateResponse(
        request,
        "privacy.html",
        {
            "labels": labels,
            "language": language,
            "sections": sections,
            "sources": content.raw(language, "privacy_web.notice_sources"),
            "other_language_url": f"{NOTICE_PATH}?lang={other}",
        },
    )
    return response
