"""The public notice pages: Danish first, English at ``?lang=en``, linked from the web chat
and the inbox. Both are content rendered with the contact details and retention periods from
config (``privacy``), so a page says what the service does.

- ``/privacy``: the full privacy notice (GDPR art. 13), content ``privacy_web``.
- ``/accessibility``: the accessibility statement (tilgængelighedserklæring) that public bodies
  must publish for each website (webtilgængelighedsloven § 4), content ``accessibility``.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from bot.domain.stated_facts import NOTICE_PATH, notice_params
from bot.services import Services

router = APIRouter()
ACCESSIBILITY_PATH = "/accessibility"


def render_notice(
    request: Request, lang: str, path: str, prefix: str, sections_key: str, sources_key: str
) -> HTMLResponse:
    services: Services = request.app.state.services
    language = lang if lang in ("da", "en") else "da"
    content = services.content
    params = notice_params(services.config.settings)
    sections = [
        {"heading": str(section["heading"]), "text": str(section["text"]).format(**params).strip()}
        for section in content.raw(language, f"{prefix}.{sections_key}")
    ]
    labels = {
        key: content.text(language, f"{prefix}.{key}")
        for key in ("page_title", "page_intro", "other_language", "sources_heading")
    }
    other = "en" if language == "da" else "da"
    response: HTMLResponse = request.app.state.templates.TemplateResponse(
        request,
        "notice.html",
        {
            "labels": labels,
            "language": language,
            "other": other,
            "sections": sections,
            "sources": content.raw(language, f"{prefix}.{sources_key}"),
            "other_language_url": f"{path}?lang={other}",
        },
    )
    return response


@router.get(NOTICE_PATH, response_class=HTMLResponse)
def privacy_page(request: Request, lang: str = "da") -> HTMLResponse:
    return render_notice(request, lang, NOTICE_PATH, "privacy_web", "notice", "notice_sources")


@router.get(ACCESSIBILITY_PATH, response_class=HTMLResponse)
def accessibility_page(request: Request, lang: str = "da") -> HTMLResponse:
    return render_notice(request, lang, ACCESSIBILITY_PATH, "accessibility", "statement", "sources")
