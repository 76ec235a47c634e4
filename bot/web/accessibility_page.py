"""The accessibility statement (tilgængelighedserklæring) at ``/accessibility``: Danish first,
English at ``?lang=en``, linked from the web chat and the inbox.

Public bodies must publish one for each website (webtilgængelighedsloven § 4); its text is
content (``accessibility.statement``), with the contact details from config (``privacy``).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from bot.domain.stated_facts import notice_params
from bot.services import Services

router = APIRouter()
ACCESSIBILITY_PATH = "/accessibility"


@router.get(ACCESSIBILITY_PATH, response_class=HTMLResponse)
def accessibility_page(request: Request, lang: str = "da") -> HTMLResponse:
    services: Services = request.app.state.services
    language = lang if lang in ("da", "en") else "da"
    content = services.content
    params = notice_params(services.config.settings)
    sections = [
        {"heading": str(section["heading"]), "text": str(section["text"]).format(**params).strip()}
        for section in content.raw(language, "accessibility.statement")
    ]
    labels = {
        key: content.text(language, f"accessibility.{key}")
        for key in ("page_title", "page_intro", "other_language", "sources_heading")
    }
    other = "en" if language == "da" else "da"
    templates = request.app.state.templates
    response: HTMLResponse = templates.TemplateResponse(
        request,
        "accessibility.html",
        {
            "labels": labels,
            "language": language,
            "other": other,
            "sections": sections,
            "sources": content.raw(language, "accessibility.sources"),
            "other_language_url": f"{ACCESSIBILITY_PATH}?lang={other}",
        },
    )
    return response
