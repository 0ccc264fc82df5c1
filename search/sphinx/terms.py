"""Documents as the terms of search.analysis, in a form Sphinx keeps whole.

The index holds the same terms the Whoosh index does: `title` and `body` the
stems (`analysis.terms`), `exact` the folded words of title and body with
stopwords kept (phrases, prefixes).  A folded word is a run of digits, a-z and
α-ω almost always; one with any other letter (Cyrillic, digamma) would be cut
apart by the engine's tokenizer, so it is sent as `0x` and its UTF-8 in hex,
in documents and queries alike.  (A typed word that is itself `0x` and hex
digits could meet such a code; none occurs in the Diavgeia texts.)
"""
from __future__ import annotations

import json
import re
import zlib
from collections.abc import Iterable
import datetime as dt
import hashlib
from dataclasses import asdict

from .. import analysis
from ..documents import Document, Official

_PLAIN = re.compile(r"[0-9a-z\u03b1-\u03c9]+")
# The field every document holds, so a query of exclusions only ("-κόστος") has
# something to exclude from: Sphinx 2.2 refuses a MATCH of NOT alone.
EVERY_TERM = "dimosall"
# Stands in the body for each stopword: the nodes' configs list it as their one stopword, so it is
# never indexed, yet it moves the position on (Sphinx's stopword_step = 1) as a stopword does in
# Whoosh's body (its stop filter does not renumber), so its proximity operator counts positions as Whoosh's
# proximity bonus does (search.sphinx.ranking.nears).
STOP_TERM = "dimosstop"


def encode(term: str) -> str:
    return term if _PLAIN.fullmatch(term) else "0x" + term.encode("utf-8").hex()


def value_id(value: str) -> int:
    """A facet value's 32-bit id (FACET over an MVA counts ids); 0 is not a valid Sphinx id."""
    return zlib.crc32(value.encode("utf-8")) or 1 << 32


def doc_key(doc_id: str) -> int:
    """The Sphinx document id for a document id (or a vocabulary word's row id): 63 bits of a BLAKE2
    hash, never 0."""
    return int.from_bytes(hashlib.blake2b(doc_id.encode("utf-8"), digest_size=8).digest(), "big") >> 1 or 1


def date_number(date: dt.date | None) -> int:
    return date.year * 10_000 + date.month * 100 + date.day if date else 0


def dump(document: Document) -> str:
    payload = asdict(document)
    payload["date"] = document.date.isoformat() if document.date else None
    return json.dumps(payload, ensure_ascii=False, default=str)


def load(stored: str) -> Document:
    payload = json.loads(stored)
    payload["date"] = dt.date.fromisoformat(payload["date"]) if payload["date"] else None
    payload["officials"] = [Official(**o) for o in payload["officials"]]
    return Document(**payload)


FACET_KINDS = {"municipality": 0, "official": 1, "region": 2}


def facet_values(document: Document) -> dict[str, list[str]]:
    return {
        "municipality": list(dict.fromkeys(v for v in document.municipalities if v)),
        "official": list(dict.fromkeys(o.name for o in document.officials if o.name)),
        "region": list(dict.fromkeys(v for v in document.regions if v)),
    }


ROW_COLUMNS = ("id", "title", "body", "exact", "every", "doc_id", "stored", "doc_type",
               "year", "date", "dated", "seq", "len_title", "len_body", "len_exact",
               "municipality", "official", "region", "group_key")


def exact_words(document: Document) -> list[str]:
    """The folded words of title and body, stopwords kept: the `exact` field, as Whoosh's holds them."""
    return [w.folded for w in analysis.words(f"{document.title}\n{document.body}")]


def row(document: Document, seq: int, exact: list[str] | None = None) -> tuple:
    """One RT row, in ROW_COLUMNS order.

    `seq` is the document's place in the build (Whoosh's docnum, which orders its
    ties); `len_*` are the field lengths in terms, as Whoosh counts them for BM25F
    (search.sphinx.ranking).  `exact` is exact_words(document) when the caller
    already has them (the writer counts them for the vocabulary).
    """
    values = facet_values(document)
    title, body = analysis.terms(document.title), analysis.terms(document.body)
    exact = exact_words(document) if exact is None else exact
    body_positions = " ".join(STOP_TERM if w.term is None else encode(w.term) for w in analysis.words(document.body))
    return (
        doc_key(document.id), " ".join(map(encode, title)), body_positions,
        " ".join(map(encode, exact)), EVERY_TERM, document.id, dump(document),
        document.doc_type or "", document.date.year if document.date else 0, date_number(document.date),
        1 if document.date else 0, seq, len(title), len(body), len(exact),
        *(tuple(sorted({value_id(v) for v in values[kind]})) for kind in ("municipality", "official", "region")),
        doc_key(group_key(document)),
    )


def group_key(document: Document) -> str:
    """The document's near-duplicate group key: a document alone is a group of one, keyed by its own id,
    as Whoosh keys it (search.backend.whoosh.schema.to_record)."""
    return document.group or document.id


def names(documents: Iterable[Document]) -> dict[int, tuple[int, str]]:
    """Facet value id -> (kind, value); a 32-bit collision between two values is refused."""
    out: dict[int, tuple[int, str]] = {}
    for document in documents:
        for kind, values in facet_values(document).items():
            for value in values:
                key = value_id(value)
                if key in out and out[key][1] != value:
                    raise ValueError(f"facet values {out[key][1]!r} and {value!r} share the id {key}")
                out.setdefault(key, (FACET_KINDS[kind], value))
    return out
