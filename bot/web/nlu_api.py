"""``POST /nlu/parse``: the configured recognizer over HTTP, in Rasa's ``/model/parse`` shape.

Body ``{"text": "...", "now": "2026-11-23T09:12:00+01:00"}`` (``now`` optional: the reference
time for relative dates). The embedded parse is pure CPU work of well under a millisecond, so
it runs on the event loop: a thread-pool hop would cost more than the parse itself. A Rasa
server is a network call that may take seconds, so that one runs in a worker thread and never
holds up the other requests. The result is serialised straight to JSON: FastAPI's generic
encoder would cost more than the parse too.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictStr

from bot.kernel.bounds import MOMENT_RANGE
from bot.kernel.text import clean_text
from bot.runtime.error_answers import documented_errors
from bot.runtime.threads import run_blocking
from bot.services import Services
from nlu.embedded import EmbeddedRecognizer

router = APIRouter()


class ParseRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    # Longer than chat.max_text_chars, or blank, is refused with 422.
    text: Annotated[StrictStr, Field(min_length=1)]
    now: Annotated[
        Annotated[AwareDatetime, MOMENT_RANGE] | None,
        Field(description="Reference time, ISO 8601, between the years 1900 and 2999"),
    ] = None


PARSE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "Rasa's /model/parse result: text, intent, entities, intent_ranking"},
    **documented_errors(400, 413, 422),
}


@router.post("/nlu/parse", response_class=Response, responses=PARSE_RESPONSES)
async def parse_message(body: ParseRequest, request: Request) -> Response:
    services: Services = request.app.state.services
    text = clean_text(body.text, max_chars=services.config.settings.chat.max_text_chars)
    recognizer = services.recognizer
    now = body.now or datetime.now(UTC)
    if isinstance(recognizer, EmbeddedRecognizer):
        result = recognizer.parse(text, now=now)
    else:
        result = await run_blocking(lambda: recognizer.parse(text, now=now))
    return Response(json.dumps(result, ensure_ascii=False), media_type="application/json")
