"""Alerts and export as a journalist uses them: a feed reader polling a search, a spreadsheet of results."""
from __future__ import annotations

import csv
import io
import json
from urllib.parse import parse_qs, urlsplit

import feedparser
import pytest

from search.store import IndexStore
from tests.conftest import decision_documents, seed_documents
from tests.test_pages import Page
from web import create_app
from web.state import GENERATION_HEADER

CHANIA = "Δήμος Χανίων"


@pytest.fixture
def client(seed_store):
    return create_app({"INDEX_DIR": seed_store.root, "TESTING": True}).test_client()


@pytest.fixture(scope="module")
def decisions_client(tmp_path_factory):
    """The 1,453 real Diavgeia decisions of ../shared/data (skips without them)."""
    store = IndexStore(tmp_path_factory.mktemp("decisions-index"))
    store.build(decision_documents())
    return create_app({"INDEX_DIR": store.root, "TESTING": True}).test_client()


def test_the_page_links_its_feed_and_the_feed_is_valid_atom_newest_first(client):
    page = Page(client.get("/?q=διακυβερνηση&sort=oldest").get_data(as_text=True))
    alternate = page.all("link", rel="alternate", type="application/atom+xml")[0]["href"]
    assert page.link("Ειδοποιήσεις (Atom)") == alternate
    assert parse_qs(urlsplit(alternate).query) == {"q": ["διακυβερνηση"]}  # the same words, no sort or page
    response = client.get(alternate)
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert feed.feed.title == "«διακυβερνηση» — dimos-search"
    assert [entry.title for entry in feed.entries] == [
        "Συνάντηση δημάρχου Χανίων με τον Γ. Ζαριφόπουλο και τον Β. Διγαλάκη",  # 2024-11-20
        "Η ψηφιακή Διακυβέρνηση στο επίκεντρο του Δήμου Πυλαίας-Χορτιάτη",  # 2021-01-10
    ]
    assert feed.entries[0].updated == "2024-11-20T00:00:00Z"
    assert feed.entries[0].link.startswith("http://localhost/documents/002_")
    assert "Διακυβέρνησης" in feed.entries[0].summary and "<mark>" not in feed.entries[0].summary
    assert [tag.term for tag in feed.entries[0].tags] == [CHANIA]


def test_the_feed_keeps_the_filters(client):
    feed = feedparser.parse(client.get(f"/feeds/search.atom?q=διακυβερνηση&municipality={CHANIA}").data)
    assert feed.feed.title == f"«διακυβερνηση» · {CHANIA} — dimos-search"
    assert [entry.tags[0].term for entry in feed.entries] == [CHANIA]


def test_a_polling_reader_gets_304_until_the_index_changes(tmp_path):
    store = IndexStore(tmp_path / "index")
    store.build(seed_documents())
    client = create_app({"INDEX_DIR": store.root, "TESTING": True}).test_client()
    url = "/feeds/search.atom?q=διακυβερνηση"
    first = client.get(url)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    other = client.get("/feeds/search.atom?q=Χανίων")
    assert other.headers["ETag"] != etag  # another search is another answer
    generation = first.headers[GENERATION_HEADER]

    store.build(seed_documents()[:1])  # a reindex: the answer may have changed
    after = client.get(url, headers={"If-None-Match": etag})
    assert after.status_code == 200 and after.headers[GENERATION_HEADER] != generation
    assert after.headers["ETag"] != etag
    assert len(feedparser.parse(after.data).entries) == 1


def test_an_invalid_feed_request_is_a_400_naming_the_parameter(client):
    response = client.get("/feeds/search.atom?from=31/02/2021")
    assert response.status_code == 400 and response.get_json()["error"]["parameter"] == "from"


def test_csv_export_opens_in_excel_as_greek(client):
    page = Page(client.get(f"/?q=διακυβερνηση&municipality={CHANIA}").get_data(as_text=True))
    response = client.get(page.link("CSV"))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="dimos-search.csv"'
    assert response.data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert [row["title"] for row in rows] == ["Συνάντηση δημάρχου Χανίων με τον Γ. Ζαριφόπουλο και τον Β. Διγαλάκη"]
    assert rows[0]["municipality"] == CHANIA and rows[0]["date"] == "2024-11-20"
    assert "Παναγιώτης Σημανδηράκης (δήμαρχος Χανίων)" in rows[0]["officials"]


def test_json_export_is_every_result_of_the_api_in_its_order(client):
    api = client.get("/api/search?sort=oldest").get_json()
    exported = json.loads(client.get("/export/search.json?sort=oldest&page=2&per_page=1").data)
    assert exported["query"]["sort"] == "oldest"
    assert exported["results"] == api["results"]  # the whole search, not the page the link was on


@pytest.mark.slow  # the index of the 1,094 real decisions takes ~4 s to build
def test_the_export_streams_past_one_page_of_real_decisions(decisions_client):
    api = decisions_client.get("/api/search?per_page=1").get_json()
    assert api["total"] > 100  # more than one page of MAX_PER_PAGE, so the export pages through
    response = decisions_client.get("/export/search.csv")
    assert response.is_streamed
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert len(rows) == api["total"]
    assert len({row["id"] for row in rows}) == len(rows)
    assert rows[0]["id"] == api["results"][0]["id"]


def test_the_read_only_api_may_be_read_from_any_origin(client):
    for url in ("/api/search?q=Χανίων", "/api/documents/002_a41b864c727e27df", "/health",
                "/api/search?page=0", "/feeds/search.atom"):
        response = client.get(url, headers={"Origin": "https://newsroom.example"})
        assert response.headers["Access-Control-Allow-Origin"] == "*", url
        assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Origin" not in client.get("/").headers  # the pages are not an API


def test_api_search_answers_304_while_the_generation_is_the_same(client):
    first = client.get("/api/search?q=διακυβερνηση")
    assert first.headers["ETag"].startswith('W/"')  # weak: took_ms differs between equal answers
    again = client.get("/api/search?q=διακυβερνηση", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    other = client.get("/api/search?q=Χανίων", headers={"If-None-Match": first.headers["ETag"]})
    assert other.status_code == 200 and other.get_json()["total"] == 1
