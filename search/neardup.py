"""Near-duplicate grouping: the same announcement up to numbers, dates and reference codes.

Templated decisions («Ανάληψη και δέσμευση πίστωσης ποσού 80,00 € ... λογαριασμό 2420403001») and a
press release posted on two sites differ only in their numbers, so a document's shingles are its
folded words with every token that holds a digit written as one placeholder, in overlapping word
pairs.  MinHash signatures (datasketch) estimate the Jaccard similarity of the shingle sets and LSH
finds the candidate leaders in near-linear time; a document joins the nearest leader whose estimate
reaches THRESHOLD and that is the same announcement up to numbers (`same_up_to_numbers`, see
`Grouper`), and each group's key is its leader's id, the first member indexed: the key stays from one
reindex to the next while the sources and their order do, and an incremental run never changes the key of
a group whose leader it keeps.

Why the second test: the Jaccard estimate alone cannot tell a number from a name.  Templated
decisions of different hospitals («… του Γενικού Νοσοκομείου Χανίων» and «… Ζακύνθου») share 80% of
their shingles, so with the estimate alone 27 budget amendments of some 20 hospitals were one group.  Two
documents are the same announcement when, numbers and codes left out, one's words include the
other's: an extra label («ΘΕΜΑ:», «ευρώ») or the words a cut title lost are additions, a word
replaced by another (a hospital, a region, a person) is a different announcement.

Measured on the 1,094 ingested Diavgeia decisions (`python3 -m search.neardup`; tests/test_neardup.py
prints the figures): with the estimate alone, 686 documents in 103 groups (511 results once collapsed);
with both tests, 589 documents in 83 groups (588 results), and every two members of a group pass
`same_up_to_numbers`, not only each member and its leader.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

import numpy as np
from datasketch import MinHash, MinHashLSH

from .analysis import words
from .documents import Document

THRESHOLD = 0.8  # estimated Jaccard of the shingle sets; the templated decisions measure 0.85-1.0
NUM_PERM = 128  # MinHash permutations: the estimate's standard error is about 0.04 at J = 0.8
_HAS_DIGIT = re.compile(r"\d")
NUMBER = "#"  # the placeholder every number, date and reference code becomes


def _tokens(text: str) -> list[tuple[str, bool]]:
    """Each folded word of the text, with whether its whitespace-separated chunk holds a digit."""
    return [(word.folded, digits) for chunk in text.split() for digits in (bool(_HAS_DIGIT.search(chunk)),)
            for word in words(chunk)]


def _shingles(tokens: list[tuple[str, bool]]) -> set[str]:
    placed = [NUMBER if _HAS_DIGIT.search(folded) else folded for folded, _ in tokens]
    if len(placed) < 2:
        return set(placed)
    return {f"{a} {b}" for a, b in zip(placed, placed[1:])}


def _content(tokens: list[tuple[str, bool]]) -> frozenset[str]:
    return frozenset(folded for folded, digits in tokens if not digits)


def shingles(text: str) -> set[str]:
    """Overlapping pairs of folded words, numbers and codes as one placeholder; single words for a one-word text."""
    return _shingles(_tokens(text))


def content_words(text: str) -> frozenset[str]:
    """The folded words of the text's whitespace-separated chunks that hold no digit.

    Chunks, not words: a protocol code «Β3γ/οικ.89600» is one code, and its «οικ» is no word of the
    announcement.
    """
    return _content(_tokens(text))


def same_up_to_numbers(a: frozenset[str], b: frozenset[str]) -> bool:
    """Same announcement: the content words of one include the other's (additions only, no word replaced)."""
    return a <= b or b <= a


# Every signature hashes with the same permutations: drawing them is a third of a signature's cost.
_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=14)


def _signature(shingled: set[str]) -> MinHash:
    minhash = MinHash(num_perm=NUM_PERM, seed=14, permutations=_TEMPLATE.permutations, scheme=_TEMPLATE.scheme)
    minhash.update_batch(shingle.encode("utf-8") for shingle in shingled)
    return minhash


def signature(text: str) -> MinHash:
    return _signature(shingles(text))


def text_of(document: Document) -> str:
    """What is compared: the title and the body."""
    return f"{document.title}\n{document.body}"


def _hashed(content: frozenset[str]) -> np.ndarray:
    """Content words as a sorted array of their hashes: a few bytes a word instead of a str object in a
    set (~70 bytes), for the leaders a grouper keeps in memory (every document alone is one)."""
    return np.unique(np.fromiter((hash(word) for word in content), dtype=np.int64, count=len(content)))


# A text's MinHash signature and the sorted hashes of its content words.
Features = tuple[MinHash, np.ndarray]


def _includes_either(a: np.ndarray, b: np.ndarray) -> bool:
    """`same_up_to_numbers` on hashed content words."""
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return bool(np.isin(small, large, assume_unique=True).all())


class Grouper:
    """Online leader clustering: each document, in the order given, joins a group or leads a new one.

    A document joins the nearest leader it resembles (estimated Jaccard >= threshold, ties by id) and is
    the same announcement as (`same_up_to_numbers`), or leads a group of its own; a group's key is its
    leader's id, the first member given.  Leader clustering, not transitive closure: every member is near
    its leader, so chains of small differences cannot join two different templates.  Online, so that a
    reindex groups documents as they stream to the writer (no list of the whole source set in memory,
    only each leader's signature and hashed content words), and so that an incremental run, given the
    live generation's leaders first (`lead`), groups new documents against the whole index while every
    existing key stays as it was.
    """

    def __init__(self, threshold: float = THRESHOLD):
        self.threshold = threshold
        self._lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self._leaders: dict[str, tuple[MinHash, np.ndarray]] = {}

    def assign(self, doc_id: str, text: str) -> str:
        """The key of the group `doc_id` joins; it leads a new group (its own id) when it resembles none."""
        return self.assign_features(doc_id, self.features(text))

    def assign_features(self, doc_id: str, features: Features | None) -> str:
        """`assign` from the text's `features`, computed beforehand (in a worker process, for a large reindex)."""
        if features is None:
            return doc_id  # nothing to compare: alone, and no leader any other could resemble
        minhash, content = features
        near = [(-self._leaders[other][0].jaccard(minhash), other) for other in self._lsh.query(minhash)
                if other != doc_id]
        near = [(distance, other) for distance, other in near
                if -distance >= self.threshold and _includes_either(self._leaders[other][1], content)]
        if near:
            return min(near)[1]
        self._register(doc_id, minhash, content)
        return doc_id

    def lead(self, doc_id: str, text: str) -> None:
        """Take `doc_id` as an existing group's leader (an incremental run seeds the live index's leaders)."""
        features = self.features(text)
        if features is not None:
            self._register(doc_id, *features)

    @staticmethod
    def features(text: str) -> Features | None:
        """The signature and hashed content words, from one pass over the words; None for a text of none.

        A function of the text alone, and so computed in any process forked from this one (the content
        words' hashes are Python's string hashes, whose secret a forked process shares)."""
        tokens = _tokens(text)
        shingled = _shingles(tokens)
        return (_signature(shingled), _hashed(_content(tokens))) if shingled else None

    def forget(self, doc_id: str) -> None:
        """`doc_id` leads no more (deleted, or changed and about to be assigned again)."""
        if self._leaders.pop(doc_id, None) is not None:
            self._lsh.remove(doc_id)

    def _register(self, doc_id: str, minhash: MinHash, content: np.ndarray) -> None:
        self.forget(doc_id)
        self._leaders[doc_id] = (minhash, content)
        self._lsh.insert(doc_id, minhash)


def group_keys(documents: Iterable[Document], threshold: float = THRESHOLD) -> dict[str, str]:
    """Document id -> group key (its leader's id, see Grouper), for every document that has a
    near-duplicate; the others are absent.  A repeated id keeps its first assignment."""
    grouper = Grouper(threshold)
    leader_of: dict[str, str] = {}
    for doc in documents:
        if doc.id not in leader_of:
            leader_of[doc.id] = grouper.assign(doc.id, text_of(doc))
    sizes = Counter(leader_of.values())
    return {doc_id: leader for doc_id, leader in leader_of.items() if sizes[leader] > 1}


if __name__ == "__main__":
    import collections
    import sys
    from pathlib import Path

    from .ingest import IngestReport, load_documents

    source = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/diavgeia-decisions.jsonl")
    docs = list(load_documents([source], IngestReport()))
    keys = group_keys(docs)
    groups = collections.Counter(keys.values())
    titles = {doc.id: doc.title for doc in docs}
    print(f"{len(docs)} documents: {len(keys)} in {len(groups)} groups, "
          f"{len(docs) - len(keys) + len(groups)} results once collapsed")
    for key, size in groups.most_common(5):
        members = sorted(doc_id for doc_id, group in keys.items() if group == key)
        print(f"- {size} × {titles[key][:90]}")
        for doc_id in members[1:3]:
            print(f"    {titles[doc_id][:90]}")
