"""Greeklish matching and misspelling correction on real words (index-independent)."""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from search import greeklish
from search.analysis import fold, words
from search.greeklish import (
    GreekVocabulary,
    edit_distance,
    greek_key,
    latin_keys,
    spelling_cost,
    to_greek_candidates,
)

from tests.conftest import PROJECT_ROOT, SEEDS, shared_data


def _document_frequencies(texts) -> Counter:
    df: Counter = Counter()
    for text in texts:
        df.update({w.folded for w in words(text)})
    return df


def _seed_texts():
    return [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]


@pytest.fixture(scope="module")
def seed_vocab() -> GreekVocabulary:
    return GreekVocabulary(_document_frequencies(_seed_texts()))


@pytest.fixture(scope="module")
def real_vocab() -> GreekVocabulary:
    texts = _seed_texts()
    for name in ("diavgeia-decisions.jsonl", "greek-laws-2023-2024.jsonl"):
        with open(shared_data(name), encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                texts.append(f"{record.get('title') or ''}\n{record.get('body') or ''}")
    return GreekVocabulary(_document_frequencies(texts))


@pytest.mark.parametrize(
    "latin, greek",
    [
        ("kaitezidis", "καιτεζιδησ"),
        ("kaitezidhs", "καιτεζιδησ"),
        ("Kaitezidis", "καιτεζιδησ"),
        ("simandirakis", "σημανδηρακησ"),
        ("xanion", "χανιων"),
        ("chanion", "χανιων"),
        ("hanion", "χανιων"),
        ("psifiakis", "ψηφιακησ"),
        ("4hfiakhs", "ψηφιακησ"),
        ("diakyvernisis", "διακυβερνησησ"),
        ("diakubernhshs", "διακυβερνησησ"),
        ("dimarxos", "δημαρχοσ"),
        ("dhmarxos", "δημαρχοσ"),
        ("dimarchos", "δημαρχοσ"),
        ("8essaloniki", "θεσσαλονικη"),
        ("thessaloniki", "θεσσαλονικη"),
        ("thesaloniki", "θεσσαλονικη"),
        ("pylaias", "πυλαιασ"),
        ("pilaias", "πυλαιασ"),
        ("pyleas", "πυλαιασ"),
        ("xortiati", "χορτιατη"),
        ("makedonias", "μακεδονιασ"),
    ],
)
def test_seed_words_in_every_convention(seed_vocab, latin, greek):
    assert greek in to_greek_candidates(latin, seed_vocab)


def test_unidecode_spelling_is_accepted_but_ranked_lower(seed_vocab):
    # Unidecode's scholarly spelling (η -> e, χ -> kh): accepted, at a cost.
    candidates = seed_vocab.greeklish_candidates("Demarkhos")
    assert [c.word for c in candidates][:1] == ["δημαρχοσ"]
    assert candidates[0].cost > 0
    assert seed_vocab.greeklish_candidates("dimarxos")[0].cost == 0


def test_seed_xania_nominative(real_vocab):
    # "Χανιά" (nominative) is in the Diavgeia texts, not in the seeds.
    for latin in ("xania", "chania", "hania"):
        assert "χανια" in to_greek_candidates(latin, real_vocab), latin


@pytest.mark.parametrize(
    "latin, greek",
    [
        ("dimarxou", "δημαρχου"),
        ("dhmarxou", "δημαρχου"),
        ("diakopi", "διακοπη"),
        ("nerou", "νερου"),
        ("neru", "νερου"),  # ου typed as u
        ("ygeias", "υγειασ"),
        ("igias", "υγειασ"),
        ("oikonomikou", "οικονομικου"),
        ("ikonomikou", "οικονομικου"),
        ("proypologismou", "προυπολογισμου"),
        ("proupologismou", "προυπολογισμου"),
        ("proslipseis", "προσληψεισ"),
        ("proslhpseis", "προσληψεισ"),
        ("prosli4eis", "προσληψεισ"),
        ("egkrisi", "εγκριση"),
        ("egrisi", "εγκριση"),
        ("anagki", "αναγκη"),
        ("evropaikis", "ευρωπαικησ"),
        ("eyrwpaikhs", "ευρωπαικησ"),
        ("3enodoxeio", "ξενοδοχειο"),
        ("ksenodoxeio", "ξενοδοχειο"),
        ("xenodoxeio", "ξενοδοχειο"),
        ("ka8ws", "καθωσ"),
        ("athinon", "αθηνων"),
    ],
)
def test_real_words(real_vocab, latin, greek):
    assert greek in to_greek_candidates(latin, real_vocab)


def test_prosliseis_is_one_slip_from_proslipseis(real_vocab):
    # "prosliseis" drops the p of ψ: no exact reading, one slip away.
    assert real_vocab.greeklish_candidates("prosliseis") == []
    fuzzy = real_vocab.fuzzy_greeklish_candidates("prosliseis")
    assert fuzzy[0].word == "προσληψεισ"
    assert fuzzy[0].cost >= 100


def test_latin_terms_are_not_greeklish(real_vocab):
    # Real Latin words of the documents stay themselves.
    assert real_vocab.is_latin_term("covid")
    assert real_vocab.is_latin_term("COVID")
    assert not real_vocab.is_latin_term("dimarxos")
    # Acronyms and Latin words spell no Greek word.
    for latin in ("covid", "mykep", "http", "www", "pdf"):
        assert to_greek_candidates(latin, real_vocab) == [], latin


def test_stopword_readings_are_left_out(real_vocab):
    assert to_greek_candidates("kai", real_vocab) == []
    assert "και" in [c.word for c in real_vocab.greeklish_candidates("kai", include_stopwords=True)]


def test_vowel_digraphs_are_not_split():
    # ου is never ο + υ spelled "oi"; ει never ε + ι spelled "ei"... which is allowed as a digraph spelling.
    assert spelling_cost("dimou", "δημου") == 0
    assert spelling_cost("dimoi", "δημου") is None
    assert spelling_cost("dimoi", "δημοι") == 0
    assert spelling_cost("dimi", "δημοι") == 0


def test_mixed_conventions_inside_one_word():
    # letter-shape η, sound χ, ELOT υ, 8 for θ, in one word each
    assert spelling_cost("dhmarxos", "δημαρχοσ") == 0
    assert spelling_cost("diakyvernhsh", "διακυβερνηση") == 0
    assert spelling_cost("8essalonikh", "θεσσαλονικη") == 0
    assert spelling_cost("thesalonikh", "θεσσαλονικη") == 0  # σσ typed once


def test_key_is_shared_by_both_sides():
    for latin, greek in [("dimarxos", "δημαρχοσ"), ("bala", "μπαλα"), ("domata", "ντοματα"), ("aggelos", "αγγελοσ")]:
        assert greek_key(greek) in latin_keys(latin)


@contextmanager
def counted(*names: str) -> Iterator[Counter]:
    """How often each named function of search.greeklish is called inside the block."""
    calls: Counter = Counter()
    originals = {name: getattr(greeklish, name) for name in names}

    def counting(name, function):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return function(*args, **kwargs)
        return wrapper

    for name, function in originals.items():
        setattr(greeklish, name, counting(name, function))
    try:
        yield calls
    finally:
        for name, function in originals.items():
            setattr(greeklish, name, function)


def test_greeklish_lookup_does_bounded_work(real_vocab):
    """Each word reads at most _MAX_KEYS keys and scores only the words filed under them.

    Counted, not timed (benchmarks/greeklish_lookup.py prints the time per word).
    """
    queries = ["dimarxos", "xanion", "psifiaki", "diakyvernisi", "8essaloniki", "proypologismou",
               "oikonomikis", "kaitezidhs", "ypiresion", "ekpaideusis"]
    for q in queries:
        keys = greeklish.latin_keys(q)
        assert 0 < len(keys) <= greeklish._MAX_KEYS, q
        filed = sum(len(real_vocab._by_key.get(key, ())) for key in keys)
        with counted("spelling_cost", "latin_keys") as calls:
            found = real_vocab.greeklish_candidates(q)
        assert found, q
        assert calls["latin_keys"] == 1 and calls["spelling_cost"] <= filed, (q, calls)


def test_misspellings_find_the_word(real_vocab):
    assert real_vocab.corrections("δημαχρος")[0].word == "δημαρχοσ"  # swapped letters
    assert real_vocab.corrections("διακυβέρνησι")[0].word == "διακυβερνηση"  # one wrong letter
    assert real_vocab.corrections("υπουργιου")[0].word == "υπουργειου"  # ει typed as ι
    assert real_vocab.corrections("προυπολογισμυ")[0].word == "προυπολογισμου"


def test_missing_accent_is_not_a_misspelling(real_vocab):
    assert real_vocab.corrections("δημαρχος") == []
    assert real_vocab.corrections("ΔΗΜΑΡΧΟΣ") == []


def test_edit_distance():
    assert edit_distance("δημαχρος", "δημαρχος") == 1
    assert edit_distance("αβγδ", "αβγδ") == 0
    assert edit_distance("αβγδεζ", "ζεδγβα") == 3  # capped at limit + 1


def osa_by_hand(a: str, b: str, limit: int) -> int:
    """The optimal-string-alignment dynamic program edit_distance used before rapidfuzz: the oracle."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return min(prev[-1], limit + 1)


def test_edit_distance_equals_the_hand_dynamic_program_on_real_words():
    """Snowball's real Greek vocabulary: each word against its neighbours in the list (shared
    prefixes, inflections), a swapped pair of letters, and a far word."""
    vocabulary = shared_data("snowball-greek/voc.txt").read_text(encoding="utf-8")
    real = vocabulary.split()[::37]
    pairs = [(w, other) for i, w in enumerate(real) for other in real[i + 1:i + 4]]
    pairs += [(w, w[:2] + w[3] + w[2] + w[4:]) for w in real if len(w) > 4]
    pairs += [(w, real[-1 - i]) for i, w in enumerate(real[:500])]
    assert len(pairs) > 5000
    for limit in (1, 2):
        assert [edit_distance(a, b, limit) for a, b in pairs] == [osa_by_hand(a, b, limit) for a, b in pairs]
    assert {edit_distance(a, b, 2) for a, b in pairs} == {0, 1, 2, 3}


def test_absurdly_ambiguous_latin_is_not_expanded():
    assert latin_keys("th" * 16) == set()
    assert latin_keys("xorhghsh")


@pytest.mark.slow  # regenerates the pairs from all the real decisions
def test_pairs_file_is_what_the_generator_writes(tmp_path):
    shared_data("diavgeia-decisions.jsonl")
    from tools.make_greeklish_pairs import main

    out = tmp_path / "pairs.tsv"
    main(["--data", str(PROJECT_ROOT.parent / "shared" / "data"), "--out", str(out)])
    committed = (PROJECT_ROOT / "tests" / "data" / "greeklish_pairs.tsv").read_text(encoding="utf-8")
    assert out.read_text(encoding="utf-8") == committed
    rows = [line.split("\t") for line in committed.splitlines() if not line.startswith("#")]
    assert len(rows) >= 300
    assert len({fold(greek) for _, greek, _ in rows}) == 300


def test_absurd_input_is_not_expanded(real_vocab):
    """Refused before any key is spelled, any edit enumerated or any word scored."""
    work = ("latin_keys", "spelling_cost", "fuzzy_spelling_cost", "edit_distance", "_edits1", "_deletes")
    with counted(*work) as calls:
        assert real_vocab.corrections("δ" * 5000) == []
        assert real_vocab.greeklish_candidates("x" * 5000) == []
        assert real_vocab.fuzzy_greeklish_candidates("ab" * 2000) == []
    assert sum(calls.values()) == 0, calls
