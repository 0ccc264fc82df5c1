"""The index's words for Greeklish and spelling: the correction plan of a query, and how words are spelled.

The vocabulary (every folded word of the `exact` field with its document frequency)
belongs to one generation, and a generation never changes.  What a word becomes
(searched as typed, corrected, or only suggested) is search.corrections' decision;
this module gathers its evidence from the index.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from itertools import islice

from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from ... import analysis
from ...analysis import Word
from ...corrections import CorrectionPlan, decide, gather, spelled
from ...greeklish import GreekVocabulary
from ...querylang import Clause

# Query words read as Greeklish or corrected, per query.
MAX_EXPANDED_WORDS = 8
# The field whose words the vocabulary holds: real words, folded, not stemmed.
VOCABULARY_FIELD = "exact"
# Documents read to learn how a replacement word is spelled (corrections.spelled): its commonest
# lower-case form among them.  A few are enough evidence for a word's spelling, and reading the
# title and body of more costs every corrected query time for nothing.
SPELLING_DOCUMENTS = 5


def read_vocabulary(reader: IndexReader) -> GreekVocabulary:
    """The folded words of the index with their document frequencies, lookup indexes built."""
    return GreekVocabulary.from_reader(reader, VOCABULARY_FIELD).warm()


def _query_words(clauses: Sequence[Clause]) -> Iterator[tuple[Word, bool]]:
    """(word, quoted) for each word a correction may concern, alternatives and excluded words too.

    Not a prefix* (it is a prefix, not a word) nor a Greek stopword (the query drops it).
    """
    pending = list(reversed(clauses))
    while pending:
        clause = pending.pop()
        pending.extend(reversed(clause.alternatives))
        plain = clause.words[:-1] if clause.prefix else clause.words
        for word in plain:
            if word.term is not None or word.folded.isascii():
                yield word, clause.quoted


def correction_plan(reader: IndexReader, clauses: Sequence[Clause], hits: Callable[[Word], int],
                    vocabulary: Callable[[], GreekVocabulary], as_typed: bool = False) -> CorrectionPlan:
    """The correction plan of a query: per word its evidence (`hits`: documents it finds by itself).

    At most MAX_EXPANDED_WORDS words are looked up: a pasted paragraph is searched as typed, not read
    word by word as Greeklish.  `vocabulary` is only called when a word is not in the index (gather).
    """
    if as_typed:
        return decide((), as_typed=True)
    seen: dict[str, tuple[Word, bool]] = {}
    for word, quoted in _query_words(clauses):
        if word.folded in seen:  # quoted only if every copy is: a quoted copy of a corrected word stays as typed
            seen[word.folded] = (seen[word.folded][0], seen[word.folded][1] and quoted)
        elif len(seen) < MAX_EXPANDED_WORDS:
            seen[word.folded] = (word, quoted)
    evidence = []
    for folded, (word, quoted) in seen.items():
        known = analysis.is_greek(folded) and reader.doc_frequency(VOCABULARY_FIELD, folded) > 0
        evidence.append(gather(folded, hits(word), vocabulary, quoted=quoted, known=known))
    return decide(evidence)


def speller(searcher: Searcher) -> Callable[[str], str]:
    """How the documents spell a folded word, in normal case (corrections.spelled over a few of them)."""
    reader = searcher.reader()

    def texts(folded: str) -> Iterator[str]:
        """Titles first (short, and often enough), then bodies, read only as far as `spelled` asks."""
        if not reader.doc_frequency(VOCABULARY_FIELD, folded):
            return
        stored = [searcher.stored_fields(docnum) for docnum in
                  islice(reader.postings(VOCABULARY_FIELD, folded).all_ids(), SPELLING_DOCUMENTS)]
        yield from (fields.get("title", "") for fields in stored)
        yield from (fields.get("body", "") for fields in stored)

    def spell(folded: str) -> str:
        return spelled(folded, texts(folded))

    return spell
