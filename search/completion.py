"""Completing a Greeklish prefix («diakyv», «dimarx») to the index's Greek words.

A Greek prefix is a run of the sorted term dictionary; a Latin one is not, since one Latin
spelling stands for several Greek ones.  The Greeklish matcher's lossy keys (search.greeklish:
vowel runs as V, consonants by sound class) are what a Latin prefix and the start of a Greek
word share, so the vocabulary's words are kept sorted by key once per generation, and the words
whose key starts with a key the Latin prefix can spell are one run each.  Each candidate, most
documents first, is then verified with the matcher's own cost: the Latin prefix must spell some
start of the word (spelling_cost over the word's prefixes), so «dimarx» gives δημαρχος, never
δημοσιος.
"""
from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from itertools import islice, takewhile

from .analysis import GREEK_STOPWORDS, is_greek
from .greeklish import GreekVocabulary, greek_key, is_latin_word, latin_keys, spelling_cost

# Candidates verified per request, most documents first, stopping at the completions asked for: a
# three-letter prefix («dia») has thousands (2,583 on the 36,742 words of the laws in ../shared/data).
# There, medians of 5 (python benchmarks/complete.py): «dia» 7.9 ms (mostly sorting its candidates),
# «kat» 0.6 ms, «dimarx» 0.15 ms, «diakyv» 0.12 ms, against 0.03-0.05 ms for the Greeklish look-up of
# a whole word; sorting the vocabulary by key once per generation takes 0.55 s.
MAX_VERIFIED = 300
# A Latin prefix ending inside a unit («dimarc» of «dimarch») spells no key; up to this many of its
# last letters are dropped to find one.
MAX_DROPPED = 2


# Words of a prefix read for completion (~1 ms of Whoosh's term dictionary): a one-letter prefix has
# thousands, and those past the first COMPLETION_SCAN in dictionary order are not ranked.
COMPLETION_SCAN = 2_000


def most_documents(found: Iterable[tuple[str, int]], limit: int) -> list[tuple[str, int]]:
    """(word, documents) pairs, most documents first, ties by word, cut to `limit`."""
    return sorted(found, key=lambda item: (-item[1], item[0]))[:limit]


class SortedWords:
    """A vocabulary's words in the order of Whoosh's term dictionary, for completing a folded prefix
    where no term dictionary can be walked (the cluster: search.sphinx.service).

    Whoosh sorts terms by their UTF-8 bytes, which is the order of their code points, so the words
    of a prefix are one run of this list, and the first COMPLETION_SCAN of it are ranked, as
    SearchEngine.complete_word ranks its dictionary's run: the same answers from the same words.
    """

    def __init__(self, vocabulary: GreekVocabulary):
        self.df = vocabulary.df
        self._words = sorted(vocabulary.df)

    def complete(self, prefix: str, limit: int) -> list[tuple[str, int]]:
        start = bisect_left(self._words, prefix)
        run = takewhile(lambda word: word.startswith(prefix), (self._words[i] for i in range(start, len(self._words))))
        return most_documents(((word, self.df[word]) for word in islice(run, COMPLETION_SCAN)), limit)


class GreeklishPrefixes:
    """The Greek words of a vocabulary, sorted by greeklish key, for prefix look-up."""

    def __init__(self, vocabulary: GreekVocabulary):
        self.df = vocabulary.df
        self._keyed = sorted((greek_key(word), word) for word in vocabulary.df
                             if is_greek(word) and word not in GREEK_STOPWORDS)
        self._keys = [key for key, _ in self._keyed]

    def _candidates(self, keys: set[str]) -> set[str]:
        found: set[str] = set()
        for key in keys:
            i = bisect_left(self._keys, key)
            while i < len(self._keys) and self._keys[i].startswith(key):
                found.add(self._keyed[i][1])
                i += 1
        return found

    def complete(self, latin: str, limit: int) -> list[tuple[str, int]]:
        """Greek words (folded) a folded Latin prefix starts, most documents first, with their documents."""
        if not is_latin_word(latin):
            return []
        keys: set[str] = set()
        usable = latin
        for dropped in range(min(MAX_DROPPED, len(latin) - 2) + 1):
            usable = latin[:len(latin) - dropped]
            keys = latin_keys(usable)
            if keys:
                break
        ranked = sorted(self._candidates(keys), key=lambda w: (-self.df[w], w))[:MAX_VERIFIED]
        spelled = islice((word for word in ranked if _spells_a_start(usable, word)), limit)
        return [(word, self.df[word]) for word in spelled]


def _spells_a_start(latin: str, word: str) -> bool:
    """Whether `latin` spells the start word[:i] of the folded Greek word for some i.

    A Greek letter takes one to three Latin ones (ου as "u" is half a letter each; γχ as "nch" three for
    two), so only starts of m/3 to 2m letters can match a Latin prefix of m."""
    shortest, longest = max(1, len(latin) // 3), min(len(word), 2 * len(latin))
    return any(spelling_cost(latin, word[:i]) is not None for i in range(shortest, longest + 1))
