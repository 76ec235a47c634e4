"""Out of scope with a referral, not a dead end (issue 16, point 2).

Questions the jobcenter does not handle (tax, housing benefit, folkepension, MitID and passports,
social services, health grants, the health card) are recognised by simple word rules on the
folded text and answered with who handles them and how to reach them (a sourced answer in
``referrals.yml``), then a person is offered. The table is the one place the topics and their
words live; a topic not in it keeps the plain out-of-scope reply.
"""

from __future__ import annotations

from dataclasses import dataclass

from flows.followup import offer_person
from flows.reading import contains_any, fold
from flows.turn import Turn


@dataclass(frozen=True, slots=True)
class Referral:
    """A topic handled elsewhere: its answer key and the words that name it.

    ``stems`` match the start of a folded word ("boligstot" matches "boligstøtte");
    ``phrases`` match folded text anywhere, for names of more than one word ("digital post").
    """

    topic: str
    stems: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()

    @property
    def answer_key(self) -> str:
        return f"referrals.{self.topic}"

    def matches(self, text: str) -> bool:
        folded = f" {fold(text)} "
        return contains_any(text, self.stems) or any(f" {p} " in folded for p in self.phrases)


# Read in this order: the more specific topic first ("helbredstillæg til briller" is a health
# grant, "boligstøtte" is housing benefit, not the social services' "bostøtte").
REFERRALS: tuple[Referral, ...] = (
    Referral(
        "health_grants",
        stems=("helbredstil", "helbredskort", "briller", "tandlaeg", "tandbehandl", "tandprotes"),
        phrases=("glasses", "dentist", "dental", "health supplement"),
    ),
    Referral(
        "housing_benefit",
        stems=("boligstot", "boligsikring", "boligydelse"),
        phrases=("housing benefit", "rent subsidy", "housing allowance"),
    ),
    Referral(
        "state_pension",
        stems=("folkepension", "aeldrecheck", "varmetillaeg", "pensionsalder"),
        phrases=("state pension", "old age pension", "retirement pension"),
    ),
    Referral(
        "tax",
        stems=("skat", "restskat", "forskudsopg", "arsopg", "skattekort"),
        phrases=("tax", "taxes", "tax return", "tax refund"),
    ),
    Referral(
        "health_card",
        stems=("sundhedskort", "sygesikring"),
        phrases=("gule kort", "health card", "health insurance card", "yellow card"),
    ),
    Referral(
        "borgerservice",
        stems=("mitid", "nemid", "korekort", "legitimationskort"),
        phrases=(
            "pas",
            "passport",
            "id kort",
            "id card",
            "driving licence",
            "driving license",
            "fritaget for digital post",
            "fritagelse for digital post",
            "fritagelse fra digital post",
            "fritaget fra digital post",
            "exempt from digital post",
        ),
    ),
    Referral(
        "social_services",
        stems=("bostot", "merudgift", "hjaelpemid", "handicap", "korestol", "rollator"),
        phrases=("support worker", "extra costs", "disability aid", "wheelchair", "walker"),
    ),
)


# The topics another authority than the kommune handles: a question about one of them is referred
# even when the NLU reads it as a jobcenter topic ("penge tilbage i skat" as a benefit amount).
OTHER_AUTHORITIES = frozenset({"tax", "housing_benefit", "state_pension", "borgerservice"})
# Of those, the ones that decide about money: a complaint or an amount question goes there, while
# "kørekort" or "pas" in a complaint is more likely the story around it than its subject.
PAYING_AUTHORITIES = frozenset({"tax", "housing_benefit", "state_pension"})


def referral_for(text: str) -> Referral | None:
    """The referral a message asks about; None when it names none of the table's topics."""
    return next((referral for referral in REFERRALS if referral.matches(text)), None)


def refer(turn: Turn, only: frozenset[str] | None = None) -> bool:
    """Say who handles the question and offer a person; False when no referral fits (or, with
    ``only``, none of those topics)."""
    referral = referral_for(turn.text)
    if referral is None or (only is not None and referral.topic not in only):
        return False
    turn.facts["referral"] = referral.topic
    if turn.answer(referral.answer_key):
        offer_person(turn, "referrals.offer_person", start="unanswerable")
    return True
