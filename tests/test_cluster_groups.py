"""A near-duplicate group's listing (`group=`) on the cluster, against Whoosh on the same grouped documents.

The Diavgeia decisions hold templated near-duplicates; grouped as the reindex groups them
(search.neardup.Grouper, in writing order), they are written into Whoosh and onto a 3-node
cluster.  A group's listing must be the same on both: every member, its total, facets, `similar`.
"""
from __future__ import annotations

import shutil
from collections import Counter

import pytest

from search.neardup import Grouper, text_of
from search.store import IndexStore
from tests.conftest import decision_documents, seed_documents
from web import create_app

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


@pytest.fixture(scope="module")
def whoosh(documents, tmp_path_factory):
    store = IndexStore(tmp_path_factory.mktemp("whoosh"))
    store.build(documents)
    return create_app({"INDEX_DIR": store.root, "BACKEND": None, "TESTING": True}).test_client()


@pytest.fixture(scope="module")
def on_cluster(cluster, tmp_path_factory):
    url = "sphinx://" + ",".join(str(n) for n in cluster.topology.nodes)
    return create_app({"INDEX_DIR": tmp_path_factory.mktemp("unused"), "BACKEND": url,
                       "TESTING": True}).test_client()


def listed(answer: dict) -> dict:
    hits = [{k: h[k] for k in ("id", "score", "similar", "group", "snippet")} for h in answer["results"]]
    return {k: answer[k] for k in ("total", "distinct", "pages", "facets")} | {"hits": hits}


def test_a_groups_listing_on_the_cluster_answers_as_on_whoosh(documents, whoosh, on_cluster):
    sizes = Counter(d.group for d in documents)
    groups = [key for key, size in sizes.most_common(3) if size > 1] + [documents[0].group]
    assert len(groups) == 4  # three real groups of near-duplicates, and a document alone
    for key in groups:
        for query in ("q=", "q=απόφαση", "q=&sort=newest&per_page=5&page=2", "q=dimarxos"):
            path = f"/api/search?{query}&group={key}"
            expected, got = whoosh.get(path), on_cluster.get(path)
            assert got.status_code == expected.status_code == 200, path
            assert listed(got.get_json()) == listed(expected.get_json()), path
        assert whoosh.get(f"/api/search?q=&group={key}").get_json()["total"] == sizes[key]
