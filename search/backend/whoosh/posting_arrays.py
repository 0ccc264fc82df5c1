"""A generation's scored postings and their positions as flat arrays beside Whoosh's files, written once
when it is published.

Whoosh pickles each block of 128 postings with their positions and compresses it:
reading a term's documents and weights for scoring means decompressing and
unpickling positions no score needs, ~0.75 us a posting (the 300 commonest body
words of 30,000 generated announcements: 2.0 million postings in 1.5 s), 42% of
a cold two-word query with facet counts; and the positions of one document, for a
phrase or the proximity rescore, cost a whole block (~200 us).  A generation never
changes once published, so its postings of the scored fields are written out once
more as plain arrays, memory-mapped when the generation opens: a term's postings
are one slice whatever their length, the positions of any documents one gather,
and nothing is cached per request.  Cold, on 30,000 generated announcements, the
39 two-word queries with counts of benchmarks/speed.py took 0.36-0.42 s instead
of 1.04-1.12 s, and the mix's 312 queries 2.9-3.3 s instead of 8.5-8.8 s, with the
same answers.

Per field: `postings-<field>.terms.json` (the terms, sorted), `.offsets` (int64,
where each term's postings start, and the end), `.ids` (int32 docnums) and
`.weights` (float32, exactly as Whoosh stores them); for a field with positions,
`.position_offsets` (int64, where each posting's positions start) and `.positions`
(uint32).  `postings.json`, written last, names the fields and their counts.  The
files are part of the generation, so BUILD.json's checksums cover them and a
damaged one is reported as any other; one whose length does not match
`postings.json` refuses to open.  A generation published before these files
existed has no `postings.json` and is read through Whoosh's blocks (postings.py),
with the same results.
"""
from __future__ import annotations

import itertools
import json
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from whoosh.index import Index

from .postings import POSITION_BITS, Postings, live_documents, merged_terms, position_decoder
from .schema import SCORED_FIELDS

MANIFEST = "postings.json"
FORMAT = 1
# The scored fields by their postings in generated announcements, the largest first (exact 5.4 million,
# body 4.0 million, title 0.3 million at 30,000), so that parallel writers finish together.
WRITE_ORDER = ("exact", "body", "title")
# Every file this module writes: a staged copy of a generation leaves them out, as publishing rewrites them.
FILE_PATTERNS = (MANIFEST, "postings-*")


def _path(directory: Path, field: str, part: str) -> Path:
    return directory / f"postings-{field}.{part}"


def write_posting_arrays(directory: Path, open_index: Callable[[Path], Index], procs: int = 1) -> None:
    """Write the scored fields' postings of the index in `directory` (its deleted documents left out),
    each field in one of `procs` processes (opening the index with `open_index`), then the manifest.

    Decoding every posting's positions is most of the work (2.6 us a posting: 24-26 s for the
    9.7 million of 30,000 generated announcements in one process); the fields are independent,
    the commonest first, so two processes take about the time of `exact` alone.
    """
    fields = sorted(SCORED_FIELDS, key=lambda field: WRITE_ORDER.index(field))
    if procs > 1:
        with ProcessPoolExecutor(max_workers=procs) as pool:
            counts = list(pool.map(_write_field, [directory] * len(fields), [open_index] * len(fields), fields))
    else:
        counts = [_write_field(directory, open_index, field) for field in fields]
    _write_synced(directory / MANIFEST, json.dumps({"format": FORMAT, "fields": dict(zip(fields, counts))}).encode("utf-8"))


def _write_field(directory: Path, open_index: Callable[[Path], Index], field: str) -> dict[str, int]:
    """One field's files; returns its counts, for the manifest."""
    with open_index(directory).reader() as reader:
        positions = reader.schema[field].supports("positions")
        decode = position_decoder(reader.schema[field].format) if positions else None
        with _FieldWriter(directory, field, positions) as writer:
            for text, postings, encoded in merged_terms(reader, field, live_documents(reader), positions):
                writer.add(text, postings, [decode(value) for value in encoded] if positions else None)
    return writer.counts()


class _FieldWriter:
    """One field's files, written term after term (in term order); only the terms and their offsets
    are kept until the end (a Python list of every posting's offset took ~36 bytes a posting)."""

    def __init__(self, directory: Path, field: str, positions: bool):
        self.directory, self.field = directory, field
        parts = ("ids", "weights", "positions") if positions else ("ids", "weights")
        self._files = {part: open(_path(directory, field, part), "wb") for part in parts}
        self._terms: list[str] = []
        self._offsets = [0]
        self._positions: int | None = None  # positions written so far, when the field keeps them
        if positions:
            self._files["position_offsets"] = open(_path(directory, field, "position_offsets"), "wb")
            self._files["position_offsets"].write(np.zeros(1, dtype=np.int64).tobytes())
            self._positions = 0

    def __enter__(self) -> _FieldWriter:
        return self

    def add(self, text: str, postings: Postings, positions: list[list[int]] | None) -> None:
        self._terms.append(text)
        self._offsets.append(self._offsets[-1] + len(postings))
        self._files["ids"].write(postings.ids.astype(np.int32).tobytes())
        self._files["weights"].write(postings.weights.astype(np.float32).tobytes())
        if self._positions is not None:
            ends = self._positions + np.cumsum(np.fromiter(map(len, positions), dtype=np.int64, count=len(positions)))
            self._files["position_offsets"].write(ends.tobytes())
            self._files["positions"].write(np.fromiter(itertools.chain.from_iterable(positions), dtype=np.uint32,
                                                       count=int(ends[-1]) - self._positions).tobytes())
            self._positions = int(ends[-1])

    def counts(self) -> dict[str, int]:
        """The field's counts, for the manifest."""
        counts = {"terms": len(self._terms), "postings": self._offsets[-1]}
        if self._positions is not None:
            counts["positions"] = self._positions
        return counts

    def __exit__(self, *error) -> None:
        for handle in self._files.values():
            if error[0] is None:
                _sync(handle)
            handle.close()
        if error[0] is not None:
            return
        _write_synced(_path(self.directory, self.field, "offsets"), np.asarray(self._offsets, dtype=np.int64).tobytes())
        _write_synced(_path(self.directory, self.field, "terms.json"),
                      json.dumps(self._terms, ensure_ascii=False).encode("utf-8"))


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        _sync(handle)


def _sync(handle) -> None:
    """On disk before the generation is published (the store fsyncs its directory, not its files)."""
    handle.flush()
    os.fsync(handle.fileno())


@dataclass(frozen=True)
class _FieldArrays:
    terms: dict[str, int]
    offsets: np.ndarray           # int64: where each term's postings start, and the end
    ids: np.ndarray               # int32, memory-mapped
    weights: np.ndarray           # float32, memory-mapped
    position_offsets: np.ndarray | None  # int64 per posting, and the end: where its positions start
    positions: np.ndarray | None  # uint32, memory-mapped

    def postings(self, text: str) -> Postings:
        start, stop = self._span(text)
        return Postings(self.ids[start:stop].astype(np.int64), self.weights[start:stop].astype(np.float64))

    def _span(self, text: str) -> tuple[int, int]:
        number = self.terms.get(text)
        return (0, 0) if number is None else (int(self.offsets[number]), int(self.offsets[number + 1]))

    def position_keys(self, text: str, docnums: np.ndarray) -> np.ndarray:
        """The term's position keys (postings.position_keys) in `docnums` (global, ascending), gathered
        by array indexing: no block is read, whatever the term's length."""
        start, stop = self._span(text)
        ids = self.ids[start:stop]
        if not len(ids) or not len(docnums):
            return np.zeros(0, dtype=np.int64)
        where = np.minimum(np.searchsorted(ids, docnums), len(ids) - 1)
        held = ids[where] == docnums
        posting = start + where[held]
        begins, counts = self.position_offsets[posting], self.position_offsets[posting + 1] - self.position_offsets[posting]
        shifts = np.repeat(begins - (np.cumsum(counts) - counts), counts)
        found = self.positions[np.arange(int(counts.sum())) + shifts].astype(np.int64)
        return (np.repeat(docnums[held].astype(np.int64), counts) << POSITION_BITS) | found


class PostingArrays:
    """The scored fields' postings of one published generation, memory-mapped; safe to share between threads."""

    def __init__(self, fields: dict[str, _FieldArrays]):
        self._fields = fields

    @classmethod
    def beside(cls, index: Index) -> PostingArrays | None:
        """The arrays written beside an opened index, or None where there are none (an index not
        published by the store, or published before the arrays existed).  Raises ValueError when
        they do not match their manifest (a damaged generation)."""
        folder = getattr(index.storage, "folder", None)
        if folder is None or not (Path(folder) / MANIFEST).exists():
            return None
        directory = Path(folder)
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT:
            return None
        return cls({field: _open_field(directory, field, counts) for field, counts in manifest["fields"].items()})

    def postings(self, field: str, text: str) -> Postings | None:
        """A term's postings (empty when the field holds no such term), or None for a field not written here."""
        arrays = self._fields.get(field)
        return None if arrays is None else arrays.postings(text)

    def position_keys(self, field: str, text: str, docnums: np.ndarray) -> np.ndarray | None:
        """A term's position keys in `docnums`, or None for a field whose positions are not written here."""
        arrays = self._fields.get(field)
        if arrays is None or arrays.positions is None:
            return None
        return arrays.position_keys(text, docnums)


def _open_field(directory: Path, field: str, counts: dict[str, int]) -> _FieldArrays:
    terms = json.loads(_path(directory, field, "terms.json").read_text(encoding="utf-8"))
    offsets = _mapped(_path(directory, field, "offsets"), np.int64)
    ids, weights = (_mapped(_path(directory, field, part), dtype) for part, dtype in
                    (("ids", np.int32), ("weights", np.float32)))
    postings = counts["postings"]
    wrong = (len(terms) != counts["terms"] or len(offsets) != len(terms) + 1 or offsets[-1] != postings
             or len(ids) != postings or len(weights) != postings)
    position_offsets = positions = None
    if "positions" in counts:
        position_offsets = _mapped(_path(directory, field, "position_offsets"), np.int64)
        positions = _mapped(_path(directory, field, "positions"), np.uint32)
        wrong = wrong or len(position_offsets) != postings + 1 or position_offsets[-1] != counts["positions"] \
            or len(positions) != counts["positions"]
    if wrong:
        raise ValueError(f"the postings arrays of field {field!r} do not match {MANIFEST}")
    return _FieldArrays({text: number for number, text in enumerate(terms)}, offsets, ids, weights,
                        position_offsets, positions)


def _mapped(path: Path, dtype: type) -> np.ndarray:
    """A file of one dtype, memory-mapped read-only (an empty file as an empty array: mmap refuses one)."""
    if path.stat().st_size == 0:
        return np.zeros(0, dtype=dtype)
    return np.memmap(path, dtype=dtype, mode="r")
