"""The answers the chatbot states, for the admins who keep them current: expired ones first
(the chatbot hands those to a person instead of stating them), then those due soonest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from flows.content import Answer, Content
from flows.content_check import REVIEW_WINDOW_DAYS


class ReviewStatus(StrEnum):
    EXPIRED = "expired"  # past review_by: not shown to citizens
    DUE = "due"  # review_by within REVIEW_WINDOW_DAYS
    CURRENT = "current"


@dataclass(frozen=True, slots=True)
class AnswerReview:
    answer: Answer
    status: ReviewStatus


def answers_by_review(content: Content, language: str, today: date) -> list[AnswerReview]:
    """Every answer in ``language`` with its review status, expired first, then by review-by."""
    due_until = today + timedelta(days=REVIEW_WINDOW_DAYS)

    def status(answer: Answer) -> ReviewStatus:
        if answer.expired(today):
            return ReviewStatus.EXPIRED
        return ReviewStatus.DUE if answer.review_by <= due_until else ReviewStatus.CURRENT

    reviews = [AnswerReview(answer, status(answer)) for answer in content.answers(language)]
    return sorted(
        reviews,
        key=lambda r: (r.status != ReviewStatus.EXPIRED, r.answer.review_by, r.answer.key),
    )
