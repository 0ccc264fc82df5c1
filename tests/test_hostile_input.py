"""Hostile text through the analyzer, the query layer and the engine: every string is a search.

Hypothesis draws text from every Unicode category, lone surrogates included, mixed with
the pieces hostile queries are made of (controls, bidi marks, emoji and ZWJ sequences,
floods of combining marks, operators, quotes and brackets) and real Greek and Greeklish
words; and huge inputs (about 100,000 characters, 10,000 operators, 10,000 nested quotes
and brackets).  Nothing may raise, every answer must be well-formed, and each query must
do bounded work: the Whoosh queries one search runs hold at most TERM_BUDGET terms in all.
Work is counted, not timed: a loaded CI machine cannot make a count fail
(benchmarks/speed.py measures the time).
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import cycle, islice

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from whoosh import query as wq
from whoosh import searching

from search import analysis
from search.backend.whoosh import analyzers
from search.backend.whoosh.matchers import MAX_PREFIX_TERMS, build_query
from search.querylang import parse_query
from search.request import MAX_QUERY_CHARS, MAX_QUERY_WORDS, InvalidRequest, SearchRequest, parse_request
from search.service import SearchService
from web.openapi import OPENAPI

# Unidecode warns that it skips a lone surrogate (fold keeps it as itself); expected here.
pytestmark = pytest.mark.filterwarnings("ignore:Surrogate character:RuntimeWarning")

# The terms one search may look up in all: each of at most MAX_QUERY_WORDS words stands for at most
# MAX_PREFIX_TERMS completions, in the stemmed and in the exact field.  Measured: 96 for 20,000
# clauses of "δήμος", 192 for 5,000 ORed "dimarxos" on the seeds (they used to build 20,000 and
# 5,000 clauses, 10-19 s); before the query layer bounded them, the costliest took 9-13 s.
TERM_BUDGET = 2 * MAX_QUERY_WORDS * MAX_PREFIX_TERMS

GREEK = ["δήμαρχος", "Χανίων", "διακυβέρνηση", "Ψηφιακής", "αντιδημ*", "Καϊτεζίδης", "ΔΗΜΟΣ", "συμβούλιο",
         "πανδημίας", "dimarxos", "xania", "8essaloniki", "psifiaki", "δημαχρος", "διακυβέρνησι", "MyKEP",
         "COVID-19", "e-poleodomia", "Πυλαίας-Χορτιάτη", "στο", "και"]
HOSTILE = ["\ud800", "\udfff", "\udc80", "\x00", "\x1b", "\x7f", "\x85", "\x9f", "\u200b", "\u200d", "\u200e",
           "\u200f", "\u202e", "\u2066", "\ufeff", "\ufffd", "🙂", "👨\u200d👩\u200d👧\u200d👦", "🇬🇷",
           "δ" + "\u0301" * 50, "\u0301" * 50, "ﾞ", "ϲ", "ᴬ", "Ɂ", "𠀋", "ﷺ", "OR", "|", "-", "--", '-""', '"',
           '""', "*", "**", "(", ")", "((", "))", ":", "title:", "^2", "~", "\\", "AND", "NOT", "[a TO z]",
           "%00", "<script>", "&amp;"]
OPERATORS = ["OR", "OR", '-""', "*", "|", "-", '"', "(", ")"]

any_char = st.one_of(st.characters(exclude_categories=()), st.characters(categories=["Cs"]))
piece = st.one_of(st.sampled_from(GREEK), st.sampled_from(HOSTILE), st.text(any_char, max_size=12))
pieces = st.lists(piece, max_size=30)
typed = st.one_of(pieces.map(" ".join), pieces.map("".join), st.text(any_char, max_size=200))
huge = st.one_of(
    # about 100,000 characters of words, marks or emoji
    st.builds(lambda p, n: (p + " ") * n, st.sampled_from(GREEK + HOSTILE), st.integers(1_000, 12_000)),
    # 10,000 operators and more
    st.integers(10_000, 12_000).map(lambda n: " ".join(islice(cycle(OPERATORS), n))),
    # deeply nested quotes and brackets around a word
    st.builds(lambda w, n: '"' * n + "(" * n + w + ")" * n + '"' * n, st.sampled_from(GREEK),
              st.integers(1_000, 10_000)),
)


def budget(examples: int) -> settings:
    """Few enough examples to keep the whole file under half a minute; work is bounded by counts, not a deadline."""
    return settings(max_examples=examples, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.large_base_example])


ANSWER = Draft202012Validator({**OPENAPI["components"]["schemas"]["SearchAnswer"],
                               "components": OPENAPI["components"]})


@contextmanager
def counted_terms() -> Iterator[list[int]]:
    """The number of terms of every query Whoosh searches or matches inside the block."""
    counts: list[int] = []
    search, docs_for_query = searching.Searcher.search, searching.Searcher.docs_for_query

    def counting(method):
        def wrapper(self, q, *args, **kwargs):
            counts.append(sum(1 for _ in q.leaves()))
            return method(self, q, *args, **kwargs)
        return wrapper

    searching.Searcher.search, searching.Searcher.docs_for_query = counting(search), counting(docs_for_query)
    try:
        yield counts
    finally:
        searching.Searcher.search, searching.Searcher.docs_for_query = search, docs_for_query


def bounded_search(engine, request: SearchRequest) -> dict:
    with counted_terms() as counts:
        answer = engine.search(request).as_json()
    assert sum(counts) <= TERM_BUDGET, f"{sum(counts)} terms for a query of {len(request.q)} characters"
    assert answer["total"] >= 0 and isinstance(answer["results"], list)
    assert len(answer["results"]) <= min(answer["total"], request.per_page)
    return answer


def assert_well_formed(answer: dict) -> None:
    """Valid against the published contract, and writable as UTF-8 JSON (what the API sends)."""
    ANSWER.validate(answer)
    json.dumps(answer, ensure_ascii=False).encode("utf-8")


@pytest.fixture(scope="module")
def seed_engine(seed_store):
    return SearchService(seed_store).engine()


@pytest.fixture(scope="module")
def real_engine(real_store):
    engine = SearchService(real_store).engine()
    return engine


# --- the analyzer -------------------------------------------------------------

@budget(400)
@given(st.one_of(typed, st.text(any_char)))
@example("ΔΗΜΟϹ ΧΑΝΙΩΝ")  # lunate sigma used to fold to a final ς, which no typed query ever matches
@example("ᴬᴮ ϒ")  # compatibility forms used to fold to upper case
@example("AAµ÷")  # µ made it Greek, the look-alike pass made it Latin, and ÷ then folded only the second time
def test_fold_is_a_fixed_point(text):
    folded = analysis.fold(text)
    assert analysis.fold(folded) == folded


def test_lunate_sigma_text_is_found_by_the_ordinary_spelling():
    """The unstemmed forms too, which exact phrases and prefixes match."""
    assert [word.folded for word in analysis.words("ΔΗΜΟϹ ΧΑΝΙΩΝ")] == ["δημοσ", "χανιων"]


@budget(400)
@given(typed)
def test_words_are_folded_spans_of_the_text(text):
    previous_end = 0
    for word in analysis.words(text):
        assert previous_end <= word.start < word.end <= len(text)
        assert word.folded and word.folded == analysis.fold(text[word.start:word.end])
        assert (word.term is None) == (word.folded in analysis.GREEK_STOPWORDS)
        previous_end = word.end


@budget(400)
@given(typed)
@example("δήμος Ɂ𠀋")  # letters Unidecode cannot read used to fold to "", a query term no document has
@example("ﾞδήμος ﾞ")  # marks that fold away entirely
def test_query_terms_are_the_index_terms(text):
    """What a query looks up is exactly what indexing stored for the same text."""
    assert analysis.terms(text) == [token.text for token in analyzers.greek_analyzer()(text)]
    indexed = [token.text for token in analyzers.folded_analyzer()(text) if token.text]
    assert [word.folded for word in analysis.words(text)] == indexed


# --- the query layer ----------------------------------------------------------

@budget(300)
@given(st.one_of(typed, huge))
def test_any_text_parses_into_a_bounded_query(text):
    clauses = parse_query(text)
    pending = list(clauses)
    words = 0
    while pending:
        clause = pending.pop()
        pending.extend(clause.alternatives)
        assert clause.words
        words += len(clause.words)
    assert words <= MAX_QUERY_WORDS
    assert isinstance(build_query(clauses), wq.Query)


@budget(200)
@given(typed)
def test_any_typed_query_is_answered_or_refused_with_a_reason(seed_engine, text):
    try:
        request = parse_request({"q": [text]})
    except InvalidRequest as error:
        assert error.parameter == "q" and len(text) > MAX_QUERY_CHARS
        assert str(MAX_QUERY_CHARS) in error.message and str(MAX_QUERY_CHARS) in error.message_el
        return
    answer = bounded_search(seed_engine, request)
    assert_well_formed(answer)


@budget(12)
@given(huge)
@example("δήμος " * 20_000)  # 20,000 clauses used to exhaust Whoosh's recursion limit after 10 s
@example(" OR ".join(["dimarxos"] * 5_000))  # 5,000 alternatives used to take 19 s
def test_huge_text_is_searched_with_bounded_work(seed_engine, text):
    """The core bounds its own work, whatever a caller that skips `parse_request` hands it."""
    bounded_search(seed_engine, SearchRequest(q=text))


def test_lone_surrogates_are_answered_as_replacement_characters(seed_engine):
    # A command-line argument that is not UTF-8 reaches Python as lone surrogates.
    request = parse_request({"q": ["δήμος \udcff"], "municipality": ["\ud800"], "official": ["a\udc80b"]})
    answer = bounded_search(seed_engine, request)
    assert_well_formed(answer)
    assert answer["query"]["q"] == "δήμος \ufffd"
    assert answer["query"]["municipality"] == ["\ufffd"] and answer["query"]["official"] == ["a\ufffdb"]


# --- on real documents -------------------------------------------------------

@budget(40)
@given(typed)
def test_any_query_on_real_documents_is_answered_with_bounded_work(real_engine, text):
    try:
        request = parse_request({"q": [text]})
    except InvalidRequest:
        return
    assert_well_formed(bounded_search(real_engine, request))


def _common_words(engine, count: int) -> list[str]:
    with engine.ix.searcher() as searcher:
        by_frequency = sorted(((info.doc_frequency(), text.decode("utf-8"))
                               for text, info in searcher.reader().iter_field("exact")), reverse=True)
    return [word for _, word in by_frequency if word not in analysis.GREEK_STOPWORDS and len(word) > 3][:count]


@pytest.mark.parametrize("shape", ["prefixes", "prefixes OR", "words OR", "words excluded"])
def test_the_costliest_queries_under_the_limits_are_answered_with_bounded_work(real_engine, shape):
    """Two-letter prefixes and common words, as many as 500 characters hold (before the bounds: 9-13 s)."""
    common = _common_words(real_engine, MAX_QUERY_WORDS)
    prefixes = [word[:2] + "*" for word in common]
    q = {"prefixes": " ".join(prefixes), "prefixes OR": " OR ".join(prefixes),
         "words OR": " OR ".join(common), "words excluded": common[0] + " -" + " -".join(common[1:])}[shape]
    answer = bounded_search(real_engine, parse_request({"q": [q[:MAX_QUERY_CHARS]]}))
    assert answer["total"] > 0 or shape == "words excluded"
