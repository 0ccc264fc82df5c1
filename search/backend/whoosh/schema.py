"""The Whoosh schema, and turning documents into index records and back."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from whoosh.analysis import RegexTokenizer
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from ...documents import Document, Official
from .analyzers import folded_analyzer, greek_analyzer

# BM25F field boost: a word in the headline says more about an announcement
# than the same word deep in its body.
TITLE_BOOST = 3.0
# Facet fields hold whole values ("Δήμος Πυλαίας-Χορτιάτη"), separated by this
# character, which never occurs in a name.
FACET_SEPARATOR = "\x1f"


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
        # A document with no near-duplicate is a group of one, keyed by its own id, so that every document
        # written since groups exist has a key and a later near-duplicate can join it.
        "group": document.group or document.id,
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
        group=stored.get("group") or None,
    )
