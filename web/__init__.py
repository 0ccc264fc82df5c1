"""The web layer: the search page and the JSON API on the search core.

This module is only the app factory; the app's state (its search service) is in
web/state.py.  `web` imports `search`, never the reverse.  `flask --app web run --debug` finds
`create_app` here; `dimos-search serve` runs the same app under waitress.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, abort, render_template, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from search.config import Settings
from search.store import IndexUnavailable

from . import api, complete, entities, export, facets, feeds, state, views
from .errors import error_response
from .links import greek_date
from .state import MAX_BODY_BYTES, MAX_QUERY_STRING_BYTES

# A browser showing "index being prepared" tries again by itself after this many seconds.
RETRY_AFTER_SECONDS = 30

# Sent with every response.  The pages work without script; the only script is the app's own
# search-as-you-type file (static/complete.js, fetching /api/complete), so scripts and fetches from
# the app itself only, never inline: nothing a document or a query smuggles into a page can run,
# load or be framed.  no-referrer: a search URL names what a citizen looked for; it never leaves the site.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; "
                               "img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Configured from the environment (DIMOS_INDEX_DIR, ...) unless `test_config` says otherwise."""
    app = Flask(__name__)
    settings = Settings.from_env()
    app.config.from_mapping(INDEX_DIR=settings.index_dir, BACKEND=settings.backend)
    if test_config is not None:
        app.config.from_mapping(test_config)
    state.init_app(app)

    # Greek as real UTF-8, keys in the documented order.
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.mimetype = "application/json; charset=utf-8"  # type: ignore[attr-defined]
    app.jinja_env.filters["greek_date"] = greek_date

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(export.bp)
    app.register_blueprint(facets.bp)
    app.register_blueprint(entities.bp)
    app.register_blueprint(complete.bp)
    _register_error_handlers(app)
    _add_security_headers(app)
    _refuse_oversized_requests(app)
    return app


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/health"


def _add_security_headers(app: Flask) -> None:
    """Every answer (pages, JSON, static files, errors) carries SECURITY_HEADERS."""

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.update(SECURITY_HEADERS)
        return response


def _refuse_oversized_requests(app: Flask) -> None:
    """A query string over MAX_QUERY_STRING_BYTES (414) or a body (413) is refused before anything parses it."""
    if app.config["MAX_CONTENT_LENGTH"] is None:  # Flask's default: no limit
        app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES

    @app.before_request
    def refuse_oversized() -> None:
        size = len(request.query_string)
        if size > MAX_QUERY_STRING_BYTES:
            abort(414, f"The query string is {size:,} bytes; at most {MAX_QUERY_STRING_BYTES:,} are accepted. "
                       "Shorten the search.")
        body = request.content_length or 0
        if body > app.config["MAX_CONTENT_LENGTH"]:
            abort(413, f"The request has a body of {body:,} bytes; this service takes none (GET only).")


def _register_error_handlers(app: Flask) -> None:
    """API paths always answer JSON errors, pages answer Greek HTML; neither shows a traceback.

    An unexpected exception reaches `http_error` too: outside debug mode Flask logs it and
    hands over a plain InternalServerError, never the exception itself.
    """

    @app.errorhandler(IndexUnavailable)
    def index_unavailable(error: IndexUnavailable):
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
        if _wants_json():
            return error_response(503, "index_unavailable",
                                  "The search index is being prepared; try again in a minute.",
                                  "Το ευρετήριο ετοιμάζεται· δοκιμάστε ξανά σε λίγο."), headers
        return render_template("unavailable.html", retry_after=RETRY_AFTER_SECONDS), 503, headers

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        message_el = GREEK_STATUS.get(code, GREEK_STATUS[500])
        # A 405 names the methods the URL does answer.
        headers = {"Allow": ", ".join(error.valid_methods or ())} if isinstance(error, MethodNotAllowed) else {}
        if _wants_json():
            return error_response(code, (error.name or "error").lower().replace(" ", "_"),
                                  error.description or error.name, message_el), headers
        return render_template("error.html", status=code, message=message_el), code, headers


GREEK_STATUS = {
    404: "Η σελίδα που ζητήσατε δεν υπάρχει.",
    405: "Η μέθοδος αυτή δεν επιτρέπεται εδώ.",
    413: "Το αίτημα έχει σώμα που δεν χρειάζεται: η υπηρεσία δέχεται μόνο αιτήματα GET χωρίς σώμα.",
    414: f"Η διεύθυνση είναι πολύ μεγάλη (πάνω από {MAX_QUERY_STRING_BYTES // 1024} KiB)· συντομέψτε την αναζήτηση.",
    500: "Κάτι πήγε στραβά από τη δική μας πλευρά. Δοκιμάστε ξανά σε λίγο.",
}
