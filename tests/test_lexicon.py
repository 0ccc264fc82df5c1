"""The el_GR lexicon: real Greek words in any accent and case are words; typos and Latin are not."""
from __future__ import annotations

import random

import pytest

from search import lexicon
from search.analysis import fold_text


@pytest.mark.parametrize("word", [
    "δήμαρχος", "ΔΗΜΑΡΧΟΣ", "Δήμαρχος", "δημαρχος",  # any case, with or without accents
    "λυμάτων", "αποχέτευση", "πίστωσης", "θεμάτων", "υποχρέωσης", "ανάληψη", "διάθεσης", "απόφαση",
])
def test_real_greek_words_are_words(word):
    assert lexicon.is_greek_word(word)


@pytest.mark.parametrize("word", [
    "δημαχρος", "δήμαρχςο", "λυμάωτν", "πίστωσηςς", "αποχετευσηη",  # a letter swapped, doubled
    "dimarxos", "xyz", "", "  ", "1234",
])
def test_misspellings_and_other_scripts_are_not_words(word):
    assert not lexicon.is_greek_word(word)


def test_pdf_spellings_of_a_word_are_the_word():
    """The analysis chain's folding applies: ∆ for Δ, a soft hyphen inside."""
    assert lexicon.is_greek_word("\u2206ΙΑΘΕΣΗΣ")
    assert lexicon.is_greek_word("δήμαρ\u00adχος")


def test_every_dictionary_form_is_found_folded(figure):
    """The fast byte-table fold agrees with `fold_text` on the dictionary's own lines."""
    lines = lexicon.dictionary_path().read_text(encoding="iso8859-7").splitlines()[1:]
    sample = random.Random(14).sample(lines, 20_000)
    missing = [line for line in sample if fold_text(line) not in lexicon.forms()]
    assert missing == []
    figure(f"lexicon: {len(lexicon.forms()):,} folded forms from {len(lines):,} el_GR lines; 20,000 sampled all found")
