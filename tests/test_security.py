"""Hostile documents and hostile requests: nothing they carry runs, leaks, writes or reads a file.

The documents come through real ingestion (a JSON Lines export and an HTML page) into a real
index; the browser checks drive Debian's chromium against the real server, as test_browser does.
"""
from __future__ import annotations

import html
import http.client
import json
import os
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from werkzeug.exceptions import NotFound

from search.entities import entity_slug
from search.ingest import IngestReport, load_documents
from search.store import BUILD_INFO, POINTER, IndexStore
from tests.browser import DESKTOP, browser_page, running_server
from tests.conftest import PROJECT_ROOT, marked
from web import create_app
from web.state import get_service

# Each sets a global or opens a dialog if it ever runs.
SCRIPT = "<script>window.pwned=1</script>"
IMG = '"><img src=x onerror="window.pwned=1">'
SVG = "<svg onload=alert(1)>"
JS_URL = "javascript:window.pwned=1"
HOSTILE_ID = f"id{IMG}"
# A real person's name carries the hostile role; the hostile names are no person's name, so ingestion keeps
# them out of the officials facet, exactly as they were, in meta["officials_dropped"] (search.extract.field_people).
OFFICIAL = "Γεώργιος Παπαδόπουλος"
HOSTILE_TITLE = f"Ανακοίνωση {SCRIPT} {IMG}"
HOSTILE_BODY = f"Ο δήμαρχος ανακοίνωσε {SCRIPT} και {IMG}.\n\nΔείτε <a href=\"{JS_URL}\">εδώ</a> {SVG}."
# Formatting markup that a plain-text source carries (<a>, <br>) becomes its text at ingestion
# (search.cleaning.html_to_text); every other payload comes back as the exact data it was.
INGESTED_BODY = f"Ο δήμαρχος ανακοίνωσε {SCRIPT} και {IMG}.\n\nΔείτε εδώ {SVG}."
PAGE_TITLE = f"Ανακοίνωση καθαριότητας {SVG}"

HTML_SOURCE = f"""<!doctype html>
<html lang="el"><head><title>{html.escape(PAGE_TITLE)}</title>
<meta property="og:title" content="{html.escape(PAGE_TITLE)}">
<meta property="article:published_time" content="2022-05-04">
<link rel="canonical" href="{JS_URL}"></head>
<body><article><h1>{html.escape(PAGE_TITLE)}</h1>
<p>Ο Δήμος Χανίων ενημερώνει τους δημότες ότι {html.escape(SCRIPT)} η υπηρεσία καθαριότητας θα λειτουργήσει
κανονικά κατά τη διάρκεια των εορτών, σύμφωνα με το πρόγραμμα που ανακοινώθηκε.</p>
<p>Για πληροφορίες {html.escape(IMG)} επικοινωνήστε με το δημαρχείο τις εργάσιμες ημέρες και ώρες.</p>
<script>window.pwned=1</script><p><a href="{JS_URL}">κλικ</a> <img src=x onerror="window.pwned=1"></p>
</article></body></html>
"""


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory) -> IndexStore:
    """An index built by the real ingestion from sources whose every field carries a payload."""
    sources = tmp_path_factory.mktemp("hostile-sources")
    record = {"id": HOSTILE_ID, "title": HOSTILE_TITLE, "body": HOSTILE_BODY, "date": "2023-03-01",
              "municipality": f"Δήμος Χανίων{IMG}", "officials": [{"name": OFFICIAL, "role": SCRIPT}, {"name": IMG}, {"name": SCRIPT}],
              "doc_type": SCRIPT, "url": JS_URL}
    (sources / "export.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    (sources / "page.html").write_text(HTML_SOURCE, encoding="utf-8")
    report = IngestReport()
    documents = list(load_documents([sources], report))
    assert [d.id for d in documents] == [HOSTILE_ID, "page"], report.details
    store = IndexStore(tmp_path_factory.mktemp("hostile-index"))
    store.build(documents)
    return store


@pytest.fixture(scope="module")
def client(hostile_store):
    """The app as it runs in production: not testing, not debugging, exceptions not propagated."""
    app = create_app({"INDEX_DIR": hostile_store.root})
    assert not app.testing and not app.debug and not app.config["PROPAGATE_EXCEPTIONS"]
    return app.test_client()


# --- JSON: payloads are data ---------------------------------------------------------------------

def test_payloads_come_back_as_exact_data_in_json(client):
    response = client.get(f"/api/documents/{quote(HOSTILE_ID)}")
    assert response.status_code == 200
    assert response.content_type == "application/json; charset=utf-8"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    document = response.get_json()
    assert (document["id"], document["title"], document["body"]) == (HOSTILE_ID, HOSTILE_TITLE, INGESTED_BODY)
    assert (document["url"], document["doc_type"]) == (JS_URL, SCRIPT)
    assert document["officials"] == [{"name": OFFICIAL, "role": SCRIPT}]
    assert document["meta"]["officials_dropped"] == [IMG, SCRIPT]


def test_search_echoes_the_hostile_query_and_snippets_carry_only_mark(client):
    response = client.get("/api/search", query_string={"q": f"ανακοίνωσε {SCRIPT} {IMG}", "official": OFFICIAL})
    assert response.content_type == "application/json; charset=utf-8"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    answer = response.get_json()
    assert answer["query"]["q"] == f"ανακοίνωσε {SCRIPT} {IMG}" and answer["query"]["official"] == [OFFICIAL]
    [result] = answer["results"]
    assert result["title"] == HOSTILE_TITLE and result["url"] == JS_URL
    # JSON carries the text as data (the page escapes it): the script comes back exactly as written.
    assert marked(result) and SCRIPT in result["snippet"]
    assert {"value": OFFICIAL, "count": 1, "selected": True} in answer["facets"]["official"]


def test_the_index_being_prepared_page_reflects_the_url_inertly(tmp_path):
    """That page links back to the very URL asked for, query string and all."""
    client = create_app({"INDEX_DIR": tmp_path / "none"}).test_client()
    # Raw, as a hand-written request can send it (a browser would percent-encode it).
    response = client.get(f"/?q={SCRIPT}{IMG}")
    body = response.get_data(as_text=True)
    assert response.status_code == 503 and "Το ευρετήριο ετοιμάζεται" in body
    assert "<script" not in body and "<img" not in body and 'onerror="' not in body


# --- headers on every response ---------------------------------------------------------------------

def csp_directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {d.split()[0]: " ".join(d.split()[1:]) for d in policy.split(";") if d.strip()}


def broken_client(store: IndexStore, monkeypatch):
    """A production app whose engine fails like a disk error naming a file of the index."""
    app = create_app({"INDEX_DIR": store.root})
    with app.app_context():
        engine = get_service().engine()

    def fail(*args, **kwargs):
        raise OSError(5, "Input/output error", str(store.root / "gen-x" / "_MAIN_1.seg"))

    monkeypatch.setattr(engine, "search", fail)
    monkeypatch.setattr(engine, "get_document", fail)
    return app.test_client()


# (method, URL, status, which app): every route, every kind of answer.
EVERY_KIND_OF_ANSWER = [
    ("GET", "/", 200, "ok"), ("GET", "/?q=ανακοίνωση", 200, "ok"), ("GET", "/?page=0", 400, "ok"),
    ("GET", "/documents/page", 200, "ok"), ("GET", "/documents/nope", 404, "ok"),
    ("GET", "/api/search?q=x", 200, "ok"), ("GET", "/api/search?page=0", 400, "ok"),
    ("GET", "/api/documents/page", 200, "ok"), ("GET", "/api/documents/nope", 404, "ok"),
    ("GET", "/api/openapi.json", 200, "ok"), ("GET", "/health", 200, "ok"),
    ("GET", "/feeds/search.atom?q=x", 200, "ok"), ("GET", "/feeds/search.atom?page=0", 400, "ok"),
    ("GET", "/export/search.csv?q=x", 200, "ok"), ("GET", "/export/search.json?page=0", 400, "ok"),
    ("GET", "/export/search.xml", 404, "ok"),
    ("GET", "/facets/municipality?filter=χαν", 200, "ok"), ("GET", "/facets/nope", 404, "ok"),
    ("GET", "/api/facets/official", 200, "ok"), ("GET", "/api/facets/official?size=0", 400, "ok"),
    ("GET", "/officials/nobody", 404, "ok"), ("GET", "/api/officials/nobody", 404, "ok"), ("GET", "/municipalities/dimos-chanion", 200, "ok"),
    ("GET", "/api/municipalities/dimos-chanion?page=0", 400, "ok"), ("GET", "/api/complete?q=διακ", 200, "ok"),
    ("GET", "/static/style.css", 200, "ok"), ("GET", "/static/nope.css", 404, "ok"), ("GET", "/nowhere", 404, "ok"),
    ("POST", "/", 405, "ok"), ("DELETE", "/api/documents/page", 405, "ok"), ("OPTIONS", "/", 200, "ok"),
    ("GET", "/?q=x", 500, "broken"), ("GET", "/api/search?q=x", 500, "broken"),
    ("GET", "/?q=x", 503, "empty"), ("GET", "/api/search?q=x", 503, "empty"), ("GET", "/health", 503, "empty"),
]


def test_the_cases_cover_every_route(client):
    routes = client.application.url_map.bind("localhost")
    covered = set()
    for _, url, _, _ in EVERY_KIND_OF_ANSWER:
        try:
            covered.add(routes.match(url.split("?")[0])[0])
        except NotFound:
            continue
    assert covered == {rule.endpoint for rule in client.application.url_map.iter_rules()}


@pytest.mark.parametrize("method,url,status,app", EVERY_KIND_OF_ANSWER)
def test_every_answer_carries_the_security_headers(hostile_store, client, tmp_path, monkeypatch,
                                                   method, url, status, app):
    if app == "broken":
        client = broken_client(hostile_store, monkeypatch)
    elif app == "empty":
        client = create_app({"INDEX_DIR": tmp_path / "none"}).test_client()
    response = client.open(url, method=method)
    assert response.status_code == status
    csp = csp_directives(response)
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response.headers["Content-Security-Policy"]
    assert csp["default-src"] == "'none'" and csp["script-src"] == "'self'" and csp["connect-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'" and csp["base-uri"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"


# --- errors show no traceback and no server path ---------------------------------------------------

def assert_no_internals(body: str, *paths: Path) -> None:
    assert "Traceback" not in body and ".py" not in body and "Errno" not in body
    for path in (PROJECT_ROOT, *paths):
        assert str(path) not in body


@pytest.mark.parametrize("url", ["/?q=ανακοίνωση", "/documents/page"])
def test_a_failing_page_is_a_generic_greek_500(hostile_store, monkeypatch, url):
    response = broken_client(hostile_store, monkeypatch).get(url)
    body = response.get_data(as_text=True)
    assert response.status_code == 500 and response.content_type == "text/html; charset=utf-8"
    assert "Κάτι πήγε στραβά από τη δική μας πλευρά" in body
    assert_no_internals(body, hostile_store.root)


@pytest.mark.parametrize("url", ["/api/search?q=ανακοίνωση", "/api/documents/page"])
def test_a_failing_api_call_is_a_generic_json_500(hostile_store, monkeypatch, url):
    response = broken_client(hostile_store, monkeypatch).get(url)
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "internal_server_error"
    assert_no_internals(response.get_data(as_text=True), hostile_store.root)


@pytest.mark.parametrize("damage", ["never built", "missing generation", "no table of contents", "no build info"])
def test_health_of_a_broken_index_names_no_server_path(hostile_store, tmp_path, damage):
    root = tmp_path / "index"
    if damage != "never built":
        root.mkdir()
        live = root / hostile_store.current_generation()
        (root / POINTER).write_text(live.name, encoding="utf-8")
        if damage != "missing generation":
            live.mkdir()
            (live / BUILD_INFO).write_text(json.dumps({"documents": 2, "built_at": "x"}), encoding="utf-8")
        if damage == "no build info":
            for path in (hostile_store.root / live.name).iterdir():
                if path.name != BUILD_INFO:
                    (live / path.name).write_bytes(path.read_bytes())
            (live / BUILD_INFO).unlink()
    response = create_app({"INDEX_DIR": root}).test_client().get("/health")
    assert response.status_code == 503 and response.get_json()["status"] == "error"
    assert "dimos-search reindex" in response.get_json()["message"]
    assert_no_internals(response.get_data(as_text=True), root, hostile_store.root, Path(tmp_path))


# --- no write path ---------------------------------------------------------------------------------

def test_no_route_accepts_anything_but_reading(client):
    for rule in client.application.url_map.iter_rules():
        assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule


@pytest.mark.parametrize("url", ["/", "/documents/page", "/static/style.css",
                                 "/api/search", "/api/documents/page", "/api/openapi.json", "/health"])
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_writing_methods_are_refused(client, url, method):
    response = client.open(url, method=method, data={"q": "x"})
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    if url.startswith("/api/") or url == "/health":
        assert response.get_json()["error"]["code"] == "method_not_allowed"
    else:
        assert response.content_type == "text/html; charset=utf-8"
        assert "Η μέθοδος αυτή δεν επιτρέπεται εδώ." in response.get_data(as_text=True)


# --- ids and paths never reach the file system -----------------------------------------------------

def traversal_ids(root: Path) -> list[str]:
    """Ids that name files if anything joined them to a path: the index's own, and the system's."""
    generation = next(p.name for p in root.iterdir() if p.name.startswith("gen-"))
    return [
        "../CURRENT", f"../{generation}/{BUILD_INFO}", "../../etc/passwd", "..%2F..%2Fetc%2Fpasswd",
        "%2e%2e/%2e%2e/etc/passwd", "..\\..\\etc\\passwd", "/etc/passwd", "%2Fetc%2Fpasswd",
        quote(str(root / POINTER), safe=""), f"{root}/{POINTER}", "page%00../CURRENT", "%00", "page%00",
    ]


def assert_no_file_contents(body: str, store: IndexStore) -> None:
    assert "root:" not in body and store.current_generation() not in body and '"documents"' not in body


def test_document_ids_cannot_reach_the_file_system(client, hostile_store):
    for doc_id in traversal_ids(hostile_store.root):
        page = client.get(f"/documents/{doc_id}", follow_redirects=True)
        assert page.status_code == 404, doc_id
        assert "Η σελίδα που ζητήσατε δεν υπάρχει." in page.get_data(as_text=True)
        assert_no_file_contents(page.get_data(as_text=True), hostile_store)
        api = client.get(f"/api/documents/{doc_id}", follow_redirects=True)
        assert api.status_code == 404 and api.get_json()["error"]["code"] == "not_found", doc_id
        assert_no_file_contents(api.get_json()["error"]["message"].replace(doc_id, ""), hostile_store)


def test_a_very_long_id_is_an_ordinary_error(client, hostile_store):
    for url in (f"/documents/{'../' * 5000}CURRENT", f"/api/documents/{'../' * 5000}CURRENT"):
        response = client.get(url)
        assert response.status_code in (400, 404, 414)
        assert response.content_type.startswith("application/json" if "/api/" in url else "text/html")
        assert_no_file_contents(response.get_data(as_text=True).replace("../", ""), hostile_store)


def test_the_index_directory_and_the_code_are_never_served(client, hostile_store):
    static = Path(client.application.static_folder)
    to_index = os.path.relpath(hostile_store.root / POINTER, static)
    for url in ["/instance/index/CURRENT", "/static/../instance/index/CURRENT", f"/{hostile_store.root.name}/CURRENT",
                f"/static/{to_index}", f"/static/{quote(to_index, safe='')}", f"/static/{hostile_store.root}/CURRENT",
                "/static/../__init__.py", "/static/..%2F__init__.py", "/static/%2e%2e/templates/base.html",
                "/static/..%5C__init__.py", f"/static/{static.parent}/__init__.py"]:
        response = client.get(url, follow_redirects=True)
        body = response.get_data(as_text=True)
        assert response.status_code == 404, url
        assert_no_file_contents(body, hostile_store)
        assert "create_app" not in body and "{% block" not in body


# --- in a real browser -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def hostile_server(hostile_store):
    with running_server(hostile_store.root) as base:
        yield base


def test_the_real_server_serves_no_file_by_traversal(hostile_server, hostile_store):
    """Raw requests, as no browser would normalise them, through waitress's own path decoding."""
    host, port = hostile_server.removeprefix("http://").split(":")
    to_index = os.path.relpath(hostile_store.root / POINTER, Path(create_app().static_folder))
    for path in ["/static/../__init__.py", "/static/..%2F__init__.py", "/static/%2e%2e/templates/base.html",
                 f"/static/{to_index}", f"/static/{quote(to_index, safe='')}", "/documents/../CURRENT",
                 "/api/documents/..%2FCURRENT", "/api/documents/..%2F..%2Fetc%2Fpasswd"]:
        connection = http.client.HTTPConnection(host, int(port), timeout=30)  # a deadline only
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        assert response.status == 404, path
        assert response.getheader("X-Content-Type-Options") == "nosniff"
        assert_no_file_contents(body, hostile_store)
        assert "create_app" not in body and "{% block" not in body


ATTACK_SURFACE_JS = """() => ({
    pwned: window.pwned ?? null,
    injected: [...document.querySelectorAll('script:not([src="/static/complete.js"]), img, svg, iframe, object, embed, '
                                            + 'base, meta[http-equiv=refresh]')]
        .map(e => e.outerHTML),
    handlers: [...document.querySelectorAll('*')]
        .filter(e => [...e.attributes].some(a => a.name.toLowerCase().startsWith('on'))).map(e => e.outerHTML),
    links: [...document.querySelectorAll('[href], [src], [action]')]
        .map(e => e.href || e.src || e.action).filter(u => !/^https?:/.test(u)),
    snippetMarkup: [...document.querySelectorAll('.snippet *')].map(e => e.tagName).filter(t => t !== 'MARK'),
})"""


def test_payloads_render_as_inert_text_in_a_browser(hostile_server):
    from playwright.sync_api import expect

    dialogs: list[str] = []
    csp_reports: list[str] = []
    with browser_page(DESKTOP) as page:
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.on("console", lambda message: csp_reports.append(message.text)
                if "Content Security Policy" in message.text else None)

        def visit(path: str, status: int = 200) -> None:
            response = page.goto(f"{hostile_server}{path}")
            assert response.status == status, path
            assert "script-src 'self';" in response.headers["content-security-policy"]
            assert_inert(path)

        def assert_inert(where: str) -> None:
            found = page.evaluate(ATTACK_SURFACE_JS)
            assert found == {"pwned": None, "injected": [], "handlers": [], "links": [], "snippetMarkup": []}, \
                where
            assert dialogs == [] and csp_reports == [], where

        visit("/?q=ανακοίνωση")
        # The page's own stylesheet applies under the policy.
        header_border = "getComputedStyle(document.querySelector('.site-header')).borderBottomStyle"
        assert page.evaluate(header_border) == "solid"
        results = page.locator(".result h3")
        expect(results).to_have_text([HOSTILE_TITLE, PAGE_TITLE])
        facets = page.get_by_role("complementary")
        expect(facets.locator("#facet-official + ul .value")).to_have_text([OFFICIAL])

        facets.get_by_role("link", name=re.compile("^" + re.escape(OFFICIAL))).click()  # the toggle, not the → page link
        expect(page.locator(".active-filters li span")).to_have_text([OFFICIAL])
        expect(results).to_have_text([HOSTILE_TITLE])
        assert_inert("after choosing the hostile official")
        visit(f"/officials/{entity_slug(OFFICIAL)}")  # the page of the official whose role is a script
        expect(page.locator("h1")).to_have_text(OFFICIAL)
        expect(page.get_by_text(SCRIPT).first).to_be_visible()
        assert_inert("on the official's page, the hostile role shown as text")
        page.go_back()

        results.get_by_role("link").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(HOSTILE_TITLE)
        expect(page.locator(".document-body p")).to_have_text(INGESTED_BODY.split("\n\n"))
        expect(page.get_by_text("Πηγή")).to_have_count(0)  # a javascript: address is never a link
        assert_inert("on the document page")

        hostile_params = "&".join(f"{name}={quote(value)}" for name, value in [
            ("q", f"{SCRIPT} {IMG} {SVG}"), ("municipality", IMG), ("official", SCRIPT), ("official", SVG)])
        # Filter values naming no known value are a 400 whose message quotes the value, inert.
        visit(f"/?{hostile_params}", status=400)
        expect(page.get_by_label("Τι αναζητάτε;")).to_have_value(f"{SCRIPT} {IMG} {SVG}")
        expect(page.get_by_role("alert")).to_contain_text(f"«{IMG}»")
        visit(f"/?{hostile_params}&page=0", status=400)
        expect(page.get_by_label("Τι αναζητάτε;")).to_have_value(f"{SCRIPT} {IMG} {SVG}")
        visit(f"/documents/{quote(SCRIPT)}", status=404)
        visit(f"/{quote(IMG)}", status=404)
        visit(f"/api/search?{hostile_params}", status=400)
        expect(page.locator("body")).to_contain_text("<img src=x onerror=")
