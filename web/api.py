"""The JSON API: the same search as the page, a whole document, the OpenAPI contract, health."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, g, jsonify, request

from search.answers import DocumentAnswer, ErrorAnswer, ErrorDetail
from search.request import InvalidRequest

from .state import get_engine, get_service
from .caching import allow_any_origin, not_modified_response, validators
from .links import parse_args, with_as_typed_url
from .openapi import OPENAPI

bp = Blueprint("api", __name__)


def error_response(status: int, code: str, message: str, message_el: str,
                   parameter: str | None = None) -> Response:
    """The one error shape: {"error": {"code", "message", "message_el", "parameter"}}."""
    detail = ErrorDetail(code=code, message=message, message_el=message_el, parameter=parameter)
    response = jsonify(ErrorAnswer(error=detail).as_json())
    response.status_code = status
    return response


@bp.after_request
def cors(response: Response) -> Response:
    """The API is public and read-only (GET only): any origin may read it."""
    return allow_any_origin(response)


@bp.get("/api/search")
def search() -> Any:
    try:
        search_request = parse_args(request.args)
    except InvalidRequest as error:
        return error_response(400, "invalid_parameter", error.message, error.message_el, error.parameter)
    engine = get_engine()
    tags = validators(g.index_generation, request.full_path, weak=True)
    if tags.not_modified():
        return not_modified_response(tags)
    answer = with_as_typed_url(engine.search(search_request), search_request)
    return tags.apply(jsonify(answer.as_json()))


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
