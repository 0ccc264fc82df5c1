"""A Whoosh generation read into numpy arrays: postings, field lengths, facet columns, dates.

A generation never changes once published, so everything here is read once
per generation (postings lazily, per term, into a bounded cache; columns when
the generation is opened) and shared by every request without a lock: the
arrays are immutable and a racing first read of one term only does the same
work twice.

Whoosh keeps the postings on disk in blocks of up to 128 documents; reading
a term's blocks straight into arrays costs one Python step per block instead
of one per posting, which is what makes scoring, totals and facet counts
array operations (evaluate.py) rather than Python loops.
"""
from __future__ import annotations

import threading
from bisect import bisect_left
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.reading import IndexReader
from whoosh.util.numeric import byte_to_length

# Decoded field length for each of the 256 length bytes Whoosh stores per document.
_LENGTH_OF_BYTE = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)
# Postings kept in memory per generation, counted in postings (12 bytes each: id,
# weight and the cache's share): 8 million is ~100 MB, the postings of every query
# term of a busy day on 100,000 announcements.
POSTINGS_CACHE_SIZE = 8_000_000


@dataclass(frozen=True)
class Postings:
    """One term's documents (global docnums, ascending, deleted ones left out) and weights."""

    ids: np.ndarray      # int64
    weights: np.ndarray  # float64: term frequency times the field's boost, as Whoosh stores it

    def __len__(self) -> int:
        return len(self.ids)


EMPTY = Postings(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))


def _leaf_postings(leaf: IndexReader, fieldname: str, btext: bytes, terminfo=None) -> tuple[list, list]:
    """The blocks of one segment's posting list, read whole (deleted documents included).

    Whoosh's own matcher reads the same blocks but steps through them one
    posting at a time; here each block's id and weight arrays are taken as
    they are decoded (the W3 codec's block reader, pinned by whoosh-reloaded 2.7.5).
    `terminfo`, when the caller has it from walking the field's terms, saves a lookup.
    """
    format_ = leaf.schema[fieldname].format
    if terminfo is None:
        matcher = leaf._terms.matcher(fieldname, btext, format_)
    else:
        matcher = leaf._codec.postings_reader(leaf._terms._postfile, terminfo, format_, term=(fieldname, btext))
    if not hasattr(matcher, "_read_ids"):  # postings inlined in the term's entry (the codec's inlinelimit)
        ids, weights = [], []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
        return [np.asarray(ids, dtype=np.int64)], [np.asarray(weights, dtype=np.float64)]
    ids, weights = [], []
    while matcher.is_active():
        matcher._read_ids()
        matcher._read_weights()
        ids.append(np.asarray(matcher._ids, dtype=np.int64))
        weights.append(np.asarray(matcher._weights, dtype=np.float64))
        matcher._next_block()
    return ids, weights


class GenerationPostings:
    """Postings of one opened generation, by (field, term), cached up to POSTINGS_CACHE_SIZE.

    Reads go through the reader of the caller's own searcher: a Whoosh reader
    seeks in shared files and is not safe to share between threads, while every
    reader of one generation numbers its documents the same way.
    """

    def __init__(self, reader: IndexReader):
        self.doc_count = reader.doc_count_all()
        self.live = np.ones(self.doc_count, dtype=bool)
        for leaf, offset in reader.leaf_readers():
            for docnum in leaf.deleted_docs_set:
                self.live[offset + docnum] = False
        self.has_deletions = not self.live.all()
        self._cache: OrderedDict[tuple[str, str], Postings] = OrderedDict()
        self._cached = 0
        self._lock = threading.Lock()  # guards the cache's bookkeeping only, never a read from disk

    def postings(self, reader: IndexReader, fieldname: str, text: str) -> Postings:
        key = (fieldname, text)
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
                return found
        found = self.read(reader, fieldname, text)
        with self._lock:
            if key not in self._cache:
                self._cache[key] = found
                self._cached += len(found)
                while self._cached > POSTINGS_CACHE_SIZE and len(self._cache) > 1:
                    _, dropped = self._cache.popitem(last=False)
                    self._cached -= len(dropped)
        return found

    def read(self, reader: IndexReader, fieldname: str, text: str) -> Postings:
        """A term's postings read from disk, uncached."""
        btext = reader.schema[fieldname].to_bytes(text)
        id_parts, weight_parts = [], []
        for leaf, offset in reader.leaf_readers():
            if (fieldname, btext) not in leaf:
                continue
            ids, weights = _leaf_postings(leaf, fieldname, btext)
            id_parts += [block + offset for block in ids]
            weight_parts += weights
        if not id_parts:
            return EMPTY
        ids = np.concatenate(id_parts)
        weights = np.concatenate(weight_parts)
        if self.has_deletions:
            keep = self.live[ids]
            ids, weights = ids[keep], weights[keep]
        return Postings(ids, weights)

    def every_term(self, reader: IndexReader, fieldname: str) -> dict[str, Postings]:
        """Every term of a field with its postings, in one walk of each segment's terms (uncached).

        For facet and date columns, read whole when a generation opens: walking the
        terms gives each one's entry, where looking each up again cost a second
        search of the term index (5.5 s of 6.8 s opening 10,000 announcements).
        """
        parts: dict[str, tuple[list, list]] = {}
        for leaf, offset in reader.leaf_readers():
            for btext, terminfo in leaf.iter_field(fieldname):
                ids, weights = _leaf_postings(leaf, fieldname, btext, terminfo)
                text = btext.decode("utf-8") if isinstance(btext, bytes) else btext
                found = parts.setdefault(text, ([], []))
                found[0].extend(block + offset for block in ids)
                found[1].extend(weights)
        out = {}
        for text in sorted(parts):
            ids, weights = np.concatenate(parts[text][0]), np.concatenate(parts[text][1])
            if self.has_deletions:
                keep = self.live[ids]
                ids, weights = ids[keep], weights[keep]
            if len(ids):
                out[text] = Postings(ids, weights)
        return out

    def field_lengths(self, reader: IndexReader, fieldname: str) -> np.ndarray:
        """Every document's length in `fieldname`, decoded as Whoosh's scorer decodes it."""
        out = np.zeros(self.doc_count, dtype=np.float64)
        for leaf, offset in reader.leaf_readers():
            column = leaf._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            if column is None:
                continue
            raw = np.frombuffer(column._dbfile.get(column._basepos, column._count), dtype=np.uint8)
            out[offset:offset + len(raw)] = _LENGTH_OF_BYTE[raw]
        return out


def positions_in(reader: IndexReader, fieldname: str, text: str, docnums: list[int]) -> dict[int, list[int]]:
    """A term's positions in each of `docnums` (global, ascending) that holds it.

    Whoosh's own skip_to steps through a block one posting at a time: reading the positions of a
    word in 100 candidates that way took 6 of a two-word query's 11 ms on 10,000 announcements.
    Here a block is passed over on its last id and looked into with a binary search, and only the
    candidates' positions are decoded.
    """
    btext = reader.schema[fieldname].to_bytes(text)
    out: dict[int, list[int]] = {}
    for leaf, offset in reader.leaf_readers():
        end = offset + leaf.doc_count_all()
        local = [d - offset for d in docnums if offset <= d < end]
        if not local or (fieldname, btext) not in leaf:
            continue
        matcher = leaf._terms.matcher(fieldname, btext, leaf.schema[fieldname].format)
        for docnum, positions in _leaf_positions(matcher, local):
            out[docnum + offset] = positions
    return out


def _leaf_positions(matcher, local: list[int]):
    """(segment docnum, positions) for each of `local` (ascending) the segment's matcher holds."""
    if not hasattr(matcher, "_read_ids"):  # postings inlined in the term's entry: a handful
        wanted = set(local)
        while matcher.is_active():
            if matcher.id() in wanted:
                yield matcher.id(), matcher.value_as("positions")
            matcher.next()
        return
    i = 0
    while matcher.is_active() and i < len(local):
        if local[i] > matcher.block_max_id():
            matcher._next_block()
            continue
        matcher.block_min_id()  # reads the block's ids into matcher._ids
        ids = matcher._ids
        while i < len(local) and local[i] <= matcher.block_max_id():
            k = bisect_left(ids, local[i])
            if k < len(ids) and ids[k] == local[i]:
                matcher._i = k
                yield local[i], matcher.value_as("positions")
            i += 1
        matcher._next_block()
