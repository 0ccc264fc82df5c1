"""The query language's clauses as Whoosh queries, with the matchers that make them fast enough.

`build_query` turns search.querylang's backend-free clauses (and their Greeklish
expansions) into a Whoosh query.  Union and CommonPrefix replace Whoosh's own
matcher choices where those were measured slow.
"""
from __future__ import annotations

import heapq
from collections.abc import Sequence
from typing import Any

from whoosh import query as wq
from whoosh.matching import ListMatcher, Matcher, NullMatcher
from whoosh.query.compound import PreloadedOr
from whoosh.searching import Searcher

from ...analysis import Word
from ...querylang import Clause, Expansions, word_forms

# A prefix* stands for at most this many of its commonest completions in the index
# (Elasticsearch's max_expansions is 50): "αρ*" has hundreds, and ORing them all
# took seconds on 7,658 real documents.
MAX_PREFIX_TERMS = 50
# A word typed in its exact (folded) form earns a little more than its stem alone.
EXACT_FORM_BOOST = 0.5


class Union(wq.Or):
    """Whoosh's Or, adding up its parts' scores in arrays whatever the size of the index.

    Whoosh does so up to 5,000 documents only, and above that builds a binary tree
    of union matchers, several times slower in Python: 32 common words ORed took
    4.1 s instead of 1.7 s on 7,658 real documents.  Where a caller needs each
    document's current sub-match, Whoosh's own choice stands.
    """

    def _matcher(self, subs, searcher, context):
        if context is None or context.needs_current or self.scale:
            return super()._matcher(subs, searcher, context)
        return PreloadedOr(subs, boost=self.boost).matcher(searcher, context)


class CommonPrefix(wq.Prefix):
    """prefix*: documents with any of its MAX_PREFIX_TERMS commonest completions, at one score.

    A longer prefix ("αντιδημ*") rarely has more than a few dozen completions;
    the rare ones a two-letter prefix drops would not change its answer much.
    The documents are gathered once into a sorted list, as Lucene's
    constant-score rewrite does: Whoosh's own tree of union matchers took 2 to
    12 s for "αρ*" on 7,658 real documents.
    """

    # (reader, its sorted documents): a search asks to count, to size and to rank.
    _found: tuple[Any, list[int]] | None = None

    def _btexts(self, ixreader):
        completions = ixreader.iter_prefix(self.fieldname, self.text)
        return [text for text, _ in heapq.nlargest(MAX_PREFIX_TERMS, completions,
                                                   key=lambda item: item[1].doc_frequency())]

    def _docs(self, reader) -> list[int]:
        if self._found is None or self._found[0] is not reader:
            docs: set[int] = set()
            for text in self._btexts(reader):
                docs.update(reader.postings(self.fieldname, text).all_ids())
            self._found = (reader, sorted(docs))
        return self._found[1]

    def estimate_size(self, ixreader) -> int:
        return len(self._docs(ixreader))

    estimate_min_size = estimate_size

    def matcher(self, searcher: Searcher, context=None) -> Matcher:
        docs = self._docs(searcher.reader())
        return ListMatcher(docs, all_weights=self.boost) if docs else NullMatcher()


def _form_query(folded: str, term: str | None, boost: float = 1.0) -> wq.Query:
    if term is None:
        return wq.Term("exact", folded, boost=boost)
    return Union([
        wq.Term("title", term, boost=boost),
        wq.Term("body", term, boost=boost),
        wq.Term("exact", folded, boost=boost * EXACT_FORM_BOOST),
    ])


def _word_query(word: Word, expansions: Expansions | None = None) -> wq.Query:
    forms = word_forms(word, expansions)
    if len(forms) == 1:
        return _form_query(word.folded, word.term)
    return Union([_form_query(folded, term, weight) for folded, term, weight in forms])


def _clause_query(clause: Clause, expansions: Expansions | None = None) -> wq.Query:
    own_expansions = None if clause.quoted else expansions  # a quoted copy of a corrected word stays as typed
    if clause.phrase:
        own: wq.Query = wq.Phrase("exact", [w.folded for w in clause.words])
    else:
        parts = [_word_query(w, own_expansions) for w in clause.words[:-1] if w.term]
        last = clause.words[-1]
        if clause.prefix:
            parts.append(CommonPrefix("exact", last.folded))
        elif last.term or len(clause.words) == 1:
            parts.append(_word_query(last, own_expansions))
        own = parts[0] if len(parts) == 1 else wq.And(parts)
    if not clause.alternatives:
        return own
    return Union([own, *(_clause_query(alt, expansions) for alt in clause.alternatives)])


def build_query(clauses: Sequence[Clause], expansions: Expansions | None = None) -> wq.Query:
    positive = [_clause_query(c, expansions) for c in clauses if not c.negated]
    negative = [_clause_query(c, expansions) for c in clauses if c.negated]
    matched: wq.Query = wq.And(positive) if positive else wq.Every()
    if negative:
        matched = wq.AndNot(matched, Union(negative))
    return matched
