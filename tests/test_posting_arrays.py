"""A published generation's flat postings arrays hold exactly what Whoosh's blocks hold, and damage shows."""
from __future__ import annotations

import numpy as np
import pytest

from search.backend.whoosh.engine import SearchEngine
from search.backend.whoosh.posting_arrays import MANIFEST, PostingArrays
from search.backend.whoosh.postings import GenerationPostings, position_keys
from search.backend.whoosh.schema import SCORED_FIELDS
from search.backend.whoosh.writer import open_index
from search.reindex import reindex
from search.request import SearchRequest
from search.service import SearchService
from search.store import IndexStore
from tests.reindex_child import announcements
from tests.test_reindex import quiet


def assert_flat_equals_whoosh(store: IndexStore, positions: bool = False) -> int:
    """Every term of every scored field: the arrays' documents and weights are Whoosh's (deleted ones left
    out), and with `positions` each term's positions in all its documents too."""
    index = open_index(store.root / store.current_generation())
    flat = PostingArrays.beside(index)
    assert flat is not None
    compared = 0
    with index.searcher() as searcher:
        reader = searcher.reader()
        whoosh = GenerationPostings(reader)
        for field in SCORED_FIELDS:
            for text, walked in whoosh.every_term(reader, field).items():
                expected = whoosh.read(reader, field, text)  # looked up on its own, not by the walk both share
                assert np.array_equal(walked.ids, expected.ids), (field, text)
                got = flat.postings(field, text)
                assert np.array_equal(got.ids, expected.ids), (field, text)
                assert np.array_equal(got.weights, expected.weights), (field, text)
                if positions and field != "title":
                    assert np.array_equal(flat.position_keys(field, text, expected.ids),
                                          position_keys(reader, field, text, expected.ids)), (field, text)
                compared += 1
    return compared


def test_the_real_documents_postings_are_whooshs_for_every_term(real_store):
    assert assert_flat_equals_whoosh(real_store) > 20_000
    flat = PostingArrays.beside(open_index(real_store.root / real_store.current_generation()))
    assert len(flat.postings("body", "κανένατέτοιολήμμα")) == 0
    assert flat.postings("municipality", "Δήμος Χανίων") is None  # not a scored field: read through Whoosh


def test_positions_are_whooshs_for_any_documents_asked_about(real_store):
    """Position keys of real words, for the documents a phrase or the proximity rescore asks about:
    none, one, a few scattered, every holder, and documents that do not hold the word."""
    index = open_index(real_store.root / real_store.current_generation())
    flat = PostingArrays.beside(index)
    rng = np.random.default_rng(7)
    compared = 0
    with index.searcher() as searcher:
        reader = searcher.reader()
        whoosh = GenerationPostings(reader)
        assert flat.position_keys("title", "δήμαρχος", np.arange(5)) is None  # title keeps no positions
        for field in ("body", "exact"):
            by_documents = sorted(whoosh.every_term(reader, field).items(), key=lambda item: -len(item[1]))
            # the commonest words (δήμου, του ...), one in the middle, one held by a single document, none
            chosen = [text for text, _ in by_documents[:3] + by_documents[len(by_documents) // 2:][:1] + by_documents[-1:]]
            for text in [*chosen, "κανενατετοιολημμα"]:
                holders = whoosh.read(reader, field, text).ids
                for docnums in [holders[:0], holders[:1], np.sort(rng.choice(holders, min(30, len(holders)), replace=False))
                                if len(holders) else holders, holders, np.arange(0, reader.doc_count_all(), 97)]:
                    expected = position_keys(reader, field, text, docnums)
                    assert np.array_equal(flat.position_keys(field, text, docnums), expected), (field, text, len(docnums))
                    compared += len(expected)
    assert compared > 100_000  # positions, not empty arrays, were compared


def test_an_incremental_reindex_rewrites_them_for_its_merged_and_deleted_documents(tmp_path):
    store = IndexStore(tmp_path / "index")
    reindex(store, {"notices.jsonl": announcements(40)}, progress=quiet())
    first = store.current_generation()
    changed = announcements(40, tag=" (διόρθωση)")
    result = reindex(store, {"notices.jsonl": announcements(30) + changed[30:35] + announcements(50)[40:]},
                     incremental=True, progress=quiet())
    assert (result.updated, result.removed) == (5, 5) and store.current_generation() != first
    with open_index(store.root / store.current_generation()).searcher() as searcher:
        assert searcher.reader().has_deletions()  # replaced documents are deleted ones the arrays must leave out
    assert assert_flat_equals_whoosh(store, positions=True) > 100
    answer = SearchService(store).engine().search(SearchRequest(q="διόρθωση"))
    assert answer.total == 5


def test_answers_are_the_same_read_from_the_arrays_or_from_whooshs_blocks(real_store, monkeypatch):
    generation = real_store.root / real_store.current_generation()
    with_arrays = SearchEngine(open_index(generation))
    monkeypatch.setattr(PostingArrays, "beside", classmethod(lambda cls, index: None))  # as before the arrays
    without = SearchEngine(open_index(generation))
    assert with_arrays.arrays.postings._flat is not None and without.arrays.postings._flat is None
    for q in ["δήμαρχος", "ανάληψη υποχρέωσης", "άρθρο OR νόμος OR προϋπολογισμός", '"ανάληψη υποχρέωσης"',
              "προϋπολογ*", "dimarxos"]:
        request = SearchRequest(q=q, per_page=20)
        a, b = with_arrays.search(request), without.search(request)
        assert a.total == b.total > 0, q
        assert [(h.id, h.snippet) for h in a.results] == [(h.id, h.snippet) for h in b.results], q
        assert a.facets == b.facets, q


@pytest.mark.parametrize("damage", ["truncated", "manifest lies"])
def test_damaged_arrays_refuse_to_open_and_the_generation_is_reported(tmp_path, damage):
    store = IndexStore(tmp_path / "index")
    reindex(store, {"notices.jsonl": announcements(12)}, progress=quiet())
    live = store.root / store.current_generation()
    if damage == "truncated":
        ids = live / "postings-body.ids"
        ids.write_bytes(ids.read_bytes()[:-6])
    else:
        manifest = (live / MANIFEST).read_text(encoding="utf-8")
        (live / MANIFEST).write_text(manifest.replace('"postings": ', '"postings": 1'), encoding="utf-8")
    with pytest.raises(ValueError, match="do not match|dtype|multiple"):
        PostingArrays.beside(open_index(live))
    assert store.verify(live.name)  # the checksums name the damaged file
    health = SearchService(store).health().as_json()
    assert health["status"] == "error" and live.name in health["message"]
