"""The content check on small content folders: a clean one passes, and each kind of problem is
one line naming the file and the key."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from flows.content_check import ContentReport, check_content

TODAY = date(2026, 12, 2)
RULE: dict[str, Any] = {
    "text": "Du kan holde fri. Spørg os først, så finder vi en god dag.",
    "sms": "Du kan holde fri. Spørg os først. Kilde: borger.dk",
    "sources": [
        {"title": "Ferieloven", "section": "§ 5", "url": "https://danskelove.dk/ferieloven/5"},
        {"title": "borger.dk, Ferie", "url": "https://www.borger.dk/ferie"},
    ],
    "verified": date(2026, 12, 1),
    "verified_by": "borgerchat content editor",
    "review_by": date(2027, 12, 1),
}
ENGLISH_RULE = {
    "text": "You can take time off. Ask us first, and we will find a good day.",
    "sms": "You can take time off. Ask us first. Source: borger.dk",
}


def write(folder: Path, danish: dict[str, Any], english: dict[str, Any]) -> Path:
    for language, entries in (("da", danish), ("en", english)):
        (folder / language).mkdir(parents=True, exist_ok=True)
        (folder / language / "t.yml").write_text(
            yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8"
        )
    return folder


def clean() -> tuple[dict[str, Any], dict[str, Any]]:
    danish = {"hello": "Hej {name}. Skriv til os her.", "rule": dict(RULE)}
    english = {"hello": "Hello {name}. Write to us here.", "rule": dict(ENGLISH_RULE)}
    return danish, english


def check(
    tmp_path: Path,
    danish: dict[str, Any],
    english: dict[str, Any],
    *,
    today: date = TODAY,
    max_segments: int = 2,
) -> ContentReport:
    return check_content(write(tmp_path, danish, english), today=today, max_segments=max_segments)


def lines(report: ContentReport) -> list[str]:
    return [str(problem) for problem in report.problems]


def test_clean_content_passes_and_counts_its_answers(tmp_path: Path) -> None:
    report = check(tmp_path, *clean())
    assert lines(report) == []
    assert report.passed
    assert report.answers == 1
    assert report.median_answer_lix > 0
    assert report.due == []


def test_the_shipped_content_has_answers_and_can_be_checked() -> None:
    report = check_content(today=TODAY, max_segments=2)
    assert report.answers > 0
    assert 0 < report.median_lix < 35


def test_a_source_without_an_https_url_fails(tmp_path: Path) -> None:
    danish, english = clean()
    danish["rule"]["sources"] = [{"title": "borger.dk, Ferie", "url": "http://www.borger.dk/ferie"}]
    [line] = lines(check(tmp_path, danish, english))
    assert line.startswith("da/t.yml: t.rule.sources[1]: ")
    assert "not https" in line


def test_a_law_source_without_a_section_fails(tmp_path: Path) -> None:
    danish, english = clean()
    danish["rule"]["sources"] = [
        {"title": "Lov om aktiv socialpolitik", "url": "https://danskelove.dk/aktivloven/13"}
    ]
    [line] = lines(check(tmp_path, danish, english))
    assert line.startswith("da/t.yml: t.rule.sources[1]: law 'Lov om aktiv socialpolitik'")


def test_an_answer_without_sources_fails(tmp_path: Path) -> None:
    danish, english = clean()
    del danish["rule"]["sources"]
    [line] = lines(check(tmp_path, danish, english))
    assert line.startswith("da/t.yml: t.rule: ")
    assert "sources" in line


def test_a_review_by_date_in_the_past_fails(tmp_path: Path) -> None:
    danish, english = clean()
    [line] = lines(check(tmp_path, danish, english, today=date(2027, 12, 2)))
    assert line == "da/t.yml: t.rule: review_by 2027-12-01 is past"


def test_an_answer_due_within_sixty_days_is_listed_not_failed(tmp_path: Path) -> None:
    danish, english = clean()
    report = check(tmp_path, danish, english, today=date(2027, 10, 15))
    assert report.passed
    assert [(due.key, due.review_by) for due in report.due] == [("t.rule", date(2027, 12, 1))]
    assert check(tmp_path, danish, english, today=date(2027, 9, 1)).due == []


def test_review_by_defaults_to_twelve_months_after_verifying(tmp_path: Path) -> None:
    danish, english = clean()
    del danish["rule"]["review_by"]
    report = check(tmp_path, danish, english, today=date(2027, 11, 1))
    assert [due.review_by for due in report.due] == [date(2027, 12, 1)]


def test_keys_missing_in_either_language_fail(tmp_path: Path) -> None:
    danish, english = clean()
    danish["only_danish"] = "Kun på dansk her."
    english["only_english"] = "Only in English here."
    assert lines(check(tmp_path, danish, english)) == [
        "en/t.yml: t.only_danish: missing (Danish has it)",
        "da/t.yml: t.only_english: missing (English has it)",
    ]


def test_placeholders_that_differ_fail(tmp_path: Path) -> None:
    danish, english = clean()
    english["hello"] = "Hello {navn}. Write to us here."
    [line] = lines(check(tmp_path, danish, english))
    assert line.startswith("en/t.yml: t.hello: placeholders ['navn'] differ from Danish ['name']")


def test_english_governance_that_differs_from_danish_fails(tmp_path: Path) -> None:
    danish, english = clean()
    english["rule"]["review_by"] = date(2030, 1, 1)
    [line] = lines(check(tmp_path, danish, english))
    assert line == "en/t.yml: t.rule: review_by differs from Danish (English inherits it)"


def test_an_english_answer_without_sms_fails(tmp_path: Path) -> None:
    danish, english = clean()
    del english["rule"]["sms"]
    assert "en/t.yml: t.rule: an answer needs both text and sms" in lines(
        check(tmp_path, danish, english)
    )


def test_an_sms_text_outside_gsm7_fails_but_the_web_text_may_use_any_character(
    tmp_path: Path,
) -> None:
    danish, english = clean()
    danish["rule"]["text"] = "Du kan holde fri – spørg os først, så finder vi en dag."
    english["rule"]["sms"] = "You can take time off. Ask us “first”. Source: borger.dk"
    [line] = lines(check(tmp_path, danish, english))
    assert line.startswith("en/t.yml: t.rule.sms: not GSM-7")


def test_a_plain_text_outside_gsm7_fails_as_it_may_go_by_sms(tmp_path: Path) -> None:
    danish, english = clean()
    danish["hello"] = "Hej {name} 😊 Skriv til os her."
    [line] = lines(check(tmp_path, danish, english))
    assert line.startswith("da/t.yml: t.hello: not GSM-7")


def test_an_sms_text_longer_than_the_segment_limit_fails(tmp_path: Path) -> None:
    danish, english = clean()
    english["rule"]["sms"] = "You can take time off. " * 14 + "Source: borger.dk"
    assert check(tmp_path, danish, english, max_segments=3).passed
    [line] = lines(check(tmp_path, danish, english, max_segments=2))
    assert line == "en/t.yml: t.rule.sms: 3 SMS segments, more than 2"


def test_an_amount_fails_unless_an_answer_gives_its_year(tmp_path: Path) -> None:
    danish, english = clean()
    danish["rule"]["text"] = "Du må tjene 500 kr. om måneden i 2026, før hjælpen går ned."
    english["rule"]["text"] = "You may earn DKK 500 a month before it is reduced."
    danish["hello"] = "Hej {name}. Du får 1.000 kroner i 2026."
    assert lines(check(tmp_path, danish, english)) == [
        "da/t.yml: t.hello: names an amount ('1.000 kroner') without a year and a source",
        "en/t.yml: t.rule.text: names an amount ('DKK 500') without a year and a source",
    ]


@pytest.mark.parametrize(
    "text",
    [
        'Vælg en anden tid, eller skriv "stop".',
        "Svar STOP, hvis du ikke vil have flere beskeder.",
        "Reply CANCEL to cancel your meeting.",
        "Write end when you are done.",
        "Skriv gerne stopall her.",
        "Reply with UNSUBSCRIBE.",
        "Tast 'quit' for at slutte.",
        "Send REVOKE eller OPTOUT.",
    ],
)
def test_a_text_asking_the_citizen_to_send_an_opt_out_word_fails(tmp_path: Path, text: str) -> None:
    danish, english = clean()
    english["hello"] = text.replace("{", "") + " {name}"
    [line] = lines(check(tmp_path, danish, english))
    assert line.startswith("en/t.yml: t.hello: asks the citizen to send an opt-out word")


@pytest.mark.parametrize(
    "text",
    [
        "Du kan stoppe påmindelserne, når du vil. Svar JA eller NEJ.",
        "In the end, the choice is yours. Reply YES or NO.",
        "Vi aflyser ikke din tid, før du siger til.",
    ],
)
def test_opt_out_words_as_ordinary_words_pass(tmp_path: Path, text: str) -> None:
    danish, english = clean()
    english["hello"] = text + " {name}"
    assert check(tmp_path, danish, english).passed


def test_a_hard_danish_text_of_five_words_or_more_fails_on_lix(tmp_path: Path) -> None:
    danish, english = clean()
    danish["hello"] = (
        "Hej {name}. Beskæftigelsesindsatsens rådighedsvurderinger forudsætter dokumentation."
    )
    danish["short"] = "Rådighedsvurdering nødvendiggør dokumentation."
    english["short"] = "Availability needs documentation."
    [line] = lines(check(tmp_path, danish, english))
    assert line.startswith("da/t.yml: t.hello: LIX ")
    assert line.endswith(" is over 35")
