"""The index's words for Greeklish and spelling: the vocabulary of a generation, and how words are spelled.

The vocabulary (every folded word of the `exact` field with its document frequency)
belongs to one generation, and a generation never changes.  What a word becomes
(searched as typed, corrected, or only suggested) is search.corrections' decision;
this module reads the index for it (search.corrections.correction_plan asks the engine).
"""
from __future__ import annotations

from collections.abc import Callable
from itertools import islice

from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from ... import corrections
from ...corrections import SPELLING_DOCUMENTS
from ...greeklish import GreekVocabulary

# The field whose words the vocabulary holds: real words, folded, not stemmed.
VOCABULARY_FIELD = "exact"


def read_vocabulary(reader: IndexReader) -> GreekVocabulary:
    """The folded words of the index with their document frequencies, lookup indexes built."""
    return GreekVocabulary.from_reader(reader, VOCABULARY_FIELD).warm()


def speller(searcher: Searcher) -> Callable[[str], str]:
    """How the documents spell a folded word (corrections.speller over the first of them that hold it)."""
    reader = searcher.reader()

    def holding(folded: str) -> list[tuple[str, str]]:
        if not reader.doc_frequency(VOCABULARY_FIELD, folded):
            return []
        stored = [searcher.stored_fields(docnum) for docnum in
                  islice(reader.postings(VOCABULARY_FIELD, folded).all_ids(), SPELLING_DOCUMENTS)]
        return [(fields.get("title", ""), fields.get("body", "")) for fields in stored]

    return corrections.speller(holding)
