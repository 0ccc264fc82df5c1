"""The Greek analyzer, on real words: Snowball's own Greek test vocabulary."""
from __future__ import annotations

import re
import unicodedata

import pytest
import Stemmer

from search.analysis import GREEK_STOPWORDS, fold, terms
from search.backend.whoosh.analyzers import folded_analyzer, greek_analyzer
from tests.conftest import shared_data


@pytest.fixture(scope="module")
def vocabulary() -> list[str]:
    path = shared_data("snowball-greek/voc.txt")
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


YPOGEGRAMMENI = "\u0345"


def strip_accents(word: str) -> str:
    """Drop every accent mark.  The iota subscript is a letter, not an accent:
    upper case writes it as Ι (ῷ -> ΩΙ), so it stays."""
    return "".join(c for c in unicodedata.normalize("NFD", word)
                   if not unicodedata.combining(c) or c == YPOGEGRAMMENI)


@pytest.mark.slow  # every form of 90,000 real words
def test_every_form_of_every_word_gives_identical_terms(vocabulary, figure):
    differing = [
        word for word in vocabulary
        if not terms(word) == terms(strip_accents(word)) == terms(word.upper())
        == terms(unicodedata.normalize("NFD", word))
    ]
    figure(f"invariance (plain = accent-stripped = upper-case = NFD): "
           f"{len(vocabulary) - len(differing)}/{len(vocabulary)} words")
    assert differing == []


def inflection_pairs(vocabulary: list[str], singular: str, genitive: str) -> list[tuple[str, str]]:
    words = set(vocabulary)
    return [(w, w[: -len(singular)] + genitive) for w in vocabulary
            if w.endswith(singular) and w[: -len(singular)] + genitive in words]


@pytest.mark.parametrize("singular, genitive, snowball_split", [("ία", "ίας", 802), ("ιο", "ιου", 114)])
def test_inflection_split_is_repaired(vocabulary, figure, singular, genitive, snowball_split):
    pairs = inflection_pairs(vocabulary, singular, genitive)
    split = [(a, b) for a, b in pairs if terms(a) != terms(b)]
    figure(f"-{singular}/-{genitive} pairs with different terms: {len(split)} of {len(pairs)} "
           f"({len(split) / len(pairs):.1%}); Snowball alone: {snowball_split} of {len(pairs)}")
    assert len(pairs) > 100
    assert len(split) <= 0.10 * len(pairs)


def test_adjectives_in_ik_keep_one_stem(vocabulary, figure):
    """Snowball strips -ικ- from some forms of an adjective only (κεντρικών -> κεντρ, κεντρικούς -> κεντρικ)."""
    snowball = Stemmer.Stemmer("greek")
    families: dict[str, set[str]] = {}
    for word in {fold(w) for w in vocabulary}:
        if match := re.fullmatch(r"(.+ικ)(οσ|ου|ο|α|ων|η|ησ|εσ|οι|ουσ|ε)", word):
            families.setdefault(match.group(1), set()).add(word)
    families = {base: forms for base, forms in families.items() if len(forms) > 1}
    split = [forms for forms in families.values() if len({tuple(terms(w)) for w in forms}) > 1]
    snowball_split = sum(1 for forms in families.values() if len({snowball.stemWord(w) for w in forms}) > 1)
    figure(f"-ικ- adjective families with more than one term: {len(split)} of {len(families)}; "
           f"Snowball alone: {snowball_split}")
    assert len(families) > 1000
    assert len(split) <= 0.01 * len(families)


def test_no_over_stemming(vocabulary, figure):
    snowball = Stemmer.Stemmer("greek")
    plain = {snowball.stemWord(fold(w)) for w in vocabulary}
    ours = {" ".join(terms(w)) for w in vocabulary}
    figure(f"distinct terms over the vocabulary: {len(ours)} vs plain Snowball after folding {len(plain)} "
           f"({len(ours) / len(plain):.1%})")
    assert len(ours) >= 0.92 * len(plain)


@pytest.mark.parametrize("forms", [
    ["Καιτεζιδης", "Καϊτεζίδης", "ΚΑΪΤΕΖΙΔΗΣ"],
    ["πανδημία", "πανδημίας"],
    ["δημαρχος", "δήμαρχος", "δημάρχου", "Δήμαρχοι"],
    ["ΨΗΦΙΑΚΗ ΔΙΑΚΥΒΕΡΝΗΣΗ", "ψηφιακής διακυβέρνησης"],
    ["Ζαριφόπουλος", "Ζαριφόπουλο"],
    ["συμβούλιο", "συμβουλίου"],
    ["υπηρεσία", "υπηρεσίας"],
    ["Αντιπεριφερειάρχη", "αντιπεριφερειάρχης"],
    ["ἄνθρωπος", "άνθρωπος", "ΑΝΘΡΩΠΟΣ"],
    ["κεντρικούς", "Κεντρικών", "ΚΕΝΤΡΙΚΟ", "κεντρική"],
    ["Κώδικας", "Κώδικα"],
    # Look-alike letters of the other script inside a word, as the Diavgeia texts have them.
    ["Ρόδου", "Pόδου"],
    ["γενική", "ΓΕΝIKH"],
    ["κλινικών", "Kλινικών"],
    ["email", "Εmail"],
])
def test_forms_of_one_word_match(forms):
    assert len({tuple(terms(form)) for form in forms}) == 1
    assert terms(forms[0])


@pytest.mark.parametrize("one, other", [("δήμος", "δημόσιος"), ("δήμος", "δήμαρχος"), ("πολιτικός", "πολίτης"),
                                        ("ίδιο", "ήσαν"), ("λίστα", "λέων")])
def test_different_words_stay_apart(one, other):
    assert terms(one) != terms(other)


def test_hyphenated_compounds_are_findable_by_each_part():
    assert terms("Πυλαίας-Χορτιάτη") == terms("Πυλαίας") + terms("Χορτιάτη")
    assert terms("MyKEP-live") == ["mykep", "live"]


def test_stopwords_are_removed_before_stemming():
    assert len(GREEK_STOPWORDS) >= 70
    assert terms("της και στο επίκεντρο του Δήμου") == terms("επίκεντρο Δήμου")
    assert all(fold(w) == w for w in GREEK_STOPWORDS)


def test_latin_diacritics_fold():
    assert terms("Café Ærøskøbing Łódź") == ["cafe", "aeroskobing", "lodz"]


def test_one_analyzer_at_index_and_query_time():
    text = "Η ψηφιακή Διακυβέρνηση στο επίκεντρο του Δήμου Πυλαίας-Χορτιάτη"
    assert [t.text for t in greek_analyzer()(text)] == terms(text)
    assert [t.text for t in folded_analyzer()(text)][:3] == ["η", "ψηφιακη", "διακυβερνηση"]
