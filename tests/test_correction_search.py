"""Corrections through the search page and the JSON API (issue 14), with the issue's own words,
on an index of the real Diavgeia decisions and the seeds (1,096 documents, ~20 s to build).

Per word, search.corrections decides from what the index says: a real word the index lacks gives
no results (at most a suggestion that finds documents itself), a non-word is corrected and the page
says so, quoted words and the as-typed link correct nothing.
"""
from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from search.corrections import FEW_HITS
from search.ingest import IngestReport, load_documents
from search.querylang import parse_query
from search.store import IndexStore
from tests.conftest import SEEDS, shared_data
from web import create_app

pytestmark = pytest.mark.slow  # building the index of 1,094 real Diavgeia decisions and the seeds takes ~6 s


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    documents = list(load_documents([shared_data("diavgeia-decisions.jsonl"), SEEDS], IngestReport()))
    store = IndexStore(tmp_path_factory.mktemp("diavgeia-seeds"))
    store.build(documents)
    return create_app({"INDEX_DIR": store.root, "TESTING": True}).test_client()


def api(client, q: str, **params) -> dict:
    response = client.get("/api/search", query_string={"q": q, "per_page": 100, **params})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()


def ids(answer: dict) -> set[str]:
    return {hit["id"] for hit in answer["results"]}


def page_text(client, url: str) -> tuple[str, str]:
    """The page's HTML, and its visible text (tags dropped, whitespace runs as one space)."""
    response = client.get(url)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return html, re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", html)))


def test_a_real_word_the_index_lacks_finds_nothing_and_says_so(client):
    answer = api(client, "λυμάτων")
    assert answer["total"] == 0 and answer["results"] == []  # never the 170 documents of «θεμάτων»
    assert answer["correction"] == {"applied": False, "query": "θεμάτων", "as_typed_url": None}
    assert answer["suggestion"] == "θεμάτων" and api(client, "θεμάτων")["total"] > 0
    _, text = page_text(client, "/?q=λυμάτων")
    assert "Δεν βρέθηκαν ανακοινώσεις για «λυμάτων»" in text
    assert "Μήπως εννοείτε: θεμάτων" in text and "Εμφανίζονται αποτελέσματα" not in text


def test_a_quoted_word_is_searched_as_typed(client):
    answer = api(client, '"λυμάτων"')
    assert (answer["total"], answer["correction"], answer["suggestion"]) == (0, None, None)


def test_a_suggestion_that_finds_nothing_is_not_offered(client):
    """«αποχέτευση θεμάτων» (the MICRO SIGN µ spelling of one decision) finds nothing itself."""
    answer = api(client, "αποχέτευση λυμάτων")
    assert (answer["total"], answer["correction"], answer["suggestion"]) == (0, None, None)
    assert api(client, "αποχέτευση θεμάτων")["total"] == 0


def test_a_non_word_is_corrected_announced_and_can_be_searched_as_typed(client):
    typo, word = api(client, "δημαχρος"), api(client, "δήμαρχος")
    assert typo["total"] == word["total"] > 0 and ids(typo) == ids(word)
    assert typo["correction"]["applied"] and typo["correction"]["query"] == "δήμαρχος"
    assert typo["suggestion"] is None
    html, text = page_text(client, "/?q=δημαχρος")
    assert "Εμφανίζονται αποτελέσματα για «δήμαρχος» · Αναζήτηση μόνο για «δημαχρος»" in text
    assert f"{word['total']} ανακοινώσεις για «δήμαρχος»" in text and "Μήπως εννοείτε" not in text
    link = unescape(re.search(r'<a href="([^"]+)"[^>]*>Αναζήτηση μόνο για', html).group(1))
    assert parse_qs(urlsplit(link).query) == {"q": ["δημαχρος"], "as_typed": ["1"]}
    _, as_typed = page_text(client, link)
    assert "Δεν βρέθηκαν ανακοινώσεις για «δημαχρος»" in as_typed and "Εμφανίζονται" not in as_typed
    # The API's own switch, and the link its answer carries, search what the typo itself finds: nothing.
    assert typo["correction"]["as_typed_url"].endswith("as_typed=1")
    for answer in (api(client, "δημαχρος", as_typed=1), client.get(typo["correction"]["as_typed_url"]).get_json()):
        assert (answer["total"], answer["correction"], answer["query"]["as_typed"]) == (0, None, True)


def test_the_word_finds_at_least_what_its_misspellings_find(client):
    word = api(client, "δήμαρχος")
    for typo in ("δημαχρος", "δίμαρχος", "δήμαρος", "δήμμαρχος", "δήμαρχκς", "ντήμαρχος"):
        answer = api(client, typo)
        assert answer["total"] <= word["total"] and ids(answer) <= ids(word), typo
        assert answer["correction"] is None or answer["correction"]["applied"], typo


def test_a_word_with_good_hits_gets_no_suggestion(client):
    answer = api(client, "κορωνοϊός")
    assert answer["total"] >= FEW_HITS
    assert (answer["correction"], answer["suggestion"]) == (None, None)
    _, text = page_text(client, "/?q=κορωνοϊός")
    assert "Μήπως εννοείτε" not in text and "Εμφανίζονται αποτελέσματα" not in text


def test_greeklish_is_announced_as_a_correction(client):
    answer = api(client, "dimarxos")
    assert answer["correction"]["applied"] and answer["correction"]["query"] == "δήμαρχος"
    assert ids(answer) == ids(api(client, "δήμαρχος"))
    assert api(client, "dimarxos", as_typed="true")["total"] == 0


def test_a_quoted_copy_of_a_corrected_word_stays_as_typed(client):
    answer = api(client, 'δημαχρος "δημαχρος"')
    assert answer["correction"]["query"] == 'δήμαρχος "δημαχρος"' and answer["total"] == 0


def test_the_as_typed_switch_is_validated_and_documented(client):
    response = client.get("/api/search", query_string={"q": "δημαχρος", "as_typed": "maybe"})
    assert response.status_code == 400 and response.get_json()["error"]["parameter"] == "as_typed"
    spec = client.get("/api/openapi.json").get_json()
    assert "as_typed" in {p["name"] for p in spec["paths"]["/api/search"]["get"]["parameters"]}
    correction = spec["components"]["schemas"]["Correction"]
    assert {"applied", "query", "as_typed_url"} <= set(correction["properties"])
    assert "Correction" in str(spec["components"]["schemas"]["SearchAnswer"]["properties"]["correction"])


def test_every_word_from_quotes_is_marked_quoted():
    """A single quoted word is matched as a word, not a phrase, yet it too is taken as typed."""
    clauses = parse_query('"λυμάτων" -"αποχέτευση ομβρίων" δημαχρος')
    assert [(c.quoted, c.phrase) for c in clauses] == [(True, False), (True, True), (False, False)]
