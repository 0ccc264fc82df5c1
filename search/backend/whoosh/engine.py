"""SearchEngine: one Whoosh index generation answering search requests.

The request is parsed by search.request and search.querylang, matched by
matchers.build_query and evaluated over generation.py's arrays, counted over facets.py's columns, expanded and suggested
by vocabulary.py, and highlighted by search.highlight.
"""
from __future__ import annotations

import math
import threading
import time
from concurrent.futures import Future
from collections.abc import Callable, Sequence

from whoosh import query as wq
from whoosh.index import Index
from whoosh.searching import Searcher

from ...analysis import Word
from ...answers import Hit, Official, Query, SearchAnswer
from ...documents import Document
from ...greeklish import Expansion, GreekVocabulary
from ...highlight import highlighter, snippet
from ...querylang import Clause, parse_query
from ...request import MAX_RESULT_WINDOW, SearchRequest
from . import vocabulary as lexicon
from .facets import facet_counts
from .generation import GenerationArrays
from .matchers import build_query
from .schema import from_stored


class SearchEngine:
    """Searches one index generation; safe to share between threads.

    Each thread searches with a searcher of its own, kept for the engine's life:
    a Whoosh reader seeks in shared files, so it cannot be shared between threads,
    and opening one per request re-read every segment's table of contents and
    stored-field offsets (~4 ms a request at 10,000 documents, growing with the
    index).  What is built once per generation is built when the engine is opened,
    never by a request under a lock other requests wait on: the arrays of
    generation.py (lengths, facet and date columns) in the opening thread (every
    search needs them), the Greeklish vocabulary in a background thread started
    then (only a Latin or misspelled word needs it, and a plain query must not wait
    for it).  A reindex makes a new generation, and search.service a new engine for it.
    """

    def __init__(self, ix: Index):
        self.ix = ix
        self._searchers = threading.local()
        self.arrays = GenerationArrays(self.searcher())
        self._vocabulary: Future[GreekVocabulary] = Future()
        threading.Thread(target=self._read_vocabulary, name="vocabulary", daemon=True).start()

    def _read_vocabulary(self) -> None:
        try:
            with self.ix.searcher() as searcher:  # this thread's own, closed when read
                self._vocabulary.set_result(lexicon.read_vocabulary(searcher.reader()))
        except BaseException as error:  # handed to the query that needs the vocabulary
            self._vocabulary.set_exception(error)

    def searcher(self) -> Searcher:
        """This thread's searcher of the generation (opened on the thread's first use)."""
        searcher = getattr(self._searchers, "searcher", None)
        if searcher is None:
            searcher = self._searchers.searcher = self.ix.searcher()
        return searcher

    def document_count(self) -> int:
        return self.searcher().doc_count()

    def get_document(self, doc_id: str) -> Document | None:
        stored = self.searcher().document(id=doc_id)
        return from_stored(stored) if stored else None

    def search(self, request: SearchRequest) -> SearchAnswer:
        started = time.perf_counter()
        clauses = parse_query(request.q)
        arrays = self.arrays
        searcher = self.searcher()
        expansions = self.expansions(searcher, clauses)
        # The query runs once, for its documents and scores; totals and facet counts
        # are masks of them and of each filter's documents.
        found = arrays.matches(searcher, build_query(clauses, expansions))
        matched = arrays.mask(found.ids)
        filters = arrays.filters(request)
        allowed = matched.copy()
        for mask in filters.values():
            allowed &= mask
        first = (request.page - 1) * request.per_page
        collapse = request.group is None  # a group's listing shows every member
        if request.effective_sort == "relevance":
            page = arrays.by_relevance(found, allowed, first, request.per_page, collapse)
        else:
            page = arrays.by_date(allowed, request.effective_sort == "newest", first, request.per_page, collapse)
        matches = highlighter(clauses, expansions)
        results = [self._result(searcher.stored_fields(docnum), score, matches, similar)
                   for docnum, score, similar in zip(page.docnums, page.scores, page.similar)]
        facets = facet_counts(arrays.facets, matched, filters, request)
        suggestion = lexicon.suggest(searcher, request.q, expansions)
        total = int(allowed.sum())
        return SearchAnswer(
            query=Query.of(request),
            total=total,
            # Pages that can be asked for (each near-duplicate group once): none past the result window.
            pages=min(math.ceil(page.distinct / request.per_page), MAX_RESULT_WINDOW // request.per_page),
            results=results,
            distinct=page.distinct,
            facets=facets,
            suggestion=suggestion,
            took_ms=round((time.perf_counter() - started) * 1000, 1),
        )

    def vocabulary(self) -> GreekVocabulary:
        """The folded words of the index with their document frequencies (waits for its first reading)."""
        return self._vocabulary.result()

    def expansions(self, searcher: Searcher, clauses: Sequence[Clause]) -> dict[str, Expansion]:
        """Greeklish readings and misspelling corrections for the plain words of the query."""
        return lexicon.expansions(searcher.reader(), clauses, self.vocabulary)

    def query_for(self, searcher: Searcher, text: str) -> wq.Query:
        """The Whoosh query for a typed query, Greeklish and misspellings expanded."""
        clauses = parse_query(text)
        return build_query(clauses, self.expansions(searcher, clauses))

    def _result(self, stored: dict, score: float | None, matches: Callable[[Word], bool], similar: int) -> Hit:
        document = from_stored(stored)
        excerpt = snippet(document.body or document.title, matches)
        return Hit(
            id=document.id,
            title=document.title,
            date=document.date,
            municipality=document.municipalities,
            officials=[Official(name=o.name, role=o.role) for o in document.officials],
            doc_type=document.doc_type,
            url=document.url,
            snippet=excerpt.text,
            highlights=list(excerpt.spans),
            score=round(score, 3) if score is not None else None,
            group=document.group,
            similar=similar,
        )
