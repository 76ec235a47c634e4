"""Letters from the kommune and complaints about decisions (issue 16: ``letter_help``,
``complaint``).

A letter question names its kind ("partshøring", "indkaldelse", "afgørelse", "Min plan",
"e-Boks") or is asked which kind it is; each kind has a sourced answer in ``letters.yml``. A
complaint is answered with how to complain (or how to ask for another caseworker), never with an
outcome. Both end with the offer of a meeting or a person. Where the channel carries pictures
(Telegram, MMS) the citizen is told a photo of the letter reaches the consultant.
"""

from __future__ import annotations

from flows.followup import offer_meeting_or_person
from flows.questions import Menu
from flows.reading import contains_any, fold, words
from flows.referrals import OTHER_AUTHORITIES, PAYING_AUTHORITIES, refer
from flows.registry import IntentHandler, Registry
from flows.turn import Turn
from flows.types import Topic

LETTER_TOPIC = Topic.LETTER
COMPLAINT_TOPIC = Topic.COMPLAINT
# Channels whose citizens can send a photo of the letter to the consultant (Telegram photos and
# MMS pictures are stored with the message and shown in the inbox: branch attachments).
PHOTO_CHANNELS = frozenset({"telegram", "sms"})
# The kinds of letter, each with its answer, in the order of ``letters.kind_choices`` (the last
# choice, "something else", goes to a person).
LETTER_KINDS = ("summons", "hearing", "decision", "plan", "digital_post")
_KIND_STEMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("hearing", ("partshor", "horing", "hearing", "consultation")),
    ("digital_post", ("eboks", "e boks", "digital post", "postkasse", "mitpost", "mit post")),
    ("plan", ("min plan", "jobplan", "job plan", "my plan", "minplan")),
    ("decision", ("afgorelse", "afgjort", "decision", "afslag", "bevilling", "bevilget")),
    ("summons", ("indkald", "mode", "samtale", "summons", "meeting", "invitation")),
)
_CASEWORKER = ("sagsbehandler", "radgiver", "kontaktperson", "caseworker", "adviser", "advisor")
_CHANGE = frozenset(
    {"ny", "nyt", "anden", "andet", "skifte", "skift", "another", "new", "change", "different"}
)


def register(registry: Registry) -> None:
    registry.intent("letter_help", lambda turn, _: letter_help(turn))
    registry.intent("complaint", lambda turn, _: complaint(turn))
    for kind in LETTER_KINDS:
        registry.intent(f"letter_{kind}", _letter_handler(kind))


def _letter_handler(kind: str) -> IntentHandler:
    """Starts the answer about one kind of letter (a choice of ``letters.kind_choices``)."""
    return lambda turn, _: _answer_letter(turn, kind)


def letter_kind_in(text: str) -> str | None:
    """The kind of letter a message names, the most specific first; None when it names none."""
    folded = f" {fold(text)} "
    for kind, stems in _KIND_STEMS:
        if any(stem in folded if " " in stem else contains_any(text, (stem,)) for stem in stems):
            return kind
    return None


def letter_help(turn: Turn) -> None:
    kind = letter_kind_in(turn.text)
    if kind is None and refer(turn, only=OTHER_AUTHORITIES):
        return  # a letter from Skattestyrelsen or Udbetaling Danmark: who to ask
    turn.facts["topic"] = LETTER_TOPIC
    if kind is None:
        turn.ask(
            Menu(
                text=turn.t("letters.ask_kind"),
                choices=turn.labels("letters.kind_choices"),
                options=(*(f"letter_{kind}" for kind in LETTER_KINDS), "human_handoff"),
            )
        )
        return
    _answer_letter(turn, kind)


def _answer_letter(turn: Turn, kind: str) -> None:
    turn.facts["topic"] = turn.state.topic or LETTER_TOPIC
    turn.facts["letter"] = kind
    if not turn.answer(f"letters.{kind}"):
        return  # past its review date: a person takes over
    if turn.context.channel in PHOTO_CHANNELS:
        turn.say("letters.photo_note")
    offer_meeting_or_person(turn)


def complaint(turn: Turn) -> None:
    if refer(turn, only=PAYING_AUTHORITIES):
        return  # not the kommune's decision: the complaint goes to the authority that made it
    turn.facts["topic"] = COMPLAINT_TOPIC
    text = turn.text
    if contains_any(text, _CASEWORKER) and words(text) & _CHANGE:
        key = "letters.other_caseworker"
    elif letter_kind_in(text) == "hearing":
        key = "letters.hearing"
    else:
        key = "letters.complaint"
    turn.facts["complaint"] = key.split(".", 1)[1]
    if turn.answer(key):
        offer_meeting_or_person(turn)
