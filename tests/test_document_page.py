"""The document page (issue 16, point 4): the search's words marked, type and source, a garbled-text warning,
Diavgeia codes linked; on real Diavgeia decisions."""
from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest

from search.ingest import IngestReport, load_documents
from search.store import IndexStore
from tests.conftest import shared_data
from web import create_app
from web.document_view import ADA, diavgeia_url

CHANIA_ID = "002_a41b864c727e27df"
# A real decision whose text carries its ΑΔΑ, and one typed in a legacy font.
CITING = "diavgeia:617Ρ46ΜΤΛ6-ΝΧ5"
GARBLED = "diavgeia:6Α00Ω1Β-ΖΙΔ"


def marks(html: str) -> list[str]:
    return re.findall(r"<mark>(.*?)</mark>", html)


def test_the_words_of_the_search_are_marked_as_in_the_snippet(client):
    snippet = client.get("/api/search?q=διακυβερνηση").get_json()["results"]
    page = client.get(f"/documents/{CHANIA_ID}?q=διακυβερνηση").get_data(as_text=True)
    assert {"Διακυβέρνησης", "διακυβέρνησης"} <= set(marks(page))
    assert {snippet[0]["snippet"][s:e] for s, e in snippet[0]["highlights"]} <= set(marks(page))
    assert "Σημειώνονται οι λέξεις της αναζήτησης «διακυβερνηση»" in page
    pylaia = client.get("/documents/000_1fe309cce7ba6396?q=διακυβερνηση").get_data(as_text=True)
    assert "<h1>Η ψηφιακή <mark>Διακυβέρνηση</mark> στο επίκεντρο του Δήμου Πυλαίας-Χορτιάτη</h1>" in pylaia


def test_greeklish_and_misspellings_are_marked_through_the_engines_expansions(client):
    assert "Διακυβέρνησης" in marks(client.get(f"/documents/{CHANIA_ID}?q=diakyvernisis").get_data(as_text=True))
    assert "Σημανδηράκης" in marks(client.get(f"/documents/{CHANIA_ID}?q=Σημανδιράκης").get_data(as_text=True))


def test_without_a_search_nothing_is_marked(client):
    assert marks(client.get(f"/documents/{CHANIA_ID}").get_data(as_text=True)) == []


@pytest.mark.parametrize("text, codes", [
    ("σύμφωνα με την 6ΖΞ74653ΠΩ-7ΚΜ απόφαση", ["6ΖΞ74653ΠΩ-7ΚΜ"]),
    ("(ΑΔΑ: 6XT1465ΦΥΟ-67Ω)", ["6XT1465ΦΥΟ-67Ω"]),
    ("ΠΡΟΣΚΛΗΣΗ-ΑΝΑΚΟΙΝΩΣΗ ΔΗΜΟΥ-ΧΑΝ και ΑΒΓΔΕΖΗΘΙΚ-ΛΜΝ", []),  # capitals, not codes
])
def test_decision_codes_are_found(text, codes):
    assert [m.group() for m in ADA.finditer(text)] == codes


def test_a_code_with_latin_look_alikes_links_to_the_greek_spelling():
    assert diavgeia_url("6XT1465ΦΥΟ-67Ω") == "https://diavgeia.gov.gr/doc/6ΧΤ1465ΦΥΟ-67Ω"


@pytest.fixture(scope="module")
def decisions_client(tmp_path_factory):
    """The real decisions that cite codes or are garbled, through the real ingestion of the JSONL."""
    wanted = {CITING, GARBLED}
    lines = [line for line in shared_data("diavgeia-decisions.jsonl").read_text(encoding="utf-8").splitlines()
             if json.loads(line)["id"] in wanted]
    sources = tmp_path_factory.mktemp("decisions")
    (sources / "decisions.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = IndexStore(tmp_path_factory.mktemp("decisions-index"))
    store.build(list(load_documents([sources], IngestReport())))
    return create_app({"INDEX_DIR": store.root, "TESTING": True}).test_client()


def test_a_real_decision_links_the_codes_it_cites_and_shows_its_type_and_source(decisions_client):
    page = decisions_client.get(f"/documents/{quote(CITING)}").get_data(as_text=True)
    linked = re.findall(r'<a class="ada" href="https://diavgeia.gov.gr/doc/([^"]+)"', page)
    assert linked and all(ADA.fullmatch(code) for code in linked)
    assert "<dt>Είδος</dt>\n    <dd>ΑΠΟΦΑΣΗ/ΕΓΚΥΚΛΙΟΣ ΥΠΟΥΡΓΕΙΟΥ ΕΣΩΤΕΡΙΚΩΝ</dd>" in page
    # No url in the record: the source is the decision's own Diavgeia page, from its code.
    assert '<dd><a href="https://diavgeia.gov.gr/doc/617Ρ46ΜΤΛ6-ΝΧ5"' in page
    assert "παλιά ελληνική γραμματοσειρά" not in page


def test_a_garbled_decision_carries_a_warning(decisions_client):
    page = decisions_client.get(f"/documents/{quote(GARBLED)}").get_data(as_text=True)
    assert "Το κείμενο αυτό φαίνεται γραμμένο με παλιά ελληνική γραμματοσειρά" in page


def test_the_marked_document_in_a_real_browser_on_a_phone(seed_store):
    """Chromium at 390 px: from a Greeklish search to the document, its words marked, nothing wider than the phone."""
    from playwright.sync_api import expect

    from tests.browser import ARTIFACTS, PHONE, phone_page

    with phone_page(seed_store.root) as (base, page):
        page.goto(f"{base}/?q=diakyvernisi")
        page.get_by_role("link", name="Συνάντηση δημάρχου Χανίων").click()
        expect(page.locator(".document-body mark").first).to_be_visible()
        marked = page.locator(".document-body mark").all_inner_texts()
        width = page.evaluate("document.documentElement.scrollWidth")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "document-phone.png"), full_page=False)
    assert "Διακυβέρνησης" in marked and width <= PHONE["width"]
