"""Ingestion: raw announcement files and folders -> clean `Document`s, every skip accounted for.

Formats, by extension: .txt/.text/.md (scraped pages, exports), .html/.htm
(main text and metadata by trafilatura), .json (one record or a list) and
.jsonl/.ndjson (one record a line) with `id, title, body, date, municipality,
officials, doc_type, url`, validated per RECORD_SCHEMA; other keys are kept in
`Document.meta`.

Encodings: strict UTF-8 first (self-validating, so a success is trusted); else
the two 8-bit Greek code pages, cp1253 and ISO-8859-7, which agree on the
letters and differ on a few bytes (0xA1/0xA2 are "΅Ά" in cp1253 but "‘’" in
ISO-8859-7, where Ά is 0xB6, "¶" in cp1253; 0x80-0x9F are punctuation in
cp1253 and control codes in ISO-8859-7).  Both are decoded strictly and the one
giving more letters and fewer control characters wins; the result must then
read as Greek (function words present) or the file is skipped as undecodable.
A statistical detector (charset-normalizer) was not used: on short Greek
texts it confuses these code pages with Cyrillic ones, and the strict rule
above is exact for the three encodings the sources use.

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
import json
import logging
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import trafilatura

from .analysis import GREEK_STOPWORDS, fold, fold_text
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

log = logging.getLogger(__name__)

TEXT_SUFFIXES = {".txt", ".text", ".md"}
HTML_SUFFIXES = {".html", ".htm"}
JSON_SUFFIXES = {".json"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
# A JSON Lines export's encoding is decided on this much of its start.
ENCODING_SAMPLE_BYTES = 1 << 20
RECORD_FIELDS = {"id", "title", "body", "date", "municipality", "officials", "doc_type", "url", "meta"}


@dataclass
class IngestReport:
    """What a reindex read, yielded, merged as duplicates and skipped (with why).

    It also remembers the texts already yielded, so one report shared by several
    `load_documents` calls (one per source) still indexes a text once.
    """

    read: int = 0
    documents: int = 0
    duplicates: int = 0
    skipped: Counter = field(default_factory=Counter)
    details: list[tuple[str, str]] = field(default_factory=list)
    yielded_texts: dict[str, str] = field(default_factory=dict, repr=False)  # fingerprint -> document id

    def skip(self, source: str, reason: str) -> None:
        """Count `reason` under its kind ("invalid json: Expecting value at ..." is "invalid json"), and log it."""
        self.count(source, reason)
        log.warning("skipped %s: %s", source, reason)

    def count(self, source: str, reason: str) -> None:
        """`skip` without the log line: for a skip already logged where it was found (a worker process)."""
        self.skipped[reason if reason.startswith("error: ") else reason.split(": ", 1)[0]] += 1
        self.details.append((source, reason))

    def summary(self) -> str:
        skipped = sum(self.skipped.values())
        reasons = ", ".join(f"{reason}: {n}" for reason, n in sorted(self.skipped.items())) or "none"
        return (
            f"Read {self.read} files or records: {self.documents} documents indexed, "
            f"{self.duplicates} duplicates merged, {skipped} skipped ({reasons})."
        )


class Skip(Exception):
    """A file or record that cannot become a document; the message is the reason."""


# ---------------------------------------------------------------- decoding


def _reads_as_text(text: str) -> bool:
    visible = [c for c in text if not c.isspace()]
    if not visible:
        return False
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\n\r\t\f\v" or 0x7F <= ord(c) < 0xA0)
    letters = sum(c.isalpha() for c in visible)
    latin_or_greek = re.search(r"[A-Za-z\u0370-\u03ff\u1f00-\u1fff]", text) is not None
    return latin_or_greek and controls <= 0.01 * len(text) and letters >= 0.3 * len(visible)


def _reads_as_greek(text: str) -> bool:
    words = [fold(w) for w in re.findall(r"[^\W\d_]+", text)]
    greek = [w for w in words if re.match(r"[\u0370-\u03ff]", w)]
    if len(greek) < 20:
        return bool(greek) or bool(words)
    return sum(w in GREEK_STOPWORDS for w in greek) >= 0.05 * len(greek)


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding) of a file's bytes; raises Skip("empty" | "binary" | "undecodable")."""
    if not data.strip():
        raise Skip("empty")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
        raise Skip("binary")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    else:
        if not _reads_as_text(text):
            raise Skip("binary")
        return text, "utf-8"
    candidates = []
    for encoding in ("cp1253", "iso8859_7"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        high = [c for c in text if ord(c) >= 0x80]
        score = sum(c.isalpha() for c in high) - 2 * sum(0x80 <= ord(c) < 0xA0 for c in high)
        candidates.append((score, encoding, text))
    if not candidates:
        raise Skip("undecodable")
    _, encoding, text = max(candidates, key=lambda c: c[0])
    if not _reads_as_text(text) or not _reads_as_greek(text):
        raise Skip("undecodable")
    return text, encoding


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
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def printable(text: str) -> str:
    """`text` as valid UTF-8: a lone surrogate (from a JSON escape, or the undecodable bytes of a
    file name Python reads as surrogate escapes) becomes U+FFFD, so it can be indexed, hashed and shown."""
    return _SURROGATE_RE.sub("\ufffd", text)


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


# ---------------------------------------------------------------- walking


@dataclass(frozen=True)
class _Item:
    """One file of a source: where it is, what it is called in ids, places and answers.

    `name` is the path relative to the source folder given, without the extension
    ("chania/index"), so two `index.txt` in different folders are two documents and
    the same files read by an absolute or a relative path keep their ids.  `shown`
    is that relative path under the source folder's own name ("src/chania/index.txt"):
    no server path reaches an answer.  Both are `printable` (a file name that is not
    UTF-8 is shown with U+FFFD where its bad bytes were).
    """

    path: Path
    name: str
    shown: str
    place: str  # the path as the operator gave it, for the skip reasons they read


def _item(path: Path, root: Path) -> _Item:
    relative = path.relative_to(root) if root != path else Path(path.name)
    shown = relative if root == path else Path(root.resolve().name) / relative
    return _Item(path, printable(relative.with_suffix("").as_posix()), printable(shown.as_posix()),
                 printable(str(path)))


def _files(sources: Iterable[Path | str], report: IngestReport) -> Iterator[_Item]:
    for source in sources:
        path = Path(source)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not any(part.startswith(".") for part in child.relative_to(path).parts):
                    yield _item(child, path)
        elif path.is_file():
            yield _item(path, path)
        else:
            report.read += 1
            report.skip(printable(str(path)), "not found")


def _parsed_json(text: str) -> Any:
    """json.loads, its every failure a Skip: bad syntax, nesting past the recursion limit
    (a line of 100,000 "["), an integer past Python's 4,300-digit conversion limit."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise Skip(f"invalid json: {error.msg} at line {error.lineno} column {error.colno}") from None
    except RecursionError:
        raise Skip("invalid json: nested too deep") from None
    except ValueError as error:  # int_max_str_digits
        raise Skip(f"invalid json: {str(error).split(';')[0]}") from None


def _items(item: _Item, report: IngestReport) -> Iterator[tuple[str, Any, str]]:
    """(kind, payload, place) for each unit of a file: one for text/HTML, one per record for JSON."""
    suffix = item.path.suffix.lower()
    if suffix not in TEXT_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES | JSONL_SUFFIXES:
        report.read += 1
        report.skip(item.place, "unsupported format")
        return
    if suffix in JSONL_SUFFIXES:
        yield from _jsonl_items(item, report)
        return
    try:
        text, encoding = decode(item.path.read_bytes())
        data = _parsed_json(text) if suffix in JSON_SUFFIXES else None
    except (Skip, OSError) as error:
        report.read += 1
        report.skip(item.place, str(error) if isinstance(error, Skip) else "unreadable")
        return
    if suffix in TEXT_SUFFIXES | HTML_SUFFIXES:
        yield ("html" if suffix in HTML_SUFFIXES else "text"), (text, encoding), item.place
        return
    records = data if isinstance(data, list) else [data]
    for index, record in enumerate(records, 1):
        yield "record", record, f"{item.place}#{index}" if len(records) > 1 else item.place


def _jsonl_encoding(sample: bytes) -> str:
    """UTF-8 when most lines are (a stray 8-bit line is then skipped alone), else the Greek code page."""
    lines = [line for line in sample.split(b"\n") if line.strip()]
    utf8 = 0
    for line in lines:
        try:
            line.decode("utf-8-sig")
            utf8 += 1
        except UnicodeDecodeError:
            pass
    if lines and utf8 * 2 >= len(lines):
        return "utf-8"
    return decode(sample)[1]


def _jsonl_items(item: _Item, report: IngestReport) -> Iterator[tuple[str, Any, str]]:
    """One record a line, streamed: a large export is never held whole in memory,
    its encoding is told from its first MiB, and a bad line is skipped alone."""
    try:
        with open(item.path, "rb") as stream:
            sample = stream.read(ENCODING_SAMPLE_BYTES)
            if stream.read(1):
                sample = sample[: sample.rfind(b"\n") + 1] or sample  # whole lines only
            encoding = _jsonl_encoding(sample)
            stream.seek(0)
            for number, raw in enumerate(stream, 1):
                if not raw.strip():
                    continue
                try:
                    record = _parsed_json(raw.decode("utf-8-sig" if encoding == "utf-8" else encoding))
                except (UnicodeDecodeError, Skip) as error:
                    report.read += 1
                    report.skip(f"{item.place}:{number}", "undecodable" if isinstance(error, UnicodeDecodeError)
                                else str(error))
                    continue
                yield "record", record, f"{item.place}:{number}"
    except (Skip, OSError) as error:
        report.read += 1
        report.skip(item.place, str(error) if isinstance(error, Skip) else "unreadable")


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
    whatever the process.  A skip found while reading is listed
    when it is read, one found while building when its item's turn comes.
    """
    sources = list(sources)
    builder = _Builder(gazetteer)
    _learn_accents(builder.forms, sources)
    units = _units(sources, report)
    for built in ordered_map(functools.partial(_built, builder), units, processes=1,
                             serial_first=SERIAL_FIRST):
        for place, reason in built.skips:
            report.count(place, reason)
        if built.document is not None and _first_time(built, report):
            report.documents += 1
            yield built.document


def _units(sources: list[Path | str], report: IngestReport) -> Iterator[_Unit]:
    """Every item of the sources as read, before it is built; what cannot be read is reported here."""
    for item in _files(sources, report):
        items = _items(item, report)
        while True:
            try:
                kind, payload, place = next(items)
            except StopIteration:
                break
            except Exception as error:  # reading the file failed past its own checks: skip the rest of it
                log.exception("failed reading %s", item.place)
                report.read += 1
                report.skip(item.place, f"error: {type(error).__name__}")
                break
            report.read += 1
            yield _Unit(item, kind, payload, place)


@dataclass(frozen=True)
class _Unit:
    """One item as read: a file's text or one of its records, with its place for skip reasons."""

    item: _Item
    kind: str
    payload: Any
    place: str


@dataclass(frozen=True)
class _Built:
    """What building one unit gave: its document (None if skipped), the skips, the text's fingerprint."""

    document: Document | None
    skips: list[tuple[str, str]]
    fingerprint: str
    place: str


def _built(builder: _Builder, unit: _Unit) -> _Built:
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
    for learned in ordered_map(_learned, _texts(sources), processes=WORKERS, serial_first=SERIAL_FIRST):
        forms.merge(learned)


def _learned(text: str) -> DisplayForms:
    forms = DisplayForms()
    forms.learn(text)
    return forms


def _texts(sources: list[Path | str]) -> Iterator[str]:
    """The text of every item of the sources, those that cannot be read left out without a word."""
    quiet = IngestReport()
    for item in _files(sources, quiet):
        try:
            for kind, payload, _ in _items(item, quiet):
                if kind != "record":
                    yield payload[0]
                elif isinstance(payload, dict):
                    yield " ".join(_strings(payload))
        except Exception:  # noqa: BLE001 - the real pass meets and reports the same failure
            continue


def _strings(value: Any) -> Iterator[str]:
    """Every string inside a record (title, body, officials' names and roles)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _guarded(builder: _Builder, unit: _Unit, report: IngestReport) -> Document | None:
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
