"""Clean snippets on real decisions (issue 14, part 4): what the first pages of the Diavgeia + seeds index show.

The index is built by the real ingestion and `reindex` (near-duplicate groups included), as
`dimos-search reindex ../shared/data/diavgeia-decisions.jsonl seeds` builds it; the JSON answers are read
through the web app, as a user's page gets them.
"""
from __future__ import annotations

import collections
import io
import re

import pytest

from search import highlight
from search.ingest import IngestReport, load_documents
from search.lexicon import is_greek_word
from search.querylang import parse_query
from search.reindex import Progress, reindex
from search.store import IndexStore
from tests.conftest import SEEDS, law_articles, shared_data
from web import create_app

pytestmark = pytest.mark.slow  # ingesting, grouping and indexing the 1,453 decisions: ~10-40 s on two loaded cores

QUERIES = ("απόφαση", "πίστωσης", "ανάληψη υποχρέωσης", "δήμαρχος")
FIRST_PAGE = 20
UNREADABLE = re.compile(r"<br|&lt;|&nbsp;|(?<![^\W\d_])[^\W\d_](?: [^\W\d_]){4,}(?![^\W\d_])")
# Letterhead fields as a reader sees them; «αριθμ. πρωτ. Β3γ/22803» cited inside a sentence is not one.
LETTERHEAD_FIELD = re.compile(r"@|Ταχ\.\s*(?:Δ|Κ)|\bΤηλ(?:\.|έφωνο)|\bFax\b|Πληροφορίες\s*:|Αριθμ\. Πρωτ\s*:", re.I)


@pytest.fixture(scope="module")
def documents():
    sources = [shared_data("diavgeia-decisions.jsonl"), SEEDS]
    return {str(path): list(load_documents([path], IngestReport())) for path in sources}


@pytest.fixture(scope="module")
def bodies(documents):
    return {doc.id: doc.body for docs in documents.values() for doc in docs}


@pytest.fixture(scope="module")
def client(documents, tmp_path_factory):
    store = IndexStore(tmp_path_factory.mktemp("clean-snippets"))
    reindex(store, documents, progress=Progress(stream=io.StringIO()))
    return create_app({"INDEX_DIR": store.root, "TESTING": True}).test_client()


def first_page(client, q: str) -> list[dict]:
    answer = client.get("/api/search", query_string={"q": q, "per_page": FIRST_PAGE})
    assert answer.status_code == 200, answer.get_json()
    results = answer.get_json()["results"]
    assert len(results) >= 5, f"«{q}» finds too little on the real index for its page to prove anything"
    return results


@pytest.mark.parametrize("q", QUERIES)
def test_first_pages_show_no_markup_letter_spacing_or_repeated_groups(client, q):
    results = first_page(client, q)
    assert [r["id"] for r in results if UNREADABLE.search(r["snippet"]) or UNREADABLE.search(r["title"])] == []
    groups = collections.Counter(r["group"] for r in results)
    assert [g for g, n in groups.items() if n > 1] == []


def cut_mid_word(title: str) -> bool:
    """A title ending in a lower-case Greek fragment («…πίστωσης απ») with no «…» to say it was cut."""
    last = re.sub(r"[^\w]+$", "", title).rsplit(" ", 1)[-1]
    return (not title.endswith(("…", "…»", '…"')) and re.fullmatch(r"[α-ωά-ώϊϋΐΰ]+", last) is not None
            and (len(last) <= 2 or not is_greek_word(last)))


@pytest.mark.parametrize("q", QUERIES)
def test_first_page_titles_end_on_a_word_with_balanced_quotes(client, q):
    titles = [r["title"] for r in first_page(client, q)]
    assert [t for t in titles if cut_mid_word(t)] == []
    assert [t for t in titles if t.count("«") != t.count("»")] == []


def test_the_issue_letterhead_gives_way_to_the_subject(client):
    """The issue's case: «D@moh.gov.gr Αθήνα11 - 12- 2020 Αριθμ. Πρωτ:…» opened the snippet of `απόφαση`
    though «απόφασης» is in the subject right after it."""
    hit = next(r for r in first_page(client, "απόφαση") if r["id"] == "moh_doccano:180")
    assert not LETTERHEAD_FIELD.search(hit["snippet"])
    assert hit["snippet"].startswith("… ΘΕΜΑ: Ανάκληση απόφασης")
    marked = [hit["snippet"][start:end] for start, end in hit["highlights"]]
    assert "απόφασης" in marked


def opens_on_a_letterhead(snippet: str, highlights: list) -> bool:
    """Whether a letterhead field comes before the snippet's first matched word (or fills a snippet with none)."""
    return LETTERHEAD_FIELD.search(snippet[:highlights[0][0]] if highlights else snippet) is not None


def snippet_of(body: str, q: str) -> tuple[str, tuple]:
    excerpt = highlight.snippet(body, highlight.highlighter(parse_query(q)))
    return excerpt.text, excerpt.spans


def test_snippets_keep_letterheads_out_when_sentences_match(client, bodies, monkeypatch, figure):
    """Every first-page hit whose body has letterhead fields: no field comes before its snippet's first
    matched word, where the window choice without letterhead spans opened on the fields."""
    pages = {q: first_page(client, q) for q in (*QUERIES, "υγείας", "μισθοδοσίας", "οικονομικών", "Αθήνα")}
    shown = {(q, r["id"]): r for q, results in pages.items() for r in results
             if LETTERHEAD_FIELD.search(bodies[r["id"]][:highlight.SNIPPET_LOCATE_CHARS])}
    assert [key for key, r in shown.items() if opens_on_a_letterhead(r["snippet"], r["highlights"])] == []
    monkeypatch.setattr(highlight.cleaning, "boilerplate_spans", lambda text: [])
    unaware = [(q, doc_id) for q, doc_id in shown if shown[q, doc_id]["highlights"] and opens_on_a_letterhead(
        *snippet_of(bodies[doc_id], q))]
    assert len(unaware) >= 5  # 6 measured: without this the test would prove nothing
    figure(f"clean snippets: {len(shown)} first-page hits of {len(pages)} queries have a letterhead; "
           f"{len(unaware)} would open on it without letterhead spans, 0 do")


def test_a_snippet_without_a_match_opens_on_the_subject(bodies):
    """A title-only hit shows the subject after the letterhead, not the addresses."""
    body = bodies["moh_doccano:180"]
    excerpt = highlight.snippet(body, highlight.highlighter(parse_query("κορωνοϊός")))
    assert excerpt.spans == () and excerpt.text.startswith("… ΘΕΜΑ: Ανάκληση απόφασης")


def test_letterheads_are_found_in_the_part_a_snippet_reads_not_the_whole_body(monkeypatch):
    """On a long law article the letterhead search reads a bounded prefix, not its whole text."""
    article = max(law_articles(300), key=lambda doc: len(doc.body)).body
    read: list[int] = []
    real = highlight.cleaning.boilerplate_spans
    monkeypatch.setattr(highlight.cleaning, "boilerplate_spans", lambda text: read.append(len(text)) or real(text))
    bound = highlight.SNIPPET_LOCATE_CHARS + highlight.SNIPPET_SCAN_CHARS + 2 * highlight.SNIPPET_CHARS
    assert len(article) > 4 * bound
    highlight.snippet(article, highlight.highlighter(parse_query("υπουργός")))
    assert read and max(read) <= bound
