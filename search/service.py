"""Serving searches: the engine of the live generation, switched when a reindex switches CURRENT.

Data flows one way: reindex -> store (generations on disk), and web -> service ->
engine.  The store knows files and generations, never an engine; the service asks
it which generation answers (`IndexStore.serving`) and keeps that generation's
engine open.  A generation never changes, so its engine (with its facet columns
and vocabulary) is kept for as long as the generation answers.
"""
from __future__ import annotations

import datetime as dt
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from .answers import Health
from .backend.whoosh.engine import SearchEngine
from .backend.whoosh.writer import open_index
from .store import POINTER, IndexStore, IndexUnavailable

if TYPE_CHECKING:
    from .sphinx.service import ClusterService


# A new generation of at most this many documents is waited for by the requests that meet it: it
# opens (columns, probe, vocabulary) in about 0.3 s, scaled from the 1.5 s measured at 10,000
# documents, so its first request already sees the reindex.  A larger one is opened in the
# background while the previous generation answers (benchmarks/load.py --during-reindex prints the
# first answers after a switch).  A count, not a timer, so that which generation answers does not
# depend on how loaded the machine is.
WAIT_FOR_GENERATIONS_UPTO = 2_000

# While a generation opens, Python's switch interval is lowered from its 5 ms to this.  Reading the
# columns and the vocabulary is pure Python (about 4 s at 100,000 documents), and a request of the
# answering generation that gives up the GIL (a file read, a numpy call) waited up to the whole
# interval to get it back, each time.  Measured in process at 100,000 documents, 3 runs each: the
# two-word queries with counts that the previous generation answered while the next one opened took
# at most 663-935 ms at 5 ms, 235-272 ms at 0.2 ms (medians 12-19 against 19-20 ms); the opening
# took 3.7-4.5 s against 4.4-4.5 s.
OPENING_SWITCH_INTERVAL = 0.000_2


class _FinerSwitching:
    """A context in which the interpreter's switch interval is OPENING_SWITCH_INTERVAL (nestable, any threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._inside = 0
        self._restore = sys.getswitchinterval()  # read again on each first entry

    def __enter__(self) -> None:
        with self._lock:
            if self._inside == 0:
                self._restore = sys.getswitchinterval()
                sys.setswitchinterval(OPENING_SWITCH_INTERVAL)
            self._inside += 1

    def __exit__(self, *exc_info: object) -> None:
        with self._lock:
            self._inside -= 1
            if self._inside == 0:
                sys.setswitchinterval(self._restore)


# The process's one: while any generation opens, requests share the GIL finely.
finer_switching = _FinerSwitching()


class SearchService:
    """The engine answering searches on an index directory, and its health; safe to share between threads.

    When the answering generation changes, the first request that sees it starts
    opening its engine in a background thread: the facet and date columns, the
    probe search and the Greeklish vocabulary, so that no query of the new generation
    waits for any of them, nor shares the GIL with their reading.
    Requests arriving meanwhile are answered by the engine of the previous generation,
    still intact on disk, and name that generation: no request waits for the opening of a
    large generation.  A small one (WAIT_FOR_GENERATIONS_UPTO documents) is waited for, as
    is any generation with no engine to fall back on: the first requests after start-up,
    which is why `dimos-search serve` asks for its health before it listens.

    A generation's engine runs a probe search when it opens and at every health check
    (`SearchEngine.probe`); a generation whose probe fails is not searched again, and
    the newest other generation that verifies answers instead, as for one that fails
    verification.
    """

    def __init__(self, store: IndexStore):
        self.store = store
        self._lock = threading.Lock()  # held for dictionary updates only, never while an engine opens
        self._current: tuple[str, SearchEngine] | None = None
        self._opening: dict[str, threading.Event] = {}
        self._unusable: dict[str, str] = {}  # generation -> why it could not be opened or probed

    def engine(self) -> SearchEngine:
        """The engine answering searches now; callers keep it for a whole request."""
        return self.live()[1]

    def went_live(self, generation: str) -> dt.datetime:
        """When the live generation became live (CURRENT's mtime, so a rollback counts too): Last-Modified."""
        return dt.datetime.fromtimestamp((self.store.root / POINTER).stat().st_mtime, dt.timezone.utc)

    def live(self) -> tuple[str, SearchEngine]:
        """The generation that answers searches and its engine, read together (CURRENT once)."""
        with self._lock:
            unusable = dict(self._unusable)
        _, serving = self.store.serving(unusable)
        with self._lock:
            current = self._current
            if current is not None and current[0] == serving:
                return current
            opening = self._opening.get(serving)
            if opening is None:
                opening = self._opening[serving] = threading.Event()
                threading.Thread(target=self._open, args=(serving,), name=f"open {serving}", daemon=True).start()
        if current is not None and not self.store.checked(current[0]) and self._large(serving):
            return current
        opening.wait()
        return self.live()  # now open, or unusable and another generation answers

    def _large(self, generation: str) -> bool:
        """Whether `generation` holds more than WAIT_FOR_GENERATIONS_UPTO documents (False if unknown)."""
        try:
            return self.store.build_info(generation).documents > WAIT_FOR_GENERATIONS_UPTO
        except (OSError, ValueError, KeyError):  # no readable BUILD.json: waited for, as before the switch
            return False

    def _open(self, generation: str) -> None:
        """Open and warm `generation`'s engine, probe it, then make it the current one (its own thread).

        The engine is made current only once its vocabulary is read too: reading it is
        pure Python, and a plain query of the new engine beside it waited as long for the GIL
        (774 ms for a 20 ms query at 100,000 documents, measured in process).  The whole
        opening runs with a shorter switch interval (`finer_switching`).  A generation that
        cannot be opened or probed is searched no more by this service (until a restart):
        the next generation that verifies answers, or IndexUnavailable.
        """
        try:
            with finer_switching:
                engine = SearchEngine(open_index(self.store.root / generation))
                engine.vocabulary()
        except Exception as error:  # Whoosh raises many kinds on damaged files
            with self._lock:
                self._unusable[generation] = (f"index generation {generation} cannot be opened "
                                              f"({type(error).__name__})")
                self._opening.pop(generation).set()
            return
        probed = self._probed(generation, engine)
        with self._lock:
            if probed:
                self._current = (generation, engine)
            self._opening.pop(generation).set()

    def _probed(self, generation: str, engine: SearchEngine) -> bool:
        """Whether `engine` answers its probe search; if not, `generation` is searched no more."""
        try:
            engine.probe()
            return True
        except Exception as error:  # whatever a damaged index raises
            with self._lock:
                self._unusable[generation] = f"a probe search on generation {generation} failed ({type(error).__name__})"
                if self._current is not None and self._current[0] == generation:
                    self._current = None
            return False

    def close(self) -> None:
        """Close the engine this service opened (its generation's files); the service is not used after."""
        with self._lock:
            current, self._current = self._current, None
        if current is not None:
            current[1].close()

    def health(self) -> Health:
        """The state `GET /health` reports; never raises.

        `generation` is the live one (named by CURRENT, else the newest that verifies),
        `serving` the one that answers searches: the same when all is well, the newest
        generation that verifies when the live one is damaged (status "error", the
        message names the damage), None when none can answer.  Its message goes to
        anyone on the web: it names generations and files, never a path on the server.
        """
        store = self.store
        generation = store.current_generation()
        problems = store.checked(generation) if generation else ["no index has been built yet"]
        serving: str | None = None
        try:
            serving, engine = self.live()
            if not self._probed(serving, engine):
                serving, engine = self.live()
            documents = engine.document_count()
            info = store.build_info(serving)
        except Exception as error:  # a health check reports a damaged index, whatever Whoosh raised
            serving, documents, info = None, 0, None
            problems = problems or [str(error) if isinstance(error, IndexUnavailable) else
                                    f"index generation {generation} is damaged ({type(error).__name__})"]
        with self._lock:
            probe_problem = self._unusable.get(generation) if generation else None
        problems = problems or ([probe_problem] if probe_problem else [])
        if not problems:
            return Health(status="ok", documents=documents, generation=generation, serving=serving,
                          built_at=info.built_at, message=None)
        answered = (f"; searches are answered from {serving}, the newest generation that verifies"
                    if serving else "")
        return Health(status="error", documents=documents, generation=generation, serving=serving,
                      built_at=info.built_at if info else None,
                      message=f"{'; '.join(problems)}{answered}; run `dimos-search reindex` to (re)build it")


def open_service(index_dir: Path, backend: str | None = None) -> SearchService | ClusterService:
    """The service of the configured backend (search.config.Settings.backend): the embedded Whoosh
    index in `index_dir` when `backend` is None, else a cluster named by a `sphinx://` address list.

    The cluster's client (pymysql) is imported only when a cluster is configured, so the embedded
    default needs nothing beyond Whoosh.
    """
    if backend is None:
        return SearchService(IndexStore(index_dir))
    if not backend.startswith("sphinx://"):
        raise ValueError(f"DIMOS_BACKEND must be unset or sphinx://host:port,...; got {backend!r}")
    from .sphinx.service import ClusterService

    return ClusterService.from_url(backend)
