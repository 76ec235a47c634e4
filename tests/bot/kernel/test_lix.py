"""LIX: words per sentence plus the percentage of long words."""

from __future__ import annotations

import pytest

from bot.kernel.lix import lix


def test_short_plain_sentences_read_easily() -> None:
    # 8 words, 2 sentences, one long word ("hurtigt"): 4 + 12.5
    assert lix("Du kan ringe til os. Vi svarer hurtigt.") == pytest.approx(16.5)


def test_long_words_and_long_sentences_read_hard() -> None:
    text = (
        "Kontanthjælpsmodtagere skal orientere kommunens ydelseskontor om arbejdsindtægter, "
        "feriepengeudbetalinger og sygedagpengerefusioner inden udbetalingsperiodens afslutning"
    )
    assert lix(text) > 60


def test_an_address_counts_as_one_short_word() -> None:
    assert lix("Læs mere på https://www.borger.dk/arbejde-dagpenge-ferie/kontanthjaelp.") == (
        pytest.approx(lix("Læs mere på adr."))
    )


def test_a_text_without_words_scores_zero() -> None:
    assert lix("112 - 70 20 12 01") == 0.0
