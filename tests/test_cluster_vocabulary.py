"""The vocabulary of a cluster generation, and the Greeklish readings and corrections it gives.

A 3-node cluster and an embedded Whoosh index hold the same real documents (the seeds, the water
cut and 400 Diavgeia decisions).  The cluster's vocabulary (each folded word with its documents,
written by the reindex into every node) must be Whoosh's; a Greeklish or misspelled query must get
the same correction, suggestion, totals, facets and ranked page on both; an incremental update and
a node's repair must keep the vocabulary right on every node.
"""
from __future__ import annotations

import dataclasses
import shutil
from collections import Counter

import pytest

from search.analysis import is_greek, words
from search.entities import transliterate
from search.request import SearchRequest
from tests.conftest import decision_documents, seed_documents, water_cut

pytestmark = pytest.mark.slow

if shutil.which("searchd") is None:
    pytest.skip("searchd (Debian's sphinxsearch) is not installed", allow_module_level=True)

from search.sphinx import terms  # noqa: E402  (needs pymysql, as searchd)
from search.sphinx.nodes import session  # noqa: E402
from search.sphinx.searcher import ClusterSearcher  # noqa: E402
from search.sphinx.service import ClusterService  # noqa: E402
from search.sphinx.topology import vocabulary_index  # noqa: E402
from search.sphinx.writer import read_pointer, read_words, repair, update_live  # noqa: E402

DECISIONS = 400
# Greeklish and misspellings of the Greeklish and correction tests (tests/test_greeklish_search.py,
# tests/test_correction_search.py), mixed queries, a quoted copy, alternatives and an exclusion.
TYPED = [
    "kaitezidis", "Kaitezidis", "simandirakis", "xania", "chania", "psifiaki diakyvernisi", "dimarxos xanion",
    "dhmarxos chanion", "dimarxos Χανίων", "dimarxou xanion", "prosliseis", "8essaloniki", "diakopi nerou",
    "kentrikis makedonias", "covid", "δημαχρος", "δημαχρος Χανίων", "ψηφιακή διακυβέρνησι", "λυμάτων",
    "αποχέτευση λυμάτων", "δημαχρος OR Σημανδηράκης", 'δημαχρος "δημαχρος"', "dimarxos -xanion",
    "αποφαση δημοτικου συμβουλιυ", "diakopi nerou OR ydreusi",
]


@pytest.fixture(scope="module")
def documents():
    return seed_documents() + [water_cut()] + decision_documents()[:DECISIONS]


def generated_queries(documents) -> list[str]:
    """Per decision (every tenth), its rarest Greek title word in ELOT 743 Latin letters and with two
    letters swapped: the Greeklish and the typos of words the documents really use."""
    frequency = Counter(w.folded for d in documents for w in {w.folded: w for w in words(d.title)}.values())
    queries = []
    for document in documents[::10]:
        greek = [w.folded for w in words(document.title) if is_greek(w.folded) and len(w.folded) > 5]
        if greek:
            rare = min(greek, key=lambda w: (frequency[w], w))
            queries += [transliterate(rare), rare[:2] + rare[3] + rare[2] + rare[4:]]
    return queries


def requests(documents):
    for q in TYPED + generated_queries(documents):
        yield SearchRequest(q=q)
    yield SearchRequest(q="δημαχρος", municipality=("Δήμος Χανίων",))
    yield SearchRequest(q="dimarxos", sort="newest")
    yield SearchRequest(q="dimarxos", as_typed=True)


def shown(answer) -> dict:
    """Everything a reader is told but the timing: totals, facets, correction, suggestion, ranked page."""
    return {"total": answer.total, "pages": answer.pages, "facets": answer.facets.as_json(),
            "suggestion": answer.suggestion,
            "correction": answer.correction.model_dump() if answer.correction else None,
            "hits": [(r.id, r.score, r.snippet, r.highlights) for r in answer.results]}


def test_the_vocabulary_of_a_generation_is_whooshs(cluster, whoosh_engine):
    pointer = read_pointer(cluster.topology)
    expected = whoosh_engine.vocabulary().df
    for node in cluster.topology.nodes:  # written on every node: any node can answer it
        assert read_words(node, pointer.slot) == expected, node
    assert ClusterSearcher(cluster.topology).vocabulary(pointer).result().df == expected


def test_greeklish_and_misspellings_are_read_and_corrected_as_on_whoosh(cluster, whoosh_engine, documents, figure):
    searcher = ClusterSearcher(cluster.topology)
    corrected = 0
    for request in requests(documents):
        expected = whoosh_engine.search(request)
        assert shown(searcher.search(request)) == shown(expected), request.q
        corrected += expected.correction is not None
    assert corrected >= len(TYPED) // 2  # the requests do exercise the corrections
    figure(f"cluster vs Whoosh, Greeklish and misspellings: {len(list(requests(documents)))} requests on "
           f"{len(documents)} documents, {corrected} corrected or suggested, all the same answers")


def test_a_repaired_node_gets_the_vocabulary_back(healed):
    pointer = read_pointer(healed.topology)
    first, second = healed.topology.nodes[:2]
    expected = read_words(first, pointer.slot)
    with session(second) as cursor:  # the node lost its vocabulary and kept a word no document has
        cursor.execute(f"TRUNCATE RTINDEX {vocabulary_index(pointer.slot)}")
        cursor.execute(f"REPLACE INTO {vocabulary_index(pointer.slot)} (id, word_text, word, df) "
                       f"VALUES (1, '', 'ανύπαρκτη', 7)")
    repair(healed.topology, second)
    assert read_words(second, pointer.slot) == expected


def test_an_incremental_update_keeps_the_vocabulary_of_every_node(cluster, documents):
    """Runs last: the cluster's documents change (and are put back at the end)."""
    changed = dataclasses.replace(documents[-1], body=documents[-1].body + " ξεχωριστολέξη δημαρχος")
    removed = documents[-2]
    before = read_pointer(cluster.topology)
    service = ClusterService(cluster.topology)
    assert "ξεχωριστολεξη" not in service.engine().vocabulary()
    update_live(cluster.topology, [changed], deleted=[removed.id])
    after = read_pointer(cluster.topology)
    assert (after.generation, after.slot, after.revision) == (before.generation, before.slot, before.revision + 1)
    now = [*documents[:-2], changed]
    expected = Counter(w for d in now for w in set(terms.exact_words(d)))
    for node in cluster.topology.nodes:
        assert read_words(node, after.slot) == expected, node
    # The service sees the raised revision and reads the vocabulary again.
    assert service.engine().vocabulary().df["ξεχωριστολεξη"] == 1
    update_live(cluster.topology, [documents[-2], documents[-1]])
    restored = Counter(w for d in documents for w in set(terms.exact_words(d)))
    assert read_words(cluster.topology.nodes[0], after.slot) == restored
