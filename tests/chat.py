"""A chat tester in errbot's spirit: tests talk to the bot as a citizen would."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from bot.kernel.messages import Channel, InboundMessage, OutboundMessage
from bot.pipeline.port import Delivery, DispatchResult
from bot.services import Services

_ids = itertools.count(1)


@dataclass
class ChatTester:
    services: Services
    channel: Channel = Channel.WEB
    address: str = "citizen-session-1"

    def send(self, text: str, *, message_id: str | None = None) -> DispatchResult:
        inbound = InboundMessage(
            self.channel, self.address, text, channel_message_id=message_id or f"m{next(_ids)}"
        )
        return self.services.dispatcher.handle(inbound, delivery=Delivery.INLINE)

    def say(self, text: str) -> list[OutboundMessage]:
        return self.send(text).replies

    def say_text(self, text: str) -> str:
        """Everything the bot answers to ``text``, joined: for assertions on wording."""
        return "\n".join(reply.text for reply in self.say(text))
