"""The citizen's answer to "Fik du hjælp?" (``flows.after_close``), kept per team and week."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.domain.effects import EffectRunner, EffectScope
from bot.store.models import Satisfaction, SatisfactionAnswer
from flows.after_close import RecordSatisfaction

# An answer this long after the question is not taken: the question was left open too long
# to be about that chat.
ANSWER_WITHIN = timedelta(days=7)


def register(runner: EffectRunner) -> None:
    runner.register(RecordSatisfaction, record_satisfaction)


def record_satisfaction(scope: EffectScope, effect: RecordSatisfaction) -> None:
    """The citizen's newest open question gets the answer; one answered is never changed."""
    try:
        answer = Satisfaction(effect.answer)
    except ValueError:
        return
    asked = scope.session.scalars(
        select(SatisfactionAnswer)
        .where(
            SatisfactionAnswer.citizen_id == scope.citizen_id,
            SatisfactionAnswer.answered_at.is_(None),
            SatisfactionAnswer.asked_at >= scope.now - ANSWER_WITHIN,
        )
        .order_by(SatisfactionAnswer.asked_at.desc())
        .limit(1)
    ).first()
    if asked is not None:
        asked.answer = answer.value
        asked.answered_at = scope.now
