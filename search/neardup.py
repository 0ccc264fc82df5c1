"""Near-duplicate grouping: the same announcement up to numbers, dates and reference codes.

Templated decisions («Ανάληψη και δέσμευση πίστωσης ποσού 80,00 € ... λογαριασμό 2420403001») and a
press release posted on two sites differ only in their numbers, so a document's shingles are its
folded words with every token that holds a digit written as one placeholder, in overlapping word
pairs.  MinHash signatures (datasketch) estimate the Jaccard similarity of the shingle sets and LSH
finds the candidate leaders in near-linear time; a document joins the nearest leader whose estimate
reaches THRESHOLD and that is the same announcement up to numbers (`same_up_to_numbers`, see
`group_keys`), and each group's key is its smallest document id, so the key is stable from one reindex
to the next while the group's membership is.

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
from collections.abc import Iterable

from datasketch import MinHash, MinHashLSH

from .analysis import words
from .documents import Document

THRESHOLD = 0.8  # estimated Jaccard of the shingle sets; the templated decisions measure 0.85-1.0
NUM_PERM = 128  # MinHash permutations: the estimate's standard error is about 0.04 at J = 0.8
_HAS_DIGIT = re.compile(r"\d")
NUMBER = "#"  # the placeholder every number, date and reference code becomes


def shingles(text: str) -> set[str]:
    """Overlapping pairs of folded words, numbers and codes as one placeholder; single words for a one-word text."""
    tokens = [NUMBER if _HAS_DIGIT.search(word.folded) else word.folded for word in words(text)]
    if len(tokens) < 2:
        return set(tokens)
    return {f"{a} {b}" for a, b in zip(tokens, tokens[1:])}


def content_words(text: str) -> frozenset[str]:
    """The folded words of the text's whitespace-separated chunks that hold no digit.

    Chunks, not words: a protocol code «Β3γ/οικ.89600» is one code, and its «οικ» is no word of the
    announcement.
    """
    return frozenset(w.folded for chunk in text.split() if not _HAS_DIGIT.search(chunk) for w in words(chunk))


def same_up_to_numbers(a: frozenset[str], b: frozenset[str]) -> bool:
    """Same announcement: the content words of one include the other's (additions only, no word replaced)."""
    return a <= b or b <= a


def signature(text: str) -> MinHash:
    minhash = MinHash(num_perm=NUM_PERM, seed=14)
    minhash.update_batch(shingle.encode("utf-8") for shingle in shingles(text))
    return minhash


def group_keys(documents: Iterable[Document], threshold: float = THRESHOLD) -> dict[str, str]:
    """Document id -> group key, for every document that has a near-duplicate; the others are absent.

    Leader clustering, not transitive closure: a document joins the group of the nearest earlier
    leader it resembles (estimated Jaccard >= threshold) and is the same announcement as
    (`same_up_to_numbers`), or leads a group of its own, so every member is near its leader and chains
    of small differences cannot join two different templates.
    """
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    leaders: dict[str, tuple[MinHash, frozenset[str]]] = {}
    leader_of: dict[str, str] = {}
    for doc in documents:
        text = f"{doc.title}\n{doc.body}"
        if doc.id in leader_of or not shingles(text):
            continue
        minhash, content = signature(text), content_words(text)
        near = [other for other in lsh.query(minhash)
                if leaders[other][0].jaccard(minhash) >= threshold and same_up_to_numbers(leaders[other][1], content)]
        if near:
            leader_of[doc.id] = min(near, key=lambda other: (-leaders[other][0].jaccard(minhash), other))
        else:
            leader_of[doc.id] = doc.id
            leaders[doc.id] = (minhash, content)
            lsh.insert(doc.id, minhash)
    members: dict[str, list[str]] = {}
    for doc_id, leader in leader_of.items():
        members.setdefault(leader, []).append(doc_id)
    return {doc_id: min(group) for group in members.values() if len(group) > 1 for doc_id in group}


def assign_groups(documents: list[Document]) -> list[Document]:
    """Set each document's `group` (None when it has no near-duplicate), at index time over the whole list."""
    keys = group_keys(documents)
    for doc in documents:
        doc.group = keys.get(doc.id)
    return documents


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
