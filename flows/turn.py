"""One turn of the dialogue: the message, what the flow says back, and the question it leaves.

A flow asks at most one question per turn. The question is kept in the state as ``pending``
(its kind, what each answer means, and its rendered text so it can be asked again after a topic
change); the next message is read as an answer to it first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.kernel.messages import Reply
from flows.content import Content
from flows.types import Effect, FlowContext, FlowState, Step
from nlu.types import ParseResult


@dataclass
class Turn:
    content: Content
    parse: ParseResult
    context: FlowContext
    state: FlowState
    language: str
    replies: list[Reply] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.parse["text"]

    @property
    def intent(self) -> str:
        return self.parse["intent"]["name"]

    @property
    def confidence(self) -> float:
        return float(self.parse["intent"]["confidence"])

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.context.timezone)

    @property
    def today(self) -> date:
        return self.context.now.astimezone(self.tz).date()

    @property
    def pending(self) -> dict[str, Any] | None:
        pending = self.state.get("pending")
        return pending if isinstance(pending, dict) else None

    @property
    def facts(self) -> dict[str, Any]:
        """What the citizen told us this conversation: passed on in a handoff summary."""
        facts = self.state.setdefault("facts", {})
        assert isinstance(facts, dict)
        return facts

    # Wording ---------------------------------------------------------------------------------

    def t(self, key: str, **params: object) -> str:
        return self.content.text(self.language, key, **params)

    def labels(self, key: str) -> list[str]:
        value = self.content.raw(self.language, key)
        return [str(item) for item in value]

    def say(self, key: str, **params: object) -> None:
        self.replies.append(Reply(self.t(key, **params)))

    def say_text(self, text: str, choices: tuple[str, ...] = ()) -> None:
        self.replies.append(Reply(text, choices))

    def ask(
        self, kind: str, text: str, choices: list[str] | tuple[str, ...] = (), **data: Any
    ) -> None:
        """Send ``text`` with its choices and wait for the answer to a question of ``kind``."""
        self.replies.append(Reply(text, tuple(choices)))
        self.state["pending"] = {"kind": kind, "text": text, "choices": list(choices), **data}

    def ask_yes_no(self, text: str, yes: dict[str, Any], no: dict[str, Any] | None = None) -> None:
        choices = [self.t("core.yes_label"), self.t("core.no_label")]
        self.ask("yesno", text, choices, yes=yes, no=no or {})

    def clear_pending(self) -> None:
        self.state.pop("pending", None)

    def moment(self, when: datetime) -> str:
        local = when.astimezone(self.tz)
        return self.t(
            "time.moment",
            weekday=self.labels("time.weekdays")[local.weekday()],
            day=local.day,
            month=self.labels("time.months")[local.month - 1],
            hour=f"{local.hour:02d}",
            minute=f"{local.minute:02d}",
        )

    def short_moment(self, when: datetime) -> str:
        """A moment for a choice line: short on SMS, where every character costs."""
        if self.context.channel != "sms":
            return self.moment(when)
        local = when.astimezone(self.tz)
        return self.t(
            "time.short",
            weekday=self.labels("time.weekdays_short")[local.weekday()],
            day=local.day,
            month=local.month,
            hour=f"{local.hour:02d}",
            minute=f"{local.minute:02d}",
        )

    def clock(self, when: datetime) -> str:
        local = when.astimezone(self.tz)
        return self.t(
            "time.clock",
            weekday=self.labels("time.weekdays")[local.weekday()],
            hour=f"{local.hour:02d}",
            minute=f"{local.minute:02d}",
        )

    def day(self, on: date) -> str:
        weekday = self.labels("time.weekdays")[on.weekday()]
        month = self.labels("time.months")[on.month - 1]
        return self.t("time.day", weekday=weekday, day=on.day, month=month)

    def answer(self, key: str) -> str:
        """A topic answer with its source: the SMS version on SMS, the full one elsewhere."""
        entry = self.content.raw(self.language, f"topics.{key}")
        if self.context.channel == "sms":
            return str(entry["sms"]).strip()
        source = self.t("core.source_line", source=entry["source"], reviewed=entry["reviewed"])
        return f"{str(entry['text']).strip()}\n{source}"

    def step(self) -> Step:
        return Step(self.replies, self.effects, self.state)
