"""The flow engine: one pure step per inbound message.

The foundation's flow greets, hands off on request and answers crisis; the dialogue flows
(sourced answers, booking, absence, job wishes) build on this entry point.
"""

from __future__ import annotations

from bot.messages import Reply
from flows.content import Content
from flows.types import FlowContext, FlowState, HandOff, Step
from nlu.types import ParseResult

CRISIS_PRIORITY = 100


class FlowEngine:
    def __init__(self, content: Content) -> None:
        self.content = content

    def step(self, state: FlowState, parse: ParseResult, context: FlowContext) -> Step:
        lang = context.language
        intent = parse["intent"]["name"]
        text = self.content.text
        if intent == "crisis":
            summary = {"intent": intent, "last_message": parse["text"]}
            return Step(
                replies=[Reply(text(lang, "core.crisis"))],
                effects=[HandOff("crisis", CRISIS_PRIORITY, summary)],
                next_state={},
            )
        if intent == "human_handoff":
            summary = {"intent": intent, "last_message": parse["text"]}
            return Step([Reply(text(lang, "core.handoff"))], [HandOff("requested", 0, summary)], {})
        if intent == "greet":
            choices = tuple(self.content.raw(lang, "core.greeting_choices"))
            return Step([Reply(text(lang, "core.greeting"), choices)], [], state)
        return Step([Reply(text(lang, "core.fallback"))], [], state)
