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
from collections import OrderedDict
import heapq
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import accumulate, groupby
from pickle import loads
from typing import TYPE_CHECKING, Any

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.formats import Positions
from whoosh.reading import IndexReader
from whoosh.system import _INT_SIZE
from whoosh.util.numeric import byte_to_length

if TYPE_CHECKING:
    from .posting_arrays import PostingArrays

# Decoded field length for each of the 256 length bytes Whoosh stores per document.
_LENGTH_OF_BYTE = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)
# Postings kept in memory per generation, counted in postings (12 bytes each: id,
# weight and the cache's share): 8 million is ~100 MB, the postings of every query
# term of a busy day on 100,000 announcements.
POSTINGS_CACHE_SIZE = 8_000_000
# Position keys (8 bytes each) of whole terms kept per generation for phrases: 4 million is 32 MB.
# The commonest word of the letterhead, «του», holds 342,008 positions in `exact` over 30,000
# generated announcements; reading them took 86-90 ms, filtering the cached ones to a phrase's
# candidates a few.
POSITIONS_CACHE_SIZE = 4_000_000
# Posting blocks of terms asked about for a few documents, kept per generation (PositionBlock), counted
# in postings: 68-78 bytes each with their encoded positions (measured on «δήμου» and «και», 30,000
# generated announcements), so 1 million is ~75 MB, the blocks of ten words held by every one of
# 100,000 announcements.
POSITION_BLOCKS_CACHE_SIZE = 1_000_000
# A term's positions are read whole (and cached) when it has at most this many documents for each one
# asked about; otherwise only those asked about are read, uncached.  A block of 128 postings is read and
# unpickled for each document asked about (30 scattered documents of «δήμου»: 6.6 ms, ~200 us each),
# while a whole term costs ~3 us a document (30,000: 90 ms; 3,933 of «αθλητισμού»: 8.9 ms against 2.5 ms
# for 30 of them, 30,000 generated announcements): at 64 a whole read costs at most about twice the
# first read of those asked about, and nothing on every later one.
WHOLE_TERM_RATIO = 64
# A position key is `docnum << POSITION_BITS | position`: one int64 sorts by document, then position.
POSITION_BITS = 32
_POSITION_MASK = (1 << POSITION_BITS) - 1


def key_documents(keys: np.ndarray) -> np.ndarray:
    """The document of each position key."""
    return keys >> POSITION_BITS


def key_positions(keys: np.ndarray) -> np.ndarray:
    """The position of each position key."""
    return keys & _POSITION_MASK


@dataclass(frozen=True)
class Postings:
    """One term's documents (global docnums, ascending, deleted ones left out) and weights."""

    ids: np.ndarray      # int64
    weights: np.ndarray  # float64: term frequency times the field's boost, as Whoosh stores it

    def __len__(self) -> int:
        return len(self.ids)


EMPTY = Postings(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))


def leaf_postings(leaf: IndexReader, fieldname: str, btext: bytes, terminfo=None) -> tuple[list, list]:
    """The blocks of one segment's posting list, read whole (deleted documents included): their
    id and weight arrays.  `terminfo`, when the caller has it from walking the field's terms, saves a lookup."""
    ids, weights = [], []
    for block_ids, block_weights, _ in leaf_blocks(leaf, fieldname, btext, terminfo):
        ids.append(block_ids)
        weights.append(block_weights)
    return ids, weights


def leaf_blocks(leaf: IndexReader, fieldname: str, btext: bytes, terminfo=None, values: bool = False):
    """(ids, weights, encoded values or None) of each block of one segment's posting list.

    Whoosh's own matcher reads the same blocks but steps through them one
    posting at a time; here each block's id and weight arrays are taken as
    they are decoded (the W3 codec's block reader, pinned by whoosh-reloaded 2.7.5).
    """
    format_ = leaf.schema[fieldname].format
    if terminfo is None:
        matcher = leaf._terms.matcher(fieldname, btext, format_)
    else:
        matcher = leaf._codec.postings_reader(leaf._terms._postfile, terminfo, format_, term=(fieldname, btext))
    if not hasattr(matcher, "_read_ids"):  # postings inlined in the term's entry (the codec's inlinelimit)
        inline = list(_inline_postings(matcher))
        yield (np.asarray([i for i, _, _ in inline], dtype=np.int64), np.asarray([w for _, w, _ in inline], dtype=np.float64),
               tuple(v for _, _, v in inline) if values else None)
        return
    while matcher.is_active():
        block_ids, block_weights = _block_ids(matcher), _block_weights(matcher)
        if values:
            matcher._read_values()  # from the data _block_ids read, de-minified as Whoosh does
        yield block_ids, block_weights, tuple(matcher._values) if values else None
        matcher._next_block()


def _inline_postings(matcher):
    while matcher.is_active():
        yield matcher.id(), matcher.weight(), matcher.value()
        matcher.next()


def position_decoder(format_) -> Callable[[bytes], list[int]]:
    """How a field's encoded values become positions: _decode_positions for Whoosh's Positions format."""
    return _decode_positions if type(format_) is Positions else format_.decode_positions


def _block_data(matcher) -> tuple:
    """The block's (id deltas, weights, values), as the W3 codec pickled them."""
    if matcher._data is None:
        matcher._read_data()
    return matcher._data


def _block_ids(matcher) -> np.ndarray:
    """The docnums of the block the matcher stands on (segment-local).

    Whoosh's _read_ids adds up the block's deltas in a Python generator, one step per posting;
    np.cumsum does it in C: reading the 300 commonest body words of 30,000 generated announcements
    (2.0 million postings) took 1.46-1.52 s instead of 1.55-1.58 s.
    """
    return np.cumsum(np.asarray(_block_data(matcher)[0], dtype=np.int64))


def _block_weights(matcher) -> np.ndarray:
    """The weights of the block the matcher stands on, as _read_weights gives them: a block whose
    weights are all equal stores one (None for 1.0), which Whoosh repeats as 32-bit floats."""
    stored = _block_data(matcher)[1]
    if stored is None or isinstance(stored, float):
        return np.full(matcher._blocklength, 1.0 if stored is None else stored, dtype=np.float32).astype(np.float64)
    return np.asarray(stored, dtype=np.float64)


def merged_terms(reader: IndexReader, fieldname: str, live: np.ndarray,
                 values: bool = False) -> Iterator[tuple[str, Postings, tuple | None]]:
    """Every term of a field with its live postings (and, with `values`, the encoded value of each),
    in term order, one term in memory at a time: each segment's terms come sorted, and are merged.

    One walk of each segment's terms, which gives each term's entry: looking each term up again
    cost a second search of the term index (5.5 s of 6.8 s opening 10,000 announcements).
    """
    leaves = list(reader.leaf_readers())
    walks = [_numbered_terms(leaf, fieldname, number) for number, (leaf, _) in enumerate(leaves)
             if fieldname in leaf.schema]
    for btext, entries in groupby(heapq.merge(*walks), key=lambda entry: entry[0]):
        id_parts, weight_parts, encoded = [], [], []
        for _, number, terminfo in entries:
            leaf, offset = leaves[number]
            for ids, weights, found in leaf_blocks(leaf, fieldname, btext, terminfo, values):
                id_parts.append(ids + offset)
                weight_parts.append(weights)
                encoded += found or ()
        ids, weights = np.concatenate(id_parts), np.concatenate(weight_parts)
        keep = live[ids]
        if keep.any():
            text = btext.decode("utf-8") if isinstance(btext, bytes) else btext
            kept = tuple(value for value, held in zip(encoded, keep.tolist()) if held) if values else None
            yield text, Postings(ids[keep], weights[keep]), kept


def _numbered_terms(leaf: IndexReader, fieldname: str, number: int) -> Iterator[tuple[bytes, int, object]]:
    """A segment's terms of a field, each with the segment's number and the term's entry."""
    for btext, terminfo in leaf.iter_field(fieldname):
        yield btext, number, terminfo


def live_documents(reader: IndexReader) -> np.ndarray:
    """A mask of the generation's documents (global docnums) that are not deleted."""
    live = np.ones(reader.doc_count_all(), dtype=bool)
    for leaf, offset in reader.leaf_readers():
        for docnum in leaf.deleted_docs_set:
            live[offset + docnum] = False
    return live


class SizedCache:
    """A least-recently-used map bounded by the summed len() of its values, safe across threads.

    The lock guards the bookkeeping only: a miss is computed outside it, so a racing first
    read of one key only does the same work twice.
    """

    def __init__(self, capacity: int):
        self.capacity = capacity
        self._items: OrderedDict = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def peek(self, key) -> Any:
        """The value kept for `key` (now the most recently used), or None; never computes one."""
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def get(self, key, compute: Callable[[], Any]):
        found = self.peek(key)
        if found is not None:
            return found
        found = compute()
        with self._lock:
            if key not in self._items:
                self._items[key] = found
                self._size += len(found)
                while self._size > self.capacity and len(self._items) > 1:
                    _, dropped = self._items.popitem(last=False)
                    self._size -= len(dropped)
        return found


class GenerationPostings:
    """Postings of one opened generation, by (field, term), cached up to POSTINGS_CACHE_SIZE, and the
    positions of the terms phrases ask for, up to POSITIONS_CACHE_SIZE.

    Reads go through the reader of the caller's own searcher: a Whoosh reader
    seeks in shared files and is not safe to share between threads, while every
    reader of one generation numbers its documents the same way.
    """

    def __init__(self, reader: IndexReader, flat: PostingArrays | None = None):
        self.doc_count = reader.doc_count_all()
        self.live = live_documents(reader)
        self.has_deletions = not self.live.all()
        self._flat = flat
        self._postings = SizedCache(POSTINGS_CACHE_SIZE)
        self._positions = SizedCache(POSITIONS_CACHE_SIZE)
        self._blocks = SizedCache(POSITION_BLOCKS_CACHE_SIZE)

    def postings(self, reader: IndexReader, fieldname: str, text: str) -> Postings:
        """A term's postings: from the generation's flat arrays where it has them, else read and cached."""
        if self._flat is not None:
            found = self._flat.postings(fieldname, text)
            if found is not None:
                return found
        return self._postings.get((fieldname, text), lambda: self.read(reader, fieldname, text))

    def position_keys(self, reader: IndexReader, fieldname: str, text: str, docnums: np.ndarray) -> np.ndarray:
        """The term's position keys (see position_keys) in `docnums` (global, ascending).

        A term is read whole once per generation, then filtered, when it holds at most
        WHOLE_TERM_RATIO documents for each one asked about: that is what makes a phrase of
        letterhead words held by every announcement cost array operations.
        """
        if self._flat is not None:
            found = self._flat.position_keys(fieldname, text, docnums)
            if found is not None:
                return found
        key = (fieldname, text)
        keys = self._positions.peek(key)
        if keys is None:
            holders = self.postings(reader, fieldname, text).ids
            if len(holders) > WHOLE_TERM_RATIO * len(docnums):
                return position_keys(reader, fieldname, text, docnums, self._blocks)
            keys = self._positions.get(key, lambda: position_keys(reader, fieldname, text, holders))
        wanted = np.zeros(self.doc_count, dtype=bool)
        wanted[docnums] = True
        return keys[wanted[key_documents(keys)]]

    def read(self, reader: IndexReader, fieldname: str, text: str) -> Postings:
        """A term's postings read from disk, uncached."""
        btext = reader.schema[fieldname].to_bytes(text)
        id_parts, weight_parts = [], []
        for leaf, offset in reader.leaf_readers():
            if (fieldname, btext) not in leaf:
                continue
            ids, weights = leaf_postings(leaf, fieldname, btext)
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
        """Every term of a field with its postings, uncached: for facet and date columns, read whole
        when a generation opens (merged_terms)."""
        return {text: postings for text, postings, _ in merged_terms(reader, fieldname, self.live)}

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


def position_keys(reader: IndexReader, fieldname: str, text: str, docnums: np.ndarray,
                  blocks: SizedCache | None = None) -> np.ndarray:
    """A term's positions in each of `docnums` (global, ascending), as one ascending array of keys
    (`docnum << POSITION_BITS | position`): phrase matching as array operations (evaluate.py).  `blocks`, when
    given, keeps the posting blocks read (see PositionBlock)."""
    docs: list[int] = []
    counts: list[int] = []
    positions: list[int] = []
    for docnum, found in _positions(reader, fieldname, text, docnums, blocks):
        docs.append(docnum)
        counts.append(len(found))
        positions += found
    if not docs:
        return np.zeros(0, dtype=np.int64)
    return (np.repeat(np.asarray(docs, dtype=np.int64), counts) << POSITION_BITS) | np.asarray(positions, dtype=np.int64)


@dataclass(frozen=True)
class PositionBlock:
    """One block of a segment's posting list: its ids and the encoded positions of each.

    Reading a block means decompressing and unpickling all of its up to 128 postings (~200 us),
    for the one candidate of a query's first page it holds; kept per generation, the blocks of a
    common word fill up as queries ask for it, so its later reads cost what a cached whole term
    does, with no query paying to read it whole.
    """

    ids: np.ndarray
    values: tuple

    def __len__(self) -> int:
        return len(self.ids)


def _positions(reader: IndexReader, fieldname: str, text: str, docnums: np.ndarray,
               blocks: SizedCache | None = None):
    """(global docnum, positions) for each of `docnums` (ascending) that holds the term."""
    btext = reader.schema[fieldname].to_bytes(text)
    format_ = reader.schema[fieldname].format
    decode = position_decoder(format_)
    for leaf, offset in reader.leaf_readers():
        end = offset + leaf.doc_count_all()
        local = docnums[(docnums >= offset) & (docnums < end)] - offset
        if not len(local) or (fieldname, btext) not in leaf:
            continue
        matcher = leaf._terms.matcher(fieldname, btext, format_)
        if not hasattr(matcher, "_read_ids"):  # postings inlined in the term's entry: a handful
            wanted = set(local.tolist())
            for docnum, _, value in _inline_postings(matcher):
                if docnum in wanted:
                    yield docnum + offset, decode(value)
            continue
        for block, wanted in _candidate_blocks(matcher, local, blocks, (fieldname, text, offset)):
            where = np.minimum(np.searchsorted(block.ids, wanted), len(block.ids) - 1)
            held = block.ids[where] == wanted
            for docnum, index in zip(wanted[held].tolist(), where[held].tolist()):
                yield docnum + offset, decode(block.values[index])


def _decode_positions(value: bytes) -> list[int]:
    """Whoosh's Positions.decode_positions, its loop over the deltas done by accumulate: a count
    (pack_uint), then the pickled deltas (the W3 codec stores each value as the format encoded it)."""
    return list(accumulate(loads(value[_INT_SIZE:])))


def _candidate_blocks(matcher, local: np.ndarray, blocks: SizedCache | None, term: tuple):
    """(block, the candidates it may hold) for each block of a segment's posting list
    that `local` (segment docnums, ascending) falls into.

    Whoosh's own skip_to steps through a block one posting at a time, and value_as decodes positions
    in a Python loop: reading the positions of a word in 100 candidates that way took 6 of a two-word
    query's 11 ms on 10,000 announcements, and a phrase of letterhead words held by all 30,000
    generated announcements 0.8 s.  Here a block is passed over on its last id (in its header), and
    only a block that candidates fall into is read, or found in `blocks`.
    """
    start = number = 0
    while matcher.is_active() and start < len(local):
        stop = int(np.searchsorted(local, matcher.block_max_id(), side="right"))
        if stop > start:
            if blocks is None:
                block = _read_block(matcher)
            else:
                block = blocks.get((*term, number), lambda: _read_block(matcher))
            yield block, local[start:stop]
            start = stop
        matcher._next_block()
        number += 1


def _read_block(matcher) -> PositionBlock:
    """The block the matcher stands on, its ids and encoded values."""
    ids = _block_ids(matcher)
    matcher._read_values()  # the values of the data _block_ids read, de-minified as Whoosh does
    return PositionBlock(ids, tuple(matcher._values))
