"""Near-duplicates on the cluster, against Whoosh on the same grouped documents: a group's listing
(`group=`) and the collapse of a search's results.

The Diavgeia decisions hold templated near-duplicates; grouped as the reindex groups them
(search.neardup.Grouper, in writing order), they are written into Whoosh and onto a 3-node
cluster.  A group's listing must be the same on both: every member, its total, facets, `similar`;
and so must a search's pages, each group once (search.sphinx.collapse).
"""
from __future__ import annotations

import shutil
from collections import Counter

import pytest

from search.neardup import Grouper, text_of
from search.sphinx.cluster import MAX_MATCHES
from search.sphinx.collapse import collapse_pool, larger_pool
from tests.conftest import decision_documents, seed_documents

pytestmark = pytest.mark.slow

if shutil.which("searchd") is None:
    pytest.skip("searchd (Debian's sphinxsearch) is not installed", allow_module_level=True)


@pytest.fixture(scope="module")
def documents():
    grouper = Grouper()
    grouped = seed_documents() + decision_documents()[:500]
    for document in grouped:
        document.group = grouper.assign(document.id, text_of(document))
    return grouped



def listed(answer: dict) -> dict:
    hits = [{k: h[k] for k in ("id", "score", "similar", "group", "snippet")} for h in answer["results"]]
    return {k: answer[k] for k in ("total", "distinct", "pages", "facets")} | {"hits": hits}


def test_a_groups_listing_on_the_cluster_answers_as_on_whoosh(documents, whoosh_client, on_cluster):
    sizes = Counter(d.group for d in documents)
    groups = [key for key, size in sizes.most_common(3) if size > 1] + [documents[0].group]
    assert len(groups) == 4  # three real groups of near-duplicates, and a document alone
    for key in groups:
        for query in ("q=", "q=απόφαση", "q=&sort=newest&per_page=5&page=2", "q=dimarxos"):
            path = f"/api/search?{query}&group={key}"
            expected, got = whoosh_client.get(path), on_cluster.get(path)
            assert got.status_code == expected.status_code == 200, path
            assert listed(got.get_json()) == listed(expected.get_json()), path
        assert whoosh_client.get(f"/api/search?q=&group={key}").get_json()["total"] == sizes[key]


# Templated decisions' words: each finds groups of near-duplicates among its documents.
COLLAPSED_QUERIES = ("q=", "q=απόφαση", "q=πίστωσης", "q=ανάληψη υποχρέωσης", "q=δήμος", "q=έγκριση")
PAGES = ("", "&page=2", "&per_page=5&page=3", "&per_page=50")


def test_collapsed_searches_on_the_cluster_answer_as_on_whoosh(whoosh_client, on_cluster):
    """Each near-duplicate group once (by relevance its best-ranked member, by date its first), the same
    ids, order, scores, `similar`, `distinct` and `pages`; totals and facets counting documents."""
    collapsed = 0
    for query in COLLAPSED_QUERIES:
        for sort in ("", "&sort=relevance", "&sort=newest", "&sort=oldest"):
            for page in PAGES:
                path = f"/api/search?{query}{sort}{page}"
                expected, got = whoosh_client.get(path).get_json(), on_cluster.get(path).get_json()
                assert listed(got) == listed(expected), path
                collapsed += expected["distinct"] < expected["total"]
    assert collapsed >= len(COLLAPSED_QUERIES) * 8  # the groups are real: most of these listings collapse


def test_a_pool_short_of_groups_is_grown_and_its_groups_counted(whoosh_client, on_cluster, monkeypatch):
    """With no margin, a relevance pool holds the page's documents only, fewer groups than the page:
    it is asked for again, larger, until the page is full; `distinct` is then counted by Sphinx's
    grouping over every found document (not the pool), as Whoosh counts it."""
    monkeypatch.setattr("search.sphinx.searcher.POOL_MARGIN", 0)
    for query in ("q=απόφαση", "q=πίστωσης", "q=ανάληψη υποχρέωσης"):
        for page in ("", "&page=2"):
            path = f"/api/search?{query}&sort=relevance&per_page=10{page}"
            expected, got = whoosh_client.get(path).get_json(), on_cluster.get(path).get_json()
            assert expected["distinct"] < expected["total"], path
            assert [got[k] for k in ("total", "distinct", "pages", "facets")] == \
                [expected[k] for k in ("total", "distinct", "pages", "facets")], path
            shown = min(10, expected["distinct"] - (10 if page else 0))
            assert len(got["results"]) == len(expected["results"]) == shown > 0, path
            assert len({hit["group"] for hit in got["results"]}) == shown, path


def test_collapse_pool_keeps_each_groups_best_member_in_rank_order():
    scores = {1: 2.0, 2: 5.0, 3: 5.0, 4: 1.0, 5: 3.0}
    seq = {1: 10, 2: 30, 3: 20, 4: 40, 5: 50}
    groups = {1: 7, 2: 8, 3: 8, 4: 9, 5: 7}  # 3 ties 2 on score and was written first
    assert collapse_pool(scores, seq, groups, 10) == [3, 5, 4]
    assert collapse_pool(scores, seq, groups, 2) == [3, 5]


def test_a_pool_grows_only_while_it_lacks_groups_and_more_documents_match():
    assert larger_pool(size=20, groups_found=7, end=10, total=1000) == 80
    assert larger_pool(size=20, groups_found=10, end=10, total=1000) is None
    assert larger_pool(size=20, groups_found=7, end=10, total=20) is None  # the pool holds them all
    assert larger_pool(size=MAX_MATCHES // 2, groups_found=7, end=10, total=10 ** 6) == MAX_MATCHES
    assert larger_pool(size=MAX_MATCHES, groups_found=7, end=10, total=10 ** 6) is None
