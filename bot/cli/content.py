"""``borgerchat content check``: :mod:`flows.content_check` as a command, run by `make test`."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from flows.content import CONTENT_DIR

content_app = typer.Typer(help="The chatbot's texts and the rules it states.", no_args_is_help=True)


@content_app.command("check")
def check(
    directory: Annotated[
        Path, typer.Option("--dir", help="Content folder with da/ and en/.")
    ] = CONTENT_DIR,
    today: Annotated[
        str | None,
        typer.Option(help="Check as of this date (YYYY-MM-DD; default: today, local time)."),
    ] = None,
) -> None:
    """Sources, review dates, da/en keys, SMS fit, amounts, opt-out words and LIX.

    Prints the figures, then one line per problem; exits 1 if there is any.
    """
    from bot.cli.exits import fail
    from bot.runtime.config import load_config
    from flows.content_check import REVIEW_WINDOW_DAYS, DueAnswer, Problem, check_content

    settings = load_config().settings
    if today is None:
        as_of = datetime.now(settings.tz).date()
    else:
        try:
            as_of = date.fromisoformat(today)
        except ValueError:
            raise fail(f"--today must be a date as YYYY-MM-DD, not {today!r}") from None
    report = check_content(directory, today=as_of, max_segments=settings.twilio.max_segments)
    # The crisis help lines are stated facts too: their numbers and hours are reviewed the same way.
    for index, line in enumerate(settings.crisis.help_lines):
        key = f"crisis.help_lines[{index}] ({line.name})"
        if line.review_by < as_of:
            report.problems.append(
                Problem("config.yml", key, f"review_by {line.review_by.isoformat()} has passed")
            )
        elif line.review_by <= as_of + timedelta(days=REVIEW_WINDOW_DAYS):
            report.due.append(DueAnswer(key, line.review_by))
    typer.echo(f"answers: {report.answers}")
    typer.echo(f"median LIX of Danish citizen texts: {report.median_lix:.1f}")
    typer.echo(f"median LIX of Danish answers: {report.median_answer_lix:.1f}")
    typer.echo(f"due for review within {REVIEW_WINDOW_DAYS} days: {len(report.due)}")
    for due in report.due:
        typer.echo(f"  {due.key}: review by {due.review_by.isoformat()}")
    for problem in report.problems:
        typer.echo(str(problem))
    if not report.passed:
        typer.echo(f"content check failed: {len(report.problems)} problems", err=True)
        raise typer.Exit(1)
    typer.echo("content check passed")
