"""Searches let in a few at a time and costly ones one at a time, so nothing cheap waits behind them.

Searches are CPU-bound Python: under the interpreter lock the server's threads share one core's
worth of work however many there are.  With every thread busy with the costliest request the API
allows (12 ORs of common words, a hundred results a page), a cheap search and /health waited for
a free thread and then for the lock: their maxima were 305 and 207 ms while 4 clients sent it
(`python benchmarks/costliest.py`, the 127 laws), against a 250 ms target.  So the server runs
more threads than it lets search (web/cli.py), a request that asks for much work waits for the one
costly slot before it takes a search slot, and a request that is no search never waits at all.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from search.backend import Backend
from search.querylang import parse_query
from search.request import SearchRequest

# Searches answered at once: the thread count measured best for searches alone (web/cli.py's
# WAITRESS comment: 8 at once made their p95 0.98 s against 0.62 s with 4).
SEARCHES_AT_ONCE = 4
# Costly searches answered at once; the others wait, holding a thread but not the interpreter.
COSTLY_AT_ONCE = 1
# A search is costly from this much work: results a page times the words it looks up (ORed
# alternatives included).  The page's default asks 20 × 1-3; the costliest request 100 × 12.
COSTLY_WORK = 300


def search_work(request: SearchRequest) -> int:
    """Results a page times the words the query looks up (each alternative of an OR counted)."""
    words = sum(len(clause.words) + sum(len(alt.words) for alt in clause.alternatives)
                for clause in parse_query(request.q))
    return request.per_page * max(1, words)


class Admission:
    """The search slots of one app, shared by its threads."""

    def __init__(self, searches: int = SEARCHES_AT_ONCE, costly: int = COSTLY_AT_ONCE):
        self._searches = threading.BoundedSemaphore(searches)
        self._costly = threading.BoundedSemaphore(costly)

    @contextmanager
    def admitted(self, request: SearchRequest) -> Iterator[None]:
        """Held while `request` is searched: a costly one takes the costly slot first."""
        if search_work(request) >= COSTLY_WORK:
            with self._costly, self._searches:
                yield
        else:
            with self._searches:
                yield


class AdmittedEngine:
    """An engine whose searches go through the app's Admission; everything else is the engine's own."""

    def __init__(self, engine: Backend, admission: Admission):
        self._engine = engine
        self._admission = admission

    def search(self, request: SearchRequest) -> Any:
        with self._admission.admitted(request):
            return self._engine.search(request)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._engine, name)
