"""Ingestion: the units search/sources.py reads -> clean `Document`s, every skip accounted for.

Records carry `id, title, body, date, municipality, officials, doc_type, url`,
validated per RECORD_SCHEMA; other keys are kept in `Document.meta`.  HTML pages
give their main text and metadata through trafilatura.

Garbled policy: a document typed in a legacy Greek font ("ΓΗΜΟ΢" for ΔΗΜΟΣ)
is still yielded, searchable by its readable parts (titles and metadata are
usually fine), but with `flags == ["garbled"]` and EMPTY municipalities,
officials and regions, so it never feeds a facet with wrong values.

Never raises for a bad file or record: the reason is logged and counted in the
`IngestReport`, and the walk goes on.
"""
from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import trafilatura

from .analysis import fold, fold_text
from .cleaning import (
    drop_repeated_lines,
    drop_signature_blocks,
    html_to_text,
    is_garbled,
    join_letter_spaced,
    normalize_whitespace,
    rebuild_paragraphs,
    strip_boilerplate,
    strip_markdown,
    tidy_title,
)
from .documents import Document, Official
from .extract import (
    DisplayForms,
    canonical_municipality,
    choose_title,
    extract_date,
    extract_entities,
    field_people,
    is_date_line,
    parse_date,
)
from .gazetteer import Gazetteer
from .parallel import SERIAL_FIRST, WORKERS, ordered_map
from .sources import IngestReport, Skip, Unit, printable, texts, units

log = logging.getLogger(__name__)

RECORD_FIELDS = {"id", "title", "body", "date", "municipality", "officials", "doc_type", "url", "meta"}


# ---------------------------------------------------------------- building documents


class _Builder:
    """Turns one source item into a Document, sharing display forms across the reindex."""

    def __init__(self, gazetteer: Gazetteer | None):
        self.gazetteer = gazetteer
        self.forms = DisplayForms()

    def build(
        self,
        doc_id: str,
        source: str,
        raw: str,
        *,
        title: str | None = None,
        date=None,
        url: str | None = None,
        municipality: str | None = None,
        officials: list[Any] | None = None,
        doc_type: str | None = None,
        meta: dict[str, Any] | None = None,
    ) -> Document:
        text = join_letter_spaced(normalize_whitespace(strip_markdown(normalize_whitespace(html_to_text(raw)))))
        text = drop_repeated_lines(drop_signature_blocks(text))
        if date is None:
            date = extract_date(text)
        lines = [line for line in strip_boilerplate([l for l in text.split("\n") if l]) if not is_date_line(line)]
        if title:
            title = normalize_whitespace(title).replace("\n", " ")
            lines = [line for line in lines if fold(line) != fold(title)]
        else:
            title, lines = choose_title(lines)
        body = "\n\n".join(rebuild_paragraphs(lines))
        if not title and not body:
            raise Skip("no text")
        doc = Document(id=doc_id, title=tidy_title(title), body=body, date=date, url=url or None,
                       doc_type=doc_type, source=source, meta=dict(meta or {}))
        if is_garbled(f"{title}\n{body}"):
            doc.flags.append("garbled")
            return doc
        issuing = canonical_municipality(municipality, self.gazetteer) if municipality else None
        entities = extract_entities(title, body, self.gazetteer, issuing, self.forms)
        doc.municipalities = entities.municipalities
        doc.regions = entities.regions
        if entities.regional_units:
            doc.meta["regional_units"] = entities.regional_units
        doc.officials = self._officials(doc, officials, entities.officials)
        return doc

    def _officials(self, doc: Document, given: list[Any] | None, extracted: list[Official]) -> list[Official]:
        """A record's own officials as person values, with the roles the text gives them.

        An entry that names no person (`field_people`: an amount, a lone word, a
        place) is kept out of the facet, logged with its reason and kept as it
        was in `meta["officials_dropped"]`: never rewritten into another person.
        """
        if not given:
            return extracted
        roles = {fold(o.name): o.role for o in extracted}
        result: list[Official] = []
        for item in given:
            name, role = (item.get("name"), item.get("role")) if isinstance(item, dict) else (str(item), None)
            if not name:
                continue
            people, reason = field_people(name, self.gazetteer)
            if reason is not None:
                log.info("%s: official %r kept out of the facet: %s", doc.id, name, reason)
                doc.meta.setdefault("officials_dropped", []).append(name)
            for parsed in people:
                display = self.forms.best(parsed.key, parsed.display)
                official = Official(display, role.lower() if role else roles.get(fold(display)))
                if official not in result:
                    result.append(official)
        return result


def _html_document(builder: _Builder, doc_id: str, source: str, html: str) -> Document:
    """Main text and metadata by trafilatura: it drops menus, footers and link lists by
    text density and markup, and reads title, date and canonical URL from the
    metadata the page declares (OpenGraph, article:published_time, <link rel=canonical>)."""
    extracted = trafilatura.bare_extraction(
        html, with_metadata=True, include_comments=False, include_tables=True, favor_precision=True
    )
    if extracted is None or not (extracted.text or "").strip():
        raise Skip("no text")
    date = parse_date(extracted.date) if extracted.date else None
    return builder.build(doc_id, source, extracted.text, title=extracted.title, date=date, url=extracted.url)


# The record schema (docs/ingestion.md): field -> the JSON types it may hold.  `id` alone is
# converted: an integer id (as exports number their rows) becomes its decimal text.  Any other
# type is a reason to skip the record: a guessed conversion would index or link the wrong thing
# (a numeric `url` used to give a 500 on its document page).
RECORD_SCHEMA: dict[str, tuple[type, ...]] = {
    "id": (str, int), "title": (str,), "body": (str,), "date": (str,), "municipality": (str,),
    "officials": (list,), "doc_type": (str,), "url": (str,), "meta": (dict,),
}
_JSON_TYPE_NAMES = {str: "a string", int: "a number", float: "a number", bool: "a boolean", list: "a list",
                    dict: "an object"}
def _sanitized(value: Any) -> Any:
    """A parsed JSON value with every string `printable` (RecursionError past Python's depth limit)."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, list):
        return [_sanitized(item) for item in value]
    if isinstance(value, dict):
        return {printable(str(key)): _sanitized(item) for key, item in value.items()}
    return value


def validated(record: Any) -> dict[str, Any]:
    """The record with its fields checked against RECORD_SCHEMA and its strings printable; raises Skip."""
    if not isinstance(record, dict):
        raise Skip("not a record")
    try:
        record = _sanitized(record)
    except RecursionError:
        raise Skip("invalid record: nested too deep") from None
    for name, allowed in RECORD_SCHEMA.items():
        value = record.get(name)
        if value is None or (isinstance(value, allowed) and not isinstance(value, bool)):
            continue
        expected = "an object" if allowed == (dict,) else "a list" if allowed == (list,) else "a string"
        raise Skip(f"invalid record: {name}: {_JSON_TYPE_NAMES.get(type(value), 'a value')} where {expected} goes")
    for item in record.get("officials") or ():
        if not isinstance(item, (str, dict)) or isinstance(item, dict) and not all(
                isinstance(item.get(k), (str, type(None))) for k in ("name", "role")):
            raise Skip("invalid record: officials: each is a name or {name, role} of strings")
    if isinstance(record.get("id"), int):
        record["id"] = str(record["id"])
    return record


def _record_document(builder: _Builder, record: Any, source: str, fallback_id: str) -> Document:
    record = validated(record)
    title, body = record.get("title") or "", record.get("body") or ""
    if not title.strip() and not body.strip():
        raise Skip("no text")
    meta = dict(record.get("meta") or {})
    meta.update({k: v for k, v in record.items() if k not in RECORD_FIELDS})
    url = record.get("url") or (meta["document_url"] if isinstance(meta.get("document_url"), str) else None)
    return builder.build(
        record.get("id") or fallback_id, source, body, title=title or None,
        date=parse_date(record["date"]) if record.get("date") else None, url=url or None,
        municipality=record.get("municipality"), officials=record.get("officials"),
        doc_type=record.get("doc_type"), meta=meta,
    )


def load_documents(
    sources: Iterable[Path | str], report: IngestReport, gazetteer: Gazetteer | None = None
) -> Iterator[Document]:
    """Clean documents from files and folders (walked sorted), each skip recorded in `report`.

    Ids: a record's `id`; for a file, its path relative to the source folder
    without extension ("chania/index"; for a record without id, that and the
    record's position).  Each item is read, decoded, parsed, validated, built and
    hashed in one guarded step: whatever fails skips that item alone, with its
    place and reason.  Documents whose normalised title and body are identical
    are yielded once and counted as duplicates.

    Past the first SERIAL_FIRST items, documents are built in one forked worker
    process (search/parallel.py), beside the reading here and the index writers:
    one, because building remembers the best display form of each name seen so far
    (DisplayForms.best), so documents are built one after another, in order,
    whatever the process.  A skip found while reading is listed when it is read,
    one found while building when its item's turn comes.
    """
    sources = list(sources)
    builder = _Builder(gazetteer)
    _learn_accents(builder.forms, sources)
    read = units(sources, report)
    for built in ordered_map(functools.partial(_built, builder), read, processes=1,
                             serial_first=SERIAL_FIRST):
        for place, reason in built.skips:
            report.count(place, reason)
        if built.document is not None and _first_time(built, report):
            report.documents += 1
            yield built.document


@dataclass(frozen=True)
class _Built:
    """What building one unit gave: its document (None if skipped), the skips, the text's fingerprint."""

    document: Document | None
    skips: list[tuple[str, str]]
    fingerprint: str
    place: str


def _built(builder: _Builder, unit: Unit) -> _Built:
    """Build one unit (in a worker process, for a large reindex): its skips are logged here and
    counted by the caller."""
    found = IngestReport()
    document = _guarded(builder, unit, found)
    fingerprint = "" if document is None else hashlib.sha1(
        " ".join(fold_text(f"{document.title}\n{document.body}").split()).encode()).hexdigest()
    return _Built(document, found.details, fingerprint, unit.place)


def _learn_accents(forms: DisplayForms, sources: list[Path | str]) -> None:
    """A first, read-only pass: how the sources accent the names they also write in capitals, and
    which full first names they write before each surname (`DisplayForms.learn`).

    It reads what ingestion will read (records' text fields, decoded files) and
    nothing is reported: the real pass reports every skip.  It costs one more
    read of the sources (measured: 1.8 s, median of 3, for the 1,453 decisions and 127 laws,
    against 30 s for their ingestion).  Each text is learned on its own, past the first
    SERIAL_FIRST in forked workers, and merged here in order: the same forms as one pass.
    """
    for learned in ordered_map(_learned, texts(sources), processes=WORKERS, serial_first=SERIAL_FIRST):
        forms.merge(learned)


def _learned(text: str) -> DisplayForms:
    forms = DisplayForms()
    forms.learn(text)
    return forms


def _guarded(builder: _Builder, unit: Unit, report: IngestReport) -> Document | None:
    """One item built and hashed, or None with its reason in `report`."""
    item, kind, payload, place = unit.item, unit.kind, unit.payload, unit.place
    try:
        if kind == "record":
            document = _record_document(builder, payload, item.shown, f"{item.name}:{place.rsplit(':', 1)[-1]}")
        elif kind == "html":
            document = _html_document(builder, item.name, item.shown, payload[0])
        else:
            document = builder.build(item.name, item.shown, payload[0])
        if kind != "record":
            document.meta.setdefault("encoding", payload[1])
        document.content_hash  # noqa: B018 - a value that cannot be hashed is caught here, not in the index
    except Skip as error:
        report.skip(place, str(error))
        return None
    except RecursionError:
        report.skip(place, "invalid record: nested too deep")
        return None
    except Exception as error:  # a bad item must never stop a reindex
        log.exception("failed on %s", place)
        report.skip(place, f"error: {type(error).__name__}")
        return None
    return document


def _first_time(built: _Built, report: IngestReport) -> bool:
    """False (a duplicate, counted) when the same normalised title and body were yielded before."""
    if built.fingerprint in report.yielded_texts:
        report.duplicates += 1
        report.details.append((built.place, f"duplicate of {report.yielded_texts[built.fingerprint]}"))
        return False
    report.yielded_texts[built.fingerprint] = built.document.id
    return True
