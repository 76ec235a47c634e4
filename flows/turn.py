"""One turn of the dialogue: the message, what the flow says back, and the question it leaves.

A flow asks at most one question per turn. The question is kept in the state as ``pending``
(a :mod:`flows.questions` kind with what each answer means, and its rendered text so it can be
asked again after a topic change); the next message is read as an answer to it first. A turn reads
the stored state when it begins and gives the stored form back in :meth:`Turn.step`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.kernel.messages import Reply
from flows.content import Answer, Content
from flows.questions import Action, Question, YesNo
from flows.state import FlowState
from flows.types import Effect, FlowContext, HandoffReason, Step, StoredState
from nlu.types import ParseResult


@dataclass
class Turn:
    content: Content
    parse: ParseResult
    context: FlowContext
    stored: StoredState  # the state as stored before this message
    language: str
    replies: list[Reply] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)
    state: FlowState = field(init=False)
    _read: FlowState = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._read = FlowState.from_stored(self.stored)
        self.state = self._read.copy()

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
    def pending(self) -> Question | None:
        return self.state.pending

    @property
    def facts(self) -> dict[str, Any]:
        """What the citizen told us this conversation: passed on in a handoff summary."""
        return self.state.facts

    # Wording ---------------------------------------------------------------------------------

    def t(self, key: str, **params: object) -> str:
        return self.content.text(self.language, key, **params)

    def labels(self, key: str) -> tuple[str, ...]:
        value = self.content.raw(self.language, key)
        return tuple(str(item) for item in value)

    def say(self, key: str, **params: object) -> None:
        self.replies.append(Reply(self.t(key, **params)))

    def say_text(self, text: str, choices: tuple[str, ...] = ()) -> None:
        self.replies.append(Reply(text, choices))

    def ask(self, question: Question) -> None:
        """Send the question with its choices and wait for its answer."""
        self.replies.append(Reply(question.text, question.choices))
        self.state.pending = question

    def ask_yes_no(self, text: str, yes: Action, no: Action | None = None) -> None:
        self.ask(YesNo(text=text, choices=self.yes_no_labels(), yes=yes, no=no or Action()))

    def yes_no_labels(self) -> tuple[str, str]:
        return self.t("core.yes_label"), self.t("core.no_label")

    def clear_pending(self) -> None:
        self.state.pending = None

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

    def answer(self, key: str) -> bool:
        """Say the answer at ``key`` (a dotted key; a bare one is in ``topics``): its SMS text on
        SMS; elsewhere its text, a line per source and when it was checked. Past its review-by
        date the rule is not stated: the citizen is told it is being checked and the chat goes
        to a person. True when the answer was given, so a flow goes on only after it."""
        answer = self.content.answer(self.language, key if "." in key else f"topics.{key}")
        if answer.expired(self.today):
            # handoff builds on Turn, so it is imported where it is used.
            from flows.handoff import start_handoff

            self.facts["expired_answer"] = answer.key
            self.say("answers.under_review")
            start_handoff(self, HandoffReason.CONTENT_EXPIRED)
            return False
        self.say_text(self.render_answer(answer))
        return True

    def render_answer(self, answer: Answer) -> str:
        if self.context.channel == "sms":
            return answer.sms
        lines = [answer.text]
        for source in answer.sources:
            if source.section:
                lines.append(
                    self.t(
                        "answers.source_line_section",
                        title=source.title,
                        section=source.section,
                        url=source.url,
                    )
                )
            else:
                lines.append(self.t("answers.source_line", title=source.title, url=source.url))
        verified = self.t(
            "answers.verified_date",
            day=answer.verified.day,
            month=self.labels("time.months")[answer.verified.month - 1],
            year=answer.verified.year,
        )
        lines.append(self.t("answers.verified_note", date=verified))
        return "\n".join(lines)

    def step(self) -> Step:
        """The turn's outcome; an unchanged state is given back as it was stored."""
        unchanged = self.state == self._read
        return Step(
            self.replies, self.effects, self.stored if unchanged else self.state.to_stored()
        )
