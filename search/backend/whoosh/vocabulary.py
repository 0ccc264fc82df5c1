"""The index's words for Greeklish and spelling: the vocabulary of a generation, and how words are spelled.

The vocabulary (every folded word of the `exact` field with its document frequency)
belongs to one generation, and a generation never changes.  What a word becomes
(searched as typed, corrected, or only suggested) is search.corrections' decision;
this module reads the index for it (search.corrections.correction_plan asks the engine).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import islice

from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from ...corrections import spelled
from ...greeklish import GreekVocabulary

# The field whose words the vocabulary holds: real words, folded, not stemmed.
VOCABULARY_FIELD = "exact"
# Documents read to learn how a replacement word is spelled (corrections.spelled): its commonest
# lower-case form among them.  A few are enough evidence for a word's spelling, and reading the
# title and body of more costs every corrected query time for nothing.
SPELLING_DOCUMENTS = 5


def read_vocabulary(reader: IndexReader) -> GreekVocabulary:
    """The folded words of the index with their document frequencies, lookup indexes built."""
    return GreekVocabulary.from_reader(reader, VOCABULARY_FIELD).warm()


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
