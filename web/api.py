"""The JSON API: the same search as the page, a whole document, the OpenAPI contract, health."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from search.answers import DocumentAnswer
from search.backend import Backend
from search.request import SearchRequest

from .state import get_engine, get_service
from .caching import Validators, allow_any_origin, conditional_get
from .errors import error_response
from .links import parse_args, with_as_typed_url
from .openapi import OPENAPI

bp = Blueprint("api", __name__)


@bp.after_request
def cors(response: Response) -> Response:
    """The API is public and read-only (GET only): any origin may read it."""
    return allow_any_origin(response)


@bp.get("/api/search")
def search() -> Any:
    def answer(engine: Backend, search_request: SearchRequest, _: Validators) -> Response:
        return jsonify(with_as_typed_url(engine.search(search_request), search_request).as_json())

    return conditional_get(lambda: parse_args(request.args), answer, weak=True)


@bp.get("/api/documents/<path:doc_id>")
def document(doc_id: str) -> Any:
    found = get_engine().get_document(doc_id)
    if found is None:
        return error_response(404, "not_found", f"No document has the id '{doc_id}'.",
                              f"Δεν υπάρχει έγγραφο με αναγνωριστικό '{doc_id}'.", "id")
    return jsonify(DocumentAnswer.of(found).as_json())


@bp.get("/api/openapi.json")
def openapi() -> Any:
    return jsonify(OPENAPI)


@bp.get("/health")
def health() -> Any:
    state = get_service().health()
    return jsonify(state.as_json()), 200 if state.ok else 503
