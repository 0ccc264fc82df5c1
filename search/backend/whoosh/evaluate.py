"""Whoosh query trees evaluated as array operations over a generation's postings.

Whoosh's searcher walks matchers one document at a time in Python: on 100,000
announcements that is most of a query's time (the profile in the engine issue).
Here each term's postings are arrays (search.fastpath.postings), a term's BM25F
scores one vectorized expression, AND an intersection, OR a union whose scores
add up, NOT a set difference -- the same documents and the same scores as
Whoosh's own matchers (tests/test_evaluate.py compares both on real documents),
in a few array operations per query term.

A phrase is the intersection of its words, kept where their positions follow
one another (read for those documents alone, block by block: postings.position_keys);
a prefix the union of its completions' postings, at one score.  Any other node
is run through Whoosh's own matcher and its documents and scores taken as
arrays, so every query Whoosh can build is answered.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from whoosh import query as wq
from whoosh.scoring import BM25F
from whoosh.searching import Searcher

from .matchers import CommonPrefix
from .postings import GenerationPostings, key_documents, key_positions


@dataclass(frozen=True)
class Matches:
    """Documents a query matched (global docnums, ascending, unique) and their scores."""

    ids: np.ndarray
    scores: np.ndarray

    @classmethod
    def empty(cls) -> Matches:
        return cls(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))

    def boosted(self, boost: float) -> Matches:
        return self if boost == 1.0 else Matches(self.ids, self.scores * boost)


def _union(parts: list[Matches]) -> Matches:
    parts = [p for p in parts if len(p.ids)]
    if not parts:
        return Matches.empty()
    if len(parts) == 1:
        return parts[0]
    ids = np.concatenate([p.ids for p in parts])
    scores = np.concatenate([p.scores for p in parts])
    unique, inverse = np.unique(ids, return_inverse=True)
    return Matches(unique, np.bincount(inverse, weights=scores, minlength=len(unique)))


def _intersection(parts: list[Matches]) -> Matches:
    smallest = min(parts, key=lambda p: len(p.ids))
    ids = smallest.ids
    for part in parts:
        ids = ids[np.isin(ids, part.ids, assume_unique=True)] if part is not smallest else ids
    scores = np.zeros(len(ids), dtype=np.float64)
    for part in parts:
        scores += part.scores[np.searchsorted(part.ids, ids)]
    return Matches(ids, scores)


def _difference(kept: Matches, removed: Matches) -> Matches:
    keep = ~np.isin(kept.ids, removed.ids, assume_unique=True)
    return Matches(kept.ids[keep], kept.scores[keep])


class Evaluator:
    """Evaluates query trees for one searcher of a generation (one request).

    Supports the nodes matchers.build_query builds -- Term, And, Or (and its
    subclasses), AndNot, Every, Phrase, CommonPrefix -- natively; any other node
    through Whoosh.
    """

    def __init__(self, searcher: Searcher, postings: GenerationPostings,
                 lengths: dict[str, np.ndarray]):
        if not isinstance(searcher.weighting, BM25F):
            raise TypeError("the array evaluator scores BM25F, as the index's searchers do")
        self.searcher = searcher
        self.postings = postings
        self.lengths = lengths
        self.weighting = searcher.weighting

    def evaluate(self, query: wq.Query) -> Matches:
        if isinstance(query, wq.Term):
            return self._term(query)
        if isinstance(query, (wq.And, wq.Or)) and type(query).matcher is wq.CompoundQuery.matcher:
            return self._compound(query)
        if isinstance(query, wq.AndNot):
            return _difference(self.evaluate(query.a), self.evaluate(query.b))
        if isinstance(query, wq.Phrase) and query.slop == 1 and self._has_positions(query.fieldname):
            return self._phrase(query)
        if isinstance(query, CommonPrefix) and query.fieldname in self.searcher.schema:
            return self._prefix(query)
        if isinstance(query, wq.Every) and query.fieldname is None:
            ids = np.flatnonzero(self.postings.live).astype(np.int64)
            return Matches(ids, np.full(len(ids), query.boost, dtype=np.float64))
        return self._through_whoosh(query)

    def _compound(self, query: wq.CompoundQuery) -> Matches:
        subs = query.subqueries
        if not subs:
            return Matches.empty()
        if len(subs) == 1:
            return self.evaluate(subs[0])  # Whoosh, too, leaves a lone part's compound boost out
        parts = [self.evaluate(sub) for sub in subs]
        combined = _intersection(parts) if isinstance(query, wq.And) else _union(parts)
        return combined.boosted(query.boost)

    def _term(self, query: wq.Term) -> Matches:
        fieldname, text = query.fieldname, query.text
        schema = self.searcher.schema
        if fieldname not in schema or fieldname not in self.lengths:
            return self._through_whoosh(query)
        found = self.postings.postings(self.searcher.reader(), fieldname, text)
        if not len(found):
            return Matches.empty()
        B = self.weighting._field_B.get(fieldname, self.weighting.B)
        K1 = self.weighting.K1
        idf = self.searcher.idf(fieldname, text)
        avgfl = self.searcher.avg_field_length(fieldname) or 1
        tf = found.weights
        fl = self.lengths[fieldname][found.ids]
        scores = idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl)))
        return Matches(found.ids, scores).boosted(query.boost)

    def _has_positions(self, fieldname: str) -> bool:
        schema = self.searcher.schema
        return fieldname in schema and fieldname in self.lengths and schema[fieldname].supports("positions")

    def _phrase(self, query: wq.Phrase) -> Matches:
        """Whoosh's Phrase (its SpanNear2, in order, slop 1): the words' intersection, scored as the sum
        of their BM25F scores, kept where each word stands right after the one before it.

        Positions are read for the documents that hold every word only, so a phrase of common
        words pays for those documents, not for each posting of its words.
        """
        parts = [self._term(wq.Term(query.fieldname, word)) for word in query.words]
        if not query.words or any(not len(part.ids) for part in parts):
            return Matches.empty()
        both = _intersection(parts)
        keep = np.isin(both.ids, self._phrase_docs(query.fieldname, query.words, both.ids), assume_unique=True)
        return Matches(both.ids[keep], both.scores[keep]).boosted(query.boost)

    def _phrase_docs(self, fieldname: str, words: list[str], docnums: np.ndarray) -> np.ndarray:
        """Those of `docnums` (holding every word) where `words` occur one right after another, in order.

        A run starting at position s holds word i at s + i: each word's positions, less i, are the
        starts it allows, and a document matches where one start is allowed by all.  Words are read
        rarest first (fewest positions in the field), each for the documents still in the running.
        """
        reader = self.searcher.reader()
        starts: np.ndarray | None = None
        for i in sorted(range(len(words)), key=lambda i: reader.frequency(fieldname, words[i])):
            keys = self.postings.position_keys(reader, fieldname, words[i], docnums)
            allowed = keys[key_positions(keys) >= i] - i  # a run cannot start before the first word
            starts = allowed if starts is None else allowed[np.isin(allowed, starts, assume_unique=True)]
            docnums = np.unique(key_documents(starts))
            if not len(docnums):
                break
        return docnums

    def _prefix(self, query: CommonPrefix) -> Matches:
        """The documents of any of the prefix's completions, each at the query's boost (its ListMatcher)."""
        reader = self.searcher.reader()
        field = self.searcher.schema[query.fieldname]
        found = [self.postings.postings(reader, query.fieldname, field.from_bytes(text)).ids
                 for text in query._btexts(reader)]
        ids = np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)
        return Matches(ids, np.full(len(ids), query.boost, dtype=np.float64))

    def _through_whoosh(self, query: wq.Query) -> Matches:
        matcher = query.matcher(self.searcher, self.searcher.context())
        ids: list[int] = []
        scores: list[float] = []
        while matcher.is_active():
            ids.append(matcher.id())
            scores.append(matcher.score())
            matcher.next()
        return Matches(np.asarray(ids, dtype=np.int64), np.asarray(scores, dtype=np.float64))
