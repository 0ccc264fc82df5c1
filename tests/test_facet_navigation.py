"""Facets a person can navigate (issue 15, part 3): every value of a facet, found by any form, on real decisions.

The index is built by real ingestion (packaged gazetteer, officials as people) from the seeds and
real Diavgeia decisions of ../shared/data: the open-data sample (municipal decisions, one of them
by the «ΔΗΜΟΣ ΡΟΔΟΥ»), the Ministry of Interior's funding decisions and Ministry of Health
decisions with their signers.
"""
from __future__ import annotations

import json
import math
from urllib.parse import parse_qs, urlsplit

import pytest

from search.gazetteer import Gazetteer
from search.ingest import IngestReport, load_documents
from search.request import UNDATED
from search.store import IndexStore
from tests.conftest import SEEDS, shared_data
from tests.test_pages import Page
from web import create_app

pytestmark = pytest.mark.slow  # the index of real decisions this module builds takes ~4 s

RHODES = "Δήμος Ρόδου"
CHANIA = "Δήμος Χανίων"
SOUTH_AEGEAN = "Περιφέρεια Νοτίου Αιγαίου"
# Decisions of the Ministry of Health taken, beside every municipal and funding decision: enough signers
# that the officials' listing has more values than a page, few enough to index in seconds.
HEALTH_DECISIONS = 60


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    sources = tmp_path_factory.mktemp("decisions")
    health = 0
    with open(shared_data("diavgeia-decisions.jsonl"), encoding="utf-8") as lines, \
            open(sources / "decisions.jsonl", "w", encoding="utf-8") as subset:
        for line in lines:
            collection = json.loads(line)["meta"].get("collection")
            if collection == "moh_diavgeia_annotated_text":
                health += 1
                if health > HEALTH_DECISIONS:
                    continue
            if collection != "moh_diavgeia_metadata":
                subset.write(line)
    documents = list(load_documents([sources / "decisions.jsonl", SEEDS], IngestReport()))
    store = IndexStore(tmp_path_factory.mktemp("facet-index"))
    store.build(documents)
    return create_app({"INDEX_DIR": store.root, "TESTING": True}).test_client()


def listing(client, facet: str, **params) -> dict:
    response = client.get(f"/api/facets/{facet}", query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def search(client, **params) -> dict:
    response = client.get("/api/search", query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def every_value(client, facet: str, **params) -> list[dict]:
    return listing(client, facet, size=500, **params)["values"]


# --- all values, with counts over the search ----------------------------------------------------

def test_each_listed_count_is_the_number_of_results_that_value_filters_to(client):
    for facet in ("municipality", "official", "region"):
        values = every_value(client, facet, q="απόφαση")
        assert values, facet
        for item in values[:8]:
            assert search(client, q="απόφαση", **{facet: item["value"]})["total"] == item["count"], item


def test_a_listing_holds_more_than_the_search_answers_thirty(client):
    answered = search(client)["facets"]["official"]
    listed = every_value(client, "official")
    assert len(answered) == 30 and len(listed) > 30
    assert [(v["value"], v["count"]) for v in listed[:30]] == [(v["value"], v["count"]) for v in answered]


def test_the_facets_own_selection_does_not_narrow_its_listing_but_narrows_the_others(client):
    everyone = {v["value"]: v["count"] for v in every_value(client, "municipality")}
    chosen = every_value(client, "municipality", municipality=RHODES)
    assert {v["value"]: v["count"] for v in chosen} == everyone
    assert [v["value"] for v in chosen if v["selected"]] == [RHODES]
    regions = every_value(client, "region", municipality=RHODES)
    assert [(v["value"], v["count"]) for v in regions] == [(SOUTH_AEGEAN, 1)]


def test_pages_of_values_hold_every_value_once_most_documents_first(client):
    whole = every_value(client, "official")
    first = listing(client, "official", size=10)
    assert first["total"] == len(whole) and first["pages"] == math.ceil(len(whole) / 10)
    paged = [v for page in range(1, first["pages"] + 1) for v in listing(client, "official", size=10, page=page)["values"]]
    assert paged == whole
    assert [v["count"] for v in whole] == sorted((v["count"] for v in whole), reverse=True)
    assert listing(client, "official", size=10, page=first["pages"] + 1)["values"] == []


# --- the filter box: any form of a value ----------------------------------------------------------

@pytest.mark.parametrize("typed", ["rod", "rodos", "Ρόδος", "ΡΟΔΟΥ", "ροδου", "Ρόδ", "δήμος ρόδου", "RODOU"])
def test_the_filter_finds_a_municipality_by_any_form(client, typed):
    found = listing(client, "municipality", filter=typed)
    assert found["filter"] == typed
    assert [v["value"] for v in found["values"]] == [RHODES]


@pytest.mark.parametrize("typed", ["chania", "Χανιά", "ΧΑΝΙΩΝ", "χαν"])
def test_the_filter_finds_chania_of_the_seeds(client, typed):
    assert [v["value"] for v in listing(client, "municipality", filter=typed)["values"]] == [CHANIA]


def test_the_filter_finds_regions_people_and_the_undated(client):
    assert [v["value"] for v in listing(client, "region", filter="Νότιο Αιγαίο")["values"]] == [SOUTH_AEGEAN]
    assert [v["value"] for v in listing(client, "region", filter="kriti")["values"]] == ["Περιφέρεια Κρήτης"]
    official = "Γρηγόρης Ζαριφόπουλος"  # a seed's official, typed in capitals, surname first, and in Greeklish
    for typed in ("ΖΑΡΙΦΟΠΟΥΛΟΣ ΓΡΗΓΟΡΗΣ", "Ζαριφόπουλο", "zarif"):
        assert official in [v["value"] for v in listing(client, "official", filter=typed)["values"]], typed
    assert [v["value"] for v in listing(client, "year", filter="χωρις")["values"]] == [UNDATED]


def test_a_filter_finding_nothing_says_so_on_the_page(client):
    assert listing(client, "municipality", filter="Θεσσαλονίκηςς")["total"] == 0
    page = client.get("/facets/municipality", query_string={"filter": "xyzzy"}).get_data(as_text=True)
    assert "Καμία τιμή δεν ταιριάζει στο «xyzzy»" in page
    assert Page(page).link("Δείτε όλες τις τιμές") == "/facets/municipality"


# --- regions and grouping -------------------------------------------------------------------------

def test_municipalities_are_listed_grouped_under_their_regions(client):
    gazetteer = Gazetteer.default()
    values = every_value(client, "municipality")
    assert all(v["region"] == gazetteer.resolve(v["value"]).region for v in values)
    runs = [v["region"] for n, v in enumerate(values) if n == 0 or values[n - 1]["region"] != v["region"]]
    assert len(runs) == len(set(runs)) > 1  # each region once, its municipalities together
    html = client.get("/facets/municipality").get_data(as_text=True)
    assert html.index(f">{SOUTH_AEGEAN}</h3>") < html.index(f">{RHODES}</span>")


def test_the_region_facet_and_filter(client):
    regions = search(client)["facets"]["region"]
    assert regions and {v["value"] for v in regions} <= set(Gazetteer.default().regions())
    answer = search(client, region="Νότιο Αιγαίο")
    assert answer["query"]["region"] == [SOUTH_AEGEAN]
    assert answer["total"] == next(v["count"] for v in regions if v["value"] == SOUTH_AEGEAN)
    for hit in answer["results"]:
        document = client.get(f"/api/documents/{hit['id']}").get_json()
        assert SOUTH_AEGEAN in document["regions"]


# --- the year facet counts the undated documents --------------------------------------------------

def test_undated_documents_are_a_year_value_of_their_own(client):
    answer = search(client)
    years = {v["value"]: v["count"] for v in answer["facets"]["year"]}
    assert years[UNDATED] > 0 and sum(years.values()) == answer["total"]
    assert list(years)[-1] == UNDATED
    undated = search(client, undated="1", per_page=100)
    assert undated["total"] == years[UNDATED] and undated["query"]["undated"] is True
    assert all(hit["date"] is None for hit in undated["results"])
    assert {v["value"]: v["selected"] for v in undated["facets"]["year"]}[UNDATED] is True


def test_the_page_selects_the_undated_value_and_a_year_replaces_it(client):
    page = Page(client.get("/").get_data(as_text=True))
    href = page.link(UNDATED)
    assert parse_qs(urlsplit(href).query) == {"undated": ["1"]}
    chosen = Page(client.get(href).get_data(as_text=True))
    assert f"<li><span>{UNDATED}</span>" in chosen.html  # the chip of the filter in force
    assert "1 ανακοίνωση" in chosen.html  # the one undated decision of this index
    year = next(t for t, a in chosen.links if t.startswith("2021"))
    assert "undated" not in parse_qs(urlsplit(chosen.link(year)).query)


def test_undated_with_dates_is_a_clear_400(client):
    response = client.get("/api/search", query_string={"undated": "1", "from": "2021-01-01"})
    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == "undated"


# --- filter values typed in any form --------------------------------------------------------------

@pytest.mark.parametrize("typed", ["ΔΗΜΟΣ ΡΟΔΟΥ", "Ρόδου", "rodos", "Ρόδος", "δημος ροδου"])
def test_a_municipality_filter_in_any_form_is_the_canonical_value(client, typed):
    exact = search(client, municipality=RHODES)
    answer = search(client, municipality=typed)
    assert answer["query"]["municipality"] == [RHODES]
    assert answer["total"] == exact["total"] == 1
    assert [r["id"] for r in answer["results"]] == [r["id"] for r in exact["results"]]


def test_an_official_filter_in_any_form_is_the_canonical_value(client):
    exact = search(client, official="Γρηγόρης Ζαριφόπουλος")
    answer = search(client, official="ΖΑΡΙΦΟΠΟΥΛΟΣ ΓΡΗΓΟΡΗΣ")
    assert answer["query"]["official"] == ["Γρηγόρης Ζαριφόπουλος"] and answer["total"] == exact["total"] >= 1


def test_a_municipality_of_the_gazetteer_without_documents_is_an_empty_answer_not_an_error(client):
    answer = search(client, municipality="Σπάρτη")
    assert answer["query"]["municipality"] == ["Δήμος Σπάρτης"] and answer["total"] == 0


def test_a_filter_value_naming_nothing_is_a_400_naming_the_closest(client):
    response = client.get("/api/search", query_string={"municipality": "Ροδος νησι"})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["parameter"] == "municipality" and f"«{RHODES}»" in error["message_el"]
    assert error["message_el"].startswith("Κανένας δήμος δεν αντιστοιχεί στο «Ροδος νησι»")
    page = client.get("/", query_string={"municipality": "Ροδος νησι"})
    assert page.status_code == 400 and f"Μήπως εννοείτε: «{RHODES}»;" in page.get_data(as_text=True)
    assert client.get("/api/facets/official", query_string={"municipality": "Ροδος νησι"}).status_code == 400


def test_the_page_redirects_a_typed_filter_value_to_its_canonical_url(client):
    response = client.get("/", query_string={"municipality": "rodos"})
    assert response.status_code == 302
    assert parse_qs(urlsplit(response.location).query) == {"municipality": [RHODES]}


# --- the all-values page, without JavaScript ------------------------------------------------------

def test_every_facet_of_the_search_page_links_its_listing_carrying_the_search(client):
    page = Page(client.get("/", query_string={"q": "απόφαση"}).get_data(as_text=True))
    for text, facet in (("Όλοι οι δήμοι", "municipality"), ("Όλες οι περιφέρειες", "region"),
                        ("Όλα τα πρόσωπα", "official"), ("Όλα τα έτη", "year")):
        href = urlsplit(page.link(text))
        assert href.path == f"/facets/{facet}" and parse_qs(href.query) == {"q": ["απόφαση"]}


def test_the_filter_box_is_a_get_form_that_keeps_the_search(client):
    html = client.get("/facets/municipality", query_string={"q": "απόφαση", "official": "Γρηγόρης Ζαριφόπουλος"})
    page = Page(html.get_data(as_text=True))
    [form] = page.all("form", role="search")
    assert form["method"] == "get" and form["action"] == "/facets/municipality"
    hidden = {(i["name"], i["value"]) for i in page.all("input", type="hidden")}
    assert hidden == {("q", "απόφαση"), ("official", "Γρηγόρης Ζαριφόπουλος")}
    assert page.all("input", name="filter")


def test_following_a_found_value_filters_the_results(client):
    page = Page(client.get("/facets/municipality", query_string={"filter": "rod"}).get_data(as_text=True))
    href = page.link(RHODES)
    assert parse_qs(urlsplit(href).query) == {"municipality": [RHODES]}
    results = Page(client.get(href).get_data(as_text=True))
    assert f"{RHODES}" in results.html and "1 ανακοίνωση" in results.html


def test_a_listing_pages_and_links_its_json_twin(client):
    page = Page(client.get("/facets/official", query_string={"size": "10"}).get_data(as_text=True))
    following = urlsplit(page.link("Επόμενη"))
    assert following.path == "/facets/official" and parse_qs(following.query) == {"page": ["2"], "size": ["10"]}
    twin = [a["href"] for tag, a in page.tags if tag == "link" and a.get("type") == "application/json"]
    assert twin == ["/api/facets/official?size=10"]


@pytest.mark.parametrize("url, status", [
    ("/api/facets/nope", 404), ("/facets/nope", 404), ("/api/facets/official?size=0", 400),
    ("/api/facets/official?size=501", 400), ("/api/facets/year?page=0", 400),
    ("/api/facets/municipality?filter=" + "ρ" * 201, 400), ("/facets/official?per_page=0", 400),
])
def test_bad_listing_requests_are_clear_errors(client, url, status):
    assert client.get(url).status_code == status


def test_the_command_line_reads_filter_values_as_the_api_does(seed_store):
    from click.testing import CliRunner

    from web.cli import main

    result = CliRunner().invoke(main, ["search", "--municipality", "chania", "--json", "--index", str(seed_store.root)])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["query"]["municipality"] == [CHANIA] and answer["total"] == 1
    unknown = CliRunner().invoke(main, ["search", "--municipality", "Ατλαντίδα", "--index", str(seed_store.root)])
    assert unknown.exit_code == 2 and "Ατλαντίδα" in unknown.output


def test_many_greeklish_words_in_a_filter_value_are_answered_not_enumerated(client):
    """Each «th» spells three Greek sound keys; 60 of them were 3**60 look-ups of the gazetteer (16 took 18 s).
    A value is anyone's input: it is answered (400: it names nothing), as the filter box's text is (no value)."""
    typed = " ".join(["th"] * 60)
    assert client.get("/api/search", query_string={"municipality": typed}).status_code == 400
    assert listing(client, "municipality", filter=typed)["total"] == 0


@pytest.mark.parametrize("params", [
    {"municipality": "a" * 3000},  # read as one Greeklish word, it once exhausted the stack: a 500
    {"official": [f"Πρόσωπο {n}" for n in range(51)]},
    {"region": "Κρήτη" * 41},
])
def test_filter_values_past_their_limits_are_a_400_naming_the_parameter(client, params):
    response = client.get("/api/search", query_string=params)
    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == next(iter(params))


def test_the_400_page_links_the_closest_values(client):
    response = client.get("/", query_string={"q": "σταθμών", "municipality": "Ροδος νησι"})
    assert response.status_code == 400
    href = Page(response.get_data(as_text=True)).link(RHODES)
    assert parse_qs(urlsplit(href).query) == {"q": ["σταθμών"], "municipality": [RHODES]}
    assert "1 ανακοίνωση" in client.get(href).get_data(as_text=True)


@pytest.mark.parametrize("url, status", [
    ("/api/facets/municipality?filter=rod", 200), ("/api/facets/year?undated=1", 200),
    ("/api/facets/official?size=0", 400), ("/api/facets/nope", 404),
])
def test_listings_match_the_published_contract(client, url, status):
    from tests.test_contract import validator

    spec = client.get("/api/openapi.json").get_json()
    response = client.get(url)
    assert response.status_code == status
    validator(spec, "/api/facets/{facet}", status).validate(response.get_json())
    parameters = {p["name"] for p in spec["paths"]["/api/facets/{facet}"]["get"]["parameters"]}
    assert {"filter", "page", "size", "q", "municipality", "region", "official", "undated"} <= parameters
