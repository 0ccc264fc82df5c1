"""The JSON API as a client uses it: every parameter, every error, and no input that breaks it."""
from __future__ import annotations

import datetime as dt

import pytest

from search.analysis import fold
from search.documents import Document
from search.request import MAX_QUERY_CHARS
from search.store import IndexStore
from tests.conftest import marked
from web import create_app

PYLAIA, CHANIA = "Δήμος Πυλαίας-Χορτιάτη", "Δήμος Χανίων"
PYLAIA_ID, CHANIA_ID = "000_1fe309cce7ba6396", "002_a41b864c727e27df"



@pytest.fixture
def empty_client(tmp_path):
    """An app whose index has never been built."""
    return create_app({"INDEX_DIR": tmp_path / "none", "TESTING": True}).test_client()


def search(client, query_string="", status=200):
    response = client.get(f"/api/search?{query_string}")
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == "application/json; charset=utf-8"
    return response.get_json()


def ids(answer):
    return [result["id"] for result in answer["results"]]


def facet(answer, name):
    return {item["value"]: (item["count"], item["selected"]) for item in answer["facets"][name]}


def test_empty_query_lists_every_document_newest_first(client):
    answer = search(client)
    assert ids(answer) == [CHANIA_ID, PYLAIA_ID]
    assert answer["query"] == {"q": "", "municipality": [], "official": [], "from": None, "to": None,
                               "sort": "newest", "page": 1, "per_page": 20,
                               "region": [], "undated": False, "facet_size": 30, "as_typed": False, "group": None}
    assert (answer["total"], answer["pages"], answer["suggestion"]) == (2, 1, None)
    assert all(result["score"] is None for result in answer["results"])


def test_greek_is_real_utf8_with_highlighted_snippets(client):
    response = client.get("/api/search?q=διακυβερνηση")
    raw = response.get_data(as_text=True)
    assert "\\u" not in raw and "Δήμος Χανίων" in raw
    answer = response.get_json()
    assert answer["query"]["sort"] == "relevance"
    assert set(ids(answer)) == {PYLAIA_ID, CHANIA_ID}
    assert all(marked(r) and r["score"] > 0 for r in answer["results"])
    chania = next(r for r in answer["results"] if r["id"] == CHANIA_ID)
    assert chania["title"] == "Συνάντηση δημάρχου Χανίων με τον Γ. Ζαριφόπουλο και τον Β. Διγαλάκη"
    assert chania["date"] == "2024-11-20" and chania["municipality"] == [CHANIA]
    assert {"name": "Γρηγόρης Ζαριφόπουλος", "role": "υφυπουργός Ψηφιακής Διακυβέρνησης"} in chania["officials"]


def test_facet_counts_follow_the_query_and_the_other_facets(client):
    answer = search(client, f"q=διακυβερνηση&municipality={CHANIA}")
    assert ids(answer) == [CHANIA_ID]
    # A facet's own selection does not narrow its counts: both municipalities stay reachable.
    assert facet(answer, "municipality") == {PYLAIA: (1, False), CHANIA: (1, True)}
    assert set(facet(answer, "official")) == {
        "Παναγιώτης Σημανδηράκης", "Γρηγόρης Ζαριφόπουλος", "Βασίλης Διγαλάκης", "Ευτύχης Δαμιανάκης",
        "Τάσος Αλόγλου", "Αντώνης Βαρδάκης", "Γιώργος Φραγκιαδάκης"}
    assert facet(answer, "year") == {"2024": (1, False)}


def test_one_facet_is_or_across_values(client):
    assert search(client, f"municipality={CHANIA}&municipality={PYLAIA}")["total"] == 2


def test_facets_are_and_across_each_other_and_keep_selected_values_at_zero(client):
    answer = search(client, f"municipality={CHANIA}&official=Ιγνάτιος Καϊτεζίδης")
    assert answer["total"] == 0 and answer["pages"] == 0
    assert facet(answer, "official")["Ιγνάτιος Καϊτεζίδης"] == (0, True)
    assert facet(answer, "municipality")[CHANIA] == (0, True)


def test_official_filter(client):
    answer = search(client, "official=Άγγελος Χαριστέας")
    assert ids(answer) == [PYLAIA_ID]
    assert answer["query"]["official"] == ["Άγγελος Χαριστέας"]


@pytest.mark.parametrize("query_string, expected", [
    ("from=2022-01-01", [CHANIA_ID]),
    ("to=2021-12-31", [PYLAIA_ID]),
    ("from=2021-01-10&to=2021-01-10", [PYLAIA_ID]),
    ("from=2024-11-21", []),
])
def test_date_range_is_inclusive(client, query_string, expected):
    assert ids(search(client, query_string)) == expected


def test_a_whole_year_range_selects_the_year_facet(client):
    answer = search(client, "from=2021-01-01&to=2021-12-31")
    assert facet(answer, "year") == {"2024": (1, False), "2021": (1, True)}
    assert (answer["query"]["from"], answer["query"]["to"]) == ("2021-01-01", "2021-12-31")


@pytest.mark.parametrize("sort, expected", [("newest", [CHANIA_ID, PYLAIA_ID]), ("oldest", [PYLAIA_ID, CHANIA_ID])])
def test_sort_by_date(client, sort, expected):
    answer = search(client, f"q=διακυβερνηση&sort={sort}")
    assert ids(answer) == expected and answer["query"]["sort"] == sort


def test_relevance_sort_ranks_the_headline_match_first(client):
    answer = search(client, "q=Χανίων&sort=relevance")
    assert ids(answer)[0] == CHANIA_ID


def test_paging(client):
    first, second, beyond = (search(client, f"per_page=1&page={n}") for n in (1, 2, 3))
    assert (first["total"], first["pages"]) == (2, 2)
    assert ids(first) + ids(second) == [CHANIA_ID, PYLAIA_ID]
    assert beyond["results"] == [] and beyond["total"] == 2
    assert search(client, "per_page=100")["query"]["per_page"] == 100


def test_suggestion(client):
    # Issue 6: a misspelled word still finds the announcement, and the page offers the spelling.
    answer = search(client, "q=Καιτεζιδις")
    assert answer["total"] == 1 and answer["correction"]["applied"] and answer["correction"]["query"] == "Καϊτεζίδης"
    as_typed = client.get(answer["correction"]["as_typed_url"]).get_json()  # the typo itself, corrected in nothing
    assert as_typed["query"]["as_typed"] and as_typed["total"] == 0 and as_typed["correction"] is None


@pytest.mark.parametrize("query_string, parameter", [
    ("page=0", "page"),
    ("page=-1", "page"),
    ("page=two", "page"),
    ("per_page=1000", "per_page"),
    ("per_page=0", "per_page"),
    ("from=2021-13-01", "from"),
    ("from=yesterday", "from"),
    ("to=01/31/2021", "to"),  # the US order an English browser would send
    ("to=2021-02-30", "to"),
    ("from=2024-01-01&to=2021-01-01", "from"),
    ("sort=random", "sort"),
    ("sort=RELEVANCE", "sort"),
])
def test_invalid_parameters_are_400_with_actionable_messages(client, query_string, parameter):
    error = search(client, query_string, status=400)["error"]
    assert error["code"] == "invalid_parameter" and error["parameter"] == parameter
    assert f"'{parameter}'" in error["message"] and f"'{parameter}'" in error["message_el"]
    assert any("\u0370" <= c <= "\u03ff" for c in error["message_el"])


@pytest.mark.parametrize("q", [
    '"', '"unclosed phrase', "OR", "-", "--", "*", "**", "a OR", "OR OR OR", "((", ")", "\\", "%", "%%%",
    "title:διακυβέρνηση", "AND NOT", "~2", "^3", "ψ*", "-διακυβέρνηση", '-"ψηφιακή διακυβέρνηση"', "[a TO z]",
    "<script>alert(1)</script>", "\x00", "\u200b", "🙂", "ά" * MAX_QUERY_CHARS,
    " ".join(["διακυβέρνηση"] * (MAX_QUERY_CHARS // 13)),
    "e-poleodomia", "MyKEP-live", "ό,τι", "Πυλαίας-Χορτιάτη", "2021", "10/1/2021",
])
def test_query_syntax_is_never_an_error(client, q):
    response = client.get("/api/search", query_string={"q": q})
    assert response.status_code == 200
    assert response.get_json()["query"]["q"] == q


@pytest.mark.parametrize("query_string", [
    "q=%ff%fe", "municipality=%00", "official=", "municipality=&municipality=", "from=&to=", "sort=",
    "page=%20%202%20", "per_page=٣", "from=２０２１-01-01", "unknown=1", "q=a&q=b", "page=99999999999999999999",
    "page=100000&per_page=100", "from=0001-01-01&to=9999-12-31", "municipality=" + "Δ" * 1000,
])
def test_odd_parameters_never_cause_a_server_error(client, query_string):
    assert client.get(f"/api/search?{query_string}").status_code in (200, 400)


def test_whole_document(client):
    response = client.get(f"/api/documents/{CHANIA_ID}")
    assert response.status_code == 200 and response.content_type == "application/json; charset=utf-8"
    document = response.get_json()
    assert document["title"].startswith("Συνάντηση δημάρχου Χανίων")
    assert document["body"].startswith("Τους υφυπουργούς Ψηφιακής Διακυβέρνησης")
    assert (document["date"], document["municipality"], document["regions"]) == \
        ("2024-11-20", [CHANIA], ["Περιφέρεια Κρήτης"])  # the packaged gazetteer is on by default
    assert document["officials"][0] == {"name": "Παναγιώτης Σημανδηράκης", "role": "δήμαρχος Χανίων"}


@pytest.mark.parametrize("doc_id", ["nope", "a/b/c", "Δήμος", "..%2F..%2Fetc%2Fpasswd", "%00"])
def test_unknown_document_is_a_json_404(client, doc_id):
    response = client.get(f"/api/documents/{doc_id}")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_unknown_api_route_and_method_answer_json(client):
    assert client.get("/api/nothing").get_json()["error"]["code"] == "not_found"
    response = client.post("/api/search")
    assert response.status_code == 405 and "error" in response.get_json()


def test_health(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok" and response.get_json()["documents"] == 2


def test_without_an_index_the_api_answers_503_not_500(empty_client):
    for url in ("/api/search?q=x", "/api/documents/x"):
        response = empty_client.get(url)
        assert response.status_code == 503 and response.headers["Retry-After"]
        assert response.get_json()["error"]["code"] == "index_unavailable"
    health = empty_client.get("/health")
    assert health.status_code == 503 and health.get_json()["status"] == "error"


def test_undated_documents_come_last_in_date_order(tmp_path):
    store = IndexStore(tmp_path)
    store.build([Document(id="undated", title="Ανακοίνωση", body="Κείμενο"),
                 Document(id="dated", title="Ανακοίνωση", body="Κείμενο", date=dt.date(2020, 5, 1))])
    client = create_app({"INDEX_DIR": tmp_path, "TESTING": True}).test_client()
    for sort in ("newest", "oldest"):
        answer = search(client, f"sort={sort}")
        assert ids(answer) == ["dated", "undated"] and answer["results"][1]["date"] is None


def test_highlights_are_ordered_spans_of_the_matched_words_in_the_plain_snippet(client):
    answer = client.get("/api/search?q=ψηφιακη διακυβερνηση&per_page=100").get_json()
    assert answer["results"]
    for result in answer["results"]:
        spans = result["highlights"]
        assert spans and all(0 <= start < end <= len(result["snippet"]) for start, end in spans)
        assert all(previous[1] <= following[0] for previous, following in zip(spans, spans[1:]))
        assert {fold(word) for word in marked(result)} <= {"ψηφιακη", "ψηφιακησ", "διακυβερνηση", "διακυβερνησησ"}
        assert "<mark>" not in result["snippet"]
