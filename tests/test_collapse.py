"""Near-duplicates collapsed on the results page (issue 14, part 3), on the real Diavgeia decisions and seeds.

One index is built with `reindex` (groups computed as documents stream to the writer); a reference index
of the same documents is written without groups, so each document is its own group there and nothing
collapses: what the collapsed answers must still count is read from it.
"""
from __future__ import annotations

import collections
import copy
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from search.backend.whoosh.schema import build_schema, to_record
from search.ingest import IngestReport, load_documents
from search.neardup import group_keys
from search.reindex import Progress, reindex
from search.store import IndexStore
from tests.conftest import SEEDS, shared_data
from web import create_app

pytestmark = pytest.mark.slow  # ingesting and grouping the 1,453 decisions takes ~40 s on two loaded cores

QUERIES = ("απόφαση", "πίστωσης", "ανάληψη υποχρέωσης")
SORTS = ("relevance", "newest", "oldest")
SIMILAR_LINK = re.compile(r'<p class="similar"><a href="([^"]+)"[^>]*>\+(\d+) (παρόμοια|παρόμοιες)</a></p>')


class Quiet(Progress):
    def _write(self, text: str) -> None:
        pass


@pytest.fixture(scope="module")
def documents():
    sources = [shared_data("diavgeia-decisions.jsonl"), SEEDS]
    return {str(path): list(load_documents([path], IngestReport())) for path in sources}


@pytest.fixture(scope="module")
def collapsed(documents, tmp_path_factory):
    store = IndexStore(tmp_path_factory.mktemp("grouped"))
    reindex(store, copy.deepcopy(documents), progress=Quiet())
    return create_app({"INDEX_DIR": store.root, "TESTING": True}).test_client()


@pytest.fixture(scope="module")
def reference(documents, tmp_path_factory):
    """The same documents without groups: every one a group of one, so nothing collapses."""
    store = IndexStore(tmp_path_factory.mktemp("ungrouped"))
    store.build(doc for docs in copy.deepcopy(documents).values() for doc in docs)
    return create_app({"INDEX_DIR": store.root, "TESTING": True}).test_client()


@pytest.fixture(scope="module")
def keys(documents):
    """Each document's group, computed apart from the index by search.neardup over the same sources."""
    return group_keys(doc for docs in documents.values() for doc in docs)


def search(client, **params):
    answer = client.get("/api/search", query_string=params)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def whole_listing(client, **params) -> list[dict]:
    results, page = [], 1
    while True:
        answer = search(client, **params, page=page, per_page=100)
        results += answer["results"]
        if page >= answer["pages"]:
            return results
        page += 1


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("q", QUERIES)
def test_no_first_page_shows_two_results_of_one_group(collapsed, reference, keys, q, sort):
    shown = search(collapsed, q=q, sort=sort)["results"]
    groups = [keys.get(hit["id"], hit["id"]) for hit in shown]
    assert len(shown) == 20 and len(set(groups)) == len(groups)


@pytest.mark.parametrize("q", QUERIES)
def test_without_collapsing_the_first_page_repeats_a_group(reference, keys, q):
    """What the collapse removes: the templated decisions fill the uncollapsed first page."""
    plain = [keys.get(hit["id"], hit["id"]) for hit in search(reference, q=q)["results"]]
    assert len(set(plain)) < len(plain)


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("q", QUERIES)
def test_the_collapsed_listing_is_the_ranking_without_later_members(collapsed, reference, keys, q, sort):
    """Each group stands where its best-ranked member stood; only the members ranked below it go."""
    seen, expected = set(), []
    for hit in whole_listing(reference, q=q, sort=sort):
        group = keys.get(hit["id"], hit["id"])
        if group not in seen:
            seen.add(group)
            expected.append(hit["id"])
    assert [hit["id"] for hit in whole_listing(collapsed, q=q, sort=sort)] == expected


@pytest.mark.parametrize("q", QUERIES)
def test_totals_and_facet_counts_count_documents(collapsed, reference, q, figure):
    grouped, plain = search(collapsed, q=q), search(reference, q=q)
    assert grouped["total"] == plain["total"] and grouped["facets"] == plain["facets"]
    assert plain["distinct"] == plain["total"] and grouped["distinct"] < grouped["total"]
    # The collapsed listing, page by page and in every order, holds each of the query's groups once.
    for sort in SORTS:
        listed = whole_listing(collapsed, q=q, sort=sort)
        assert len(listed) == grouped["distinct"] == len({hit["group"] for hit in listed})
    assert grouped["pages"] == -(-grouped["distinct"] // 20)
    figure(f"collapse: «{q}» {grouped['total']} documents in {grouped['distinct']} results once collapsed")


def test_the_similar_link_lists_exactly_the_group(collapsed, keys):
    html = collapsed.get("/", query_string={"q": "πίστωσης"}).get_data(as_text=True)
    links = [(unescape(href), int(count)) for href, count, _ in SIMILAR_LINK.findall(html)]
    assert len(links) >= 3
    members = collections.defaultdict(set)
    for doc_id, key in keys.items():
        members[key].add(doc_id)
    for href, count in links:
        listing = collapsed.get(href)
        assert listing.status_code == 200
        page = listing.get_data(as_text=True)
        assert f"{count + 1} ανακοινώσεις" in page and not SIMILAR_LINK.search(page)
        (key,) = parse_qs(urlsplit(href).query)["group"]
        ids = {hit["id"] for hit in whole_listing(collapsed, group=key)}
        assert ids == members[key] and len(ids) == count + 1


def test_the_json_answer_carries_the_group_and_its_size(collapsed, keys):
    hits = search(collapsed, q="ανάληψη υποχρέωσης")["results"]
    sizes = collections.Counter(keys.values())
    for hit in hits:
        assert hit["group"] == keys.get(hit["id"], hit["id"])
        assert hit["similar"] == sizes.get(hit["group"], 1) - 1
    grouped = next(hit for hit in hits if hit["similar"])
    listing = search(collapsed, group=grouped["group"])
    assert listing["query"]["group"] == grouped["group"]
    assert listing["total"] == listing["distinct"] == grouped["similar"] + 1
    spec = collapsed.get("/api/openapi.json").get_json()
    hit_schema = spec["components"]["schemas"]["Hit"]["properties"]
    assert {"group", "similar"} <= hit_schema.keys()
    assert "group" in {p["name"] for p in spec["paths"]["/api/search"]["get"]["parameters"]}


def test_the_group_listing_narrows_with_the_words_and_can_be_left(collapsed, keys):
    big = collections.Counter(keys.values()).most_common(1)[0][0]
    everyone = search(collapsed, group=big)
    narrowed = search(collapsed, group=big, q="Φορέα")
    assert 0 < narrowed["total"] <= everyone["total"]
    assert {keys[hit["id"]] for hit in narrowed["results"]} == {big}
    page = collapsed.get("/", query_string={"group": big}).get_data(as_text=True)
    chip = re.search(r'<span>Παρόμοιες ανακοινώσεις</span> <a href="([^"]+)"', page)
    assert chip and "group=" not in unescape(chip.group(1))
    assert search(collapsed, group="δεν-υπάρχει")["total"] == 0
    too_long = collapsed.get("/api/search", query_string={"group": "x" * 501})
    assert too_long.status_code == 400 and too_long.get_json()["error"]["parameter"] == "group"


def test_an_incremental_run_groups_against_the_whole_index(documents, keys, tmp_path):
    """New members join the group already indexed; a leader that leaves hands its group to the next member."""
    decisions = next(iter(documents.values()))
    key = next(k for k, n in collections.Counter(keys.values()).most_common() if n >= 6)
    group = [doc for doc in decisions if keys.get(doc.id) == key]
    others = [doc for doc in decisions if doc.id not in keys][:20]
    store = IndexStore(tmp_path / "index")
    reindex(store, {"first": copy.deepcopy(group[:2] + others)}, progress=Quiet())
    result = reindex(store, {"second": copy.deepcopy(group[2:])}, incremental=True, progress=Quiet())
    assert result.added == len(group) - 2
    client = create_app({"INDEX_DIR": store.root, "TESTING": True}).test_client()
    assert {hit["id"] for hit in whole_listing(client, group=key)} == {doc.id for doc in group}

    # The leader leaves: its members are grouped again, as a full reindex of what is left groups them.
    result = reindex(store, {"first": copy.deepcopy(group[1:2] + others)}, incremental=True, progress=Quiet())
    assert result.removed == 1 and result.regrouped == len(group) - 1
    client = create_app({"INDEX_DIR": store.root, "TESTING": True}).test_client()
    assert search(client, group=key)["total"] == 0
    expected = group_keys(group[1:])
    for doc in group[1:]:
        assert client.get(f"/api/documents/{doc.id}").get_json()["group"] == expected.get(doc.id, doc.id)
    assert group[1].id in expected.values()


def test_a_leader_whose_text_changes_leaves_its_group(documents, keys, tmp_path):
    decisions = next(iter(documents.values()))
    key = next(k for k, n in collections.Counter(keys.values()).most_common() if n >= 4)
    group = [doc for doc in decisions if keys.get(doc.id) == key][:4]
    store = IndexStore(tmp_path / "index")
    reindex(store, {"source": copy.deepcopy(group)}, progress=Quiet())
    changed = copy.deepcopy(group)
    changed[0].title = "Διακοπή υδροδότησης στην Τοπική Κοινότητα Αγίου Νικολάου"
    changed[0].body = "Λόγω βλάβης του δικτύου ύδρευσης η υδροδότηση θα διακοπεί έως τις 15:00."
    result = reindex(store, {"source": changed}, incremental=True, progress=Quiet())
    assert (result.updated, result.regrouped) == (1, 3)
    client = create_app({"INDEX_DIR": store.root, "TESTING": True}).test_client()
    assert [hit["id"] for hit in whole_listing(client, group=key)] == [key]
    expected = group_keys(changed[1:])  # the members, grouped again among themselves as a full reindex would
    for doc in group[1:]:
        assert client.get(f"/api/documents/{doc.id}").get_json()["group"] == expected.get(doc.id, doc.id)
    assert search(client, q="υδροδότησης")["results"][0]["similar"] == 0


def test_an_index_from_before_groups_takes_an_incremental_run(documents, keys, tmp_path, monkeypatch):
    """An upgrade must not break the next incremental run: it writes no group, says so, collapses nothing."""
    from search.backend.whoosh import writer

    def schema_without_groups():
        schema = build_schema()
        schema.remove("group")
        return schema

    decisions = next(iter(documents.values()))
    key = next(k for k, n in collections.Counter(keys.values()).most_common() if n >= 4)
    group = [doc for doc in decisions if keys.get(doc.id) == key][:4]
    store = IndexStore(tmp_path / "index")
    with monkeypatch.context() as patched:
        patched.setattr(writer, "build_schema", schema_without_groups)
        patched.setattr(writer, "to_record", lambda doc: {k: v for k, v in to_record(doc).items() if k != "group"})
        reindex(store, {"first": copy.deepcopy(group[:2])}, progress=Quiet())
    result = reindex(store, {"second": copy.deepcopy(group[2:])}, incremental=True, progress=Quiet())
    assert result.added == 2 and any("full reindex groups them" in note for note in result.notes)
    client = create_app({"INDEX_DIR": store.root, "TESTING": True}).test_client()
    answer = search(client)
    assert answer["total"] == answer["distinct"] == 4 and {hit["similar"] for hit in answer["results"]} == {0}
