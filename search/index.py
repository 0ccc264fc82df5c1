"""The Whoosh index: its schema, and turning documents into index records and back."""
from __future__ import annotations

import datetime as dt
import itertools
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.analysis import RegexTokenizer
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from .analysis import folded_analyzer, greek_analyzer
from .documents import Document, Official

# BM25F field boost: a word in the headline says more about an announcement
# than the same word deep in its body.
TITLE_BOOST = 3.0
# Facet fields hold whole values ("Δήμος Πυλαίας-Χορτιάτη"), separated by this
# character, which never occurs in a name.
FACET_SEPARATOR = "\x1f"
# Every writer: memory for the posting pool (per process when procs > 1), and
# segments left as separate files.  A compound segment file is opened by
# copying each of its parts into memory, for every searcher; separate files
# are read in place, so a request opens its searcher in microseconds.
WRITER_LIMIT_MB = 256
WRITER_OPTIONS = {"limitmb": WRITER_LIMIT_MB, "compound": False}
# A reindex this small is done before writer processes would have started.
PARALLEL_AFTER = 2000
PARALLEL_PROCS = 2


def _facet_field() -> KEYWORD:
    """A multi-valued field of whole values, matched exactly (no folding, no splitting)."""
    return KEYWORD(stored=True, scorable=False, analyzer=RegexTokenizer(f"[^{FACET_SEPARATOR}]+"))


def build_schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True),
        # Ranked by stems; phrases run on `exact`, so no positions here (a third
        # less posting data to write).
        title=TEXT(analyzer=greek_analyzer(), stored=True, field_boost=TITLE_BOOST, phrase=False),
        body=TEXT(analyzer=greek_analyzer(), stored=True, phrase=False),
        # Real words, folded but not stemmed: phrases, prefixes, spelling.
        exact=TEXT(analyzer=folded_analyzer(), phrase=True),
        date=ID(stored=True, sortable=True),
        dated=NUMERIC(sortable=True),
        year=ID(stored=True),
        municipality=_facet_field(),
        official=_facet_field(),
        region=_facet_field(),
        doc_type=ID(stored=True),
        flags=_facet_field(),
        officials=STORED,
        url=STORED,
        source=ID(stored=True),
        meta=STORED,
        content_hash=ID(stored=True),
    )


def _facet(values: Iterable[str]) -> str:
    return FACET_SEPARATOR.join(dict.fromkeys(v.replace(FACET_SEPARATOR, " ") for v in values if v))


def facet_values(stored: str | None) -> list[str]:
    return stored.split(FACET_SEPARATOR) if stored else []


def to_record(document: Document) -> dict[str, Any]:
    """The fields Whoosh stores and indexes for one document."""
    date = document.date.isoformat() if document.date else ""
    record: dict[str, Any] = {
        "id": document.id,
        "title": document.title,
        "body": document.body,
        "exact": f"{document.title}\n{document.body}",
        "date": date,
        "dated": 1 if date else 0,
        "year": date[:4],
        "municipality": _facet(document.municipalities),
        "official": _facet(o.name for o in document.officials),
        "region": _facet(document.regions),
        "doc_type": document.doc_type or "",
        "flags": _facet(document.flags),
        "officials": [{"name": o.name, "role": o.role} for o in document.officials],
        "url": document.url,
        "source": document.source or "",
        "meta": document.meta,
        "content_hash": document.content_hash,
    }
    # An empty value would be indexed as a term of its own (a year "" facet).
    return {name: value for name, value in record.items() if value != ""}


def from_stored(stored: dict[str, Any]) -> Document:
    """Rebuild a whole document from its stored fields."""
    date = stored.get("date")
    return Document(
        id=stored["id"],
        title=stored.get("title", ""),
        body=stored.get("body", ""),
        date=dt.date.fromisoformat(date) if date else None,
        url=stored.get("url"),
        municipalities=facet_values(stored.get("municipality")),
        officials=[Official(o["name"], o.get("role")) for o in stored.get("officials") or []],
        regions=facet_values(stored.get("region")),
        doc_type=stored.get("doc_type") or None,
        source=stored.get("source") or None,
        flags=facet_values(stored.get("flags")),
        meta=stored.get("meta") or {},
    )


def create_index(directory: Path) -> whoosh_index.Index:
    directory.mkdir(parents=True, exist_ok=True)
    return whoosh_index.create_in(str(directory), build_schema())


def write_documents(directory: Path, documents: Iterable[Document], procs: int | None = None) -> int:
    """Build a fresh index in `directory` from `documents`; returns how many were written.

    The first PARALLEL_AFTER documents go through one writer; the rest, if any,
    through Whoosh's multi-process writer (`procs`, default: up to two cores),
    which leaves one segment per process instead of merging them: analysis and
    posting writes then run beside the ingestion (docs/reindex.md has figures).
    """
    procs = procs or min(PARALLEL_PROCS, os.cpu_count() or 1)
    ix = create_index(directory)
    pending = iter(documents)
    count = 0
    with ix.writer(**WRITER_OPTIONS) as writer:
        for document in pending if procs == 1 else itertools.islice(pending, PARALLEL_AFTER):
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
    return whoosh_index.open_dir(str(directory))
