"""What a search needs of one generation, as arrays built once when it is opened.

The engine asks four things of a generation per request: the documents and
scores of a query (evaluate.py), the documents passing each
filter, facet counts over the query and the other filters (Datasette's rule),
and one page of documents in the requested order.  Each is an array operation
here; nothing is built on a request, so no request waits on another's build.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from whoosh.searching import Searcher

from .evaluate import Evaluator, Matches
from ...request import SearchRequest
from .facets import COUNTED_FIELDS, FACET_FIELDS, DateColumn, FacetColumn
from .postings import GenerationPostings

# Fields ranked by BM25F: their per-document lengths are read when the generation opens.
SCORED_FIELDS = ("title", "body", "exact")


@dataclass(frozen=True)
class Page:
    """One page of results: global docnums in order, with their scores (None when sorted by date)."""

    docnums: list[int]
    scores: list[float | None]


class GenerationArrays:
    """Postings, lengths, facet and date columns of one opened generation; immutable once built."""

    def __init__(self, searcher: Searcher):
        reader = searcher.reader()
        self.postings = GenerationPostings(reader)
        self.doc_count = self.postings.doc_count
        self.lengths = {f: self.postings.field_lengths(reader, f) for f in SCORED_FIELDS}
        self.facets = {f: FacetColumn.read(reader, self.postings, f) for _, f in COUNTED_FIELDS}
        self.dates = DateColumn.read(reader, self.postings)

    def matches(self, searcher: Searcher, query) -> Matches:
        """The documents and BM25F scores of a Whoosh query, for a searcher of this generation."""
        return Evaluator(searcher, self.postings, self.lengths).evaluate(query)

    def filters(self, request: SearchRequest) -> dict[str, np.ndarray]:
        """The documents each requested filter lets through (masks), by filter name."""
        masks = {name: self.facets[fieldname].docs_with_any(getattr(request, name), self.doc_count)
                 for name, fieldname in FACET_FIELDS.items() if getattr(request, name)}
        if request.undated:  # the year facet's UNDATED value: parse_request refuses it with from/to
            masks["date"] = self.dates.rank == 0
        if request.date_from or request.date_to:
            masks["date"] = self.dates.between(
                request.date_from.isoformat() if request.date_from else None,
                request.date_to.isoformat() if request.date_to else None)
        return masks

    def mask(self, ids: np.ndarray) -> np.ndarray:
        out = np.zeros(self.doc_count, dtype=bool)
        out[ids] = True
        return out

    def by_relevance(self, matches: Matches, allowed: np.ndarray, first: int, count: int) -> Page:
        """Documents of `allowed` by descending score, ties by docnum, as Whoosh orders them."""
        keep = allowed[matches.ids]
        ids, scores = matches.ids[keep], matches.scores[keep]
        end = min(first + count, len(ids))
        if first >= end:
            return Page([], [])
        if end < len(ids):  # only the documents that can reach the page are sorted
            top = np.argpartition(-scores, end - 1)[:end]
            ids, scores = ids[top], scores[top]
        order = np.lexsort((ids, -scores))[first:end]
        return Page(ids[order].tolist(), scores[order].tolist())

    def by_date(self, allowed: np.ndarray, newest_first: bool, first: int, count: int) -> Page:
        """Documents of `allowed` newest (or oldest) first, undated ones last, ties by docnum."""
        ids = np.flatnonzero(allowed)
        rank = self.dates.rank[ids]
        key = -rank if newest_first else rank
        order = np.lexsort((ids, key, rank == 0))[first:first + count]
        return Page(ids[order].tolist(), [None] * len(order))
