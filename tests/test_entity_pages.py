"""Entity pages (issue 16, point 3): a person and a municipality, HTML and JSON, from the seeds' real texts."""
from __future__ import annotations

import html as html_module
import re

import pytest

from search.entities import EntityDirectory, entity_slug
from tests.test_contract import validator

CHANIA = "Δήμος Χανίων"


@pytest.mark.parametrize("name, slug", [
    ("Δήμος Ρόδου", "dimos-rodou"), ("Δήμος Πυλαίας-Χορτιάτη", "dimos-pylaias-chortiati"),
    ("Ευτύχης Δαμιανάκης", "eftychis-damianakis"), ("Αντώνης Μπαμπάκης", "antonis-bampakis"),
    ("Δήμος Ναυπακτίας", "dimos-nafpaktias"), ("ΙΓΝΑΤΙΟΣ ΚΑΪΤΕΖΙΔΗΣ", "ignatios-kaitezidis"),
])
def test_slugs_are_the_name_in_latin_letters(name, slug):
    assert entity_slug(name) == slug


def test_a_name_without_letters_still_has_a_stable_slug():
    assert entity_slug("«—»") == entity_slug("«—»") != "" and entity_slug("«—»").startswith("name-")
    assert entity_slug("«—»") != entity_slug("…")


def test_spellings_that_differ_only_in_accents_are_one_person():
    found = EntityDirectory({}, {"Ιγνάτιος Καϊτεζίδης": 3, "Ιγνάτιος Καιτεζίδης": 1, "Ιωάννης Καϊτεζίδης": 1})
    assert sorted(found.values("official", "ignatios-kaitezidis")) == ["Ιγνάτιος Καιτεζίδης", "Ιγνάτιος Καϊτεζίδης"]
    assert found.values("official", "nobody") == []


def test_a_person_page_shows_roles_municipalities_years_and_documents(client):
    page = client.get("/officials/panagiotis-simandirakis")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<h1>Παναγιώτης Σημανδηράκης</h1>" in html
    assert "δήμαρχος Χανίων <span class=\"hint\">(20 Νοεμβρίου 2024, 1 ανακοίνωση)</span>" in html
    assert '<a href="/municipalities/dimos-chanion">Δήμος Χανίων</a>' in html
    assert "Συνάντηση δημάρχου Χανίων με τον Γ. Ζαριφόπουλο" in html
    assert 'type="application/atom+xml"' in html and "/api/officials/panagiotis-simandirakis" in html


def test_the_json_twin_matches_the_contract_and_links_a_filtered_search(client, spec):
    answer = client.get("/api/officials/panagiotis-simandirakis").get_json()
    validator(spec, "/api/officials/{slug}", 200).validate(answer)
    assert answer["roles"] == [{"name": "Παναγιώτης Σημανδηράκης", "role": "δήμαρχος Χανίων",
                                "first": "2024-11-20", "last": "2024-11-20", "documents": 1}]
    assert answer["municipality"] == [{"name": CHANIA, "slug": "dimos-chanion", "documents": 1}]
    assert answer["documents"]["years"] == [{"year": 2024, "documents": 1}]
    search = client.get(answer["documents"]["links"]["search"].replace("/?", "/api/search?")).get_json()
    assert [hit["id"] for hit in search["results"]] == [hit["id"] for hit in answer["documents"]["latest"]]
    feed = client.get(answer["documents"]["links"]["feed"])
    assert feed.status_code == 200 and "Σημανδηράκης" in feed.get_data(as_text=True)


@pytest.fixture(scope="module")
def spec(client):
    return client.get("/api/openapi.json").get_json()


def test_a_municipality_page_shows_region_mayor_officials_and_years(client, spec):
    answer = client.get("/api/municipalities/dimos-pylaias-chortiati").get_json()
    validator(spec, "/api/municipalities/{slug}", 200).validate(answer)
    assert (answer["region"], answer["regional_unit"]) == ("Περιφέρεια Κεντρικής Μακεδονίας", "Θεσσαλονίκης")
    assert [(m["name"], m["role"], m["first"]) for m in answer["mayors"]] == \
        [("Ιγνάτιος Καϊτεζίδης", "δήμαρχος Πυλαίας-Χορτιάτη", "2021-01-10")]
    assert answer["mayor_elected_2023"] == "Ιγνάτιος Καϊτετζίδης"  # the gazetteer's spelling
    assert {o["name"] for o in answer["official"]} == {"Ιγνάτιος Καϊτεζίδης", "Άγγελος Χαριστέας"}
    html = client.get("/municipalities/dimos-pylaias-chortiati").get_data(as_text=True)
    assert "<dt>Περιφερειακή ενότητα</dt><dd>Θεσσαλονίκης</dd>" in html
    assert '<a href="/officials/ignatios-kaitezidis">Ιγνάτιος Καϊτεζίδης</a>' in html
    year = html_module.unescape(re.search(r'<a href="([^"]+)"><span class="value">2021</span></a>', html).group(1))
    assert client.get(year.replace("/?", "/api/search?")).get_json()["total"] == 1
    assert "from=2021-01-01" in year and "to=2021-12-31" in year and "municipality=" in year


def test_chania_mayor_is_seen_but_deputy_mayors_are_not(client):
    answer = client.get("/api/municipalities/dimos-chanion").get_json()
    assert [m["name"] for m in answer["mayors"]] == ["Παναγιώτης Σημανδηράκης"]
    assert "Τάσος Αλόγλου" in {o["name"] for o in answer["official"]}  # αντιδήμαρχος: an official, not a mayor


@pytest.mark.parametrize("url, status", [
    ("/officials/nobody", 404), ("/api/municipalities/dimos-rodou", 404),  # Rhodes: in no seed
    ("/officials/panagiotis-simandirakis?page=0", 400), ("/api/officials/panagiotis-simandirakis?q=x", 400),
])
def test_unknown_slugs_and_parameters(client, url, status):
    assert client.get(url).status_code == status


def test_search_results_and_facets_link_to_entity_pages(client):
    html = client.get("/?q=συνάντηση").get_data(as_text=True)
    assert '<a class="municipality" href="/municipalities/dimos-chanion">Δήμος Χανίων</a>' in html
    assert '<a class="entity-link" href="/officials/tasos-aloglou"' in html
    assert '<a href="/officials/grigoris-zarifopoulos">Γρηγόρης Ζαριφόπουλος</a>' in html
    for slug in ("dimos-chanion", "dimos-pylaias-chortiati"):
        assert client.get(f"/municipalities/{slug}").status_code == 200


def test_a_municipality_page_in_a_real_browser_on_a_phone(seed_store):
    """Chromium at 390 px on `dimos-search serve`: the page fits the width and its links lead on."""
    from tests.browser import ARTIFACTS, PHONE, phone_page

    with phone_page(seed_store.root) as (base, page):
        page.goto(f"{base}/municipalities/dimos-chanion")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "municipality-phone.png"), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        heading = page.locator("h1").inner_text()
        page.get_by_role("link", name="Παναγιώτης Σημανδηράκης").first.click()
        person = page.locator("h1").inner_text()
        page.screenshot(path=str(ARTIFACTS / "official-phone.png"), full_page=True)
    assert heading == CHANIA and person == "Παναγιώτης Σημανδηράκης"
    assert width <= PHONE["width"]  # nothing wider than the phone: no sideways scrolling


def test_variant_spellings_of_a_person_and_a_municipality_are_merged_into_one_page(tmp_path):
    """A source that writes the names in capitals without accents adds to the same pages, not new ones."""
    import datetime as dt

    from search.documents import Document, Official
    from search.store import IndexStore
    from tests.conftest import seed_documents
    from web import create_app

    capitals = Document(id="capitals", title="ΑΠΟΦΑΣΗ ΔΗΜΑΡΧΟΥ", body="Ο Δήμαρχος Χανίων αποφασίζει την καθαριότητα.",
                        date=dt.date(2023, 5, 2), municipalities=["ΔΗΜΟΣ ΧΑΝΙΩΝ"],
                        officials=[Official("ΠΑΝΑΓΙΩΤΗΣ ΣΗΜΑΝΔΗΡΑΚΗΣ", "Δήμαρχος Χανίων")])
    store = IndexStore(tmp_path / "index")
    store.build(seed_documents() + [capitals])
    client = create_app({"INDEX_DIR": store.root, "TESTING": True}).test_client()
    person = client.get("/api/officials/panagiotis-simandirakis").get_json()
    assert person["variants"] == ["ΠΑΝΑΓΙΩΤΗΣ ΣΗΜΑΝΔΗΡΑΚΗΣ", "Παναγιώτης Σημανδηράκης"]  # equal counts: sorted
    assert person["documents"]["documents"] == 2
    assert [(r["role"], r["first"], r["last"], r["documents"]) for r in person["roles"]] == \
        [("δήμαρχος Χανίων", "2023-05-02", "2024-11-20", 2)]
    municipality = client.get("/api/municipalities/dimos-chanion").get_json()
    assert set(municipality["variants"]) == {"Δήμος Χανίων", "ΔΗΜΟΣ ΧΑΝΙΩΝ"}
    assert municipality["documents"]["years"] == [{"year": 2024, "documents": 1}, {"year": 2023, "documents": 1}]
    assert [(m["first"], m["last"], m["documents"]) for m in municipality["mayors"]] == [("2023-05-02", "2024-11-20", 2)]
    html = client.get("/officials/panagiotis-simandirakis").get_data(as_text=True)
    assert "<dt>Γράφεται και</dt>" in html


@pytest.mark.parametrize("url", ["/officials/panagiotis-simandirakis", "/api/municipalities/dimos-chanion"])
def test_entity_answers_are_cached_by_generation(client, url):
    first = client.get(url)
    assert first.headers["ETag"] and first.headers["Last-Modified"]
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert client.get(url + "?page=2", headers={"If-None-Match": first.headers["ETag"]}).status_code == 200
