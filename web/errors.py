"""The one shape of a JSON error: {"error": {"code", "message", "message_el", "parameter"}}.

Its own module, not web/api.py's, because web/caching.py answers the 400 of a request it cannot
parse in this shape, and web/api.py's routes use web/caching.py: the shape sits below both.
"""
from __future__ import annotations

from flask import Response, jsonify

from search.answers import ErrorAnswer, ErrorDetail


def error_response(status: int, code: str, message: str, message_el: str,
                   parameter: str | None = None) -> Response:
    """The error `code` with `status`, said in English and in Greek, naming the `parameter` at fault, if any."""
    detail = ErrorDetail(code=code, message=message, message_el=message_el, parameter=parameter)
    response = jsonify(ErrorAnswer(error=detail).as_json())
    response.status_code = status
    return response
