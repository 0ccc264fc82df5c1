"""The web app on DIMOS_BACKEND=sphinx://...: the same page, API answers and facets as on Whoosh.

A 3-node cluster on loopback (each shard on 2 nodes) and an embedded Whoosh index hold the same
real documents; the same Flask app, configured by BACKEND alone, answers both.  With one node
killed the answers stay the same and /health says degraded; with both copies of a shard down,
searches and /health answer 503, never a partial page.
"""
from __future__ import annotations

import shutil

import pytest

from tests.conftest import NODES, decision_documents, seed_documents, water_cut

pytestmark = pytest.mark.slow

if shutil.which("searchd") is None:
    pytest.skip("searchd (Debian's sphinxsearch) is not installed", allow_module_level=True)

# Query forms and API parameter combinations: words, a phrase, a prefix, OR, an exclusion,
# filters (municipality, region, year), date sorts, a second page, everything.
SEARCHES = [
    "q=δήμος", "q=δημοτικού+συμβουλίου", 'q="δημοτικού+συμβουλίου"', "q=προμήθ*",
    "q=ύδρευση+OR+αποχέτευση", "q=δήμος+-προμήθεια", "q=απόφαση&from=2024-01-01&to=2024-12-31",
    "q=απόφαση&sort=newest", "q=&sort=oldest&page=2", "q=έγκριση&page=2", "q=&undated=1", "q=δήμος&facet_size=3",
    # Greeklish and a misspelling (corrected), a real word the index lacks (suggested), as typed.
    "q=dimarxos+xanion", "q=δημαχρος", "q=αποχέτευση+λυμάτων", "q=dimarxos&as_typed=1",
    # Several words: the proximity bonus, as typed and as another inflection in either order.
    "q=ανάληψη+υποχρέωσης", "q=υποχρεώσεων+αναλήψεως", "q=έγκριση+πρακτικού+δημοτικού+συμβουλίου",
]


@pytest.fixture(scope="module")
def documents():
    return seed_documents() + [water_cut()] + decision_documents()[:300]



def searches(whoosh_client) -> list[str]:
    """SEARCHES and filters by the commonest municipality, region and official Whoosh offers."""
    facets = whoosh_client.get("/api/search?q=δήμος").get_json()["facets"]
    town, region, person = (facets[name][0]["value"] for name in ("municipality", "region", "official"))
    return SEARCHES + [f"q=δήμος&municipality={town}", f"q=&region={region}", f"q=&official={person}",
                       f"q=απόφαση&municipality={town}&sort=newest"]


def shown(answer: dict) -> dict:
    """What a reader sees: totals, every facet, the correction or suggestion, and the top 10 with scores,
    snippets and highlights."""
    hits = [{k: h[k] for k in ("id", "title", "score", "snippet", "highlights")} for h in answer["results"][:10]]
    return {"total": answer["total"], "pages": answer["pages"], "facets": answer["facets"], "hits": hits,
            "correction": answer["correction"], "suggestion": answer["suggestion"]}


def test_the_api_on_the_cluster_answers_as_on_whoosh(whoosh_client, on_cluster):
    corrected = 0
    for query in searches(whoosh_client):
        expected = whoosh_client.get(f"/api/search?{query}").get_json()
        got = on_cluster.get(f"/api/search?{query}")
        assert got.status_code == 200, query
        assert shown(got.get_json()) == shown(expected), query
        corrected += expected["correction"] is not None
    assert corrected >= 2  # the Greeklish and the misspelling


def test_the_search_page_and_a_document_come_from_the_cluster(whoosh_client, on_cluster, documents):
    answer = whoosh_client.get("/api/search?q=διακοπή+νερού").get_json()
    top = answer["results"][0]
    page = on_cluster.get("/?q=διακοπή+νερού")
    assert page.status_code == 200
    assert top["title"] in page.get_data(as_text=True)
    assert "<mark>" in page.get_data(as_text=True)
    document = on_cluster.get(f"/api/documents/{top['id']}")
    assert document.status_code == 200 and document.get_json()["title"] == top["title"]
    assert on_cluster.get("/api/documents/no-such-document").status_code == 404


def test_health_names_every_node_and_shard(on_cluster, cluster, documents):
    health = on_cluster.get("/health")
    state = health.get_json()
    assert health.status_code == 200 and state["status"] == "ok"
    assert state["documents"] == len(documents)
    assert [n["status"] for n in state["nodes"]] == ["ok"] * NODES
    assert [(s["shard"], s["status"], len(s["answering"])) for s in state["shards"]] == [
        (k, "ok", 2) for k in range(NODES)]


def test_one_node_killed_same_answers_and_degraded(healed, whoosh_client, on_cluster):
    queries = searches(whoosh_client)
    before = [shown(on_cluster.get(f"/api/search?{q}").get_json()) for q in queries]
    healed.kill_node(1)
    after = [on_cluster.get(f"/api/search?{q}") for q in queries]
    assert [r.status_code for r in after] == [200] * len(queries)
    assert [shown(r.get_json()) for r in after] == before
    health = on_cluster.get("/health")
    assert health.status_code == 200 and health.get_json()["status"] == "degraded"
    assert [n["status"] for n in health.get_json()["nodes"]] == ["ok", "down", "ok"]


def test_both_copies_of_a_shard_down_is_503(healed, on_cluster):
    healed.kill_node(0)
    healed.kill_node(1)  # shard 0 lives on nodes 0 and 1
    answer = on_cluster.get("/api/search?q=δήμος")
    assert answer.status_code == 503
    assert answer.get_json()["error"]["code"] == "index_unavailable"
    assert on_cluster.get("/?q=δήμος").status_code == 503
    health = on_cluster.get("/health")
    assert health.status_code == 503 and health.get_json()["status"] == "error"
    assert [(s["shard"], s["status"]) for s in health.get_json()["shards"]] == [
        (0, "down"), (1, "degraded"), (2, "degraded")]


# Prefixes: Greek (accented, upper case, one letter, a whole word), Greeklish, a name's Latin start, a number,
# and one no word starts.
PREFIXES = ["δημ", "διάκ", "ΔΙΑΚ", "α", "προμήθεια", "αποφ", "dimarx", "diakyv", "chan", "8ess", "20", "covid",
            "ξξξ", "δήμος συμβ"]


def test_word_completion_on_the_cluster_answers_as_on_whoosh(whoosh_client, on_cluster):
    answered = 0
    for prefix in PREFIXES:
        expected = whoosh_client.get("/api/complete", query_string={"q": prefix})
        got = on_cluster.get("/api/complete", query_string={"q": prefix})
        assert (got.status_code, got.get_json()) == (expected.status_code, expected.get_json()), prefix
        answered += bool(expected.get_json()["completions"])
    assert answered >= len(PREFIXES) - 2


def listings(whoosh_client) -> list[str]:
    """All-values listings of every facet: over a query, everything, a Greeklish query, another facet's
    filter, a date range, a filter text, a second page."""
    town = whoosh_client.get("/api/search?q=δήμος").get_json()["facets"]["municipality"][0]["value"]
    return ["municipality?q=δήμος", "official?q=", "region?q=", "year?q=δήμος", "municipality?q=dimarxos",
            "official?q=&municipality=Δήμος Χανίων", f"municipality?q=&municipality={town}", "year?q=&undated=1",
            "municipality?q=&from=2022-01-01&to=2024-12-31", "municipality?q=&filter=athin",
            "official?q=&filter=gior", "official?q=&page=2&size=5", "region?q=&filter=kriti", "year?q=&filter=202"]


def test_the_all_values_facet_listing_on_the_cluster_answers_as_on_whoosh(whoosh_client, on_cluster):
    listed = 0
    for path in listings(whoosh_client):
        expected = whoosh_client.get(f"/api/facets/{path}")
        got = on_cluster.get(f"/api/facets/{path}")
        assert got.status_code == expected.status_code == 200, path
        expected, got = expected.get_json(), got.get_json()
        expected.pop("took_ms"), got.pop("took_ms")
        assert got == expected, path
        listed += bool(expected["values"])
        page = on_cluster.get(f"/facets/{path}")
        assert page.status_code == 200, path
        assert all(v["value"] in page.get_data(as_text=True) for v in expected["values"][:5]), path
    assert listed >= len(listings(whoosh_client)) - 1


def test_an_entity_page_lists_the_clusters_documents(whoosh_client, on_cluster):
    town = whoosh_client.get("/api/search?q=").get_json()["facets"]["municipality"][0]
    with on_cluster.application.test_request_context():
        from web.links import entity_url
        path = entity_url("municipality", town["value"])
    page = on_cluster.get(path)
    assert page.status_code == 200 and town["value"] in page.get_data(as_text=True)
    assert page.get_data(as_text=True) == whoosh_client.get(path).get_data(as_text=True)
