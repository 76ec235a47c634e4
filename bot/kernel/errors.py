"""The exception hierarchy of borgerchat, in one place (as python-telegram-bot's ``error.py``)."""

from __future__ import annotations


class BorgerchatError(Exception):
    """Base class of every error borgerchat raises on purpose."""


class ConfigError(BorgerchatError):
    """A setting is missing or wrong; the message names the key and why."""

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(f"{key}: {reason}")
        self.key = key
        self.reason = reason


class InvalidMessage(BorgerchatError):
    """Inbound text that cannot be accepted (empty, too long, not text)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


class ForeignRedelivery(InvalidMessage):
    """A message whose transport id another sender's message already has (a replayed Telegram
    update or a reused Twilio MessageSid): refused before anything is stored or answered."""

    def __init__(self) -> None:
        super().__init__(
            "foreign_redelivery", "The message's id belongs to another sender's message."
        )


class ContentError(BorgerchatError):
    """A content file is missing a key or is malformed."""


class CitizenNotFound(BorgerchatError, LookupError):
    """No citizen has the id asked for."""


class SlotTaken(BorgerchatError):
    """Raised by a booking effect when another citizen got the slot first."""

    def __init__(self, slot_id: int) -> None:
        super().__init__(f"slot {slot_id} is already booked")
        self.slot_id = slot_id


class MalformedFlowState(BorgerchatError, ValueError):
    """A stored flow state this code cannot read (it then reads as an empty state)."""


class TrainingDataError(BorgerchatError):
    """NLU data that cannot be read."""


class ModelTrainingError(BorgerchatError):
    """The NLU model could not be trained."""


class RasaResponseError(BorgerchatError, ValueError):
    """A Rasa answer that is not in the ``/model/parse`` shape."""


class StartOver(BorgerchatError):
    """The message pipeline's signal to roll its transaction back and handle the message again.

    Without arguments the next attempt is made the same way (a lost race to make the citizen);
    ``taken_slot`` offers fresh times instead of the flow's step, ``failed`` keeps the message
    and apologises without the flow.
    """

    def __init__(self, *, taken_slot: int | None = None, failed: bool = False) -> None:
        super().__init__("start over")
        self.taken_slot = taken_slot
        self.failed = failed


class InboxError(BorgerchatError):
    """An action that cannot be done as asked; shown to the consultant as the inbox text at
    ``key`` (``bot/inbox/content``) with ``params`` filled in."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params
