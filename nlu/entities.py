"""Rule-based entity extraction (placeholder until the full extractor lands)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from nlu.types import Entity


def extract_entities(text: str, now: datetime, timezone: ZoneInfo) -> list[Entity]:
    return []
