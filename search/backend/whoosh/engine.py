"""SearchEngine: one Whoosh index generation answering search requests.

The request is parsed by search.request and search.querylang, matched by
matchers.build_query and evaluated over generation.py's arrays, counted over facets.py's columns, corrected or
suggested as search.corrections decides from vocabulary.py's evidence, and highlighted by search.highlight.
"""
from __future__ import annotations

import math
import threading
import time
from concurrent.futures import Future
from itertools import islice
from collections.abc import Callable, Sequence

import numpy as np
from whoosh import query as wq
from whoosh.index import Index
from whoosh.searching import Searcher

from ...analysis import Word, is_greek, words
from ...answers import Correction, FacetListing, Hit, Query, SearchAnswer
from ...completion import COMPLETION_SCAN, most_documents
from ...corrections import FEW_HITS, CorrectionPlan, answer_corrections, correction_plan
from ...documents import Document
from ...greeklish import Expansion, GreekVocabulary
from ... import highlight
from ...highlight import highlighter, snippet
from ...querylang import Clause, parse_query
from ...request import MAX_RESULT_WINDOW, FacetListingRequest, SearchRequest
from . import vocabulary as lexicon
from .facets import FACET_FIELDS, facet_counts, facet_listing
from .generation import GenerationArrays
from .matchers import build_query
from .posting_arrays import PostingArrays
from .proximity import Rescorer
from .schema import from_stored, whole_bodies

# The probe word is read from this much of the first document: a title and its first line.
PROBE_TEXT_CHARS = 500


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
        self._opened: list[Searcher] = []  # every thread's searcher, for close()
        self._opened_lock = threading.Lock()
        highlight.warm()
        self.arrays = GenerationArrays(self.searcher(), PostingArrays.beside(ix))
        self.probe_query = _probe_query(self.searcher())
        self._vocabulary: Future[GreekVocabulary] = Future()
        self._reading = threading.Thread(target=self._read_vocabulary, name="vocabulary", daemon=True)
        self._reading.start()

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
            with self._opened_lock:
                self._opened.append(searcher)
        return searcher

    def close(self) -> None:
        """Close the generation's files: wait for the vocabulary's reading, close every thread's searcher.

        For an engine no request uses any more (a service being shut down, a test's
        engine on a disk it unmounts): the searchers kept per thread would otherwise
        hold the generation's files open until garbage collection.
        """
        self._reading.join()
        with self._opened_lock:
            opened, self._opened = self._opened, []
        for searcher in opened:
            searcher.close()

    def document_count(self) -> int:
        return self.searcher().doc_count()

    def get_document(self, doc_id: str) -> Document | None:
        searcher = self.searcher()
        docnum = searcher.document_number(id=doc_id)
        if docnum is None:
            return None
        return from_stored(searcher.stored_fields(docnum), whole_bodies(searcher.reader())(docnum))

    def facet_values(self, facet: str) -> dict[str, int]:
        """Every value of a facet ("municipality", "official") in this generation, with its documents."""
        column = self.arrays.facets[FACET_FIELDS[facet]]
        return dict(zip(column.names, (int(n) for n in np.diff(column.starts))))

    def complete_word(self, prefix: str, limit: int) -> list[tuple[str, int]]:
        """Indexed words (folded) starting with the folded `prefix`, most documents first, and their documents.

        Whoosh's term dictionary is sorted, so the words of a prefix are one run of it; at most
        COMPLETION_SCAN of them are read, the rest of a very common prefix are not ranked."""
        reader = self.searcher().reader()
        terms = islice(reader.expand_prefix("exact", prefix), COMPLETION_SCAN)
        return most_documents(((term.decode("utf-8"), reader.doc_frequency("exact", term)) for term in terms), limit)

    def search(self, request: SearchRequest) -> SearchAnswer:
        started = time.perf_counter()
        clauses = parse_query(request.q)
        arrays = self.arrays
        searcher = self.searcher()
        plan = self.correction_plan(searcher, clauses, request.as_typed)
        expansions = plan.applied  # only the corrections the page announces change the query
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
            rescorer = Rescorer(searcher, lambda term: arrays.matches(searcher, term),
                                lambda *asked: arrays.postings.position_keys(searcher.reader(), *asked))
            found = rescorer.rescored(found, allowed, clauses, expansions)
            page = arrays.by_relevance(found, allowed, first, request.per_page, collapse)
        else:
            page = arrays.by_date(allowed, request.effective_sort == "newest", first, request.per_page, collapse)
        matches = highlighter(clauses, expansions)
        results = [self._result(searcher.stored_fields(docnum), score, matches, similar)
                   for docnum, score, similar in zip(page.docnums, page.scores, page.similar)]
        facets = facet_counts(arrays.facets, matched, filters, request)
        correction, suggestion = self._corrections(searcher, request.q, plan, filters)
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
            correction=correction,
            took_ms=round((time.perf_counter() - started) * 1000, 1),
        )

    def probe(self) -> None:
        """A cheap real search (a rare word of the first document, one result); raises if it cannot be answered.

        It reads the word's postings in the three ranked fields, a stored document and the
        facet columns: damage that a generation's checksums cannot see (bad data written at
        build time) shows here, where a health check can report it.
        """
        answer = self.search(SearchRequest(q=self.probe_query, per_page=1))
        if self.document_count() and not answer.results:
            raise LookupError(f"a search for «{self.probe_query}» found nothing, though the index holds it")

    def facet_listing(self, listing: FacetListingRequest) -> FacetListing:
        """Every value of one facet over a search's documents (its query and the other facets' filters),
        found by the listing's filter text and paged: the all-values view of a facet."""
        started = time.perf_counter()
        searcher = self.searcher()
        matched = self.arrays.mask(self.arrays.matches(searcher, self.query_for(searcher, listing.search.q)).ids)
        found = facet_listing(self.arrays.facets, matched, self.arrays.filters(listing.search), listing)
        return FacetListing.of(listing, found, took_ms=round((time.perf_counter() - started) * 1000, 1))

    def known_values(self, facet: str) -> tuple[str, ...]:
        """Every value the generation holds for a filtering facet (municipality, region, official)."""
        return self.arrays.facets[FACET_FIELDS[facet]].names

    def vocabulary(self) -> GreekVocabulary:
        """The folded words of the index with their document frequencies (waits for its first reading)."""
        return self._vocabulary.result()

    def correction_plan(self, searcher: Searcher, clauses: Sequence[Clause], as_typed: bool = False) -> CorrectionPlan:
        """Which words of the query are corrected, only suggested, or searched as typed (search.corrections)."""
        reader = searcher.reader()
        return correction_plan(clauses, lambda word: self._hits(searcher, word),
                               lambda folded: reader.doc_frequency(lexicon.VOCABULARY_FIELD, folded) > 0,
                               self.vocabulary, as_typed)

    def expansions(self, searcher: Searcher, clauses: Sequence[Clause]) -> dict[str, Expansion]:
        """The Greeklish readings and misspelling corrections the query runs with (the plan's applied ones)."""
        return self.correction_plan(searcher, clauses).applied

    def _hits(self, searcher: Searcher, word: Word) -> int:
        """Documents one word finds by itself as typed (its stem or exact form).

        A word whose exact form alone is in FEW_HITS documents or more is not evaluated: the count
        changes a decision only below FEW_HITS, and a common word's postings are the costliest.
        """
        exact = searcher.reader().doc_frequency(lexicon.VOCABULARY_FIELD, word.folded)
        if exact >= FEW_HITS:
            return exact
        return len(self.arrays.matches(searcher, build_query([Clause([word])])).ids)

    def _finds(self, searcher: Searcher, q: str, filters: dict[str, np.ndarray]) -> bool:
        """Whether a query, as typed, finds a document that the request's filters let through."""
        found = self.arrays.mask(self.arrays.matches(searcher, build_query(parse_query(q))).ids)
        for mask in filters.values():
            found &= mask
        return bool(found.any())

    def _corrections(self, searcher: Searcher, q: str, plan: CorrectionPlan,
                     filters: dict[str, np.ndarray]) -> tuple[Correction | None, str | None]:
        """The applied correction and the «Μήπως εννοείτε» query of an answer (corrections.answer_corrections)."""
        return answer_corrections(q, plan, lexicon.speller(searcher), lambda text: self._finds(searcher, text, filters))

    def query_for(self, searcher: Searcher, text: str) -> wq.Query:
        """The Whoosh query for a typed query, Greeklish and misspellings expanded."""
        clauses = parse_query(text)
        return build_query(clauses, self.expansions(searcher, clauses))

    @staticmethod
    def _result(stored: dict, score: float | None, matches: Callable[[Word], bool], similar: int) -> Hit:
        document = from_stored(stored)
        return Hit.of(document, snippet(document.body or document.title, matches), score, similar)


def _probe_query(searcher: Searcher) -> str:
    """The rarest Greek word of the first document's opening ("" for an empty index or one with none).

    Rare, so that the probe scores a handful of documents: a health check polled every few
    seconds must stay cheap while the server is busy.  Greek and in the index, so that the
    probe never waits for the Greeklish vocabulary.
    """
    reader = searcher.reader()
    for fields in searcher.all_stored_fields():
        text = f"{fields.get('title', '')} {fields.get('body', '')}"[:PROBE_TEXT_CHARS]
        indexed = {word.folded for word in words(text)
                   if word.term and is_greek(word.folded) and reader.doc_frequency("exact", word.folded)}
        return min(sorted(indexed), key=lambda folded: reader.doc_frequency("exact", folded), default="")
    return ""
