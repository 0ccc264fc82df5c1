"""What a search needs of one generation, as arrays built once when it is opened.

The engine asks four things of a generation per request: the documents and
scores of a query (evaluate.py), the documents passing each
filter, facet counts over the query and the other filters (Datasette's rule),
and one page of documents in the requested order.  Each is an array operation
here; nothing is built on a request, so no request waits on another's build.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from whoosh.searching import Searcher

from .collapse import GroupColumn, best_first
from .evaluate import Evaluator, Matches
from ...request import SearchRequest
from .facets import COUNTED_FIELDS, FACET_FIELDS, DateColumn, FacetColumn
from .postings import GenerationPostings
from .posting_arrays import PostingArrays
from .schema import SCORED_FIELDS


@dataclass(frozen=True)
class Page:
    """One page of results: global docnums in order, with their scores (None when sorted by date).

    `distinct` is how many results the whole listing holds (its documents, each near-duplicate group
    counted once when collapsed); `similar` gives, for each document of the page, how many others its
    group holds.
    """

    docnums: list[int]
    scores: list[float | None]
    distinct: int = 0
    similar: list[int] = field(default_factory=list)


class GenerationArrays:
    """Postings, lengths, facet and date columns of one opened generation; immutable once built."""

    def __init__(self, searcher: Searcher, flat: PostingArrays | None = None):
        reader = searcher.reader()
        self.postings = GenerationPostings(reader, flat)
        self.doc_count = self.postings.doc_count
        self.lengths = {f: self.postings.field_lengths(reader, f) for f in SCORED_FIELDS}
        self.facets = {f: FacetColumn.read(reader, self.postings, f) for _, f in COUNTED_FIELDS}
        self.dates = DateColumn.read(reader, self.postings)
        self.groups = GroupColumn.read(reader, self.postings.live)

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
        if request.group:
            masks["group"] = self.groups.members(request.group)
        return masks

    def mask(self, ids: np.ndarray) -> np.ndarray:
        out = np.zeros(self.doc_count, dtype=bool)
        out[ids] = True
        return out

    def by_relevance(self, matches: Matches, allowed: np.ndarray, first: int, count: int,
                     collapse: bool = False) -> Page:
        """Documents of `allowed` by descending score, ties by docnum, as Whoosh orders them; collapsed:
        each near-duplicate group once, as its best-ranked member."""
        keep = allowed[matches.ids]
        ids, scores = matches.ids[keep], matches.scores[keep]
        distinct = self.groups.distinct(ids) if collapse else len(ids)
        end = min(first + count, distinct)
        if first >= end:
            return Page([], [], distinct)
        if collapse:
            ids, scores = best_first(ids, scores, self.groups, end)
            return self._page(ids[first:end], scores[first:end].tolist(), distinct)
        if end < len(ids):  # only the documents that can reach the page are sorted
            top = np.argpartition(-scores, end - 1)[:end]
            ids, scores = ids[top], scores[top]
        order = np.lexsort((ids, -scores))[first:end]
        return self._page(ids[order], scores[order].tolist(), distinct)

    def by_date(self, allowed: np.ndarray, newest_first: bool, first: int, count: int,
                collapse: bool = False) -> Page:
        """Documents of `allowed` newest (or oldest) first, undated ones last, ties by docnum; collapsed:
        each near-duplicate group once, as its first member in that order."""
        ids = np.flatnonzero(allowed)
        rank = self.dates.rank[ids]
        key = -rank if newest_first else rank
        ranked = ids[np.lexsort((ids, key, rank == 0))]
        if collapse:
            ranked = ranked[self.groups.firsts(ranked)]
        shown = ranked[first:first + count]
        return self._page(shown, [None] * len(shown), len(ranked))

    def _page(self, docnums: np.ndarray, scores: list[float | None], distinct: int) -> Page:
        listed = docnums.tolist()
        return Page(listed, scores, distinct, self.groups.similar(listed))
