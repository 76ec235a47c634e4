"""Holiday and wage answers per benefit situation: each situation gets its own rule, the benefit
is asked once when the message does not say it, and no answer names an amount."""

from __future__ import annotations

import re

import pytest

from bot.kernel.gsm7 import septets
from flows.benefits import benefit_in
from flows.content import Answer, Content
from flows.engine import FlowEngine
from tests.flows.test_engine import Talk, choices, said


@pytest.fixture(scope="module")
def engine() -> FlowEngine:
    return FlowEngine(Content.load())


@pytest.mark.parametrize(
    ("message", "benefit"),
    [
        ("jeg er i skånejob på min førtidspension", "skaanejob"),
        ("jeg er i skaanejob", "skaanejob"),
        ("jeg får ledighedsydelse før mit fleksjob", "ledighedsydelse"),
        ("jeg har fleksjob", "flex"),
        ("jeg får sygedagpenge", "sick_pay"),
        ("jeg fik uddannelseshjælp før", "cash_benefit"),
        ("kontanthjælp", "cash_benefit"),
        ("min pention fra 1998", "pension"),
        ("hvor mange feriedage har jeg", None),
    ],
)
def test_the_most_specific_benefit_a_message_names_is_read(
    message: str, benefit: str | None
) -> None:
    assert benefit_in(message) == benefit


# Holidays --------------------------------------------------------------------------------------


def test_a_holiday_question_without_a_benefit_asks_once_with_every_situation(
    engine: FlowEngine,
) -> None:
    step = Talk(engine).say("må jeg holde ferie", "feriedage")
    offered = " ".join(choices(step))
    for situation in ("job", "Fleksjob", "Ledighedsydelse", "Kontanthjælp", "Førtidspension"):
        assert situation in offered
    assert "Skånejob" in offered
    assert "Sygedagpenge" in offered


@pytest.mark.parametrize(
    ("message", "rule", "not_said"),
    [
        ("må jeg holde ferie på kontanthjælp", "4 uger", "5 uger"),
        ("ferie når jeg får ledighedsydelse", "14 dage før", "aftale ferien med jobcentret"),
        ("ferie i mit fleksjob", "ledighedsydelse i ferien", "12 måneder"),
        ("ferie i mit skånejob", "arbejdsgiver", "fleksløntilskud"),
        ("kan jeg holde ferie når jeg er på sygedagpenge", "ikke få sygedagpenge", "25 dage"),
        ("ferie med førtidspension", "2 måneder", "12 måneder"),
        ("hvor mange feriedage har jeg i mit job", "2,08", "kontanthjælp"),
    ],
)
def test_each_situation_gets_its_own_holiday_rule(
    engine: FlowEngine, message: str, rule: str, not_said: str
) -> None:
    answer = said(Talk(engine).say(message, "feriedage"))
    assert rule in answer
    assert not_said not in answer
    assert "Kilde:" in answer


def test_ledighedsydelse_is_not_given_the_wage_earners_holiday_answer(engine: FlowEngine) -> None:
    talk = Talk(engine)
    talk.say("hvor mange feriedage har jeg", "feriedage")
    answer = said(talk.say("3"))
    assert "Ledighedsydelse" in answer or "ledighedsydelse" in answer
    assert "mindst 14 dage" in answer


def test_cash_benefit_holiday_says_four_weeks_two_at_a_time_agreed_first(
    engine: FlowEngine,
) -> None:
    answer = said(Talk(engine).say("ferie på kontanthjælp", "feriedage"))
    for part in ("12 måneder i træk", "4 uger", "2 uger ad gangen", "aftale", "feriepenge"):
        assert part in answer


def test_pension_holiday_names_the_two_month_duty_outside_the_eu(engine: FlowEngine) -> None:
    answer = said(
        Talk(engine).say("jeg skal til thailand i 3 måneder med min pension", "feriedage")
    )
    assert "mere end 2 måneder" in answer
    assert "EU, EØS og Schweiz" in answer
    assert "Udbetaling Danmark" in answer
    assert "§ 41 a" in answer


def test_a_pension_question_about_a_stay_abroad_gets_the_rule_for_stays_abroad(
    engine: FlowEngine,
) -> None:
    message = "mister jeg min førtidspension hvis jeg rejser til tyrkiet i 4 måneder"
    answer = said(Talk(engine).say(message, "loen_vs_pension"))
    assert "mere end 2 måneder" in answer
    assert "1. januar 2003" not in answer


# Wages -----------------------------------------------------------------------------------------


def test_a_wage_question_without_a_benefit_asks_once(engine: FlowEngine) -> None:
    step = Talk(engine).say("hvor meget må jeg tjene", "loen_vs_pension")
    offered = choices(step)
    assert offered[:2] == ["Førtidspension", "Skånejob"]
    assert "Ledighedsydelse" in offered
    assert "Sygedagpenge" in offered


def test_skanejob_wages_are_not_the_flexjob_answer(engine: FlowEngine) -> None:
    answer = said(Talk(engine).say("hvad med min løn i skånejob", "loen_vs_pension"))
    assert "førtidspension" in answer
    assert "Udbetaling Danmark" in answer
    assert "fleksløntilskud" not in answer


def test_ledighedsydelse_is_reduced_by_wage_income_not_for_the_hours(engine: FlowEngine) -> None:
    answer = said(Talk(engine).say("må jeg arbejde på ledighedsydelse", "loen_vs_pension"))
    assert "sat ned med din løn" in answer
    assert "for de timer" not in answer
    assert "§ 74 d" in answer


def test_cash_benefit_wages_follow_the_2025_reform(engine: FlowEngine) -> None:
    answer = said(Talk(engine).say("hvor meget må jeg tjene på kontanthjælp", "loen_vs_pension"))
    assert "fribeløb hver måned" in answer
    assert "1. juli 2025" in answer
    for old_rule in ("pr. time", "arbejdstime", "225", "kontanthjælpsloft"):
        assert old_rule not in answer


def test_sick_pay_wages_are_for_the_hours_not_worked(engine: FlowEngine) -> None:
    talk = Talk(engine)
    talk.say("hvordan med løn og ydelse", "loen_vs_pension")
    answer = said(talk.say("sygedagpenge"))
    assert "de timer, du ikke kan arbejde" in answer


@pytest.mark.parametrize(
    ("era", "rule"),
    [("før 2003", "ikke miste retten"), ("efter 2003", "forskudsopgørelse")],
)
def test_old_and_new_pension_rules_differ_and_both_name_hvilende_pension(
    engine: FlowEngine, era: str, rule: str
) -> None:
    talk = Talk(engine)
    talk.say("hvad sker der med min førtidspension hvis jeg tjener penge", "loen_vs_pension")
    answer = said(talk.say(era))
    assert rule in answer
    assert "hvilende" in answer
    assert "frivilligt" in answer


def test_old_rules_say_the_right_to_the_pension_is_kept(engine: FlowEngine) -> None:
    talk = Talk(engine, channel="sms")
    answer = said(talk.say("min førtidspension fra 1995, må jeg tjene penge", "loen_vs_pension"))
    assert "mister ikke retten" in answer


def test_the_benefit_told_for_holidays_is_remembered_for_wages(engine: FlowEngine) -> None:
    talk = Talk(engine)
    talk.say("ferie når jeg får ledighedsydelse", "feriedage")
    answer = said(talk.say("og hvad hvis jeg tager et job", "loen_vs_pension"))
    assert "sat ned med din løn" in answer


def test_a_wage_earner_asking_about_wages_is_asked_the_benefit(engine: FlowEngine) -> None:
    talk = Talk(engine)
    talk.say("hvor mange feriedage har jeg i mit job", "feriedage")
    step = talk.say("hvad med løn", "loen_vs_pension")
    assert "Førtidspension" in choices(step)


# Every answer, every channel -------------------------------------------------------------------

SITUATIONS = [
    ("ferie på kontanthjælp", "feriedage"),
    ("ferie med ledighedsydelse", "feriedage"),
    ("ferie i fleksjob", "feriedage"),
    ("ferie i skånejob", "feriedage"),
    ("ferie på sygedagpenge", "feriedage"),
    ("ferie med førtidspension", "feriedage"),
    ("ferie i mit job", "feriedage"),
    ("løn på kontanthjælp", "loen_vs_pension"),
    ("løn på ledighedsydelse", "loen_vs_pension"),
    ("løn i fleksjob", "loen_vs_pension"),
    ("løn i skånejob", "loen_vs_pension"),
    ("løn på sygedagpenge", "loen_vs_pension"),
    ("løn og førtidspension fra 1999", "loen_vs_pension"),
    ("løn og førtidspension fra 2010", "loen_vs_pension"),
]


@pytest.mark.parametrize(("message", "intent"), SITUATIONS)
def test_every_sms_answer_is_short_gsm7_and_names_its_source(
    engine: FlowEngine, message: str, intent: str
) -> None:
    answer = Talk(engine, channel="sms").say(message, intent).replies[0].text
    assert septets(answer) <= 306
    assert answer.rsplit(". ", 1)[-1].startswith("Kilde: ")
    assert not re.search(r"\d[\d.]*\s*(kr|kroner|DKK)\b", answer)


@pytest.mark.parametrize(("message", "intent"), SITUATIONS)
def test_every_web_answer_links_its_sources(engine: FlowEngine, message: str, intent: str) -> None:
    answer = Talk(engine).say(message, intent).replies[0].text
    assert "https://" in answer
    [shown] = [rule for rule in CONTENT.answers("da") if rule.text.strip() in answer]
    assert verified_note(shown) in answer


CONTENT = Content.load()


def verified_note(rule: Answer) -> str:
    """The line saying when the answer's rule was checked ("Tjekket 3. december 2026.")."""
    verified = rule.verified
    month = CONTENT.raw("da", "time.months")[verified.month - 1]
    day = CONTENT.text(
        "da", "answers.verified_date", day=verified.day, month=month, year=verified.year
    )
    return CONTENT.text("da", "answers.verified_note", date=day)


def test_english_answers_carry_the_danish_sources(engine: FlowEngine) -> None:
    talk = Talk(engine, language="en")
    answer = said(talk.say("holiday on cash benefit", "feriedage"))
    assert "4 weeks" in answer
    assert "https://aarhus.dk" in answer
