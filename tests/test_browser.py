"""A real browser on the real server: search, narrow by a facet, open a document.

Drives Debian's chromium (headless) through Playwright; the server is `dimos-search serve`
(waitress) on a free loopback port over an index of the seeds.  Leaves screenshots of
the results page in test-artifacts/: results.png (the walk), phone.png (390 px) and desktop.png (1280 px).
"""
from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from search.ingest import IngestReport, load_documents
from search.store import IndexStore
from tests.conftest import PROJECT_ROOT, SEEDS, shared_data

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
SCREENSHOT = ARTIFACTS / "results.png"
# An iPhone 12-15's viewport in CSS pixels: the "first screen" a citizen sees on a phone.
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# Deadlines only, for a loaded 2-core CI machine (a start takes 1-2 s, an action milliseconds): they
# stop a hung run, they time nothing.
STARTUP_SECONDS = 60
ACTION_TIMEOUT_MS = 30_000

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists(),
                                 reason=f"{CHROMIUM} is absent: apt-get install chromium (scripts/test does it as root)")]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_server(index_dir: Path) -> Iterator[str]:
    """`dimos-search serve` over `index_dir`, as the README runs it, on its own port; yields its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "web.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--index", str(index_dir)],
        cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        try:
            with urllib.request.urlopen(f"{base}/health", timeout=1) as response:
                if response.status == 200:
                    break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"the server did not start:\n{process.communicate()[0]}")
            time.sleep(0.1)
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def browser_page(viewport: dict[str, int], locale: str = "el-GR", javascript: bool = True) -> Iterator[Any]:
    """A page of headless Chromium at `viewport` (PHONE, DESKTOP) as a browser set to `locale` shows it,
    with or without `javascript`; every action on it waits up to ACTION_TIMEOUT_MS.  Closed on leaving."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=viewport, locale=locale, java_script_enabled=javascript)
            page.set_default_timeout(ACTION_TIMEOUT_MS)
            yield page
        finally:
            browser.close()


@contextmanager
def phone_page(index_dir: Path) -> Iterator[tuple[str, Any]]:
    """A Chromium page at the phone's viewport (Greek locale) on `dimos-search serve` over `index_dir`:
    yields (base URL, page).  For the phone checks of other modules, whose tests are not all `slow`:
    skips the test where Chromium is absent, as this module's mark does."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent: apt-get install chromium")
    with running_server(index_dir) as base, browser_page(PHONE) as page:
        yield base, page


@pytest.fixture
def server(seed_store):
    with running_server(seed_store.root) as base:
        yield base


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
