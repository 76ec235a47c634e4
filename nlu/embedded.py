"""The embedded recognizer: the trained linear classifier, the crisis safety net and entities.

``parse`` is pure computation on immutable data (no I/O, no locks, no shared mutable state), so
the dispatcher may call it from any thread; it takes well under a millisecond.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from nlu.crisis import crisis_matches
from nlu.entities import extract_entities
from nlu.linear_model import LinearIntentModel
from nlu.model_store import load_or_train
from nlu.salutations import strip_salutations
from nlu.training_data import DEFAULT_DATA_DIR
from nlu.types import FALLBACK_INTENT, IntentScore, ParseResult

CRISIS_INTENT = "crisis"
# A crisis alarm raised by the safety net is reported with at least this confidence.
SAFETY_NET_CONFIDENCE = 0.95
# Crisis wins whenever the classifier gives it at least this, even when another intent
# ranks higher: on misspelt crisis messages it is often second. On the held-out set this
# floor costs about one false alarm in 400 messages and catches most misspelt crises.
CRISIS_FLOOR = 0.2
# Texts this short with no known word are not classified (fallback, or crisis by the net).
MIN_UNKNOWN_CHARS = 2
# As Rasa's DIETClassifier's default ranking_length.
RANKING_LENGTH = 10


class EmbeddedRecognizer:
    """Intent and entity recognition in process, in Rasa's ``/model/parse`` shape."""

    def __init__(
        self,
        model: LinearIntentModel,
        *,
        fallback_threshold: float = 0.45,
        timezone: ZoneInfo | None = None,
    ) -> None:
        self.model = model
        self.fallback_threshold = fallback_threshold
        self.timezone = timezone or ZoneInfo("Europe/Copenhagen")
        self._crisis_row = (
            model.classes.index(CRISIS_INTENT) if CRISIS_INTENT in model.classes else -1
        )

    @classmethod
    def load(
        cls,
        model_dir: Path,
        *,
        data_dir: Path = DEFAULT_DATA_DIR,
        fallback_threshold: float = 0.45,
        timezone: ZoneInfo | None = None,
    ) -> EmbeddedRecognizer:
        """Load the model in ``model_dir``, training it first when stale or missing."""
        model = load_or_train(data_dir, model_dir)
        return cls(model, fallback_threshold=fallback_threshold, timezone=timezone)

    def parse(self, text: str, *, now: datetime | None = None) -> ParseResult:
        reference = now if now is not None else datetime.now(UTC)
        known_words = self.model.known_words(text)
        # One or two characters that are no word we know ("V", "x") carry no meaning: the
        # character n-grams would still vote, and once voted "V" a crisis.
        if known_words == 0 and sum(char.isalnum() for char in text) <= MIN_UNKNOWN_CHARS:
            return self._unclassifiable(text, reference)
        probabilities = self.model.probabilities(strip_salutations(text))
        if probabilities is None:
            return self._unclassifiable(text, reference)
        order = probabilities.argsort()[::-1]
        ranking = [
            IntentScore(
                name=self.model.classes[row], confidence=round(float(probabilities[row]), 4)
            )
            for row in order[:RANKING_LENGTH]
        ]
        top = ranking[0]
        crisis_probability = (
            float(probabilities[self._crisis_row]) if self._crisis_row >= 0 else 0.0
        )
        if top["name"] != CRISIS_INTENT and crisis_matches(text):
            top = IntentScore(
                name=CRISIS_INTENT,
                confidence=max(SAFETY_NET_CONFIDENCE, round(crisis_probability, 4)),
            )
            ranking = [top, *(score for score in ranking if score["name"] != CRISIS_INTENT)]
        elif (
            top["name"] != CRISIS_INTENT
            and crisis_probability >= CRISIS_FLOOR
            # The floor catches misspelled crises; it needs at least one word we know.
            and known_words > 0
        ):
            top = IntentScore(name=CRISIS_INTENT, confidence=round(crisis_probability, 4))
            ranking = [top, *(score for score in ranking if score["name"] != CRISIS_INTENT)]
        elif top["confidence"] < self.fallback_threshold and top["name"] != CRISIS_INTENT:
            # As Rasa's FallbackClassifier: the fallback first, with the threshold as its
            # confidence, the classifier's own ranking after it.
            top = IntentScore(name=FALLBACK_INTENT, confidence=self.fallback_threshold)
            ranking = [top, *ranking]
        return ParseResult(
            text=text,
            intent=top,
            entities=extract_entities(text, reference, self.timezone),
            intent_ranking=ranking,
        )

    def _unclassifiable(self, text: str, reference: datetime) -> ParseResult:
        """Text with no known feature (empty, emoji, another script): fallback, or crisis."""
        if crisis_matches(text):
            top = IntentScore(name=CRISIS_INTENT, confidence=SAFETY_NET_CONFIDENCE)
        else:
            top = IntentScore(name=FALLBACK_INTENT, confidence=self.fallback_threshold)
        return ParseResult(
            text=text,
            intent=top,
            entities=extract_entities(text, reference, self.timezone),
            intent_ranking=[top],
        )
