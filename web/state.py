"""The app's state, as Flask's tutorial keeps its database in `flaskr/db.py`.

`init_app` gives an app its SearchService (on the index directory of its config);
views reach it through `get_service`, and `get_engine` keeps the answering engine
on `g` for the whole request (its searches let in by web/admission.py), so every
part of one answer comes from one index generation and the response can name it
(GENERATION_HEADER).  Blueprints import from here, never from web/__init__.py,
which is only the app factory.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask, Response, current_app, g

from search.answers import Health
from search.backend import Backend
from search.service import SearchService, open_service
from search.store import IndexStore

from .admission import Admission, AdmittedEngine

if TYPE_CHECKING:
    from search.sphinx.service import ClusterService

# Names the index generation that answered: during a reindex an operator (or the load test)
# can tell which index a result came from.
GENERATION_HEADER = "X-Index-Generation"
# A search URL is a few hundred bytes (500 Greek characters of q are 3,000 percent-encoded);
# 8 KiB is the request-line limit of Apache and nginx by default.
MAX_QUERY_STRING_BYTES = 8 * 1024
# Every route is GET: no request needs a body.
MAX_BODY_BYTES = 1024

_EXTENSION = "search_service"
_ADMISSION = "search_admission"


def init_app(app: Flask) -> None:
    """Give `app` a search service on its INDEX_DIR (or its BACKEND, when one is configured: search.service),
    and name the answering generation in every response."""
    app.extensions[_EXTENSION] = open_service(Path(app.config["INDEX_DIR"]), app.config.get("BACKEND"))
    app.extensions[_ADMISSION] = Admission()
    app.after_request(_name_generation)


def open_before_serving(app: Flask) -> Health:
    """Open the answering generation of `app`'s service now (engine, probe, vocabulary), and its health.

    With no engine to fall back on, the first requests would wait for that opening (about
    3 s at 100,000 documents), so `dimos-search serve` calls this before it listens.
    """
    return app.extensions[_EXTENSION].health()


def get_service() -> SearchService | ClusterService:
    return current_app.extensions[_EXTENSION]


def get_store() -> IndexStore:
    return get_service().store


def get_engine() -> Backend:
    """The answering generation's engine, kept for the whole request; the response names its generation.

    Its searches wait for a slot of the app's Admission (web/admission.py)."""
    if "search_engine" not in g:
        g.index_generation, engine = get_service().live()
        g.search_engine = AdmittedEngine(engine, current_app.extensions[_ADMISSION])
    return g.search_engine


def _name_generation(response: Response) -> Response:
    if "index_generation" in g:
        response.headers[GENERATION_HEADER] = g.index_generation
    return response
