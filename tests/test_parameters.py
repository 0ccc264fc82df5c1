"""Strict parameters (issue 16, point 6): a misspelled parameter is a 400 naming the known ones, never an
unfiltered search; one field name per concept; a bounded facet_size."""
from __future__ import annotations

import html

import pytest

from search.request import PARAMETERS

CHANIA = "Δήμος Χανίων"


@pytest.mark.parametrize("path", ["/api/search", "/", "/feeds/search.atom", "/export/search.csv"])
def test_a_misspelled_filter_is_refused_not_ignored(client, path):
    response = client.get(f"{path}?q=συνάντηση&municipalty={CHANIA}")
    assert response.status_code == 400
    text = html.unescape(response.get_data(as_text=True))
    assert "municipalty" in text and "Μήπως εννοείτε 'municipality'" in text


def test_the_api_error_names_the_parameter_and_lists_the_known_ones(client):
    error = client.get(f"/api/search?municipalty={CHANIA}").get_json()["error"]
    assert error["parameter"] == "municipalty"
    known = ", ".join(sorted(PARAMETERS))
    assert {"q", "municipality", "official", "from", "to", "sort", "page", "per_page", "facet_size"} <= PARAMETERS
    assert f"the known ones are {known}." in error["message"]
    assert "Did you mean 'municipality'?" in error["message"]
    # The correctly spelled filter does filter.
    answer = client.get(f"/api/search?municipality={CHANIA}").get_json()
    assert [hit["municipality"] for hit in answer["results"]] == [[CHANIA]]


def test_the_document_page_refuses_an_unknown_parameter_too(client):
    response = client.get("/documents/002_a41b864c727e27df?qq=Χανιά")
    assert response.status_code == 400 and "qq" in response.get_data(as_text=True)


def test_one_name_for_the_municipality_in_results_and_documents(client):
    hit = client.get("/api/search?q=Σημανδηράκης").get_json()["results"][0]
    document = client.get(f"/api/documents/{hit['id']}").get_json()
    assert hit["municipality"] == document["municipality"] == [CHANIA]
    assert "municipalities" not in document


def test_facet_size_bounds_the_values_listed(client):
    everyone = client.get("/api/search").get_json()["facets"]["official"]
    assert len(everyone) == 9  # the two seeds name nine people
    two = client.get("/api/search?facet_size=2").get_json()
    assert [v["value"] for v in two["facets"]["official"]] == [v["value"] for v in everyone[:2]]
    assert two["query"]["facet_size"] == 2
    selected = client.get("/api/search?facet_size=0&official=Ευτύχης Δαμιανάκης").get_json()["facets"]["official"]
    assert [(v["value"], v["selected"]) for v in selected] == [("Ευτύχης Δαμιανάκης", True)]


@pytest.mark.parametrize("value", ["101", "-1", "πολλά"])
def test_facet_size_out_of_bounds_is_a_400(client, value):
    error = client.get(f"/api/search?facet_size={value}").get_json()["error"]
    assert error["parameter"] == "facet_size" and "0 to 100" in error["message"]


def test_the_page_keeps_a_chosen_facet_size_in_its_links(client):
    page = client.get("/?q=συνάντηση&facet_size=5").get_data(as_text=True)
    assert "facet_size=5" in page


@pytest.mark.parametrize(("query", "named"), [
    ("sort=πρόσφατα&from=32/01/2024&page=0", "sort"),
    ("from=32/01/2024&page=0&facet_size=-1", "from"),
    ("from=2024-02-01&to=2024-01-01&undated=ναι&per_page=0", "from"),
    ("undated=1&from=2024-01-01&page=0", "undated"),
    ("page=0&facet_size=-1&group=" + "x" * 300, "page"),
    ("page=2000&per_page=100&municipality=Ατλαντίδα", "page"),
    ("municipality=Ατλαντίδα&group=" + "x" * 300, "municipality"),
])
def test_a_request_with_several_faults_is_refused_for_the_first_in_a_fixed_order(client, query, named):
    """The query, the sort, the dates, the page and its size, the filters, the group: whatever the order
    of the query string, the same fault is named, so a user mends one thing and then the next."""
    for ordering in (query, "&".join(reversed(query.split("&")))):
        response = client.get(f"/api/search?{ordering}")
        assert response.status_code == 400, ordering
        assert response.get_json()["error"]["parameter"] == named, ordering
