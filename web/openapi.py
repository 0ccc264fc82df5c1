"""The published contract of the JSON API (OpenAPI 3.1), served at /api/openapi.json.

The paths and parameters are written here so they read as documentation; the schemas
of the answers are generated from the models the core returns (search/answers.py),
so they cannot drift apart.  tests/test_contract.py validates real answers against it.
"""
from __future__ import annotations

from typing import Any

from pydantic.json_schema import models_json_schema

from search.answers import (CompletionAnswer, DocumentAnswer, ErrorAnswer, FacetListing, Health, MunicipalityProfile,
                            OfficialProfile, SearchAnswer)
from search.request import (AS_TYPED_PARAMETER, DEFAULT_FACET_PAGE_SIZE, DEFAULT_PER_PAGE, FACET_SIZE, FACETS,
                            MAX_FACET_PAGE_SIZE, MAX_FACET_SIZE, MAX_FILTER_CHARS, MAX_GROUP_CHARS, MAX_PER_PAGE,
                            MAX_QUERY_CHARS, MAX_QUERY_WORDS, MAX_RESULT_WINDOW, PARAMETERS, SORTS, UNDATED)

from .state import GENERATION_HEADER, MAX_BODY_BYTES, MAX_QUERY_STRING_BYTES

# A municipality, region or official value: a name (search.request.MAX_FILTER_CHARS).
_FILTER_VALUE = {"type": "string", "maxLength": MAX_FILTER_CHARS}
DATE = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$", "examples": ["2021-01-10"]}
# The answers' schemas, generated from the models the core returns (search/answers.py).
_, _GENERATED = models_json_schema([(model, "serialization") for model in (SearchAnswer, DocumentAnswer, Health,
                                                                          ErrorAnswer, FacetListing, OfficialProfile,
                                                                          MunicipalityProfile, CompletionAnswer)],
                                   ref_template="#/components/schemas/{model}")
COMPONENTS: dict[str, Any] = _GENERATED["$defs"]


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema_name: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema_name)}}}


def _from_generation(response: dict[str, Any]) -> dict[str, Any]:
    """An answer read from the index: it names the generation it came from."""
    header = {"description": "The index generation that answered (e.g. gen-20261123T180816159335-ad70b8); "
                             "it changes when a reindex switches the live index.", "schema": {"type": "string"}}
    return {**response, "headers": {GENERATION_HEADER: header}}


def _parameter(name: str, description: str, schema: dict[str, Any], repeatable: bool = False) -> dict[str, Any]:
    if repeatable:
        schema = {"type": "array", "items": schema}
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema,
            **({"style": "form", "explode": True} if repeatable else {})}


UNAVAILABLE = _json("ErrorAnswer", "No index has been built yet (or it is being replaced after damage); "
                             "a Retry-After header says when to try again.")
# Refused before any parameter is read, on every route.
OVERSIZED = {
    "413": _json("ErrorAnswer", f"The request has a body over {MAX_BODY_BYTES} bytes; every route is GET and takes none."),
    "414": _json("ErrorAnswer", f"The query string is over {MAX_QUERY_STRING_BYTES} bytes."),
}

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "dimos-search API",
        "version": "1.0.0",
        "description": (
            "Full-text search over Greek municipal announcements. The search page at `/` takes the same "
            "parameters and shows the same results and facets; every page links its JSON twin. "
            "Greek is returned as UTF-8 text, never as \\u escapes. Query syntax is never an error: "
            "words (all must match, any accent or case or inflection), \"exact phrases\", -excluded, "
            "OR between alternatives, prefix*. "
            f"Limits: a query string of at most {MAX_QUERY_STRING_BYTES} bytes (414 above), no request body "
            f"(413), q of at most {MAX_QUERY_CHARS} characters of which the first {MAX_QUERY_WORDS} words are "
            f"searched, and no result past the {MAX_RESULT_WINDOW}th (page x per_page <= {MAX_RESULT_WINDOW})."
        ),
    },
    "paths": {
        "/api/search": {
            "get": {
                "operationId": "search",
                "summary": "Ranked, highlighted results with facet counts",
                "parameters": [
                    _parameter("q", "What to look for; empty or absent: every document, newest first. "
                               f"At most {MAX_QUERY_CHARS} characters; words past the {MAX_QUERY_WORDS}th are ignored.",
                               {"type": "string", "maxLength": MAX_QUERY_CHARS}),
                    _parameter("municipality", "Only documents about any of these municipalities "
                               "(e.g. \"Δήμος Χανίων\"; any form: \"ΔΗΜΟΣ ΧΑΝΙΩΝ\", \"Χανιά\", \"chania\", normalized to the "
                               "facet value and echoed in `query`; a value naming none is a 400 naming the closest). "
                               "OR within the facet, AND with the other facets.", _FILTER_VALUE, repeatable=True),
                    _parameter("official", "Only documents naming any of these officials (any form: \"ΒΛΑΣΣΗΣ ΙΩΑΝΝΗΣ\", "
                               "\"Ιωάννη Βλάσση\"; normalized as municipality is).",
                               _FILTER_VALUE, repeatable=True),
                    _parameter("region", "Only documents about any of these regions (e.g. \"Περιφέρεια Κρήτης\"; "
                               "any form, as for municipality).", _FILTER_VALUE, repeatable=True),
                    _parameter("undated", f"1: only documents without a date (the year facet's «{UNDATED}»); "
                               "not with from/to.", {"type": "string", "enum": ["1", "0", "true", "false"]}),
                    _parameter("from", "Earliest date, inclusive (YYYY-MM-DD).", DATE),
                    _parameter("to", "Latest date, inclusive (YYYY-MM-DD). A whole year Jan 1 to Dec 31 "
                               "selects that value of the year facet.", DATE),
                    _parameter("sort", "`relevance` is the default when q is given, otherwise `newest`. "
                               "Undated documents come last when sorting by date.",
                               {"type": "string", "enum": list(SORTS)}),
                    _parameter("page", f"Result page, from 1; page x per_page at most {MAX_RESULT_WINDOW} "
                               "(no result past that is served). A page past the last one has no results.",
                               {"type": "integer", "minimum": 1, "maximum": MAX_RESULT_WINDOW, "default": 1}),
                    _parameter("per_page", f"Results per page, 1 to {MAX_PER_PAGE}.",
                               {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE,
                                "default": DEFAULT_PER_PAGE}),
                    _parameter("facet_size", f"Values listed per facet, 0 to {MAX_FACET_SIZE}, the commonest first "
                               "(years: newest first); selected values are listed whatever the size.",
                               {"type": "integer", "minimum": 0, "maximum": MAX_FACET_SIZE,
                                "default": FACET_SIZE}),
                    _parameter(AS_TYPED_PARAMETER, "1: search q exactly as typed, correcting no word and reading "
                               "none as Greeklish (what `correction.as_typed_url` asks). Default 0: a misspelled "
                               "word or Greeklish is corrected, and `correction.applied` says so.",
                               {"type": "string", "enum": ["0", "1", "true", "false", "yes", "no"], "default": "0"}),
                    _parameter("group", "A hit's `group`: lists every document of that near-duplicate group "
                               "(none collapsed), narrowed by any other parameter given. Without it a page shows "
                               "each group once, its best-ranked member, with the others counted in `similar`.",
                               {"type": "string", "maxLength": MAX_GROUP_CHARS}),
                ],
                "responses": {
                    "200": _from_generation(_json("SearchAnswer", "One page of results, the facets and a spelling "
                                                                  "suggestion.")),
                    "400": _json("ErrorAnswer", "A parameter is unknown (the message lists the known ones: "
                                          f"{', '.join(sorted(PARAMETERS))}) or invalid: page 0, "
                                          "per_page over the maximum, "
                                          "a date that is not a date, an unknown sort, from after to, "
                                          "an as_typed other than 1/0, "
                                          f"q over {MAX_QUERY_CHARS} characters, page x per_page over "
                                          f"{MAX_RESULT_WINDOW}, undated with from/to, a municipality, region or "
                                          "official naming no known value (the message names the closest)."),
                    **OVERSIZED,
                    "503": UNAVAILABLE,
                },
            },
        },
        "/api/documents/{id}": {
            "get": {
                "operationId": "getDocument",
                "summary": "One whole document",
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"},
                                "description": "The `id` of a search result."}],
                "responses": {
                    "200": _from_generation(_json("DocumentAnswer", "The document with all its fields.")),
                    "308": {"description": "The path had doubled slashes: the same path with single ones "
                                           "is in the Location header."},
                    "404": _json("ErrorAnswer", "No document has this id."),
                    **OVERSIZED,
                    "503": UNAVAILABLE,
                },
            },
        },
        "/api/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This document",
                "responses": {"200": {"description": "The OpenAPI 3.1 description of this API.",
                                      "content": {"application/json": {"schema": {"type": "object"}}}},
                              **OVERSIZED},
            },
        },
        "/health": {
            "get": {
                "operationId": "health",
                "summary": "Whether the index can answer searches",
                "responses": {
                    "200": _json("Health", "The index is live."),
                    "503": _json("Health", "No usable index: `status` is `error` and `message` says why."),
                    **OVERSIZED,
                },
            },
        },
    },
    "components": {"schemas": COMPONENTS},
}

# Alerts and export take the search's own parameters (web/feeds.py, web/export.py).
_SEARCH_PARAMETERS = [p for p in OPENAPI["paths"]["/api/search"]["get"]["parameters"]
                      if p["name"] not in ("page", "per_page")]
_VALIDATORS = {
    "ETag": {"description": "Names the index generation and the request; send it back as If-None-Match.",
             "schema": {"type": "string"}},
    "Last-Modified": {"description": "When the answering index generation went live (a reindex or a rollback); "
                                     "send it back as If-Modified-Since.", "schema": {"type": "string"}},
}
_NOT_MODIFIED = {"description": "If-None-Match or If-Modified-Since already has this answer: the index "
                                "generation has not changed since. No body.", "headers": _VALIDATORS}
_INVALID = _json("ErrorAnswer", "A parameter is invalid, as for /api/search.")
# /api/search is cached the same way; its ETag is weak (W/"…"): equal answers differ in took_ms.
OPENAPI["paths"]["/api/search"]["get"]["responses"]["304"] = _NOT_MODIFIED
OPENAPI["paths"]["/feeds/search.atom"] = {
    "get": {
        "operationId": "searchFeed",
        "summary": "An Atom feed of a search: its newest results, newest first, for a feed reader",
        "description": "The search page links it (`<link rel=\"alternate\" type=\"application/atom+xml\">` and "
                       "«Ειδοποιήσεις (Atom)»). The newest 50 results whatever `sort` says; one entry per "
                       "document, its id and link the document page, updated its date (midnight UTC).",
        "parameters": [p for p in _SEARCH_PARAMETERS if p["name"] != "sort"],
        "responses": {
            "200": {"description": "An Atom 1.0 feed (RFC 4287).", "headers": _VALIDATORS,
                    "content": {"application/atom+xml": {"schema": {"type": "string"}}}},
            "304": _NOT_MODIFIED,
            "400": _INVALID,
            **OVERSIZED,
            "503": UNAVAILABLE,
        },
    },
}
OPENAPI["paths"]["/export/search.{format}"] = {
    "get": {
        "operationId": "searchExport",
        "summary": "Every result of a search as a file, in its order, up to the result window",
        "description": f"All results (at most {MAX_RESULT_WINDOW}), streamed. `csv`: UTF-8 with a byte-order "
                       "mark (Excel reads the Greek), columns id, title, date, municipality (`; `-joined), "
                       "officials (`name (role)`, `; `-joined), doc_type, url, page (the document's page), "
                       "snippet (plain text). `json`: {\"query\", \"results\"} with the results of /api/search.",
        "parameters": [{"name": "format", "in": "path", "required": True,
                        "schema": {"type": "string", "enum": ["csv", "json"]}}, *_SEARCH_PARAMETERS],
        "responses": {
            "200": {"description": "The file, as an attachment (dimos-search.csv or dimos-search.json).",
                    "headers": {**_VALIDATORS, "Content-Disposition": {"schema": {"type": "string"}}},
                    "content": {"text/csv": {"schema": {"type": "string"}},
                                "application/json": {"schema": {
                                    "type": "object", "required": ["query", "results"],
                                    "properties": {"query": _ref("Query"),
                                                   "results": {"type": "array", "items": _ref("Hit")}}}}}},
            "304": _NOT_MODIFIED,
            "400": _INVALID,
            "404": _json("ErrorAnswer", "A format other than csv or json."),
            **OVERSIZED,
            "503": UNAVAILABLE,
        },
    },
}

# A facet's every value over a search (web/facets.py): the search's parameters, then the listing's own.
OPENAPI["paths"]["/api/facets/{facet}"] = {
    "get": {
        "operationId": "facetValues",
        "summary": "Every value of one facet over a search, with counts, found by a typed text, paged",
        "description": "Counts follow the search's facets (the query and the other facets' filters). "
                       "Municipalities come grouped under their regions. The page /facets/{facet} shows the same "
                       "with a filter box. `page` here pages the values, not the results.",
        "parameters": [
            {"name": "facet", "in": "path", "required": True, "schema": {"type": "string", "enum": list(FACETS)}},
            *_SEARCH_PARAMETERS,
            _parameter("filter", "Find values by any form: accents, case, genitive or nominative, Greeklish "
                       "(`rodos`, `chania`) or the beginning of a word (`rod`) all find «Δήμος Ρόδου». "
                       f"At most {MAX_FILTER_CHARS} characters.", {"type": "string", "maxLength": MAX_FILTER_CHARS}),
            _parameter("page", "Page of values, from 1.", {"type": "integer", "minimum": 1, "default": 1}),
            _parameter("size", f"Values per page, 1 to {MAX_FACET_PAGE_SIZE}.",
                       {"type": "integer", "minimum": 1, "maximum": MAX_FACET_PAGE_SIZE,
                        "default": DEFAULT_FACET_PAGE_SIZE}),
        ],
        "responses": {
            "200": _from_generation(_json("FacetListing", "One page of the facet's values.")),
            "304": _NOT_MODIFIED,
            "400": _json("ErrorAnswer", "A parameter is invalid, as for /api/search, or size is out of range."),
            "404": _json("ErrorAnswer", "No facet has this name."),
            **OVERSIZED,
            "503": UNAVAILABLE,
        },
    },
}

def _cacheable(response: dict[str, Any]) -> dict[str, Any]:
    """An answer that also carries the generation's ETag and Last-Modified (304 on a match)."""
    return {**response, "headers": {**response["headers"], **_VALIDATORS}}


def _entity_path(kind: str, schema: str, example: str) -> dict[str, Any]:
    return {"get": {
        "operationId": f"get{schema.removesuffix('Profile')}",
        "summary": f"A {kind}'s page as JSON (the HTML page is the same path without /api)",
        "description": "Made of searches filtered by it: `documents.links.search` is that search, "
                       "`documents.links.feed` its Atom feed. The only parameter is `page` (of `documents.latest`, "
                       "20 a page, newest first); any other is a 400.",
        "parameters": [{"name": "slug", "in": "path", "required": True, "schema": {"type": "string"},
                        "description": f"The name in Latin letters (ELOT 743), e.g. `{example}`; the `slug` of "
                                       "an Entity in any answer."},
                       _parameter("page", "Page of the latest documents, from 1.",
                                  {"type": "integer", "minimum": 1, "maximum": MAX_RESULT_WINDOW, "default": 1})],
        "responses": {
            "200": _cacheable(_from_generation(_json(schema, f"The {kind}."))),
            "304": _NOT_MODIFIED,
            "400": _json("ErrorAnswer", "An unknown parameter, or a page that is not a whole number from 1."),
            "404": _json("ErrorAnswer", f"No {kind} of the index has this slug."),
            **OVERSIZED,
            "503": UNAVAILABLE,
        },
    }}


OPENAPI["paths"]["/api/officials/{slug}"] = _entity_path("person", "OfficialProfile", "panagiotis-simandirakis")
OPENAPI["paths"]["/api/municipalities/{slug}"] = _entity_path("municipality", "MunicipalityProfile", "dimos-chanion")
OPENAPI["paths"]["/api/complete"] = {
    "get": {
        "operationId": "complete",
        "summary": "Completions of the last, partly typed word of q: the index's words and entity names",
        "description": "Names of municipalities and people (at most 3) whose any word starts with it, in Greek "
                       "(any accent or case) or Latin letters (`chan` finds «Δήμος Χανίων»), then the index's "
                       "words (folded: no accents), most documents first; 8 in all. Empty when q is empty or "
                       "ends with a space. The search page's script (static/complete.js) offers them.",
        "parameters": [_parameter("q", "What has been typed so far.", {"type": "string"})],
        "responses": {
            "200": _from_generation(_json("CompletionAnswer", "Completions, best first.")),
            "400": _json("ErrorAnswer", "A parameter other than q."),
            **OVERSIZED,
            "503": UNAVAILABLE,
        },
    },
}
