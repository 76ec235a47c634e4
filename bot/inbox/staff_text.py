"""Free text staff type in the inbox (replies, notes, canned replies, slot exception reasons):
CPR numbers are masked (``bot.kernel.cpr.mask_cpr``) before it is stored or sent, and the
consultant is told so."""

from __future__ import annotations

from bot.inbox.text import InboxText
from bot.kernel.cpr import MaskedText


def with_cpr_notice(words: InboxText, notice: str, *texts: MaskedText) -> str:
    """``notice``, followed by the notice that a CPR number was removed when one of ``texts``
    had one."""
    if any(text.cpr_found for text in texts):
        return f"{notice} {words('cpr.removed')}"
    return notice
