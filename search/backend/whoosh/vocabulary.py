"""The index's words for Greeklish and spelling: expansions of query words, and the suggestion.

The vocabulary (every folded word of the `exact` field with its document frequency)
belongs to one generation, and a generation never changes.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from ... import analysis
from ...greeklish import Expansion, GreekVocabulary, expand, final_sigma
from ...querylang import Clause, Expansions

# Query words read as Greeklish or corrected, per query.
MAX_EXPANDED_WORDS = 8
# The field whose words the vocabulary holds: real words, folded, not stemmed.
VOCABULARY_FIELD = "exact"


def read_vocabulary(reader: IndexReader) -> GreekVocabulary:
    """The folded words of the index with their document frequencies, lookup indexes built."""
    return GreekVocabulary.from_reader(reader, VOCABULARY_FIELD).warm()


def expansions(reader: IndexReader, clauses: Sequence[Clause],
               vocabulary: Callable[[], GreekVocabulary]) -> dict[str, Expansion]:
    """Greeklish readings and misspelling corrections for the plain words of the query.

    At most MAX_EXPANDED_WORDS words are looked up: a pasted paragraph is
    searched as typed, not read word by word as Greeklish.  `vocabulary` is only
    called when a word is not a known Greek word.
    """
    pending = [c for c in clauses if not c.phrase]
    out: dict[str, Expansion] = {}
    looked_up: set[str] = set()
    while pending and len(looked_up) < MAX_EXPANDED_WORDS:
        clause = pending.pop()
        pending.extend(a for a in clause.alternatives if not a.phrase)
        plain = clause.words[:-1] if clause.prefix else clause.words
        for word in plain:
            if word.folded in looked_up or (word.term is None and not word.folded.isascii()):
                continue
            looked_up.add(word.folded)
            if analysis.is_greek(word.folded) and reader.doc_frequency(VOCABULARY_FIELD, word.folded):
                continue  # a known Greek word: no vocabulary needed
            expansion = expand(word.folded, vocabulary())
            if expansion is not None:
                out[word.folded] = expansion
    return out


def suggest(searcher: Searcher, q: str, found: Expansions) -> str | None:
    """The query as typed, with each word read as Greeklish or corrected in the Greek
    spelling the documents use ("dimarxos xanion" -> "δήμαρχος Χανίων")."""
    if not found:
        return None
    pieces, cursor = [], 0
    for word in analysis.words(q):
        expansion = found.get(word.folded)
        if expansion is not None:
            pieces += [q[cursor:word.start], _surface_form(searcher, expansion.best)]
            cursor = word.end
    return "".join(pieces) + q[cursor:] if pieces else None


def _surface_form(searcher: Searcher, folded: str) -> str:
    """How the index's documents actually spell a folded word (accents and all)."""
    for docnum in searcher.reader().postings(VOCABULARY_FIELD, folded).all_ids():
        stored = searcher.stored_fields(docnum)
        for text in (stored.get("title", ""), stored.get("body", "")):
            for word in analysis.words(text):
                if word.folded == folded:
                    surface = text[word.start:word.end]
                    return final_sigma(surface.lower() if surface.isupper() else surface)
        break
    return final_sigma(folded)
