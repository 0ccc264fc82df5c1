"""The array evaluator gives exactly Whoosh's documents and scores, on real documents."""
from __future__ import annotations

import numpy as np
import pytest

from search.backend.whoosh.evaluate import Evaluator
from search.service import SearchService
from search.backend.whoosh.facets import DateColumn, FacetColumn
from search.backend.whoosh.posting_arrays import PostingArrays
from search.backend.whoosh.postings import GenerationPostings

QUERIES = [
    "δήμαρχος",
    "απόφαση ανάληψη υποχρέωσης",
    "ΔΙΑΘΕΣΗΣ πίστωσης",
    "άρθρο OR νόμος OR υπουργός OR δήμος OR απόφαση OR προϋπολογισμός",
    '"ανάληψη υποχρέωσης"',
    '"υποχρέωσης ανάληψη"',
    '"της ανάληψης υποχρέωσης"',
    '"ανάληψη υποχρέωσης" OR "διάθεση πίστωσης"',
    '"δήμου δήμου"',
    '"κανένα_τέτοιο_λήμμα υποχρέωσης"',
    "προϋπολογ*",
    "ανάληψη υποχρ*",
    "δήμος -νερού",
    "dimarxos xanion",
    "δημαχρος",
    "υδροδότησης",
    "κανένα_τέτοιο_λήμμα",
]


@pytest.fixture(scope="module", params=["whoosh-blocks", "flat-arrays"])
def opened(real_store, request):
    """The generation's postings read from Whoosh's blocks, or from the arrays written beside them."""
    engine = SearchService(real_store).engine()
    with engine.ix.searcher() as searcher:
        flat = PostingArrays.beside(engine.ix) if request.param == "flat-arrays" else None
        assert flat is not None or request.param == "whoosh-blocks"
        postings = GenerationPostings(searcher.reader(), flat)
        lengths = {f: postings.field_lengths(searcher.reader(), f) for f in ("title", "body", "exact")}
        yield engine, searcher, postings, lengths


@pytest.mark.parametrize("text", QUERIES)
def test_same_documents_and_scores_as_whoosh(opened, text):
    engine, searcher, postings, lengths = opened
    query = engine.query_for(searcher, text)
    expected = {docnum: score for docnum, score in searcher.search(query, limit=None).items()}
    got = Evaluator(searcher, postings, lengths).evaluate(query)
    assert list(got.ids) == sorted(expected)
    assert np.allclose(got.scores, [expected[d] for d in got.ids], rtol=1e-9, atol=0)


@pytest.mark.parametrize("ratio", [1e9, 0], ids=["read-whole-and-filtered", "read-per-document"])
def test_phrases_read_whole_or_per_document_give_whooshs_answer(opened, monkeypatch, ratio):
    """Both ways a phrase word's positions are read (postings.WHOLE_TERM_RATIO), cached and again."""
    from search.backend.whoosh import postings as postings_module
    engine, searcher, _, lengths = opened
    monkeypatch.setattr(postings_module, "WHOLE_TERM_RATIO", ratio)
    fresh = GenerationPostings(searcher.reader())
    for text in [q for q in QUERIES if q.startswith('"')] * 2:
        query = engine.query_for(searcher, text)
        expected = dict(searcher.search(query, limit=None).items())
        got = Evaluator(searcher, fresh, lengths).evaluate(query)
        assert list(got.ids) == sorted(expected), text


def test_a_real_query_matches_hundreds_of_documents(opened):
    engine, searcher, postings, lengths = opened
    got = Evaluator(searcher, postings, lengths).evaluate(engine.query_for(searcher, "απόφαση"))
    assert len(got.ids) > 300  # the comparison above is not between two empty answers


def test_a_phrase_keeps_only_its_words_side_by_side_in_order(opened):
    engine, searcher, postings, lengths = opened
    evaluator = Evaluator(searcher, postings, lengths)
    both = evaluator.evaluate(engine.query_for(searcher, "ανάληψη υποχρέωσης"))
    phrase = evaluator.evaluate(engine.query_for(searcher, '"ανάληψη υποχρέωσης"'))
    reversed_ = evaluator.evaluate(engine.query_for(searcher, '"υποχρέωσης ανάληψη"'))
    assert len(phrase.ids) > 20  # decisions that commit funds say it as one phrase
    assert set(phrase.ids) < set(both.ids) and set(reversed_.ids) < set(both.ids)
    assert len(reversed_.ids) < len(phrase.ids)


def test_facet_counts_are_whooshs_counts(opened):
    engine, searcher, postings, lengths = opened
    column = FacetColumn.read(searcher.reader(), postings, "municipality")
    matched = set(searcher.docs_for_query(engine.query_for(searcher, "απόφαση")))
    mask = np.zeros(postings.doc_count, dtype=bool)
    mask[list(matched)] = True
    counts = dict(zip(column.names, column.counts(mask).tolist()))
    reader = searcher.reader()
    for name in column.names:
        holders = set(reader.postings("municipality", name).all_ids())
        assert counts[name] == len(holders & matched), name
    assert sum(counts.values()) > 0  # not a comparison of empty sets


def test_date_ranges_match_whooshs_term_range(opened):
    from whoosh import query as wq
    engine, searcher, postings, lengths = opened
    dates = DateColumn.read(searcher.reader(), postings)
    for start, end in (("2020-01-01", "2020-12-31"), (None, "2019-06-30"), ("2023-03-01", None)):
        expected = set(searcher.docs_for_query(wq.TermRange("date", start or "0000", end or "9999")))
        assert set(np.flatnonzero(dates.between(start, end)).tolist()) == expected


def test_the_generation_caches_keep_what_is_read_again_and_drop_the_oldest():
    """A term read through peek (as position_keys reads a cached one) stays when the cache fills."""
    from search.backend.whoosh.postings import SizedCache

    cache = SizedCache(capacity=4)
    cache.get("hot", lambda: [1, 2])
    cache.get("cold", lambda: [3, 4])
    assert cache.peek("hot") == [1, 2]
    cache.get("new", lambda: [5, 6])
    assert cache.peek("cold") is None and cache.peek("hot") == [1, 2] and cache.peek("new") == [5, 6]
