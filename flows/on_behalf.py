"""A writer on behalf of someone else: a bostøtte, a relative, a parent, a bisidder.

The bot acts for the person who writes: a booking, a cancellation or an absence goes on the
writer's own record. So when a message says the writer writes for someone ("jeg er bostøtte for
Mikkel", "jeg skriver på vegne af min mor", "on behalf of my son"), the fact is kept in the
state's facts (``writes_for``: the writer's role, the name if given, the errand) and, before any
errand, the bot asks whose it is. The writer's own errand goes on as usual; someone else's goes
to a person, whose summary says who writes for whom. Nothing is booked, cancelled or recorded
for the other person on the writer's word.
"""

from __future__ import annotations

import re
from typing import Any

from flows.handoff import start_handoff
from flows.questions import Menu, PendingKind
from flows.reading import fold
from flows.registry import Registry
from flows.turn import Turn
from flows.types import HandoffReason

# Started by the answer "it is about the other person" only, never by the NLU.
FOR_OTHER = "on_behalf_for_other"
# Errands the bot carries out on the writer's own record.
ERRANDS = frozenset(
    {
        "book_meeting",
        "reschedule_meeting",
        "cancel_meeting",
        "meeting_info",
        "fravaer",
        "opt_out",
        "jobonsker",
    }
)
# Open questions of an errand, which a late "det er for min søn" stops.
ERRAND_QUESTIONS = frozenset(
    {
        PendingKind.SLOTS,
        PendingKind.CONFIRM_SLOT,
        PendingKind.CONFIRM_CANCEL,
        PendingKind.ABSENCE_REASON,
        PendingKind.JOB,
        PendingKind.YES_NO,
    }
)

# Roles that always write for someone else, by their stored code (folded stems).
_HELPER_ROLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    # Not "kontaktperson" or "mentor": the jobcenter gives citizens those.
    ("support_worker", ("bostot", "stotteperson", "stottekontaktperson", "hjemmevejleder")),
    ("support_worker", ("support worker", "housing support", "key worker")),
    ("companion", ("bisidder", "companion", "support person")),
    ("relative", ("parorende", "relative of", "next of kin")),
)
# Relations: the writer's role when the other person is this relation of theirs.
_RELATIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("parent", ("min son", "min datter", "mit barn", "vores son", "vores datter", "my son")),
    ("parent", ("my daughter", "my child", "our son", "our daughter")),
    ("child", ("min mor", "min far", "my mother", "my mum", "my mom", "my father", "my dad")),
    ("relative", ("min bror", "min soster", "min mand", "min kone", "min hustru", "min kaereste")),
    ("relative", ("my brother", "my sister", "my husband", "my wife", "my partner")),
)
# Saying outright that one writes for someone.
_WRITES_FOR = re.compile(
    r"\b(?:skriver (?:for|pa vegne af|pa hans vegne|pa hendes vegne)|pa vegne af|"
    r"pa (?:hans|hendes) vegne|writing (?:for|on behalf of)|write (?:for|on behalf of)|"
    r"on behalf of|on (?:his|her) behalf)\b"
)
# A relation named with the other person's own errand ("hans møde", "she is ill").
_THEIR_ERRAND = re.compile(
    r"\b(?:(?:hans|hendes|sin|sit|his|her) (?:mode|tid|samtale|fravaer|meeting|appointment)|"
    r"(?:han|hun) (?:er syg|kan ikke komme|har et mode|har en tid)|"
    r"(?:he|she) (?:is sick|is ill|can t come|cannot come|has a meeting|has an appointment))\b"
)
_NAME = re.compile(
    r"(?i:\b(?:for|af|of|son|søn|datter|daughter|mor|mother|far|father|bror|brother|søster|"
    r"sister|barn|child|borger|citizen|client|klient))\s+([A-ZÆØÅ][a-zæøåé]+(?:-[A-ZÆØÅ]\w+)?)"
)
_NOT_NAMES = frozenset(
    {"Han", "Hun", "Jeg", "Det", "Der", "Den", "He", "She", "It", "The", "I", "Min", "My"}
)


def register(registry: Registry) -> None:
    registry.intent(FOR_OTHER, lambda turn, _: _for_other(turn))


def writer_for(text: str) -> dict[str, str] | None:
    """Who writes for whom, when ``text`` says so: ``{"writer": role, "citizen": name}``."""
    folded = fold(text)
    padded = f" {folded} "
    role = next(
        (code for code, stems in _HELPER_ROLES for stem in stems if f" {stem}" in padded), None
    )
    if role is None:
        relation = next(
            (code for code, phrases in _RELATIONS for p in phrases if f" {p} " in padded), None
        )
        if relation is not None and (_WRITES_FOR.search(folded) or _THEIR_ERRAND.search(folded)):
            role = relation
        elif _WRITES_FOR.search(folded):
            role = "other"
    if role is None:
        return None
    names = [name for name in _NAME.findall(text) if name not in _NOT_NAMES]
    return {"writer": role, "citizen": names[0] if names else ""}


def notice(turn: Turn) -> bool:
    """Keep what the message says about writing for someone; True when it is said first now."""
    found = writer_for(turn.text)
    if found is None:
        return False
    known: dict[str, Any] = dict(turn.facts.get("writes_for") or {})
    first = not known
    if first or (found["citizen"] and found["citizen"] != known.get("citizen")):
        known.update(writer=found["writer"], citizen=found["citizen"] or known.get("citizen", ""))
        known.pop("own", None)  # a new person written for: ask again whose the errand is
    turn.facts["writes_for"] = known
    return first


def must_ask(turn: Turn, intent: str) -> bool:
    """Is ``intent`` an errand whose owner the writer has not told us yet?"""
    known = turn.facts.get("writes_for")
    return intent in ERRANDS and isinstance(known, dict) and bool(known) and not known.get("own")


def stops(turn: Turn) -> bool:
    """A first mention of writing for someone stops an errand's open question."""
    pending = turn.pending
    return (
        pending is not None and pending.kind in ERRAND_QUESTIONS and must_ask(turn, _errand(turn))
    )


def ask_whose(turn: Turn, intent: str) -> None:
    """Whose meeting or absence is it: the writer's own, or the person written for?"""
    turn.clear_pending()
    turn.state.absence_to_confirm = None  # nothing half-read is recorded for either of them
    known = dict(turn.facts.get("writes_for") or {})
    known["about"] = intent
    turn.facts["writes_for"] = known
    name = str(known.get("citizen") or "")
    suffix = "" if name else "_anyone"
    turn.ask(
        Menu(
            text=turn.t(f"on_behalf.whose{suffix}", name=name),
            choices=(
                turn.t("on_behalf.own_label"),
                turn.t(f"on_behalf.other_label{suffix}", name=name),
            ),
            options=(intent, FOR_OTHER),
        )
    )


_THEM = frozenset(
    {"hans", "hendes", "ham", "hende", "han", "hun", "his", "her", "him", "he", "she"}
)
_ME = frozenset({"mig", "min", "mit", "mine", "jeg", "me", "my", "myself", "i"})


def whose_choice(text: str, pending: Menu) -> int | None:
    """ "Hans", "det er hendes", "min egen": a pronoun answers whose the errand is."""
    if FOR_OTHER not in pending.options:
        return None
    said = set(fold(text).split())
    if said & _THEM and not said & _ME:
        return pending.options.index(FOR_OTHER)
    if said & _ME and not said & _THEM:
        return 1 - pending.options.index(FOR_OTHER)
    return None


def chosen(turn: Turn, pending: Menu, index: int) -> None:
    """The writer said the errand is their own: go on without asking again."""
    if FOR_OTHER in pending.options and pending.options[index] != FOR_OTHER:
        known = dict(turn.facts.get("writes_for") or {})
        known["own"] = True
        turn.facts["writes_for"] = known


def _errand(turn: Turn) -> str:
    return str(turn.state.last_intent or "")


def _for_other(turn: Turn) -> None:
    known = turn.facts.get("writes_for") or {}
    name = str(known.get("citizen") or "")
    about = known.get("about")
    if about:
        turn.state.last_intent = str(about)  # the summary's topic is the errand, not this answer
    turn.say("on_behalf.for_other" if name else "on_behalf.for_other_anyone", name=name)
    start_handoff(turn, HandoffReason.ON_BEHALF)


_ABOUT_COMPANIONS = (
    "bisid",
    "partsrep",
    "fuldmagt",
    "samtyk",
    "support person",
    "consent",
    "power of attorney",
)


def errand_named(turn: Turn, intent: str) -> str:
    """ "On behalf of my son: he is ill and cannot come to his meeting" asks about someone's
    errand, not about support persons: read it as the errand the model ranks highest."""
    known = turn.facts.get("writes_for")
    folded = fold(turn.text)
    if intent != "companion" or not known or not _THEIR_ERRAND.search(folded):
        return intent
    if any(word in folded for word in _ABOUT_COMPANIONS):
        return intent  # "bisidder til hans møde" is a question about support persons after all
    ranked = [score["name"] for score in turn.parse.get("intent_ranking", [])]
    return next((name for name in ranked if name in ERRANDS), intent)
