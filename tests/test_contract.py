"""The published OpenAPI document is the contract: real answers must validate against it."""
from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from web import create_app


@pytest.fixture(scope="module")
def spec(seed_store):
    return create_app({"INDEX_DIR": seed_store.root, "TESTING": True}).test_client().get("/api/openapi.json").get_json()



def validator(spec: dict, path: str, status: int) -> Draft202012Validator:
    """The declared schema of one answer, with the document's components for its $refs."""
    content = spec["paths"][path]["get"]["responses"][str(status)]["content"]
    schema = {**content["application/json"]["schema"], "components": spec["components"]}
    return Draft202012Validator(schema)


def test_the_document_describes_every_route(spec, seed_store):
    app = create_app({"INDEX_DIR": seed_store.root})
    routes = {rule.rule.replace("<path:doc_id>", "{id}").replace("<file_format>", "{format}").replace("<facet>", "{facet}")
              .replace("<slug>", "{slug}")
              for rule in app.url_map.iter_rules()
              if rule.rule.startswith(("/api/", "/feeds/", "/export/")) or rule.rule == "/health"}
    assert spec["openapi"].startswith("3.1") and routes == set(spec["paths"])
    Draft202012Validator.check_schema({"components": spec["components"]})


@pytest.mark.parametrize("url, path, status", [
    ("/api/search", "/api/search", 200),
    ("/api/search?q=διακυβερνηση", "/api/search", 200),
    ("/api/search?q=διακυβερνηση&municipality=Δήμος Χανίων&sort=oldest", "/api/search", 200),
    ("/api/search?from=2021-01-01&to=2021-12-31&per_page=1&page=2", "/api/search", 200),
    ("/api/search?q=Καιτεζιδις", "/api/search", 200),
    ("/api/search?municipality=Δήμος Χανίων&official=Ιγνάτιος Καϊτεζίδης", "/api/search", 200),
    ("/api/search?page=0", "/api/search", 400),
    ("/api/search?per_page=1000", "/api/search", 400),
    ("/api/search?from=not-a-date", "/api/search", 400),
    ("/api/search?sort=random", "/api/search", 400),
    ("/api/documents/002_a41b864c727e27df", "/api/documents/{id}", 200),
    ("/api/documents/unknown", "/api/documents/{id}", 404),
    ("/health", "/health", 200),
])
def test_answers_match_the_published_contract(client, spec, url, path, status):
    response = client.get(url)
    assert response.status_code == status
    validator(spec, path, status).validate(response.get_json())


def test_answers_without_an_index_match_the_contract(spec, tmp_path):
    client = create_app({"INDEX_DIR": tmp_path, "TESTING": True}).test_client()
    for url, path in (("/api/search", "/api/search"), ("/api/documents/x", "/api/documents/{id}"),
                      ("/health", "/health")):
        response = client.get(url)
        assert response.status_code == 503
        validator(spec, path, 503).validate(response.get_json())


def test_the_contract_is_strict_enough_to_catch_a_change(client, spec):
    answer = client.get("/api/search?q=διακυβερνηση").get_json()
    answer["results"][0]["date"] = "10/01/2021"
    with pytest.raises(ValidationError):
        validator(spec, "/api/search", 200).validate(answer)
    del answer["facets"]
    with pytest.raises(ValidationError):
        validator(spec, "/api/search", 200).validate(answer)


def test_the_json_export_matches_its_declared_schema(spec, client):
    content = spec["paths"]["/export/search.{format}"]["get"]["responses"]["200"]["content"]
    schema = {**content["application/json"]["schema"], "components": spec["components"]}
    response = client.get("/export/search.json?q=διακυβερνηση")
    assert response.status_code == 200
    Draft202012Validator(schema).validate(json.loads(response.data))
