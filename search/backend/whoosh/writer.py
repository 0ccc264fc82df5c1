"""Writing Whoosh indexes: a fresh one from documents, or updates to a copy of one.

The only module besides the engine that opens a Whoosh index: search/store.py
and search/reindex.py write and check generations through these functions and
never import Whoosh themselves.
"""
from __future__ import annotations

import io
import itertools
import pickle
from collections.abc import Collection, Iterable, Iterator
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec, W3PerDocReader, _lenfield
from whoosh.filedb.filestore import FileStorage
from whoosh.util.numeric import byte_to_length

from ...documents import Document
from ...parallel import SERIAL_FIRST, WORKERS
from . import analyzers
from .posting_arrays import write_posting_arrays
from .schema import build_schema, from_stored, to_record, whole_bodies


class _SegmentLengths(W3PerDocReader):
    """A segment's field lengths as its writer reads them back: each field's column read once, whole.

    Writing a segment's postings asks the length of the field in the document of every posting
    (for each block's shortest and longest); Whoosh's reader seeks the column file for each one:
    3,000 generated announcements' 1,028,997 postings spent 4.2 of a 26.9 s profile there, and
    writing them in one process took 10.0-10.2 s with this reader instead of 11.9-13.6 s.
    """

    def __init__(self, storage, segment):
        super().__init__(storage, segment)
        self._whole: dict[str, list[int | None]] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int | None:
        lengths = self._whole.get(fieldname)
        if lengths is None:
            column = self._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            lengths = self._whole[fieldname] = [byte_to_length(b) if b else None for b in column] \
                if column is not None else [default] * self._doccount
        return lengths[docnum]


class _WritingCodec(W3Codec):
    """Whoosh's own codec, whose segments read their lengths back with _SegmentLengths while written.

    The segments it makes name Whoosh's codec, not this one: a generation's table of contents
    pickles each segment with its codec, and opening a generation must not depend on this class.
    """

    def per_document_reader(self, storage, segment) -> W3PerDocReader:
        return _SegmentLengths(storage, segment)

    def new_segment(self, storage, indexname):
        return W3Codec().new_segment(storage, indexname)


# Every writer: memory for the posting pool (per process when procs > 1), and
# segments left as separate files.  A compound segment file is opened by
# copying each of its parts into memory, for every searcher; separate files
# are read in place, so a request opens its searcher in microseconds.
WRITER_LIMIT_MB = 256
WRITER_OPTIONS = {"limitmb": WRITER_LIMIT_MB, "compound": False, "codec": _WritingCodec()}


def create_index(directory: Path) -> whoosh_index.Index:
    directory.mkdir(parents=True, exist_ok=True)
    return whoosh_index.create_in(str(directory), build_schema())


def write_documents(directory: Path, documents: Iterable[Document], procs: int | None = None) -> int:
    """Build a fresh index in `directory` from `documents`; returns how many were written.

    The first SERIAL_FIRST documents go through one writer; the rest, if any,
    through Whoosh's multi-process writer (`procs`, default: up to two cores),
    which leaves one segment per process instead of merging them: analysis and
    posting writes then run beside the ingestion (docs/reindex.md has figures).
    """
    procs = procs or WORKERS
    ix = create_index(directory)
    pending = iter(documents)
    count = 0
    with ix.writer(**WRITER_OPTIONS) as writer:
        for document in pending if procs == 1 else itertools.islice(pending, SERIAL_FIRST):
            writer.add_document(**to_record(document))
            count += 1
    following = next(pending, None)
    if following is None:
        return count
    with ix.writer(procs=procs, multisegment=True, **WRITER_OPTIONS) as writer:
        for document in itertools.chain([following], pending):
            writer.add_document(**to_record(document))
            count += 1
    return count


def open_index(directory: Path) -> whoosh_index.Index:
    """Open a generation, also one whose pickled schema names classes that have since moved.

    Whoosh pickles the schema, analyzer classes by their module path, into every
    index.  Generations built before the analyzers moved (search.analysis ->
    search.backend.whoosh.analyzers) name the old path: their schema is read with
    the classes looked up where they are now, so the generation keeps its own
    fields (an older one may lack a field, e.g. `group`, and must say so).
    """
    try:
        return whoosh_index.open_dir(str(directory))
    except (AttributeError, ImportError):  # a pickled class that is no longer where it was
        return whoosh_index.open_dir(str(directory), schema=_pickled_schema(directory))


class _MovedClasses(pickle.Unpickler):
    """Unpickles a schema whose analyzer classes were in another module: they are looked up in analyzers.py."""

    def find_class(self, module: str, name: str):
        try:
            return super().find_class(module, name)
        except (AttributeError, ImportError):
            return getattr(analyzers, name)


def _pickled_schema(directory: Path):
    """The schema pickled in a generation's latest table of contents, read as whoosh.index.TOC.read reads it."""
    storage = FileStorage(str(directory))
    name = whoosh_index._DEF_INDEX_NAME
    with storage.open_file(whoosh_index.TOC._filename(name, whoosh_index.TOC._latest_generation(storage, name))) as toc:
        for _ in range(3):
            toc.read_varint()  # sizes of int, long and float
        toc.read_int()  # the byte-order check
        toc.read_int()  # the table's version
        for _ in range(3):
            toc.read_varint()  # Whoosh's release
        return _MovedClasses(io.BytesIO(toc.read_string())).load()


def write_flat_postings(directory: Path, documents: int, procs: int | None = None) -> None:
    """Write the generation's scored postings as flat arrays beside its files (posting_arrays.py):
    the last step before it is published, once its `documents` are all written.  In up to two
    processes (`procs`), as the writer: a small generation in this one, before processes would start."""
    procs = procs or WORKERS
    if documents <= SERIAL_FIRST:
        procs = 1
    write_posting_arrays(directory, open_index, procs)


def count_documents(directory: Path) -> int:
    """How many documents the index in `directory` holds (raises whatever Whoosh raises on damage)."""
    with open_index(directory).searcher() as searcher:
        return searcher.doc_count()


class IndexUpdate:
    """Changes to an existing index (a staged copy of a generation), committed at once or not at all.

    `fingerprints` is id -> content_hash of every document before the update, which is
    how an incremental reindex tells a changed document from an unchanged one.
    """

    def __init__(self, directory: Path):
        self._ix = open_index(directory)
        self.fingerprints: dict[str, str] = {}
        self.groups: dict[str, str] = {}  # id -> near-duplicate group key (its own id when it has none stored)
        with self._ix.searcher() as searcher:
            for fields in searcher.all_stored_fields():
                self.fingerprints[fields["id"]] = fields.get("content_hash", "")
                self.groups[fields["id"]] = fields.get("group") or fields["id"]
        self._writer = self._ix.writer(**WRITER_OPTIONS)
        # A generation written before a field existed (e.g. `group`) takes its documents without it: the
        # next full reindex writes the current schema.
        self._fields = frozenset(self._ix.schema.names())

    @property
    def groups_stored(self) -> bool:
        """Whether this index keeps near-duplicate groups (generations written before them do not)."""
        return "group" in self._fields

    def _record(self, document: Document) -> dict:
        return {name: value for name, value in to_record(document).items() if name in self._fields}

    def documents(self, ids: Collection[str] | None = None) -> Iterator[Document]:
        """The documents before the update (those of `ids`, or all), in index order, rebuilt from stored fields."""
        with self._ix.searcher() as searcher:
            bodies = whole_bodies(searcher.reader())
            for docnum, fields in searcher.reader().iter_docs():
                if ids is None or fields["id"] in ids:
                    yield from_stored(fields, bodies(docnum))

    def add(self, document: Document) -> None:
        self._writer.add_document(**self._record(document))

    def replace(self, document: Document) -> None:
        self._writer.update_document(**self._record(document))

    def delete(self, doc_id: str) -> None:
        self._writer.delete_by_term("id", doc_id)

    def commit(self) -> None:
        self._writer.commit()

    def cancel(self) -> None:
        self._writer.cancel()
