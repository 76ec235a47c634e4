"""The booking statistics page: no-show and cancellation rates per week and per reminder policy."""

from __future__ import annotations

from fastapi.responses import Response
from markupsafe import Markup

from bot.inbox.chart import Series, bar_chart
from bot.inbox.routes.depends import (
    LoggedIn,
    Render,
    ServicesDep,
    Text,
    Transaction,
    section_router,
)
from bot.inbox.satisfaction_stats import satisfaction_by_week
from bot.inbox.statistics import Rates, booking_statistics
from bot.inbox.text import InboxText

router = section_router()


def _chart(text: InboxText, title_key: str, rows: list[Rates]) -> Markup:
    return bar_chart(
        text(title_key),
        [r.label for r in rows],
        [
            Series(text("statistics.no_show"), "#c0392b", [r.no_show_rate for r in rows]),
            Series(text("statistics.cancelled"), "#2471a3", [r.cancellation_rate for r in rows]),
        ],
    )


@router.get("/statistics")
def statistics_page(
    viewer: LoggedIn, db: Transaction, render: Render, services: ServicesDep, text: Text
) -> Response:
    tz = services.config.settings.tz
    stats = booking_statistics(db, viewer, services.clock.now(), tz, text)
    return render(
        "statistics.html",
        viewer,
        stats=stats,
        week_chart=_chart(text, "statistics.chart_per_week", stats.by_week),
        policy_chart=_chart(text, "statistics.chart_per_policy", stats.by_policy),
        satisfaction=satisfaction_by_week(db, viewer, services.clock.now(), tz, text),
    )
