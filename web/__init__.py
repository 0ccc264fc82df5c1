"""The web layer: the search page and the JSON API on the search core.

`web` imports `search`, never the reverse.  `flask --app web run --debug` finds
`create_app` here; `dimos-search serve` runs the same app under waitress.
"""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, g, render_template, request
from werkzeug.exceptions import HTTPException

from search.config import Settings
from search.query import SearchEngine
from search.store import IndexStore, IndexUnavailable

from .links import greek_date

# A browser showing "index being prepared" tries again by itself after this many seconds.
RETRY_AFTER_SECONDS = 30
# Names the index generation that answered: during a reindex an operator (or the load test)
# can tell which index a result came from.
GENERATION_HEADER = "X-Index-Generation"


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Configured from the environment (DIMOS_INDEX_DIR, ...) unless `test_config` says otherwise."""
    app = Flask(__name__)
    app.config.from_mapping(INDEX_DIR=Settings.from_env().index_dir)
    if test_config is not None:
        app.config.from_mapping(test_config)
    app.extensions["index_store"] = IndexStore(Path(app.config["INDEX_DIR"]))

    # Greek as real UTF-8, keys in the documented order.
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.mimetype = "application/json; charset=utf-8"  # type: ignore[attr-defined]
    app.jinja_env.filters["greek_date"] = greek_date

    from . import api, views

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    _register_error_handlers(app)
    app.after_request(_name_generation)
    return app


def index_store() -> IndexStore:
    return current_app.extensions["index_store"]


def search_engine() -> SearchEngine:
    """The live generation's engine, kept for the whole request; the response names its generation."""
    g.index_generation, engine = index_store().live()
    return engine


def _name_generation(response: Response) -> Response:
    if "index_generation" in g:
        response.headers[GENERATION_HEADER] = g.index_generation
    return response


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/health"


def _register_error_handlers(app: Flask) -> None:
    """API paths always answer JSON errors, pages answer Greek HTML; neither shows a traceback."""
    from .api import error_response

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
        if _wants_json():
            return error_response(code, (error.name or "error").lower().replace(" ", "_"),
                                  error.description or error.name, GREEK_STATUS.get(code, GREEK_STATUS[500]))
        return render_template("error.html", status=code, message=GREEK_STATUS.get(code, GREEK_STATUS[500])), code


GREEK_STATUS = {
    404: "Η σελίδα που ζητήσατε δεν υπάρχει.",
    405: "Η μέθοδος αυτή δεν επιτρέπεται εδώ.",
    500: "Κάτι πήγε στραβά από τη δική μας πλευρά. Δοκιμάστε ξανά σε λίγο.",
}
