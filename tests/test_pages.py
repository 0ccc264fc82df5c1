"""The HTML pages as a person without JavaScript uses them: follow the links the page offers."""
from __future__ import annotations

import datetime as dt
import re
from html import unescape
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest

from search.documents import Document, Official
from search.store import IndexStore
from web import create_app

CHANIA = "Δήμος Χανίων"
CHANIA_ID = "002_a41b864c727e27df"


class Page(HTMLParser):
    """What a test needs of a page: its links, headings, form controls and labels."""

    def __init__(self, html: str):
        super().__init__()
        self.html = html
        self.links: list[tuple[str, dict[str, str]]] = []  # (text, attributes)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.h1: list[str] = []
        self._open_link: dict[str, str] | None = None
        self._text: list[str] = []
        self._in_h1 = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = {k: v or "" for k, v in attrs}
        self.tags.append((tag, attributes))
        if tag == "a":
            self._open_link, self._text = attributes, []
        if tag == "h1":
            self._in_h1, self._text = True, []

    def handle_endtag(self, tag):
        if tag == "a" and self._open_link is not None:
            self.links.append((" ".join("".join(self._text).split()), self._open_link))
            self._open_link = None
        if tag == "h1":
            self.h1.append(" ".join("".join(self._text).split()))
            self._in_h1 = False

    def handle_data(self, data):
        if self._open_link is not None or self._in_h1:
            self._text.append(data)

    def link(self, text: str) -> str:
        """The href of the one link whose text starts with `text`."""
        hrefs = [a["href"] for t, a in self.links if t.startswith(text)]
        assert len(hrefs) == 1, (text, [t for t, _ in self.links])
        return hrefs[0]

    def all(self, tag: str, **attributes: str) -> list[dict[str, str]]:
        return [a for t, a in self.tags if t == tag and all(a.get(k.replace("_", "-")) == v for k, v in attributes.items())]



def get(client, url: str, status: int = 200) -> Page:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.content_type == "text/html; charset=utf-8"
    return Page(response.get_data(as_text=True))


def params(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_page_is_greek_accessible_and_phone_ready(client):
    page = get(client, "/")
    assert '<html lang="el">' in page.html and len(page.h1) == 1
    assert page.all("meta", name="viewport")
    labelled = {a["for"] for a in page.all("label")}
    controls = [a for t, a in page.tags if t in ("input", "select") and a.get("type") != "hidden"]
    assert controls and all(c["id"] in labelled for c in controls)
    assert "Το ευρετήριο δεν περιέχει" not in page.html and "2 ανακοινώσεις" in page.html


def test_search_keeps_the_query_and_shows_results(client):
    page = get(client, "/?q=διακυβερνηση")
    assert page.all("input", name="q")[0]["value"] == "διακυβερνηση"
    assert "2 ανακοινώσεις για «διακυβερνηση»" in page.html
    assert "Η ψηφιακή Διακυβέρνηση στο επίκεντρο του Δήμου Πυλαίας-Χορτιάτη" in page.html
    assert '<time datetime="2024-11-20">20 Νοεμβρίου 2024</time>' in page.html
    assert '<a href="/officials/panagiotis-simandirakis">Παναγιώτης Σημανδηράκης</a> (δήμαρχος Χανίων)' in page.html
    assert re.search("<mark>διακυβέρνησης</mark>", page.html, re.IGNORECASE)


def test_a_facet_link_toggles_its_value(client):
    page = get(client, "/?q=διακυβερνηση")
    filtered_url = page.link(f"{CHANIA} 1")
    assert params(filtered_url) == {"q": ["διακυβερνηση"], "municipality": [CHANIA]}
    filtered = get(client, filtered_url)
    assert "1 ανακοίνωση για «διακυβερνηση»" in filtered.html
    assert "Ιγνάτιος Καϊτεζίδης 1" not in [t for t, _ in filtered.links]  # official counts updated
    selected = [a for t, a in filtered.links if t.startswith(CHANIA) and a.get("aria-current") == "true"]
    assert len(selected) == 1 and params(selected[0]["href"]) == {"q": ["διακυβερνηση"]}
    removable = [a for t, a in filtered.links if a.get("aria-label") == f"Αφαίρεση φίλτρου: {CHANIA}"]
    assert params(removable[0]["href"]) == {"q": ["διακυβερνηση"]}
    # A new query from the box keeps the selected facet.
    assert filtered.all("input", type="hidden", name="municipality")[0]["value"] == CHANIA


def test_the_year_facet_sets_and_clears_the_date_range(client):
    year_url = get(client, "/").link("2021 1")
    assert params(year_url) == {"from": ["2021-01-01"], "to": ["2021-12-31"]}
    page = get(client, year_url)
    assert "1 ανακοίνωση" in page.html and "από 1 Ιανουαρίου 2021 έως 31 Δεκεμβρίου 2021" in page.html
    assert page.all("input", name="from")[0]["value"] == "01/01/2021"
    assert params(page.link("2021 1")) == {}


def test_date_range_and_sort_are_kept(client):
    page = get(client, "/?q=διακυβερνηση&from=2020-01-01&sort=oldest")
    assert page.all("input", name="from")[0]["value"] == "01/01/2020"
    assert page.all("option", value="oldest")[0].get("selected") == ""
    assert page.html.index("Πυλαίας-Χορτιάτη</a>") < page.html.index("Διγαλάκη</a>")


def test_a_submitted_form_lands_on_the_short_url_with_automatic_sort(client):
    response = client.get("/?q=διακυβερνηση&sort=&from=&to=&q=")
    assert response.status_code == 302 and params(response.location) == {"q": ["διακυβερνηση"]}
    page = get(client, response.location)
    assert page.all("option", value="")[0].get("selected") == ""
    sort_menu = page.html.split('id="sort"')[1].split("</select>")[0]
    # The default is named for what it does (relevance; newest first without words), not «Αυτόματη».
    assert re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)<', sort_menu) == [
        ("", "Συνάφεια"), ("newest", "Νεότερα πρώτα"), ("oldest", "Παλαιότερα πρώτα")]
    assert "χωρίς λέξεις, τα νεότερα πρώτα" in page.html
    assert client.get("/?q=%20").location == "/"


def test_pagination_links(client):
    first = get(client, "/?per_page=1")
    assert "σελίδα 1 από 2" in first.html
    second = get(client, first.link("Επόμενη"))
    assert params(first.link("Επόμενη")) == {"page": ["2"], "per_page": ["1"]}
    assert [a for t, a in second.links if a.get("aria-current") == "page"][0]["href"].endswith("page=2&per_page=1")
    assert params(second.link("← Προηγούμενη")) == {"per_page": ["1"]}
    assert 'start="2"' in second.html


def test_a_page_past_the_end_says_so(client):
    page = get(client, "/?page=9")
    assert "Η σελίδα 9 δεν υπάρχει" in page.html and params(page.link("Μετάβαση στην πρώτη σελίδα")) == {}


def test_a_misspelling_is_corrected_and_announced(client):
    page = get(client, "/?q=Καιτεζιδις")
    assert "Εμφανίζονται αποτελέσματα για «<strong>Καϊτεζίδης</strong>»" in page.html
    assert "Μήπως εννοείτε" not in page.html
    assert params(page.link("Αναζήτηση μόνο για «Καιτεζιδις»")) == {"q": ["Καιτεζιδις"], "as_typed": ["1"]}


def test_helpful_empty_state(client):
    page = get(client, "/?q=απορρίμματα&municipality=Δήμος Πυλαίας-Χορτιάτη")
    assert "Δεν βρέθηκαν ανακοινώσεις για «απορρίμματα» με τα φίλτρα που επιλέξατε" in page.html
    assert params(page.link("Ψάξτε «απορρίμματα» χωρίς φίλτρα")) == {"q": ["απορρίμματα"]}
    assert page.link("Δείτε όλες τις ανακοινώσεις") == "/"


def test_every_state_links_its_json_twin(client):
    url = f"/?q=διακυβερνηση&municipality={CHANIA}&sort=newest"
    page = get(client, url)
    twin = page.all("link", rel="alternate", type="application/json")[0]["href"]
    assert twin.startswith("/api/search?") and params(twin) == params(url)
    answer = client.get(twin).get_json()
    assert answer["total"] == 1 and answer["results"][0]["title"] in page.html


def test_invalid_parameters_show_a_greek_message(client):
    page = get(client, "/?q=διακυβερνηση&per_page=1000", status=400)
    assert "Το 'per_page' πρέπει να είναι ακέραιος από 1 έως 100" in unescape(page.html)
    assert page.all("input", name="q")[0]["value"] == "διακυβερνηση"


def test_document_page(client):
    page = get(client, f"/documents/{CHANIA_ID}?q=διακυβερνηση&page=1")
    assert page.h1 == ["Συνάντηση δημάρχου Χανίων με τον Γ. Ζαριφόπουλο και τον Β. Διγαλάκη"]
    assert "Ο κ. Ζαριφόπουλος μάλιστα, έκρινε θετικά το αίτημα του Δήμου Χανίων" in page.html
    assert params(page.link("← Πίσω στην αναζήτηση")) == {"q": ["διακυβερνηση"], "page": ["1"]}
    assert page.link(CHANIA) == "/municipalities/dimos-chanion"
    assert params(page.link("αναζήτηση στις ανακοινώσεις του")) == {"municipality": [CHANIA]}
    assert page.link("Γρηγόρης Ζαριφόπουλος") == "/officials/grigoris-zarifopoulos"
    assert params(page.link("όλες οι ανακοινώσεις του 2024")) == {"from": ["2024-01-01"], "to": ["2024-12-31"]}
    twin = page.all("link", rel="alternate", type="application/json")[0]["href"]
    assert client.get(twin).get_json()["id"] == CHANIA_ID


def test_result_links_carry_the_search_back_and_forth(client):
    page = get(client, "/?q=διακυβερνηση&sort=oldest")
    document_url = page.link("Συνάντηση δημάρχου Χανίων")
    assert urlsplit(document_url).path == f"/documents/{CHANIA_ID}"
    back = get(client, document_url).link("← Πίσω στην αναζήτηση")
    assert params(back) == {"q": ["διακυβερνηση"], "sort": ["oldest"]}


def test_unknown_document_and_page_are_greek_404s(client):
    assert "Η σελίδα που ζητήσατε δεν υπάρχει" in get(client, "/documents/nope", status=404).html
    assert get(client, "/nowhere", status=404).h1 == ["Η σελίδα που ζητήσατε δεν υπάρχει."]


def test_while_the_index_is_prepared(tmp_path):
    client = create_app({"INDEX_DIR": tmp_path / "none", "TESTING": True}).test_client()
    page = get(client, "/?q=διακυβερνηση", status=503)
    assert page.h1 == ["Το ευρετήριο ετοιμάζεται…"]
    assert page.all("meta", http_equiv="refresh")
    assert get(client, "/documents/x", status=503).h1 == ["Το ευρετήριο ετοιμάζεται…"]


HOSTILE = "<script>alert(1)</script>"


@pytest.fixture
def hostile_client(tmp_path):
    """An index whose text tries to inject markup everywhere it is shown."""
    store = IndexStore(tmp_path)
    store.build([Document(
        id="x<1>",
        title=f"Ανακοίνωση {HOSTILE}",
        body=f"Η ανακοίνωση <mark>ψεύτικο</mark> <img src=x onerror=alert(2)> {HOSTILE} τέλος.",
        date=dt.date(2023, 3, 1),
        url="javascript:alert(3)",
        municipalities=['Δήμος "><b>x</b>'],
        officials=[Official(f"Όνομα {HOSTILE}", "<i>ρόλος</i>")],
    )])
    return create_app({"INDEX_DIR": tmp_path, "TESTING": True}).test_client()


@pytest.mark.parametrize("url", [
    f"/?q=ανακοίνωση {HOSTILE}", "/?q=ψεύτικο", f"/?q=<mark>&official=Όνομα {HOSTILE}",
    '/?municipality=Δήμος "><b>x</b>', "/documents/x<1>",
])
def test_untrusted_text_is_escaped_and_only_the_engines_mark_survives(hostile_client, url):
    response = hostile_client.get(url)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Ανακοίνωση &lt;script&gt;" in html
    assert "<script>" not in html and "<img" not in html and "<b>x" not in html and "<i>" not in html
    assert "javascript:" not in html
    marks = html.count("<mark>")
    if "ψεύτικο" in url:
        # The document's own "<mark>" is text; the engine's <mark> wraps the matched word.
        assert "&lt;mark&gt;<mark>ψεύτικο</mark>&lt;/mark&gt;" in html and marks == 1
    assert html.count("</mark>") == marks


def test_dates_are_typed_and_shown_in_the_greek_order(client):
    """ηη/μμ/εεεε whatever the browser's locale: a text field, parsed by the server, shown back the same way."""
    form = get(client, "/")
    date_field = form.all("input", name="from")[0]
    assert date_field["type"] == "text" and date_field["placeholder"] == "ηη/μμ/εεεε"
    assert re.fullmatch(date_field["pattern"], "10/01/2021", re.ASCII)
    submitted = client.get("/?q=διακυβερνηση&sort=&from=10/01/2021&to=31/12/2021&per_page=20")
    assert submitted.status_code == 302
    assert params(submitted.location) == {"q": ["διακυβερνηση"], "from": ["2021-01-10"], "to": ["2021-12-31"]}
    page = get(client, submitted.location)
    assert "1 ανακοίνωση για «διακυβερνηση»" in page.html
    assert page.all("input", name="from")[0]["value"] == "10/01/2021"
    assert page.all("input", name="to")[0]["value"] == "31/12/2021"
    wrong_order = get(client, "/?from=01/31/2021", status=400)
    assert "ΗΗ/ΜΜ/ΕΕΕΕ" in unescape(wrong_order.html)


def test_the_per_page_choice(client):
    page = get(client, "/?per_page=1")
    options = re.findall(r'<option value="(\d+)"( selected)?>', page.html.split('id="per_page"')[1].split("</select>")[0])
    assert [value for value, _ in options] == ["10", "20", "50", "100"]
    assert "σελίδα 1 από 2" in page.html
    chosen = get(client, "/?per_page=50")
    assert ("50", " selected") in re.findall(r'<option value="(\d+)"( selected)?>', chosen.html)


def test_the_title_says_what_was_searched_and_no_empty_filters(client):
    page = get(client, f"/?q=διακυβερνηση&municipality={CHANIA}")
    title = re.search(r"<title>(.*?)</title>", page.html, re.S).group(1)
    assert title.startswith(f"«διακυβερνηση» · {CHANIA} — 1 ανακοίνωση")
    assert title.count("Αναζήτηση ανακοινώσεων δήμων") == 1
    assert "<summary id=\"facets-heading\">Φίλτρα</summary>" in page.html
    nothing = get(client, "/?q=ανύπαρκτηλέξηξυζ")
    assert "Κανένα αποτέλεσμα" in nothing.html and "Φίλτρα" not in nothing.html
