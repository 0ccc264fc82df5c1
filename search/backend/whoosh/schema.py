"""The Whoosh schema, and turning documents into index records and back."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from whoosh.analysis import RegexTokenizer
from whoosh.columns import CompressedBytesColumn
from whoosh.fields import COLUMN, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.reading import IndexReader

from ...documents import Document, Official
from ...highlight import SNIPPET_READ_CHARS
from .analyzers import folded_analyzer, greek_analyzer

# BM25F field boost: a word in the headline says more about an announcement
# than the same word deep in its body.
TITLE_BOOST = 3.0
# Fields ranked by BM25F: their per-document lengths are read when a generation opens, and their
# postings are written out as flat arrays when it is published (posting_arrays.py).
SCORED_FIELDS = ("title", "body", "exact")
# Facet fields hold whole values ("Δήμος Πυλαίας-Χορτιάτη"), separated by this
# character, which never occurs in a name.
FACET_SEPARATOR = "\x1f"
# A result page reads each hit's stored record, which Whoosh keeps as one compressed pickle: a
# page of 100 whole laws (up to 713,621 characters) spent ~120 ms decompressing and unpickling
# bodies of which a snippet reads SNIPPET_READ_CHARS.  So the record keeps the body's head, and a
# longer body is kept whole in the BODY_COLUMN, read only for the document itself.
BODY_COLUMN = "body_text"


def _facet_field() -> KEYWORD:
    """A multi-valued field of whole values, matched exactly (no folding, no splitting)."""
    return KEYWORD(stored=True, scorable=False, analyzer=RegexTokenizer(f"[^{FACET_SEPARATOR}]+"))


def build_schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True),
        # Ranked by stems; phrases run on `exact`, so no positions in the title (a third less posting
        # data to write); the body's give the proximity bonus of stems (search.backend.whoosh.proximity).
        title=TEXT(analyzer=greek_analyzer(), stored=True, field_boost=TITLE_BOOST, phrase=False),
        body=TEXT(analyzer=greek_analyzer(), stored=True, phrase=True),
        # The whole body (UTF-8) of a document whose body is longer than its stored head; empty otherwise.
        body_text=COLUMN(CompressedBytesColumn()),
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
        # Near-duplicate group key (search/neardup.py): a column (sortable) so that a generation reads every
        # document's group in one pass when it opens (search/backend/whoosh/collapse.py), and indexed so
        # that `group=<key>` lists a group.
        group=ID(stored=True, sortable=True),
    )


def _facet(values: Iterable[str]) -> str:
    return FACET_SEPARATOR.join(dict.fromkeys(v.replace(FACET_SEPARATOR, " ") for v in values if v))


def facet_values(stored: str | None) -> list[str]:
    return stored.split(FACET_SEPARATOR) if stored else []


def to_record(document: Document) -> dict[str, Any]:
    """The fields Whoosh stores and indexes for one document (the stored body is its head, see BODY_COLUMN)."""
    date = document.date.isoformat() if document.date else ""
    record: dict[str, Any] = {
        "id": document.id,
        "title": document.title,
        "body": document.body,
        "_stored_body": document.body[:SNIPPET_READ_CHARS],
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
        # A document with no near-duplicate is a group of one, keyed by its own id, so that every document
        # written since groups exist has a key and a later near-duplicate can join it.
        "group": document.group or document.id,
    }
    if len(document.body) > SNIPPET_READ_CHARS:
        record[BODY_COLUMN] = document.body.encode("utf-8")
    # An empty value would be indexed as a term of its own (a year "" facet).
    return {name: value for name, value in record.items() if value != ""}


def from_stored(stored: dict[str, Any], body: bytes = b"") -> Document:
    """Rebuild a document from its stored fields and its BODY_COLUMN value (`body`).

    Without the column's value, the body is the stored head: what a result needs, not
    the document itself.  An empty value means the stored body is whole (a short body,
    or a generation written before the column existed).
    """
    date = stored.get("date")
    return Document(
        id=stored["id"],
        title=stored.get("title", ""),
        body=body.decode("utf-8") if body else stored.get("body", ""),
        date=dt.date.fromisoformat(date) if date else None,
        url=stored.get("url"),
        municipalities=facet_values(stored.get("municipality")),
        officials=[Official(o["name"], o.get("role")) for o in stored.get("officials") or []],
        regions=facet_values(stored.get("region")),
        doc_type=stored.get("doc_type") or None,
        source=stored.get("source") or None,
        flags=facet_values(stored.get("flags")),
        meta=stored.get("meta") or {},
        group=stored.get("group") or None,
    )


def whole_bodies(reader: IndexReader) -> Callable[[int], bytes]:
    """Each document's BODY_COLUMN value by docnum (empty for every one in a generation without the column)."""
    if not reader.has_column(BODY_COLUMN):
        return lambda docnum: b""
    return reader.column_reader(BODY_COLUMN).__getitem__
