"""Whether the bot answers an admitted message itself: flood control, silence while a person
holds the conversation, and the notice that a CPR number was removed."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.kernel.messages import Reply
from bot.store.conversations import OpenConversation
from bot.store.models import ConversationStatus
from flows.content import Content

# A burst is counted from its first message for this long; a message after it starts a new one.
FLOOD_WINDOW = timedelta(minutes=1)
# Crisis messages always get the bot's answer (the crisis numbers).
CRISIS = "crisis"


def count_inbound(conversation: OpenConversation, now: datetime) -> dict[str, Any]:
    """Count an inbound message in the conversation's flood window: the columns to write."""
    started = conversation.inbound_window_started_at
    if started is None or now - started >= FLOOD_WINDOW:
        return {"inbound_window_started_at": now, "inbound_in_window": 1}
    return {"inbound_in_window": conversation.inbound_in_window + 1}


def held_back(
    conversation: OpenConversation,
    intent: str,
    in_window: int,
    *,
    max_per_minute: int,
    content: Content,
) -> list[Reply] | None:
    """The replies when the bot does not take the message to its flows (often none); None when
    it does. ``in_window``: the inbound messages in the flood window, this one included."""
    if conversation.status == ConversationStatus.CONSULTANT:
        return []  # a person holds the conversation: the bot stays silent
    if intent == CRISIS:
        return None
    # A citizen waiting for a person is answered by the flows too (flows/waiting.py): an
    # acknowledgement with the expected time, the crisis numbers again, or an errand.
    if in_window == max_per_minute + 1:
        return [Reply(content.text(conversation.language, "core.throttled"))]
    if in_window > max_per_minute:
        return []  # flooding: stored, not answered, until the pace drops
    return None


def with_cpr_notice(
    replies: list[Reply], intent: str, language: str, content: Content
) -> list[Reply]:
    """The replies with the notice that a CPR number was removed from the message."""
    notice = Reply(content.text(language, "core.cpr_removed"))
    # Crisis numbers always come first; the CPR notice can wait.
    return [*replies, notice] if intent == CRISIS else [notice, *replies]
