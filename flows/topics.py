"""The topics: sourced answers (ferie, løn og pension); the holiday and wage answers per benefit
are in :mod:`flows.benefits`, absence notices in :mod:`flows.absence`, job wishes in
:mod:`flows.job_wishes`. The topics of issue 16 (letters and complaints, companions and meetings,
money and cases) are in :mod:`flows.letters`, :mod:`flows.support` and :mod:`flows.money`, and
register here with the others.
"""

from __future__ import annotations

from flows import letters, money, support
from flows.benefits import BENEFITS as BENEFITS
from flows.benefits import PENSION_GRANTED as PENSION_GRANTED
from flows.benefits import answer_benefit, answer_era, holidays, wages
from flows.questions import ChooseBenefit, ChoosePensionEra
from flows.registry import Registry


def register(registry: Registry) -> None:
    registry.intent("feriedage", lambda turn, _: holidays(turn))
    registry.intent("loen_vs_pension", lambda turn, _: wages(turn))
    registry.answer(ChooseBenefit, answer_benefit)
    registry.answer(ChoosePensionEra, answer_era)
    for module in (letters, support, money):
        module.register(registry)
