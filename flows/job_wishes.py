"""Job wishes: what work the citizen wants, how many hours, which days, and what they cannot do,
asked one at a time and saved as a job profile, with a meeting offered after.
"""

from __future__ import annotations

from dataclasses import replace

from flows.job_limits import hours_range, is_limit
from flows.job_profile import JOB_PROFILE_FIELDS, JobProfile
from flows.questions import Action, AskJobWish
from flows.reading import contains_any, fold, weekdays_named, yes_or_no
from flows.registry import Registry
from flows.turn import Turn
from flows.types import SaveJobProfile, Topic


def register(registry: Registry) -> None:
    registry.intent("jobonsker", lambda turn, _: job_wishes(turn))
    registry.answer(AskJobWish, answer_job)


_KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("kontor", ("kontor", "office", "admin")),
    ("køkken", ("kokken", "kantine", "kitchen", "kok", "cook", "canteen")),
    ("lager", ("lager", "warehouse", "pak")),
    ("rengøring", ("rengor", "cleaning", "clean")),
    ("butik", ("butik", "shop", "retail", "supermarked")),
    ("pedel", ("pedel", "caretaker", "janitor")),
    ("chauffør", ("chauff", "driver", "chaufor")),
    ("omsorg", ("omsorg", "pleje", "care", "hjemmehj")),
    ("have og park", ("gartner", "havearb", "park", "garden")),
)
# The kinds of work recognised in a message, by the names stored (``JobProfile.kinds_of_work``).
KINDS_OF_WORK = tuple(name for name, _ in _KINDS)
_NOTHING = ("nej", "no", "ingen", "intet", "nothing", "none", "nix", "ikke noget", "nope")


def _kinds_in(text: str) -> list[str]:
    return [name for name, stems in _KINDS if contains_any(text, stems)]


def job_wishes(turn: Turn) -> None:
    turn.facts["topic"] = Topic.JOB_WISHES
    if not turn.answer("jobonsker"):
        return
    kinds = _kinds_in(turn.text)
    _ask_next_job_field(turn, JobProfile(1, tuple(kinds)) if kinds else JobProfile())


def _ask_next_job_field(turn: Turn, profile: JobProfile) -> None:
    field = profile.next_field
    if field == "cannot" and profile.cannot:
        field = None  # the limit was told before it was asked for
        profile = replace(profile, answered=len(JOB_PROFILE_FIELDS))
    if field is None:
        _save_profile(turn, profile)
        return
    turn.ask(AskJobWish(text=turn.t(f"jobprofile.ask_{field}"), field=field, profile=profile))


def answer_job(turn: Turn, pending: AskJobWish) -> bool:
    field = pending.field
    profile = pending.profile
    # Told in order: the answer to ``field`` completes the wishes up to it.
    answered = max(profile.answered, JOB_PROFILE_FIELDS.index(field) + 1)
    text = turn.text.strip()
    folded = fold(text)
    if field != "cannot" and is_limit(turn):
        # "Jeg kan ikke tåle støj" asked about hours: a limit for the job, noted; same question.
        profile = replace(profile, cannot=text)
        turn.facts["job_profile"] = profile.to_stored()
        turn.say("job_limits.noted")
        turn.ask(replace(pending, profile=profile))
        return True
    if field == "kinds":
        profile = replace(profile, answered=answered, kinds=tuple(_kinds_in(text) or [text]))
    elif field == "hours":
        hours, hours_to = hours_range(turn.parse)
        dont_know = any(w in folded for w in ("ved ikke", "aner ikke", "don t know", "dont know"))
        if hours is None and not dont_know and not pending.asked_again:
            turn.ask(
                AskJobWish(
                    text=turn.t("jobprofile.ask_hours_again"),
                    field=field,
                    profile=profile,
                    asked_again=True,
                )
            )
            return True
        known = hours if hours is not None and 0 < hours <= 60 else None
        top = hours_to if known is not None and hours_to is not None and hours_to <= 60 else None
        profile = replace(profile, answered=answered, hours=known, hours_to=top)
    elif field == "days":
        named = weekdays_named(text)
        weekday_names = turn.labels("time.weekdays")
        negated = contains_any(text, ("ikke", "ik", "not", "except", "undtagen", "aldrig"))
        # "ikke fredag" must not become "fredag": keep the citizen's words when in doubt.
        days = [weekday_names[d] for d in named] if named and not negated else [text]
        profile = replace(profile, answered=answered, days=tuple(days))
    else:
        nothing = folded in _NOTHING or (yes_or_no(turn.parse) is False and len(folded) < 12)
        profile = replace(profile, answered=answered, cannot=None if nothing else text)
    turn.facts["job_profile"] = profile.to_stored()
    _ask_next_job_field(turn, profile)
    return True


def looks_like_job_answer(turn: Turn, pending: AskJobWish) -> bool:
    """Does the message fit the job question asked ("mandag og onsdag" for the days)?"""
    field = pending.field
    if is_limit(turn):
        return True  # "har ondt i ryggen og kan ikke tåle støj": for the job, not a sick note
    if field == "kinds":
        return bool(_kinds_in(turn.text))
    if field == "hours":
        return hours_range(turn.parse)[0] is not None
    if field == "days":
        return bool(weekdays_named(turn.text)) or contains_any(
            turn.text,
            (
                "formiddag",
                "eftermiddag",
                "morgen",
                "aften",
                "weekend",
                "morning",
                "afternoon",
                "evening",
                "hverdag",
                "weekday",
            ),
        )
    return False


def _save_profile(turn: Turn, profile: JobProfile) -> None:
    turn.clear_pending()
    kinds, days, hours, cannot = profile.kinds, profile.days, profile.hours, profile.cannot
    turn.effects.append(
        SaveJobProfile(
            kinds_of_work=kinds,
            hours_per_week=hours,
            days=days,
            cannot_do=cannot or None,
            hours_per_week_to=profile.hours_to if hours is not None else None,
        )
    )
    parts = [turn.t("jobprofile.summary_kinds", value=", ".join(kinds))]
    if hours is not None:
        written = f"{hours:g}" if profile.hours_to is None else f"{hours:g}-{profile.hours_to:g}"
        parts.append(turn.t("jobprofile.summary_hours", value=written))
    if days:
        parts.append(turn.t("jobprofile.summary_days", value=", ".join(days)))
    if cannot:
        parts.append(turn.t("jobprofile.summary_cannot", value=cannot))
    turn.ask_yes_no(
        turn.t("jobprofile.saved", summary="; ".join(parts)),
        yes=Action(start="book_meeting", topic=Topic.JOB_WISHES),
    )
