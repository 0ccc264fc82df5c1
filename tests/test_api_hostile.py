"""The HTTP API under hostile requests: fuzzed from its own OpenAPI document, and oversized requests refused early.

Hypothesis draws each parameter the document declares for `/api/search` from its schema
(valid values, values just outside it) and from hostile text, raw bytes that are not
UTF-8 and padding that crosses the size limits; `/api/documents/{id}` gets hostile ids,
`/health` and `/api/openapi.json` hostile query strings.  Every answer must have a status
the document lists for that route, and a JSON body valid against that status's schema.
The search page `/` takes the same query strings: it may refuse them, never fail.
Then each limit, on the API (the JSON error shape) and on the page (Greek HTML).
"""
from __future__ import annotations

import html
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from search.request import MAX_QUERY_CHARS, MAX_RESULT_WINDOW
from web.state import MAX_BODY_BYTES, MAX_QUERY_STRING_BYTES
from web.openapi import OPENAPI

HOSTILE = ["\x00", "\x1b", "\x7f", "\x85", "\u200f", "\u202e", "\ufeff", "🙂", "👨\u200d👩\u200d👧\u200d👦",
           "δ" + "\u0301" * 30, "ﾞ", "ϲ", "OR", "-", '"', "*", "(", ":", "&", "=", "+", "%", "%ff", "../..",
           "<script>alert(1)</script>", "Δήμος Χανίων", "2021-02-30", "0000-00-00", "٣", "２０２１-01-01", "-1",
           "0", "1e3", "99999999999999999999", " 2 "]

WORDS = ["διακυβερνηση", "Δήμος Χανίων", "Δήμος Πυλαίας-Χορτιάτη", "Ιγνάτιος Καϊτεζίδης", "dimarxos", "δημαχρος",
         "αντιδημ*", '"ψηφιακή διακυβέρνηση"', "-Χανίων", "MyKEP OR covid"]
text_value = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40))
raw_bytes = st.binary(max_size=24)  # percent-encoded as they are: often not UTF-8
padding = st.integers(300, 9_000).map(lambda n: "δ" * (n // 6) if n % 2 else "a" * n)  # across q and URL limits
hostile_value = st.one_of(text_value, text_value, raw_bytes, padding)


def from_schema(schema: dict, repeat: int = 2) -> st.SearchStrategy:
    """Values of one parameter a client following the schema would send, and ones just outside it."""
    if schema.get("type") == "array":
        return from_schema(schema["items"], repeat=3)
    if "enum" in schema:
        valid = st.sampled_from(schema["enum"])
    elif schema.get("type") == "integer":
        valid = st.integers(schema.get("minimum", 0) - 2, schema.get("maximum", 10**6) + 2).map(str)
    elif schema.get("format") == "date":
        valid = st.dates().map(lambda day: day.isoformat())
    else:
        valid = st.one_of(st.text(max_size=20), st.sampled_from(WORDS))
    # Often absent or valid, so that many requests get past validation into the search.
    return st.one_of(st.just([]), st.lists(valid, min_size=1, max_size=repeat),
                     st.lists(st.one_of(valid, hostile_value), min_size=1, max_size=repeat))


def encoded(value: str | bytes) -> str:
    return quote(value if isinstance(value, bytes) else value.encode("utf-8"), safe="")


@st.composite
def query_strings(draw, parameters: list[dict]) -> str:
    pairs = []
    for parameter in parameters:
        pairs += [(parameter["name"], value) for value in draw(from_schema(parameter["schema"]))]
    pairs += draw(st.lists(st.tuples(st.sampled_from(["x", "Q", "page[]", ""]), hostile_value), max_size=2))
    pairs = draw(st.permutations(pairs))
    return "&".join(f"{encoded(name)}={encoded(value)}" for name, value in pairs)


def fuzz(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])



@pytest.fixture(scope="module")
def spec(client):
    return client.get("/api/openapi.json").get_json()


def assert_documented(spec: dict, path: str, response) -> None:
    """The status is one the document lists for this route, and the body matches its schema, if it has one."""
    responses = spec["paths"][path]["get"]["responses"]
    assert str(response.status_code) in responses, (response.status_code, response.get_data(as_text=True)[:300])
    documented = responses[str(response.status_code)]
    if "content" not in documented:
        return  # a redirect
    assert response.content_type == "application/json; charset=utf-8"
    schema = documented["content"]["application/json"]["schema"]
    Draft202012Validator({**schema, "components": spec["components"]}).validate(response.get_json())


SEARCH_PARAMETERS = OPENAPI["paths"]["/api/search"]["get"]["parameters"]


@fuzz(150)
@given(query_strings(SEARCH_PARAMETERS))
def test_search_answers_as_documented(client, spec, query_string):
    assert_documented(spec, "/api/search", client.get(f"/api/search?{query_string}"))


@fuzz(80)
@given(query_strings(SEARCH_PARAMETERS))
def test_search_page_refuses_but_never_fails(client, query_string):
    response = client.get(f"/?{query_string}")
    assert response.status_code in (200, 302, 400, 413, 414), response.status_code
    if response.status_code != 302:
        page = response.get_data(as_text=True)
        assert response.content_type == "text/html; charset=utf-8" and 'lang="el"' in page


@fuzz(80)
@given(st.one_of(text_value, raw_bytes, padding))
def test_documents_answer_as_documented(client, spec, doc_id):
    assert_documented(spec, "/api/documents/{id}", client.get(f"/api/documents/{encoded(doc_id)}"))


@fuzz(40)
@given(query_strings([]))
def test_health_and_the_contract_ignore_any_query_string(client, spec, query_string):
    assert_documented(spec, "/health", client.get(f"/health?{query_string}"))
    assert_documented(spec, "/api/openapi.json", client.get(f"/api/openapi.json?{query_string}"))


# --- the limits ----------------------------------------------------------------

def refused(spec: dict, response, status: int, parameter: str | None) -> dict:
    assert response.status_code == status
    assert_documented(spec, "/api/search", response)
    error = response.get_json()["error"]
    assert error["parameter"] == parameter and error["message"] and error["message_el"] != error["message"]
    return error


def test_a_query_over_the_maximum_length_is_refused_with_a_reason(client, spec):
    assert client.get("/api/search", query_string={"q": "δ" * MAX_QUERY_CHARS}).status_code == 200
    error = refused(spec, client.get("/api/search", query_string={"q": "δ" * (MAX_QUERY_CHARS + 1)}), 400, "q")
    assert f"{MAX_QUERY_CHARS + 1} characters" in error["message"] and str(MAX_QUERY_CHARS) in error["message_el"]
    page = client.get("/", query_string={"q": "δ" * (MAX_QUERY_CHARS + 1)})
    assert page.status_code == 400 and error["message_el"] in html.unescape(page.get_data(as_text=True))


def test_a_query_string_over_8_kib_is_refused_before_it_is_parsed(client, spec):
    at_limit = "municipality=" + "a" * (MAX_QUERY_STRING_BYTES - len("municipality="))  # a known name
    # At the limit the query string is read: its over-long value is then the parameter's own 400, not a 414.
    assert client.get(f"/api/search?{at_limit}").status_code == 400
    error = refused(spec, client.get(f"/api/search?{at_limit}a"), 414, None)
    assert f"{MAX_QUERY_STRING_BYTES + 1:,} bytes" in error["message"]
    page = client.get(f"/?{at_limit}a")
    assert page.status_code == 414 and "πολύ μεγάλη" in page.get_data(as_text=True)


def test_a_request_body_is_refused(client, spec):
    assert client.get("/api/search", data="x" * MAX_BODY_BYTES).status_code == 200
    refused(spec, client.get("/api/search", data="x" * (MAX_BODY_BYTES + 1)), 413, None)
    page = client.get("/", data="x" * 100_000)
    assert page.status_code == 413 and "χωρίς σώμα" in page.get_data(as_text=True)


@pytest.mark.parametrize("page, per_page, deepest", [(MAX_RESULT_WINDOW + 1, 1, None), (501, 20, 500), (101, 100, 100)])
def test_no_result_past_the_window_is_served(client, spec, page, per_page, deepest):
    response = client.get(f"/api/search?page={page}&per_page={per_page}")
    error = refused(spec, response, 400, "page")
    if deepest:
        assert f"page {deepest} at most" in error["message"] and f"σελίδα {deepest}" in error["message_el"]
    assert client.get(f"/?page={page}&per_page={per_page}").status_code == 400


def test_the_deepest_page_in_the_window_answers_with_no_results(client):
    answer = client.get(f"/api/search?page={MAX_RESULT_WINDOW // 100}&per_page=100").get_json()
    assert answer["total"] == 2 and answer["results"] == [] and answer["pages"] == 1


def test_the_contract_states_the_limits(spec):
    search = spec["paths"]["/api/search"]["get"]
    schemas = {p["name"]: p["schema"] for p in search["parameters"]}
    assert schemas["q"]["maxLength"] == MAX_QUERY_CHARS and schemas["page"]["maximum"] == MAX_RESULT_WINDOW
    for path in spec["paths"].values():
        assert {"413", "414"} <= set(path["get"]["responses"])
