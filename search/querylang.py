"""The query language: what a citizen types, as a tree of clauses no backend is needed to read.

The language needs no manual: words (all must match), "exact phrases",
-word to exclude, OR between alternatives, prefix*.  Any input is accepted:
whatever does not parse as an operator is searched as plain words.  A backend
turns the clauses into its own query (search/backend/whoosh/matchers.py; the
Sphinx cluster writes SphinxQL from the same clauses).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import islice

from . import analysis
from .analysis import Word
from .greeklish import Expansion
from .request import MAX_QUERY_WORDS

MIN_PREFIX_CHARS = 2
# Query word (folded) -> the index words it stands for: Greeklish readings of a
# Latin word, corrections of a misspelled Greek one (search.greeklish.expand).
Expansions = Mapping[str, Expansion]


@dataclass
class Clause:
    """One operand of the query: words that must all match, or an exact phrase."""

    words: list[Word]
    phrase: bool = False
    prefix: bool = False  # the last word is a prefix
    negated: bool = False
    alternatives: list["Clause"] = field(default_factory=list)  # joined by OR
    # Typed inside quotes: nothing in it is corrected, expanded or read as Greeklish (search.corrections).
    # Not the same as `phrase`: a single quoted word is matched as a word, yet is still taken as typed.
    quoted: bool = False


_TOKEN_RE = re.compile(r'(?P<neg>-?)"(?P<phrase>[^"]*)"|(?P<chunk>[^\s"]+)|"')


def parse_query(text: str) -> list[Clause]:
    """Split a typed query into clauses.  Never raises: stray syntax becomes words.

    Only the first MAX_QUERY_WORDS words are read, so any text parses in time
    proportional to that, not to its length.
    """
    clauses: list[Clause] = []
    join_next = False
    budget = MAX_QUERY_WORDS
    for match in _TOKEN_RE.finditer(text):
        if budget <= 0:
            break
        if match.group("phrase") is not None:
            words = list(islice(analysis.words(match.group("phrase")), budget))
            clause = Clause(words, phrase=len(words) > 1, negated=bool(match.group("neg")), quoted=True)
        elif match.group("chunk") is not None:
            chunk = match.group("chunk")
            if chunk in ("OR", "|"):
                join_next = bool(clauses)
                continue
            negated = chunk.startswith("-") and len(chunk) > 1
            words = list(islice(analysis.words(chunk), budget + 1))
            # A chunk cut short by the budget does not end in its prefix word.
            prefix = (chunk.endswith("*") and 0 < len(words) <= budget
                      and len(words[-1].folded) >= MIN_PREFIX_CHARS)
            words = words[:budget]
            clause = Clause(words, prefix=prefix, negated=negated)
        else:
            continue
        budget -= len(clause.words)
        if not clause.words or not (clause.phrase or clause.prefix or any(w.term for w in clause.words)):
            continue
        if join_next and not clause.negated and not clauses[-1].negated:
            clauses[-1].alternatives.append(clause)
        else:
            clauses.append(clause)
        join_next = False
    return clauses


def word_forms(word: Word, expansions: Expansions | None = None) -> list[tuple[str, str | None, float]]:
    """(folded, stem, weight) of each form a query word is searched by: its own at weight 1, then its
    expansion's readings (Greeklish or a correction), one per stem at the highest weight of that stem.

    A reading that shares the typed word's stem is left out: the word's own stem already matches it,
    at full weight.  A stopword reading has no stem (None: matched by its exact form only).  Every
    backend builds its query from these forms, so all of them search an expanded word alike.
    """
    own = [(word.folded, word.term, 1.0)]
    expansion = expansions.get(word.folded) if expansions else None
    if expansion is None:
        return own
    stems: dict[str | None, tuple[str, float]] = {}
    for folded, weight in expansion.alternatives:
        term = None if folded in analysis.GREEK_STOPWORDS else analysis.stem(folded)
        if term is not None and term == word.term:
            continue
        if term not in stems or weight > stems[term][1]:
            stems[term] = (folded, weight)
    return own + [(folded, term, weight) for term, (folded, weight) in stems.items()]
