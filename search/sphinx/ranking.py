"""Whoosh's relevance scores, computed for the documents the cluster ranks first.

Whoosh scores a word per field and adds the fields up (search.backend.whoosh.matchers: a word is
an OR of title, body and `exact` terms, the last at EXACT_FORM_BOOST), each
with its own BM25: idf = log(N / (df + 1)) + 1 of the field, the term's
frequency times the field boost (title 3), the field's length as Whoosh
stores it (a byte, rounded up on a logarithmic scale) against the field's
average length.  Sphinx 2.2's `bm25f()` is true BM25F (one frequency and one
length over the weighted fields, IDF per keyword and per shard), and its
expression ranker has no per-keyword, per-field factors, so no SphinxQL
ranker gives Whoosh's numbers.  Instead the cluster ranks with `bm25f()` to
pick a pool of candidates (the page asked for and POOL_MARGIN more), and this
module scores the pool exactly as Whoosh does, from statistics the cluster
counts: each query term's document frequency per field over the whole
cluster (not per shard), its frequency in each candidate, and the field
lengths the writer stored.  Ties are ordered by writing order (`seq`, Whoosh's
docnum).
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from whoosh.util.numeric import byte_to_length, length_to_byte

from ..backend.whoosh.matchers import EXACT_FORM_BOOST
from ..backend.whoosh.proximity import CLOSENESS, PROXIMITY_WINDOW
from ..backend.whoosh.schema import TITLE_BOOST
from ..analysis import Word
from ..querylang import Clause, Expansions, word_forms
from . import terms

# whoosh.scoring.BM25F's defaults, which SearchEngine uses (it names no weighting).
B = 0.75
K1 = 1.2
FIELD_BOOST = {"title": TITLE_BOOST, "body": 1.0, "exact": 1.0}
FIELDS = tuple(FIELD_BOOST)


@dataclass(frozen=True)
class Statistics:
    """What Whoosh's BM25F needs of the whole index: its size and each field's total length."""

    documents: int
    lengths: Mapping[str, int]

    def average(self, field: str) -> float:
        return self.lengths[field] / (self.documents or 1) or 1


@dataclass
class Evidence:
    """What the cluster counted for one query: per (field, keyword) the document frequency and
    each candidate's term frequency; per match expression the candidates it matches; each
    candidate's field lengths."""

    statistics: Statistics
    frequencies: dict[tuple[str, str], int]
    counts: dict[tuple[str, str], dict[int, int]]
    matched: dict[str, set[int]]
    lengths: dict[int, Mapping[str, int]]


def stored_length(length: int) -> int:
    """A field length as Whoosh keeps it: one byte, rounded up (whoosh.util.numeric)."""
    return byte_to_length(length_to_byte(length))


def idf(documents: int, frequency: int) -> float:
    """Whoosh's IDF (whoosh.scoring.WeightingModel.idf)."""
    return math.log(documents / (frequency + 1)) + 1


@dataclass(frozen=True)
class Term:
    field: str
    keyword: str  # as the index holds it (search.sphinx.terms.encode)
    boost: float = 1.0

    def count(self, doc: int, evidence: Evidence) -> int:
        return evidence.counts.get((self.field, self.keyword), {}).get(doc, 0)

    def matches(self, doc: int, evidence: Evidence) -> bool:
        return self.count(doc, evidence) > 0

    def score(self, doc: int, evidence: Evidence) -> float:
        count = self.count(doc, evidence)
        if not count:
            return 0.0
        stats = evidence.statistics
        weight = count * FIELD_BOOST[self.field]
        length = stored_length(evidence.lengths[doc][self.field])
        norm = K1 * ((1 - B) + B * length / stats.average(self.field))
        return self.boost * idf(stats.documents, evidence.frequencies[(self.field, self.keyword)]) \
            * (weight * (K1 + 1)) / (weight + norm)


@dataclass(frozen=True)
class Combined:
    """Whoosh's And (`every`) or Or: a sum of the parts that match."""

    parts: tuple
    every: bool

    def matches(self, doc: int, evidence: Evidence) -> bool:
        found = (p.matches(doc, evidence) for p in self.parts)
        return all(found) if self.every else any(found)

    def score(self, doc: int, evidence: Evidence) -> float:
        return sum(p.score(doc, evidence) for p in self.parts if p.matches(doc, evidence))


@dataclass(frozen=True)
class Matched:
    """A phrase or a prefix: matched as the cluster matches `expression`; a phrase scores its
    words' `exact` terms (Whoosh's span matcher adds them up), a prefix a constant 1."""

    expression: str
    words: Combined | None = None

    def matches(self, doc: int, evidence: Evidence) -> bool:
        return doc in evidence.matched.get(self.expression, set())

    def score(self, doc: int, evidence: Evidence) -> float:
        return self.words.score(doc, evidence) if self.words else 1.0


def _form(folded: str, term: str | None, boost: float = 1.0):
    if term is None:
        return Term("exact", terms.encode(folded), boost)
    return Combined((Term("title", terms.encode(term), boost), Term("body", terms.encode(term), boost),
                     Term("exact", terms.encode(folded), boost * EXACT_FORM_BOOST)), every=False)


def _word(word: Word, expansions: Expansions | None):
    """A word, or the Or of its forms when it is expanded (as matchers._word_query builds it)."""
    forms = word_forms(word, expansions)
    if len(forms) == 1:
        return _form(word.folded, word.term)
    return Combined(tuple(_form(folded, term, weight) for folded, term, weight in forms), every=False)


def clause_scorer(clause: Clause, expression, expansions: Expansions | None = None) -> object:
    """The scorer of one clause, built as search.backend.whoosh.matchers._clause_query builds its Whoosh query;
    `expression(clause)` is the clause's MATCH text (for phrases and prefixes)."""
    own_expansions = None if clause.quoted else expansions
    if clause.phrase:
        words = Combined(tuple(Term("exact", terms.encode(w.folded)) for w in clause.words), every=True)
        own: object = Matched(expression(_alone(clause)), words)
    else:
        parts = [_word(w, own_expansions) for w in clause.words[:-1] if w.term]
        last = clause.words[-1]
        if clause.prefix:
            parts.append(Matched(f"@exact {terms.encode(last.folded)}*"))
        elif last.term or len(clause.words) == 1:
            parts.append(_word(last, own_expansions))
        own = parts[0] if len(parts) == 1 else Combined(tuple(parts), every=True)
    if not clause.alternatives:
        return own
    return Combined((own, *(clause_scorer(a, expression, expansions) for a in clause.alternatives)), every=False)


def _alone(clause: Clause) -> Clause:
    return Clause(clause.words, phrase=clause.phrase, prefix=clause.prefix)


class Everything:
    """No positive clause: Whoosh's Every, which scores every document 1."""

    @staticmethod
    def matches(doc: int, evidence: Evidence) -> bool:
        return True

    @staticmethod
    def score(doc: int, evidence: Evidence) -> float:
        return 1.0


def query_scorer(clauses: Sequence[Clause], expression, expansions: Expansions | None = None) -> object:
    """The scorer of a whole query, Greeklish readings and corrections in; exclusions score nothing,
    as on Whoosh (AndNot)."""
    positive = [clause_scorer(c, expression, expansions) for c in clauses if not c.negated]
    if not positive:
        return Everything()
    return positive[0] if len(positive) == 1 else Combined(tuple(positive), every=True)


def probes(scorer) -> tuple[set[Term], set[str]]:
    """The (field, keyword) terms and the match expressions a scorer needs counted."""
    found_terms: set[Term] = set()
    expressions: set[str] = set()
    pending = [scorer]
    while pending:
        node = pending.pop()
        if isinstance(node, Term):
            found_terms.add(node)
        elif isinstance(node, Combined):
            pending.extend(node.parts)
        elif isinstance(node, Matched):
            expressions.add(node.expression)
            if node.words:
                pending.append(node.words)
    return found_terms, expressions


# The field numbers pool_ranker gives the fields as `user_weight` (OPTION field_weights).
FIELD_NUMBERS = {"title": 1, "body": 2, "exact": 3}


def pool_ranker(needed: set[Term], statistics: Statistics) -> str:
    """A SphinxQL ranking expression close to Whoosh's score, to pick the candidates.

    Per matched field, Whoosh's BM25 of the field's average matched keyword:
    its IDF is Sphinx's plain per-shard log(N/n) weighted by the keywords' hits
    (`tf_idf / hit_count`; OPTION idf='plain,tfidf_unnormalized') plus Whoosh's
    +1, its frequency the field's hits per matched keyword, its length the
    field's length attribute (`user_weight` tells the fields apart inside
    sum(), as FIELD_NUMBERS sets them).  Sphinx's default IDF, near 0 for a word
    most documents hold, would drop words that Whoosh still counts at about 1.
    """
    parts = {}
    for field, number in FIELD_NUMBERS.items():
        boosts = [t.boost for t in needed if t.field == field]
        boost = sum(boosts) / len(boosts) if boosts else 0.0
        tf = f"(hit_count*{FIELD_BOOST[field]}/word_count)"
        norm = f"{K1}*({1 - B}+{B}*len_{field}/{statistics.average(field):.3f})"
        parts[number] = f"{boost}*word_count*(tf_idf/hit_count+1)*{tf}*{K1 + 1}/({tf}+{norm})"
    return f"1000*sum(if(user_weight==1,{parts[1]},if(user_weight==2,{parts[2]},{parts[3]})))"


@dataclass(frozen=True)
class Near:
    """A pair of consecutive query words that earns Whoosh's proximity bonus where they are close
    (search.backend.whoosh.proximity): `expression` is the pair's proximity MATCH ("a b"~span) in the
    closeness's field, the bonus `weight` times the two terms' scores."""

    expression: str
    first: Term
    second: Term
    weight: float

    def bonus(self, doc: int, evidence: Evidence) -> float:
        if doc not in evidence.matched.get(self.expression, set()):
            return 0.0
        return self.weight * (self.first.score(doc, evidence) + self.second.score(doc, evidence))


def nears(clauses: Sequence[Clause], expansions: Expansions | None = None) -> list[Near]:
    """The query's close pairs as Whoosh's rescore reads them (closeness.pairs), one per pair and closeness.

    Sphinx's proximity `"a b"~n` matches where the two keywords lie at most n positions apart, in
    either order, as Whoosh's closeness counts (measured on Sphinx 2.2.11: "alpha gamma"~1 does not
    match «alpha beta gamma», ~2 does, and so does "gamma alpha"~2).  Its NEAR/n operator is no
    use here: over SphinxQL it matched «alpha … kappa» nine words apart with NEAR/1.  The writer keeps
    the body's stopwords as position gaps (search.sphinx.terms.STOP_TERM), so both count positions alike.
    """
    out = []
    for closeness in CLOSENESS:
        for a, b in closeness.pairs(clauses, expansions):
            first, second = Term(closeness.field, terms.encode(a)), Term(closeness.field, terms.encode(b))
            expression = f'(@{closeness.field} "{first.keyword} {second.keyword}"~{closeness.span})'
            out.append(Near(expression, first, second, closeness.weight))
    return out


def with_proximity(scores: Mapping[int, float], seq: Mapping[int, int], pairs: Sequence[Near],
                   evidence: Evidence) -> dict[int, float]:
    """Whoosh's scores with the proximity bonus given to the PROXIMITY_WINDOW best (ties by `seq`,
    Whoosh's docnum), as search.backend.whoosh.proximity gives it."""
    out = dict(scores)
    if not pairs:
        return out
    for doc in sorted(scores, key=lambda d: (-scores[d], seq[d]))[:PROXIMITY_WINDOW]:
        out[doc] += sum(pair.bonus(doc, evidence) for pair in pairs)
    return out
