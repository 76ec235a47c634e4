"""The ``rasa`` backend: a Rasa server's ``POST /model/parse``, with the embedded recognizer behind.

When the Rasa server is unreachable, slow (``nlu.rasa_timeout_seconds``) or answers nonsense,
the message is parsed by the embedded recognizer instead and the outage is logged (once when
it starts, once when Rasa answers again), so a citizen never waits on a dead server. The crisis
safety net applies to Rasa's answers too, and entities Rasa does not extract (time, numbers,
amounts, CPR) are added by the embedded rules.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from bot.kernel.errors import RasaResponseError
from nlu.crisis import crisis_matches
from nlu.embedded import CRISIS_INTENT, SAFETY_NET_CONFIDENCE
from nlu.entities import extract_entities
from nlu.types import Entity, IntentRecognizer, IntentScore, ParseResult

log = logging.getLogger(__name__)


def _intent_score(value: Any) -> IntentScore:
    if not isinstance(value, dict) or not isinstance(value.get("name"), str):
        raise RasaResponseError("intent without a name")
    return IntentScore(name=value["name"], confidence=float(value.get("confidence") or 0.0))


def _entity(value: Any) -> Entity:
    if not isinstance(value, dict) or not isinstance(value.get("entity"), str):
        raise RasaResponseError("entity without a name")
    return Entity(
        entity=value["entity"],
        value=value.get("value"),
        start=int(value.get("start", 0)),
        end=int(value.get("end", 0)),
        extractor=str(value.get("extractor", "rasa")),
    )


def result_from_rasa(text: str, body: Any) -> ParseResult:
    """Validate a Rasa ``/model/parse`` JSON body and keep the four keys of the shape."""
    if not isinstance(body, dict):
        raise RasaResponseError("not a JSON object")
    intent = _intent_score(body.get("intent"))
    ranking = [_intent_score(item) for item in body.get("intent_ranking") or [intent]]
    entities = [_entity(item) for item in body.get("entities") or []]
    return ParseResult(text=text, intent=intent, entities=entities, intent_ranking=ranking)


class RasaRecognizer:
    """Parses with a Rasa server; falls back to ``fallback`` when the server fails."""

    def __init__(
        self,
        url: str,
        *,
        timeout_seconds: float,
        fallback: IntentRecognizer,
        timezone: ZoneInfo | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.parse_url = url.rstrip("/") + "/model/parse"
        self.fallback = fallback
        self.timezone = timezone or ZoneInfo("Europe/Copenhagen")
        # One pooled client: httpx.Client may be shared between threads.
        self._client = httpx.Client(timeout=timeout_seconds, transport=transport)
        self._reachable = True

    def close(self) -> None:
        self._client.close()

    def parse(self, text: str, *, now: datetime | None = None) -> ParseResult:
        try:
            response = self._client.post(self.parse_url, json={"text": text})
            response.raise_for_status()
            result = result_from_rasa(text, response.json())
        except (httpx.HTTPError, ValueError) as exc:
            if self._reachable:
                log.warning(
                    "Rasa at %s failed (%s): parsing with the embedded NLU", self.parse_url, exc
                )
                self._reachable = False
            return self.fallback.parse(text, now=now)
        if not self._reachable:
            log.warning("Rasa at %s answers again", self.parse_url)
            self._reachable = True
        return self._complete(result, now)

    def _complete(self, result: ParseResult, now: datetime | None) -> ParseResult:
        text = result["text"]
        if result["intent"]["name"] != CRISIS_INTENT and crisis_matches(text):
            crisis = IntentScore(name=CRISIS_INTENT, confidence=SAFETY_NET_CONFIDENCE)
            others = [s for s in result["intent_ranking"] if s["name"] != CRISIS_INTENT]
            result = ParseResult(
                text=text,
                intent=crisis,
                entities=result["entities"],
                intent_ranking=[crisis, *others],
            )
        known = {entity["entity"] for entity in result["entities"]}
        reference = now if now is not None else datetime.now(UTC)
        extra = [
            e for e in extract_entities(text, reference, self.timezone) if e["entity"] not in known
        ]
        if extra:
            result["entities"] = [*result["entities"], *extra]
        return result
