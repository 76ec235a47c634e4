"""``borgerchat content check``: the figures, one line per problem, exit 1 on any problem."""

from __future__ import annotations

from pathlib import Path

import yaml
from typer.testing import CliRunner

from bot.cli.main import app

RULE = {
    "text": "Du kan holde fri. Spørg os først.",
    "sms": "Du kan holde fri. Spørg os først. Kilde: borger.dk",
    "sources": [{"title": "borger.dk, Ferie", "url": "https://www.borger.dk/ferie"}],
    "verified": "2026-12-01",
    "verified_by": "borgerchat content editor",
    "review_by": "2027-01-15",
}


def content_dir(tmp_path: Path, danish_hello: str = "Hej. Skriv til os her.") -> Path:
    english = {"text": "You can take time off. Ask us first.", "sms": "Ask us. Source: borger.dk"}
    for language, entries in (
        ("da", {"hello": danish_hello, "rule": RULE}),
        ("en", {"hello": "Hello. Write to us here.", "rule": english}),
    ):
        (tmp_path / language).mkdir(exist_ok=True)
        (tmp_path / language / "t.yml").write_text(
            yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8"
        )
    return tmp_path


def test_clean_content_passes_and_prints_the_figures_and_what_is_due(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["content", "check", "--dir", str(content_dir(tmp_path)), "--today", "2026-12-02"]
    )
    assert result.exit_code == 0, result.output
    assert "answers: 1" in result.output
    assert "median LIX of Danish citizen texts:" in result.output
    assert "median LIX of Danish answers:" in result.output
    assert "due for review within 60 days: 1" in result.output
    assert "  t.rule: review by 2027-01-15" in result.output
    assert "content check passed" in result.output


def test_each_problem_is_one_line_naming_file_and_key_and_the_exit_is_1(tmp_path: Path) -> None:
    folder = content_dir(tmp_path, danish_hello='Skriv "stop", hvis du vil slutte.')
    result = CliRunner().invoke(
        app, ["content", "check", "--dir", str(folder), "--today", "2027-02-01"]
    )
    assert result.exit_code == 1
    assert "da/t.yml: t.hello: asks the citizen to send an opt-out word" in result.output
    assert "da/t.yml: t.rule: review_by 2027-01-15 is past" in result.output
    assert "content check failed: 2 problems" in result.output


def test_a_today_that_is_not_a_date_is_refused_in_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["content", "check", "--dir", str(content_dir(tmp_path)), "--today", "tomorrow"]
    )
    assert result.exit_code == 2
    assert "--today must be a date" in result.output


def test_a_crisis_help_line_past_its_review_date_fails_the_check(tmp_path: Path) -> None:
    folder = content_dir(tmp_path)
    due = CliRunner().invoke(
        app, ["content", "check", "--dir", str(folder), "--today", "2027-02-01"]
    )
    assert "  crisis.help_lines[0] (Livslinien): review by 2027-03-01" in due.output
    past = CliRunner().invoke(
        app, ["content", "check", "--dir", str(folder), "--today", "2027-03-02"]
    )
    assert past.exit_code == 1
    assert (
        "config.yml: crisis.help_lines[0] (Livslinien): review_by 2027-03-01 has passed"
        in past.output
    )
