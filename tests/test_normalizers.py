"""Each character normalizer on its own, then the analysis chain on the issue-14 cases (real words)."""
from __future__ import annotations

import json

import pytest

from search import analysis, normalizers
from search.backend.whoosh import analyzers
from tests.conftest import shared_data

INVISIBLES = ["\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\u200e", "\u200f", "\u202a", "\u2066", "\ufeff"]


@pytest.mark.parametrize("mark", INVISIBLES)
def test_an_invisible_character_inside_a_word_is_dropped(mark):
    assert normalizers.strip_invisible(f"δήμαρ{mark}χος") == "δήμαρχος"


def test_visible_text_keeps_every_character():
    text = "Ο Δήμαρχος - Αριθμ. Πρωτ.: 1234/2020 «θέμα»"
    assert normalizers.strip_invisible(text) == text
    assert normalizers.symbols_to_letters(text) == text


def test_the_symbol_table_comes_from_the_confusables_data():
    """INCREMENT and N-ARY PRODUCT stand for Δ and Π; a bullet triangle is not a letter."""
    assert normalizers.GREEK_SYMBOLS["\u2206"] == "Δ"
    assert normalizers.GREEK_SYMBOLS["\u220f"] == "Π"
    assert "\u25b3" not in normalizers.GREEK_SYMBOLS
    assert normalizers.symbols_to_letters("\u2206ΙΑΘΕΣΗΣ") == "ΔΙΑΘΕΣΗΣ"


@pytest.mark.parametrize("typed, plain", [
    ("\u2206ΙΑΘΕΣΗΣ", "ΔΙΑΘΕΣΗΣ"),
    ("\u2206ΗΜΑΡΧΟΣ", "ΔΗΜΑΡΧΟΣ"),
    ("δήμαρ\u00adχος", "δήμαρχος"),
    ("δή\u200bμαρ\u200dχος", "δήμαρχος"),
    ("θεµάτων", "θεμάτων"),  # MICRO SIGN
    ("\u2126μέγα", "Ωμέγα"),  # OHM SIGN
    ("ϐιϐλίο", "βιβλίο"), ("ϑέμα", "θέμα"), ("ϕόρος", "φόρος"), ("ϱόδα", "ρόδα"), ("ΔΗΜΟϹ", "ΔΗΜΟΣ"),
])
def test_pdf_and_keyboard_spellings_give_the_terms_of_the_plain_word(typed, plain):
    assert analysis.terms(typed) == analysis.terms(plain)
    assert [w.folded for w in analysis.words(typed)] == [w.folded for w in analysis.words(plain)]
    assert [t.text for t in analyzers.greek_analyzer()(typed)] == analysis.terms(plain)


@pytest.mark.parametrize("text, word", [
    ("Ο \u2206ΗΜΑΡΧΟΣ ΧΑΝΙΩΝ", "\u2206ΗΜΑΡΧΟΣ"),
    ("ο δήμαρ\u00adχος είπε", "δήμαρ\u00adχος"),
])
def test_a_highlight_span_covers_the_whole_visible_word(text, word):
    spans = [text[w.start:w.end] for w in analysis.words(text)]
    assert word in spans


def test_real_decisions_with_the_increment_sign_fold_to_delta(figure):
    """The records of ../shared/data that print ∆ for Δ: each such word now folds to a word with δ."""
    path = shared_data("diavgeia-decisions.jsonl")
    words_with_increment = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        text = f"{record.get('title') or ''}\n{record.get('body') or ''}"
        if "\u2206" in text:
            words_with_increment.update(w for w in text.split() if "\u2206" in w)
    assert words_with_increment
    for word in words_with_increment:
        assert all("\u2206" not in w.folded for w in analysis.words(word))
        assert "δ" in analysis.fold(word)
    figure(f"normalizers: {len(words_with_increment)} distinct words with U+2206 in the decisions fold to δ")
