"""The process's own counters for ``GET /metrics`` (prometheus-client): messages in and out
per channel, intents and low-confidence reads, and outbox send outcomes per channel.

Each is counted where it happens with one line. They count this process only: Prometheus sums
them over the processes it scrapes. What several processes share (queue length, outbox
backlog, reminders) is read from the database at scrape time instead (``bot/web/metrics.py``).
"""

from __future__ import annotations

from prometheus_client import Counter

MESSAGES_IN = Counter(
    "borgerchat_messages_in", "Citizen messages stored, per channel", ["channel"], registry=None
)
MESSAGES_OUT = Counter(
    "borgerchat_messages_out",
    "Messages handed to a provider or a browser, per channel",
    ["channel"],
    registry=None,
)
INTENTS = Counter(
    "borgerchat_intents", "Citizen messages read by the NLU, per intent", ["intent"], registry=None
)
LOW_CONFIDENCE = Counter(
    "borgerchat_low_confidence",
    "Citizen messages the NLU could not read with confidence (nlu_fallback)",
    registry=None,
)
OUTBOX_SENDS = Counter(
    "borgerchat_outbox_sends",
    "Outbox send attempts, per channel and outcome (accepted, retry_later, rejected, unknown)",
    ["channel", "outcome"],
    registry=None,
)

COUNTERS = (MESSAGES_IN, MESSAGES_OUT, INTENTS, LOW_CONFIDENCE, OUTBOX_SENDS)


def count_outcome(channel: str, outcome: object) -> None:
    """One outbox send's outcome (its class name, e.g. ``RetryLater`` -> ``retry_later``)."""
    name = type(outcome).__name__
    label = "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")
    OUTBOX_SENDS.labels(channel=channel, outcome=label).inc()
    if label == "accepted":
        MESSAGES_OUT.labels(channel=channel).inc()
