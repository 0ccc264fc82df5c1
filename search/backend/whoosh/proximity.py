"""A bonus for query words found close together, given to the candidates that can reach a first page.

BM25 scores each word alone: a long document where the words of a title lie
pages apart outranks the short one whose title they are, the known item a
user is looking for (benchmarks/quality.py, seed 7: MRR@10 "as written" 0.577
with BM25 alone, against 0.586 for SQLite FTS5 and 0.583 for Whoosh's own
analyzer). Lucene and Elasticsearch answer this with a rescore: candidates
first by BM25, then the best few re-scored with what is costly to compute for
every document -- here, whether consecutive words of the query occur close
together, in either order, in two ways (CLOSENESS): as typed (their folded
forms in `exact`) and as any inflection (their stems in `body`).

Only the PROXIMITY_WINDOW best candidates of the filtered set are looked at, so
a query costs a bounded number of position reads whatever it matches; a bonus
only raises a score, so the order below the window stays BM25's and pages past
it follow on without a gap or a repeat.  The cluster backend gives the same
bonus from Sphinx's proximity operator "a b"~n (search.sphinx.ranking), which
is why closeness ignores order: Sphinx's does.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from whoosh import query as wq
from whoosh.searching import Searcher

from ... import analysis
from ...analysis import Word
from ...querylang import Clause, Expansions
from .evaluate import Matches
from .postings import POSITION_BITS

# Candidates re-scored (Elasticsearch's rescore window_size defaults to 10 per shard). On
# benchmarks/quality.py (seeds 7 and 8) 30 gave the same MRR@10 as 100 in every form, for a third
# of the position reads: with 100, two-word queries took 8.1 ms instead of 4.6 ms without the
# bonus (in process, 10,000 generated announcements, median of the speed mix's 52).
PROXIMITY_WINDOW = 30


@dataclass(frozen=True)
class Closeness:
    """Consecutive query words count as close in `field` when at most `span` positions apart; the
    bonus is `weight` times the two words' scores in that field.

    Positions count stopwords in both fields (the body's stop filter does not renumber), so
    "πρόγραμμα δήμου" is close in «πρόγραμμα του δήμου», two positions apart.
    """

    field: str
    stemmed: bool  # pairs of stems (any inflection) rather than of folded forms (as typed)
    span: int
    weight: float

    def pairs(self, clauses: Sequence[Clause], expansions: Expansions | None = None) -> list[tuple[str, str]]:
        """Consecutive words of the query, as this closeness reads them (stems or folded forms); a word
        the query runs corrected or read as Greeklish (`expansions`, the applied ones) as its best reading.

        A run of plain words is broken by a quoted phrase (it already demands its words side by
        side), an OR (either side may be the one found) and a prefix (its last word is not one
        word); a negated word ranks nothing and is passed over.
        """
        pairs: list[tuple[str, str]] = []
        run: list[str] = []
        for clause in clauses:
            if clause.negated:
                continue
            plain = not (clause.phrase or clause.alternatives or clause.quoted)
            if plain:
                typed = clause.words[:-1] if clause.prefix else clause.words
                run += [form for form in (self._form(w, expansions) for w in typed) if form]
            if not plain or clause.prefix:
                pairs += _consecutive(run)
                run = []
        return pairs + _consecutive(run)

    def _form(self, word: Word, expansions: Expansions | None) -> str | None:
        """The word's stem or folded form (None for a stopword), read through its applied expansion."""
        expansion = expansions.get(word.folded) if expansions else None
        folded = expansion.best if expansion else word.folded
        term = analysis.word_forms(folded)[1] if expansion else word.term
        if term is None:
            return None
        return term if self.stemmed else folded


# Measured on benchmarks/quality.py, seeds 7 and 8, MRR@10 of BM25 alone -> with the bonus:
# folded forms alone (span 2, weight 0.5): "as written" 0.577 -> 0.586 and 0.572 -> 0.582, but
# "other inflection" 0.487 -> 0.482 on seed 8 (documents holding the rewritten form close by);
# stems alone (span 3, weight 0.5): "other inflection" 0.487 -> 0.510, "as written" 0.572 -> 0.575;
# both at 0.5 each: "as written" 0.577 -> 0.576 on seed 7.  These two, stems at half weight, raise
# every form on both seeds: as written 0.577 -> 0.583 and 0.572 -> 0.583, other inflection
# 0.475 -> 0.493 and 0.487 -> 0.494, Greeklish (its words read as their best reading) 0.574 -> 0.581
# and 0.568 -> 0.581.  Spans: 1 helped less, 3 for folded forms let unrelated sentences in.
CLOSENESS = (
    Closeness("exact", stemmed=False, span=2, weight=0.5),
    Closeness("body", stemmed=True, span=3, weight=0.25),
)


def _consecutive(run: list[str]) -> list[tuple[str, str]]:
    return [(a, b) for a, b in zip(run, run[1:]) if a != b]


class Rescorer:
    """Adds the proximity bonus to the best candidates of a query's matches (one request).

    `scores(term)` gives a Whoosh term's documents and BM25F scores, `positions(field, text, docnums)`
    its position keys in those documents (both from the generation's arrays).
    """

    def __init__(self, searcher: Searcher, scores: Callable[[wq.Term], Matches],
                 positions: Callable[[str, str, np.ndarray], np.ndarray]):
        self.searcher = searcher
        self.scores = scores
        self.positions = positions

    def rescored(self, found: Matches, allowed: np.ndarray, clauses: Sequence[Clause],
                 expansions: Expansions | None = None) -> Matches:
        """`found` with the bonus added to its PROXIMITY_WINDOW best documents that `allowed` lets through."""
        wanted = [(closeness, closeness.pairs(clauses, expansions)) for closeness in CLOSENESS]
        if not any(pairs for _, pairs in wanted) or not len(found.ids):
            return found
        eligible = _window(found, np.flatnonzero(allowed[found.ids]))
        candidates = found.ids[eligible]
        bonus = np.zeros(len(candidates), dtype=np.float64)
        for closeness, pairs in wanted:
            bonus += closeness.weight * self._bonus(closeness, pairs, candidates)
        scores = found.scores.copy()
        scores[eligible] += bonus
        return Matches(found.ids, scores)

    def _bonus(self, closeness: Closeness, pairs: list[tuple[str, str]], candidates: np.ndarray) -> np.ndarray:
        """Per candidate, the summed scores of the pairs it holds close in the closeness's field.

        Nothing where the generation's field keeps no positions: one built before the body kept them
        gets the bonus of folded forms alone until its next reindex.
        """
        if not self.searcher.schema[closeness.field].supports("positions"):
            return np.zeros(len(candidates), dtype=np.float64)
        keys = {word: self.positions(closeness.field, word, candidates)
                for word in sorted({word for pair in pairs for word in pair})}
        bonus = np.zeros(len(candidates), dtype=np.float64)
        for first, second in pairs:
            close = np.isin(candidates, _close_docs(keys[first], keys[second], closeness.span))
            if close.any():
                bonus += close * (self._score(closeness.field, first, candidates)
                                  + self._score(closeness.field, second, candidates))
        return bonus

    def _score(self, field: str, text: str, candidates: np.ndarray) -> np.ndarray:
        """A term's BM25F score in each candidate (0 where it does not occur)."""
        matches = self.scores(wq.Term(field, text))
        if not len(matches.ids):
            return np.zeros(len(candidates), dtype=np.float64)
        where = np.minimum(np.searchsorted(matches.ids, candidates), len(matches.ids) - 1)
        return np.where(matches.ids[where] == candidates, matches.scores[where], 0.0)


def _window(found: Matches, eligible: np.ndarray) -> np.ndarray:
    """The PROXIMITY_WINDOW best of the eligible matches (indexes into `found`, ascending): by score,
    ties by docnum, as the page orders them and as the cluster picks its window."""
    if len(eligible) > PROXIMITY_WINDOW:
        scores = found.scores[eligible]
        # Only documents scoring at least the window's last score can be in it: sort those alone.
        floor = np.partition(scores, len(scores) - PROXIMITY_WINDOW)[len(scores) - PROXIMITY_WINDOW]
        contenders = eligible[scores >= floor]
        order = np.lexsort((found.ids[contenders], -found.scores[contenders]))
        eligible = contenders[order[:PROXIMITY_WINDOW]]
    return np.sort(eligible)


def _close_docs(first: np.ndarray, second: np.ndarray, span: int) -> np.ndarray:
    """The documents where a position of one word lies 1 to `span` positions from one of the other,
    either side (both words as position keys: postings.position_keys).

    Plain Python over the candidates' few positions: numpy's per-call cost was larger than the work
    (np.isin for each gap made two- and three-word queries ~20% slower on 30,000 announcements)."""
    later = set(second.tolist())
    gaps = range(1, span + 1)
    close = {key >> POSITION_BITS for key in first.tolist() if any(key + gap in later or key - gap in later for gap in gaps)}
    return np.fromiter(close, dtype=np.int64, count=len(close))
