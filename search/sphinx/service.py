"""The cluster as the service the web app asks: one generation's backend per request, and health.

It offers what search.service.SearchService offers the web layer (`live`, `engine`,
`health`, `went_live`), so web/ never knows which backend answers.  A request keeps
the ClusterGeneration it was given: every statement of its answer runs on that
generation's slot (search.sphinx.searcher), so an answer never mixes two generations
while a reindex switches the pointer.
"""
from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

from ..completion import SortedWords
from ..answers import FacetListing, Health, NodeHealth, SearchAnswer, ShardHealth
from ..greeklish import GreekVocabulary
from ..documents import Document
from ..querylang import Clause, Expansions
from ..request import FacetListingRequest, SearchRequest
from ..store import IndexUnavailable
from .nodes import ClusterUnavailable
from .searcher import ClusterSearcher
from .topology import Topology
from .writer import Pointer, read_pointer

T = TypeVar("T")


class ClusterGeneration:
    """One generation of the cluster behind the Backend protocol (search.backend)."""

    def __init__(self, searcher: ClusterSearcher, pointer: Pointer):
        self._searcher = searcher
        self.pointer = pointer
        # Read now, in the searcher's own thread: a Latin or misspelled word is what waits for it.
        searcher.vocabulary(pointer)
        self._sorting = threading.Lock()
        self._sorted: SortedWords | None = None

    def document_count(self) -> int:
        return self._answered(lambda: self._searcher.document_count(self.pointer))

    def get_document(self, doc_id: str) -> Document | None:
        return self._answered(lambda: self._searcher.get_document(self.pointer, doc_id))

    def search(self, request: SearchRequest) -> SearchAnswer:
        return self._answered(lambda: self._searcher.search_generation(request, at=self.pointer)[1])

    def probe(self) -> None:
        self.search(SearchRequest(q="", per_page=1))

    def facet_listing(self, listing: FacetListingRequest) -> FacetListing:
        return self._answered(lambda: self._searcher.facet_listing(self.pointer, listing))

    def known_values(self, facet: str) -> tuple[str, ...]:
        return self._answered(lambda: self._searcher.known_values(self.pointer, facet))

    def facet_values(self, facet: str) -> dict[str, int]:
        """Every value of a facet with its documents (the entity pages' directory)."""
        return self._answered(lambda: self._searcher.facet_values(self.pointer, facet))

    def vocabulary(self) -> GreekVocabulary:
        """The generation's folded words with their documents (waits for its first reading)."""
        return self._answered(lambda: self._searcher.vocabulary(self.pointer).result())

    def expansions(self, searcher: object, clauses: Sequence[Clause]) -> Expansions:
        """The Greeklish readings and corrections a query runs with, as its search applies them (the
        document page marks what the search matched)."""
        return self._answered(lambda: self._searcher.expansions(self.pointer, clauses))

    def searcher(self) -> ClusterSearcher:
        return self._searcher

    def complete_word(self, prefix: str, limit: int) -> list[tuple[str, int]]:
        """Indexed words (folded) starting with the folded `prefix`, most documents first, with their
        documents: Whoosh's answer, from the generation's vocabulary (completion.SortedWords, sorted
        once, on the first completion: the vocabulary is read by then or waited for)."""
        with self._sorting:
            if self._sorted is None:
                self._sorted = SortedWords(self.vocabulary())
        return self._sorted.complete(prefix, limit)

    @staticmethod
    def _answered(call: Callable[[], T]) -> T:
        """The call's result; a cluster that cannot answer in full is an unavailable index (HTTP 503)."""
        try:
            return call()
        except ClusterUnavailable as error:
            raise IndexUnavailable(str(error)) from error


class ClusterService:
    """The live generation of a cluster and its health; safe to share between threads."""

    def __init__(self, topology: Topology):
        self.topology = topology
        self.searcher = ClusterSearcher(topology)
        self._lock = threading.Lock()
        self._seen: dict[Pointer, dt.datetime] = {}
        self._generation: ClusterGeneration | None = None

    @classmethod
    def from_url(cls, url: str) -> ClusterService:
        return cls(Topology.from_url(url))

    def live(self) -> tuple[str, ClusterGeneration]:
        """The generation the nodes name now and its backend (read once per request)."""
        pointer = read_pointer(self.topology)
        if pointer is None:
            raise IndexUnavailable("no node of the cluster answers with a generation; "
                                   "run `dimos-search cluster reindex`")
        with self._lock:
            self._seen.setdefault(pointer, dt.datetime.now(dt.timezone.utc))
            if self._generation is None or self._generation.pointer != pointer:
                # One object per generation: what web/ keeps per engine (the entity directory) is kept.
                self._generation = ClusterGeneration(self.searcher, pointer)
            return str(pointer.generation), self._generation

    def engine(self) -> ClusterGeneration:
        return self.live()[1]

    def went_live(self, generation: str) -> dt.datetime:
        """When this server first saw `generation` (the nodes keep no switch time): Last-Modified."""
        with self._lock:
            seen = [at for pointer, at in self._seen.items() if str(pointer.generation) == generation]
        return min(seen, default=dt.datetime.now(dt.timezone.utc))

    def health(self) -> Health:
        """Each node and shard; status degraded while a shard answers from its mirror only, error
        (HTTP 503) when a shard has no live copy or no generation answers.  Never raises."""
        state = self.searcher.health()
        nodes = [NodeHealth(**n) for n in state["nodes"]]
        shards = [ShardHealth(**s) for s in state["shards"]]
        pointer = read_pointer(self.topology) if state["status"] != "down" else None
        documents, message = 0, None
        if state["status"] == "down":
            down = [s.shard for s in shards if s.status == "down"]
            message = f"shards {down} have no live copy: searches would miss their documents; start their nodes"
        elif pointer is None:
            message = "the cluster holds no generation yet; run `dimos-search cluster reindex`"
        else:
            try:
                documents = self.searcher.document_count(pointer)
            except Exception as error:  # a health check reports, whatever the client raised
                message = f"the cluster did not answer a count ({type(error).__name__})"
        status = "error" if message else ("degraded" if state["status"] == "degraded" else "ok")
        generation = str(pointer.generation) if pointer else None
        return Health(status=status, documents=documents, generation=generation,
                      serving=generation if status != "error" else None, built_at=None, message=message,
                      nodes=nodes, shards=shards)
