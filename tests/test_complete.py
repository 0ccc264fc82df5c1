"""Search-as-you-type (issue 16, point 5): /api/complete from the index's own words and names, accent-blind and
Greeklish-aware, in the OpenAPI contract, and a script the page loads from the app under its CSP."""
from __future__ import annotations

import pytest

from search.completion import GreeklishPrefixes
from search.greeklish import GreekVocabulary
from tests.browser import ARTIFACTS, PHONE, browser_page
from tests.test_contract import validator


@pytest.fixture(scope="module")
def spec(client):
    return client.get("/api/openapi.json").get_json()


def texts(client, q: str) -> list[str]:
    return [c["text"] for c in client.get("/api/complete", query_string={"q": q}).get_json()["completions"]]


@pytest.mark.parametrize("typed", ["ψηφιακή διακ", "ψηφιακή ΔΙΑΚ", "ψηφιακή διάκ", "diak", "diakyv"])
def test_the_last_word_completes_whatever_accents_case_or_alphabet(client, typed):
    assert {"διακυβερνηση", "διακυβερνησης"} <= set(texts(client, typed))


def test_names_complete_by_any_word_in_greek_or_latin_letters(client, spec):
    answer = client.get("/api/complete?q=chan").get_json()
    validator(spec, "/api/complete", 200).validate(answer)
    assert answer["completions"][0] == {"text": "Δήμος Χανίων", "kind": "municipality", "documents": 1,
                                        "url": "/municipalities/dimos-chanion"}
    first = client.get("/api/complete?q=Σημαν").get_json()["completions"][0]
    assert (first["text"], first["url"]) == ("Παναγιώτης Σημανδηράκης", "/officials/panagiotis-simandirakis")


def test_nothing_to_complete(client):
    assert texts(client, "") == [] and texts(client, "διακυβέρνηση ") == [] and texts(client, "ξψζ") == []


def test_an_unknown_parameter_is_refused(client):
    assert client.get("/api/complete?query=διακ").get_json()["error"]["parameter"] == "query"


def test_greeklish_prefixes_keep_only_words_the_latin_spells():
    prefixes = GreeklishPrefixes(GreekVocabulary({"δημαρχοσ": 10, "δημοσιοσ": 20, "δημαρχου": 3, "χανια": 2}))
    assert prefixes.complete("dimarx", 5) == [("δημαρχοσ", 10), ("δημαρχου", 3)]
    assert prefixes.complete("dimarc", 5) == [("δημαρχοσ", 10), ("δημαρχου", 3)]  # «ch» half typed
    assert prefixes.complete("hani", 5) == [("χανια", 2)]
    assert prefixes.complete("δημ", 5) == []  # Greek prefixes go to the term dictionary


def test_the_page_loads_the_script_from_the_app_and_no_inline_script(client):
    page = client.get("/").get_data(as_text=True)
    assert '<script src="/static/complete.js" defer></script>' in page
    assert page.count("<script") == 1
    script = client.get("/static/complete.js")
    assert script.status_code == 200 and "/api/complete?q=" in script.get_data(as_text=True)
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "connect-src 'self';" in policy and "unsafe-inline" not in policy


def test_suggestions_appear_under_the_box_in_a_real_browser(server):
    """Chromium on `dimos-search serve`: typing offers the index's words, under the CSP, with no console error."""
    problems: list[str] = []
    with browser_page(PHONE) as page:
        page.on("console", lambda message: problems.append(message.text)
                if message.type == "error" and "Failed to load resource" not in message.text else None)
        # Every request but the browser's own favicon.ico answers (the app has none).
        page.on("response", lambda response: problems.append(f"{response.status} {response.url}")
                if response.status >= 400 and not response.url.endswith("/favicon.ico") else None)
        page.goto(f"{server}/")
        page.locator("#q").press_sequentially("ψηφιακή diakyv", delay=30)
        # The CSP forbids eval, so no wait_for_function: wait for the first suggestion to be there.
        page.wait_for_selector("#q-completions option", state="attached")
        options = page.eval_on_selector_all("#q-completions option", "nodes => nodes.map(n => n.value)")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "completion.png"))
    assert "ψηφιακή διακυβερνησης" in options and "ψηφιακή διακυβερνηση" in options
    assert problems == []
