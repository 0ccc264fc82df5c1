"""A real browser on the real server: search, narrow by a facet, open a document.

Drives Debian's chromium (headless) through Playwright; the server is `dimos-search serve`
(waitress) on a free loopback port over an index of the seeds.  Leaves screenshots of
the results page in test-artifacts/: results.png (the walk), phone.png (390 px) and desktop.png (1280 px).
"""
from __future__ import annotations

import json
import re

import pytest

from search.ingest import IngestReport, load_documents
from search.store import IndexStore
from tests.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ABSENT, DESKTOP, PHONE, browser_page, running_server
from tests.conftest import SEEDS, shared_data

SCREENSHOT = ARTIFACTS / "results.png"

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not CHROMIUM.exists(), reason=CHROMIUM_ABSENT)]


def test_search_facet_and_document_in_a_browser(server):
    from playwright.sync_api import expect

    with browser_page(DESKTOP) as page:
        page.goto(f"{server}/")

        box = page.get_by_label("Τι αναζητάτε;")
        box.fill("")
        box.press_sequentially("διακυβερνηση")
        box.press("Enter")
        expect(page).to_have_url(re.compile(r"/\?q=%CE%B4"))
        results = page.locator(".result h3")
        expect(page.locator("#results-heading")).to_have_text(re.compile("^2 ανακοινώσεις για «διακυβερνηση»"))
        expect(results).to_have_count(2)
        assert sorted(results.all_inner_texts()) == [
            "Η ψηφιακή Διακυβέρνηση στο επίκεντρο του Δήμου Πυλαίας-Χορτιάτη",
            "Συνάντηση δημάρχου Χανίων με τον Γ. Ζαριφόπουλο και τον Β. Διγαλάκη",
        ]
        expect(box).to_have_value("διακυβερνηση")
        expect(page.locator(".snippet mark").first).to_be_visible()
        SCREENSHOT.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)

        facets = page.get_by_role("complementary")
        facets.get_by_role("link", name=re.compile("^Δήμος Χανίων")).click()
        expect(page.locator("#results-heading")).to_have_text(re.compile("^1 ανακοίνωση για «διακυβερνηση»"))
        expect(results).to_have_text(["Συνάντηση δημάρχου Χανίων με τον Γ. Ζαριφόπουλο και τον Β. Διγαλάκη"])
        expect(facets.locator("a.selected")).to_have_text(re.compile(r"Δήμος Χανίων\s+1"))
        # Counts follow the filter: only the Chania officials and year remain.
        expect(facets.locator("#facet-official + ul a .value")).to_have_text(
            ["Αντώνης Βαρδάκης", "Βασίλης Διγαλάκης", "Γιώργος Φραγκιαδάκης", "Γρηγόρης Ζαριφόπουλος",
             "Ευτύχης Δαμιανάκης", "Παναγιώτης Σημανδηράκης", "Τάσος Αλόγλου"])
        expect(facets.locator("#facet-year + ul a")).to_have_text([re.compile(r"2024\s+1")])
        assert "municipality=" in page.url

        results.get_by_role("link").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Συνάντηση δημάρχου Χανίων με τον Γ. Ζαριφόπουλο και τον Β. Διγαλάκη")
        expect(page.get_by_text("Ο κ. Ζαριφόπουλος μάλιστα, έκρινε θετικά")).to_be_visible()
        page.get_by_role("link", name="← Πίσω στην αναζήτηση").click()
        expect(results).to_have_count(1)


def box(page, selector: str) -> dict[str, float]:
    found = page.locator(selector).first.bounding_box()
    assert found is not None, f"{selector} is not rendered"
    return found


def test_the_phone_shows_the_filters_on_the_first_screen(server):
    """390 px: a compact form, the «Φίλτρα» disclosure above the first result, nothing wider than the screen."""
    from playwright.sync_api import expect

    # An English browser: the dates must still read ηη/μμ/εεεε.
    with browser_page(PHONE, locale="en-US", javascript=False) as page:
        page.goto(f"{server}/?q=διακυβερνηση")
        summary = page.locator("summary", has_text="Φίλτρα")
        first_result = box(page, ".result")
        assert box(page, "summary#facets-heading")["y"] + box(page, "summary#facets-heading")["height"] \
            <= first_result["y"], "the filters' disclosure must come before the first result"
        assert box(page, "summary#facets-heading")["y"] < PHONE["height"], "the filters are off the first screen"
        assert first_result["y"] < PHONE["height"], "the first result is off the first screen"
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "the page scrolls sideways"
        for element in page.locator(".result").all():
            assert element.bounding_box()["width"] <= PHONE["width"]
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "phone.png"), full_page=False)

        facet_link = page.locator(".facets").get_by_role("link", name=re.compile("^Δήμος Χανίων"))
        expect(facet_link).to_be_hidden()
        summary.click()  # a <details>: opens without JavaScript
        expect(facet_link).to_be_visible()
        facet_link.click()
        expect(page.locator("#results-heading")).to_have_text(re.compile("^1 ανακοίνωση για «διακυβερνηση»"))

        page.locator("summary", has_text="Ταξινόμηση").click()
        page.get_by_role("textbox", name="Από").fill("01/01/2024")
        page.get_by_role("textbox", name="Έως").fill("31/12/2024")
        page.get_by_role("button", name="Εφαρμογή").click()
        assert "from=2024-01-01" in page.url and "to=2024-12-31" in page.url
        expect(page.get_by_role("textbox", name="Από")).to_have_value("01/01/2024")
        expect(page.locator("#results-heading")).to_have_text(re.compile("^1 ανακοίνωση"))


def test_the_desktop_shows_the_filters_beside_the_results(server):
    from playwright.sync_api import expect

    with browser_page(DESKTOP) as page:
        page.goto(f"{server}/?q=διακυβερνηση")
        results, filters = box(page, ".results"), box(page, ".facets")
        assert filters["x"] >= results["x"] + results["width"], "the filters are a column to the right"
        assert filters["y"] < DESKTOP["height"] and results["y"] < DESKTOP["height"]
        # Open on a wide screen without a click: the facet values are there at once.
        expect(page.locator(".facets").get_by_role("link", name=re.compile("^Δήμος Χανίων"))).to_be_visible()
        expect(page.get_by_role("link", name="Ειδοποιήσεις (Atom)")).to_be_visible()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "desktop.png"), full_page=False)


@pytest.fixture
def decisions_server(tmp_path):
    """The server over the seeds and the real open-data sample of Diavgeia decisions (municipal ones,
    the «ΔΗΜΟΣ ΡΟΔΟΥ» among them), built by real ingestion."""
    sample = tmp_path / "sample.jsonl"
    with open(shared_data("diavgeia-decisions.jsonl"), encoding="utf-8") as lines:
        sample.write_text("".join(line for line in lines
                                  if json.loads(line)["meta"].get("collection") == "diavgeia_open_data_sample"),
                          encoding="utf-8")
    store = IndexStore(tmp_path / "index")
    store.build(list(load_documents([sample, SEEDS], IngestReport())))
    with running_server(store.root) as base:
        yield base


def test_finding_a_municipality_in_its_all_values_view_and_filtering_by_it(decisions_server):
    """No JavaScript: the facet's link, the filter box's GET form and the found value's link do it all."""
    from playwright.sync_api import expect

    with browser_page(DESKTOP, javascript=False) as page:
        page.goto(f"{decisions_server}/")
        page.get_by_role("complementary").get_by_role("link", name=re.compile("^Όλοι οι δήμοι")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Όλοι οι δήμοι")
        values = page.locator(".facet-values .value")
        expect(values.first).to_be_visible()
        assert values.count() > 1

        box = page.get_by_label("Εύρεση τιμής")
        box.press_sequentially("rod")
        page.get_by_role("button", name="Εύρεση").click()
        expect(page).to_have_url(re.compile(r"/facets/municipality\?filter=rod$"))
        expect(box).to_have_value("rod")
        expect(values).to_have_text(["Δήμος Ρόδου"])
        expect(page.locator(".facet-values h3")).to_have_text(["Περιφέρεια Νοτίου Αιγαίου"])

        page.get_by_role("link", name=re.compile("^Δήμος Ρόδου")).click()
        expect(page.locator("#results-heading")).to_have_text(re.compile("^1 ανακοίνωση"))
        expect(page.locator(".active-filters li span")).to_have_text(["Δήμος Ρόδου"])
        expect(page.locator(".result .municipality")).to_have_text(["Δήμος Ρόδου"])
        expect(page.locator(".result h3")).to_have_text([re.compile("^Τρόφιμα παιδικών σταθμών")])
