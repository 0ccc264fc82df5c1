"""Near-duplicate groups of one generation as arrays, and a ranked list collapsed to one result per group.

Every document written since groups exist carries its group key (search/neardup.py; a document alone is
a group of one keyed by its own id), in a Whoosh column read once when the generation opens.  Each
document's group becomes a number, so collapsing a ranked list is `np.unique(..., return_index=True)` on
the group numbers of the ranked documents: the first position of each group is its best-ranked member.
Counting what a listing holds once collapsed is one `bincount`.  No request loops over documents.

A generation written before groups existed has no column: each document is then its own group, and
nothing collapses until the next full reindex.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from whoosh.reading import IndexReader

GROUP_FIELD = "group"


@dataclass(frozen=True)
class GroupColumn:
    """Each document's group number, each group's size, and each stored key's group number."""

    of: np.ndarray  # docnum -> group number (int64)
    sizes: np.ndarray  # group number -> live documents in the group
    numbers: dict[str, int]  # group key -> group number

    @classmethod
    def read(cls, reader: IndexReader, live: np.ndarray) -> GroupColumn:
        doc_count = len(live)
        grouped = GROUP_FIELD in reader.schema and reader.has_column(GROUP_FIELD)  # not in older generations
        keys = (np.array(list(reader.column_reader(GROUP_FIELD)), dtype=object) if grouped
                else np.full(doc_count, "", dtype=object))
        names, of = np.unique(keys, return_inverse=True)
        of = of.astype(np.int64)
        numbers = {str(name): number for number, name in enumerate(names) if name}
        unkeyed = keys == ""
        if unkeyed.any():  # no key: a group of one each, numbered after the keyed groups
            of[unkeyed] = len(names) + np.arange(int(unkeyed.sum()))
        sizes = np.bincount(of[live], minlength=int(of.max()) + 1 if doc_count else 0)
        return cls(of, sizes, numbers)

    def members(self, key: str) -> np.ndarray:
        """A mask of the documents of the group keyed `key` (none for an unknown key)."""
        number = self.numbers.get(key)
        return self.of == number if number is not None else np.zeros(len(self.of), dtype=bool)

    def distinct(self, docnums: np.ndarray) -> int:
        """How many groups the documents belong to: the results they make once collapsed."""
        return int(np.count_nonzero(np.bincount(self.of[docnums], minlength=len(self.sizes))))

    def firsts(self, ranked: np.ndarray) -> np.ndarray:
        """Positions in `ranked` (docnums, best first) of each group's first document, in rank order."""
        _, first = np.unique(self.of[ranked], return_index=True)
        first.sort()
        return first

    def similar(self, docnums: list[int]) -> list[int]:
        """For each document, how many other live documents its group holds."""
        return (self.sizes[self.of[docnums]] - 1).tolist() if docnums else []


def best_first(ids: np.ndarray, scores: np.ndarray, groups: GroupColumn, end: int) -> tuple[np.ndarray, np.ndarray]:
    """The best-ranked document of each of the first `end` groups (descending score, ties by docnum).

    Only a prefix of the ranking is sorted: its first k documents (those above the k-th best score, then
    the tied ones of smallest docnum, so the prefix is exact even when every score ties, as for an empty
    query or a constant-score prefix), k = `end` first and four times more while the prefix holds fewer
    than `end` groups (a templated decision's 250 copies can fill a prefix).  `ids` must ascend.
    """
    want = end
    while True:
        if want < len(ids):
            kth = np.partition(-scores, want - 1)[want - 1]
            better = np.flatnonzero(-scores < kth)
            tied = np.flatnonzero(-scores == kth)[:want - len(better)]  # ids ascend: the first by docnum
            chosen = np.concatenate([better, tied])
            prefix_ids, prefix_scores = ids[chosen], scores[chosen]
        else:
            prefix_ids, prefix_scores = ids, scores
        order = np.lexsort((prefix_ids, -prefix_scores))
        ranked_ids, ranked_scores = prefix_ids[order], prefix_scores[order]
        firsts = groups.firsts(ranked_ids)[:end]
        if len(firsts) >= end or want >= len(ids):
            return ranked_ids[firsts], ranked_scores[firsts]
        want *= 4
