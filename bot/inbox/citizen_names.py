"""A citizen as the inbox names them: the name recorded with consent, else the channel's name
(Telegram), else "Borger #N"; and the same masked for lists ("Mikkel H.", "•••• 12 34")."""

from __future__ import annotations

import re

from bot.store.models import Citizen

_DANISH_NUMBER = re.compile(r"^(?:\+45|0045)?(\d{8})$")


def danish_phone(typed: str) -> str | None:
    """A Danish phone number as E.164 (+45 and eight digits), or None when it is none.

    Spaces, dashes, dots and brackets are allowed; a number starting with 0 or 1 is none
    (Danish subscriber numbers start with 2-9, the numbering plan's rule)."""
    digits = re.sub(r"[\s\-.()]", "", typed)
    found = _DANISH_NUMBER.match(digits)
    if found is None or found.group(1)[0] in "01":
        return None
    return "+45" + found.group(1)


def full_name(citizen: Citizen) -> str:
    """The name to show on the citizen's own pages; "" when there is none."""
    contact = citizen.contact
    if contact is not None and contact.name:
        return contact.name
    return citizen.display_name or ""


def masked_name(citizen: Citizen) -> str:
    """The recorded name as first name and initial ("Mikkel H."), for lists; "" for none."""
    contact = citizen.contact
    if contact is None or not contact.name:
        return citizen.display_name or ""
    parts = contact.name.split()
    if len(parts) == 1:
        return parts[0]
    return f"{parts[0]} {parts[-1][0]}."


def phone_number(citizen: Citizen) -> str:
    """The recorded phone number, grouped as Danes write it ("+45 12 34 56 78")."""
    contact = citizen.contact
    if contact is None or not contact.phone:
        return ""
    local = contact.phone.removeprefix("+45")
    return "+45 " + " ".join(local[i : i + 2] for i in range(0, len(local), 2))


def masked_phone(citizen: Citizen) -> str:
    """Only the last four digits ("•••• 56 78"), for lists."""
    contact = citizen.contact
    if contact is None or not contact.phone:
        return ""
    return f"•••• {contact.phone[-4:-2]} {contact.phone[-2:]}"
