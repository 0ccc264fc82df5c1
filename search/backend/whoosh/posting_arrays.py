"""A generation's scored postings as flat arrays beside Whoosh's files, written once when it is published.

Whoosh pickles each block of 128 postings with their positions and compresses it:
reading a term's documents and weights for scoring means decompressing and
unpickling positions no score needs, ~0.75 us a posting (the 300 commonest body
words of 30,000 generated announcements: 2.0 million postings in 1.5 s), which
made up 42% of a cold two-word query with facet counts.  A generation never
changes once published, so its postings of the scored fields are written out
once more as plain arrays (documents as int32, weights as float32, exactly as
Whoosh stores them), memory-mapped when the generation opens: a term's postings
are then one slice, whatever their length, and nothing is cached per request.

Per field: `postings-<field>.terms.json` (the terms, sorted), `.offsets`
(int64, where each term's postings start, and the end), `.ids` and `.weights`;
then `postings.json`, written last, names them and their lengths.  The files
are part of the generation, so BUILD.json's checksums cover them and a damaged
one is reported as any other; one whose length does not match `postings.json`
refuses to open.  A generation published before these files existed has no
`postings.json` and is read through Whoosh's blocks (postings.py), with the
same results.  Positions stay in Whoosh's blocks only (postings.position_keys).
"""
from __future__ import annotations

import heapq
import itertools
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from whoosh.index import Index
from whoosh.reading import IndexReader

from .postings import Postings, leaf_postings, live_documents
from .schema import SCORED_FIELDS

MANIFEST = "postings.json"
FORMAT = 1
# Every file this module writes: a staged copy of a generation leaves them out, as publishing rewrites them.
FILE_PATTERNS = (MANIFEST, "postings-*")


def _path(directory: Path, field: str, part: str) -> Path:
    return directory / f"postings-{field}.{part}"


def write_posting_arrays(directory: Path, index: Index) -> None:
    """Write the scored fields' postings of the index in `directory` (its deleted documents left out)."""
    fields = {}
    with index.reader() as reader:
        live = live_documents(reader)
        for field in SCORED_FIELDS:
            fields[field] = _write_field(directory, reader, field, live)
    _write_synced(directory / MANIFEST, json.dumps({"format": FORMAT, "fields": fields}).encode("utf-8"))


def _write_field(directory: Path, reader: IndexReader, field: str, live: np.ndarray) -> dict[str, int]:
    """One field's four files; returns its counts of terms and postings, for the manifest."""
    terms: list[str] = []
    offsets = [0]
    with open(_path(directory, field, "ids"), "wb") as ids_file, \
            open(_path(directory, field, "weights"), "wb") as weights_file:
        for text, postings in _merged_terms(reader, field, live):
            terms.append(text)
            offsets.append(offsets[-1] + len(postings))
            ids_file.write(postings.ids.astype(np.int32).tobytes())
            weights_file.write(postings.weights.astype(np.float32).tobytes())
        for handle in (ids_file, weights_file):
            _sync(handle)
    _write_synced(_path(directory, field, "offsets"), np.asarray(offsets, dtype=np.int64).tobytes())
    _write_synced(_path(directory, field, "terms.json"), json.dumps(terms, ensure_ascii=False).encode("utf-8"))
    return {"terms": len(terms), "postings": offsets[-1]}


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        _sync(handle)


def _sync(handle) -> None:
    """On disk before the generation is published (the store fsyncs its directory, not its files)."""
    handle.flush()
    os.fsync(handle.fileno())


def _merged_terms(reader: IndexReader, field: str, live: np.ndarray) -> Iterator[tuple[str, Postings]]:
    """Every term of a field with its live postings, in term order, one term in memory at a time:
    each segment's terms come sorted, and are merged across segments."""
    leaves = list(reader.leaf_readers())
    walks = [_numbered_terms(leaf, field, number) for number, (leaf, _) in enumerate(leaves) if field in leaf.schema]
    for btext, entries in itertools.groupby(heapq.merge(*walks), key=lambda entry: entry[0]):
        id_parts, weight_parts = [], []
        for _, number, terminfo in entries:
            leaf, offset = leaves[number]
            ids, weights = leaf_postings(leaf, field, btext, terminfo)
            id_parts += [block + offset for block in ids]
            weight_parts += weights
        ids, weights = np.concatenate(id_parts), np.concatenate(weight_parts)
        keep = live[ids]
        if keep.any():
            yield btext.decode("utf-8"), Postings(ids[keep], weights[keep])


def _numbered_terms(leaf: IndexReader, field: str, number: int) -> Iterator[tuple[bytes, int, object]]:
    """A segment's terms of a field, each with the segment's number and the term's entry."""
    for btext, terminfo in leaf.iter_field(field):
        yield btext, number, terminfo


@dataclass(frozen=True)
class _FieldArrays:
    terms: dict[str, int]
    offsets: np.ndarray
    ids: np.ndarray      # int32, memory-mapped
    weights: np.ndarray  # float32, memory-mapped

    def postings(self, text: str) -> Postings | None:
        number = self.terms.get(text)
        if number is None:
            return None
        start, stop = self.offsets[number], self.offsets[number + 1]
        return Postings(self.ids[start:stop].astype(np.int64), self.weights[start:stop].astype(np.float64))


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
        if arrays is None:
            return None
        found = arrays.postings(text)
        return found if found is not None else Postings(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))


def _open_field(directory: Path, field: str, counts: dict[str, int]) -> _FieldArrays:
    terms = json.loads(_path(directory, field, "terms.json").read_text(encoding="utf-8"))
    offsets = np.fromfile(_path(directory, field, "offsets"), dtype=np.int64)
    ids, weights = (_mapped(_path(directory, field, part), dtype) for part, dtype in
                    (("ids", np.int32), ("weights", np.float32)))
    if (len(terms) != counts["terms"] or len(offsets) != len(terms) + 1 or offsets[-1] != counts["postings"]
            or len(ids) != counts["postings"] or len(weights) != counts["postings"]):
        raise ValueError(f"the postings arrays of field {field!r} do not match {MANIFEST}")
    return _FieldArrays({text: number for number, text in enumerate(terms)}, offsets, ids, weights)


def _mapped(path: Path, dtype: type) -> np.ndarray:
    """A file of one dtype, memory-mapped read-only (an empty file as an empty array: mmap refuses one)."""
    if path.stat().st_size == 0:
        return np.zeros(0, dtype=dtype)
    return np.memmap(path, dtype=dtype, mode="r")
