"""The answers to "Fik du hjælp?" per ISO week and team, for *Statistik*."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.inbox.auth import Viewer
from bot.inbox.scope import Scope
from bot.inbox.statistics import iso_week
from bot.inbox.text import InboxText
from bot.store.models import Satisfaction, SatisfactionAnswer, Team


@dataclass(frozen=True, slots=True)
class SatisfactionRow:
    week: str
    team: str
    asked: int
    yes: int
    partly: int
    no: int

    @property
    def answered(self) -> int:
        return self.yes + self.partly + self.no

    @property
    def helped_rate(self) -> float:
        """Of the answers, the share that said yes."""
        return self.yes / self.answered if self.answered else 0.0


def satisfaction_by_week(
    db: Session, viewer: Viewer, now: datetime, tz: ZoneInfo, text: InboxText, weeks: int = 8
) -> list[SatisfactionRow]:
    """The last ``weeks`` weeks' questions by the week they were asked, per team in scope (a
    system admin sees every team's); newest week first."""
    within = Scope.reading(viewer)
    query = (
        select(SatisfactionAnswer.asked_at, SatisfactionAnswer.answer, Team.name)
        .join(Team, Team.id == SatisfactionAnswer.team_id)
        .where(SatisfactionAnswer.asked_at >= now - timedelta(weeks=weeks))
    )
    if not within.every_team:
        query = query.where(SatisfactionAnswer.team_id == within.team_id)
    counts: dict[tuple[tuple[int, int], str], Counter[str | None]] = {}
    for asked_at, answer, team in db.execute(query):
        counts.setdefault((iso_week(asked_at, tz), team), Counter())[answer] += 1
    rows = []
    for ((year, week), team), counted in sorted(counts.items(), reverse=True):
        rows.append(
            SatisfactionRow(
                week=text("statistics.week_label", year=year, week=week),
                team=team,
                asked=sum(counted.values()),
                yes=counted[Satisfaction.YES.value],
                partly=counted[Satisfaction.PARTLY.value],
                no=counted[Satisfaction.NO.value],
            )
        )
    return rows
