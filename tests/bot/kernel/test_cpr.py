"""CPR numbers are masked however they are written; other numbers are left alone."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.kernel.cpr import CPR_MASK, cpr_spans, mask_cpr

# Written between the digit groups: nothing, spaces, dashes of every kind, slash, dot.
SPACES = ["", " ", "  ", "\u00a0", "\u202f", "\u2009", "\t"]
MARKS = ["", "-", "\u2013", "\u2014", "\u2010", "\u2011", "\u2212", "/", ".", "_"]
# Characters that show nothing, typed or pasted inside the digits.
INVISIBLE = ["\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u200e"]
PREFIXES = [
    "",
    "CPR-",
    "cpr:",
    "cpr: ",
    "CPR ",
    "cpr nr. ",
    "cpr-nr.: ",
    "CPR-nummer ",
    "personnummer ",
    "mit cpr er ",
    "(",
    '"',
]
SUFFIXES = ["", "-", ".", ",", ")", " ", "?", '"', " tak", "\u2013", "!"]
# Timing is not what these tests check: a pause on a shared machine is no failure.
NO_DEADLINE = settings(deadline=None)
WORDS = st.sampled_from(["hej", "jeg er syg", "mødet i morgen", "tak", "ring mig", "kl. ti"])


@st.composite
def birth_dates_and_serials(draw: st.DrawFn) -> tuple[date, str]:
    """A real birth date and a serial whose 7th digit fits its century (the CPR office's table)."""
    born = draw(st.dates(min_value=date(1858, 1, 1), max_value=date(2036, 12, 31)))
    year2 = born.year % 100
    if born.year < 1900:
        sevenths = [5, 6, 7, 8] if year2 >= 58 else []
    elif born.year < 2000:
        sevenths = [0, 1, 2, 3] + ([4, 9] if year2 >= 37 else [])
    else:
        sevenths = ([4, 9] if year2 <= 36 else []) + ([5, 6, 7, 8] if year2 <= 57 else [])
    if not sevenths:
        born, sevenths = born.replace(year=1990), [0, 1, 2, 3]
    seventh = draw(st.sampled_from(sevenths))
    rest = draw(st.integers(min_value=0, max_value=999))
    return born, f"{seventh}{rest:03d}"


def separator(draw: st.DrawFn) -> str:
    before, after = draw(st.sampled_from(SPACES)), draw(st.sampled_from(SPACES))
    return before + draw(st.sampled_from(MARKS)) + after


def sprinkle(draw: st.DrawFn, digits: str) -> str:
    """The digits with invisible characters after some of them."""
    out = []
    for digit in digits:
        out.append(digit)
        if draw(st.integers(0, 5)) == 0:
            out.append(draw(st.sampled_from(INVISIBLE)))
    return "".join(out)


@st.composite
def cpr_spellings(draw: st.DrawFn) -> str:
    """One CPR number as a person might type it: grouped, separated, prefixed, with invisibles."""
    born, serial = draw(birth_dates_and_serials())
    day, month, year = f"{born.day:02d}", f"{born.month:02d}", f"{born.year % 100:02d}"
    layouts = ["compact", "date_then_serial", "pairs", "four_two_four", "four_digit_year"]
    layout = draw(st.sampled_from(layouts))
    if layout == "compact":
        groups = [day + month + year, serial]
        glue = [separator(draw)]
    elif layout == "date_then_serial":
        mark = draw(st.sampled_from([".", "/", "-", " "]))
        groups = [day, month, year, serial]
        glue = [mark, mark, separator(draw)]
    elif layout == "pairs":
        groups = [day, month, year, serial[:2], serial[2:]]
        glue = [" ", " ", " ", " "]
    elif layout == "four_two_four":
        groups = [day + month, year, serial]
        glue = [" ", " "]
    else:  # "01.01.1990-1234": a written date with the full year, then the serial
        mark = draw(st.sampled_from([".", "/", "-"]))
        groups = [day, month, f"{born.year:04d}", serial]
        glue = [mark, mark, separator(draw) or "-"]
    text = groups[0]
    for part, joint in zip(groups[1:], glue, strict=True):
        text += joint + part
    if draw(st.booleans()):
        text = "".join(sprinkle(draw, char) if char.isdigit() else char for char in text)
    return text


@NO_DEADLINE
@given(
    before=WORDS,
    prefix=st.sampled_from(PREFIXES),
    cpr=cpr_spellings(),
    suffix=st.sampled_from(SUFFIXES),
    after=WORDS,
)
@example(before="hej", prefix="CPR-", cpr="0101901234", suffix="", after="tak")
@example(before="hej", prefix="", cpr="0101901234", suffix="-", after="tak")
@example(before="hej", prefix="", cpr="010190\u20131234", suffix="", after="tak")
@example(before="hej", prefix="", cpr="010190/1234", suffix="", after="tak")
@example(before="hej", prefix="", cpr="0101 90 1234", suffix="", after="tak")
@example(before="hej", prefix="", cpr="010190 - 1234", suffix="", after="tak")
@example(before="hej", prefix="", cpr="01.01.90-1234", suffix="", after="tak")
@example(before="hej", prefix="", cpr="0101\u00ad901234", suffix="", after="tak")
@example(before="hej", prefix="", cpr="01.01.1990-1234", suffix="", after="tak")
def test_every_spelling_of_a_cpr_number_is_masked_and_the_rest_is_kept(
    before: str, prefix: str, cpr: str, suffix: str, after: str
) -> None:
    text = f"{before} {prefix}{cpr}{suffix} {after}"
    result = mask_cpr(text)
    assert result.cpr_found
    assert result.text == f"{before} {prefix}{CPR_MASK}{suffix} {after}"


@NO_DEADLINE
@given(first=cpr_spellings(), second=cpr_spellings())
def test_two_cpr_numbers_in_one_message_are_both_masked(first: str, second: str) -> None:
    result = mask_cpr(f"{first} og {second}")
    assert result.text == f"{CPR_MASK} og {CPR_MASK}"


@NO_DEADLINE
@given(st.text(alphabet=st.characters(blacklist_categories=["Nd"]), max_size=200))
def test_text_without_digits_is_never_changed(text: str) -> None:
    assert mask_cpr(text).text == text


@NO_DEADLINE
@given(number=st.integers(min_value=10_000_000, max_value=99_999_999), grouping=st.booleans())
def test_phone_numbers_are_left_alone(number: int, grouping: bool) -> None:
    digits = str(number)
    written = " ".join(digits[i : i + 2] for i in range(0, 8, 2)) if grouping else digits
    for text in (f"ring på {written}", f"+45 {written}", f"tlf. {written}."):
        assert mask_cpr(text).text == text


@NO_DEADLINE
@given(
    start=st.times(),
    minutes=st.integers(min_value=15, max_value=480),
    mark=st.sampled_from([".", ":"]),
    dash=st.sampled_from(["-", "\u2013", " - ", " til "]),
)
def test_times_and_time_ranges_are_left_alone(
    start: time, minutes: int, mark: str, dash: str
) -> None:
    begin = date(2026, 1, 1)
    first = f"{start.hour:02d}{mark}{start.minute:02d}"
    end_minutes = (start.hour * 60 + start.minute + minutes) % (24 * 60)
    second = f"{end_minutes // 60:02d}{mark}{end_minutes % 60:02d}"
    text = f"kl. {first}{dash}{second} den {begin:%d.%m.%y}"
    assert mask_cpr(text).text == text


@NO_DEADLINE
@given(
    day=st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)),
    length=st.integers(min_value=0, max_value=60),
    style=st.sampled_from(["%d.%m.%y", "%d-%m-%y", "%d/%m/%y", "%d.%m.%Y", "%d%m%y"]),
    dash=st.sampled_from(["-", "\u2013", " - ", " til "]),
)
def test_dates_and_date_ranges_are_left_alone(
    day: date, length: int, style: str, dash: str
) -> None:
    last = day + timedelta(days=length)
    for text in (f"mødet {day:{style}}", f"fra {day:{style}}{dash}{last:{style}}"):
        assert mask_cpr(text).text == text


@NO_DEADLINE
@given(
    kroner=st.integers(min_value=0, max_value=10**12),
    form=st.sampled_from(["{} kr", "{} kr.", "kr. {}", "{},- kr", "{},50 kr", "{} DKK"]),
    grouped=st.booleans(),
)
def test_amounts_are_left_alone(kroner: int, form: str, grouped: bool) -> None:
    # Ungrouped amounts are kept below 100 million: ten bare digits may well be a CPR number.
    amount = f"{kroner:,}".replace(",", ".") if grouped else str(kroner % 10**8)
    text = "jeg tjener " + form.format(amount)
    assert mask_cpr(text).text == text


@pytest.mark.parametrize(
    "text",
    [
        "ring på 70201201",  # a phone number: 8 digits
        "ring på 70 20 12 01",
        "+45 20 12 34 56",  # the country code makes day 45
        "320190-1234",  # day 32
        "011390-1234",  # month 13
        "000190-1234",  # day 0
        "290221-1234",  # 29 Feb 1921 did not exist
        "kontonr 12345678901234",  # a longer digit run
        "reg. 1234 konto 12345678901",
        "sagsnr. 2026-0101901234-7",
        "tid 10-12",
        "kl. 10.30-11.30",
        "fra 01.01.26-31.01.26",
        "den 24.12.2026 10 personer",
        "den 24.12.2026 - 1030",  # a serial from 1 is born in the 1900s, not in 2026
        "010119901234",  # twelve digits
        "1.000.000.000 kr",
        "12.500 kr om måneden",
    ],
)
def test_other_numbers_are_left_alone(text: str) -> None:
    result = mask_cpr(text)
    assert not result.cpr_found
    assert result.text == text


def test_leap_day_in_a_leap_year_is_a_valid_cpr() -> None:
    assert mask_cpr("290200-4321").cpr_found


def test_a_number_failing_modulus_11_is_still_a_cpr_number() -> None:
    # Numbers issued since 2007 need not pass the old modulus-11 check.
    digits = [int(d) for d in "0101901235"]
    assert sum(w * d for w, d in zip([4, 3, 2, 7, 6, 5, 4, 3, 2, 1], digits, strict=True)) % 11
    assert mask_cpr("0101901235").cpr_found


def test_spans_point_into_the_original_text_around_invisible_characters() -> None:
    text = "nr \u200b01\u00ad01\u00a090-1234\u200b!"
    [(start, end)] = cpr_spans(text)
    assert text[start:end] == "01\u00ad01\u00a090-1234\u200b"  # the trailing one goes too
