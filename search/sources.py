"""Reading the sources: files and folders walked, decoded and parsed into units, none built yet.

Formats, by extension: .txt/.text/.md (scraped pages, exports), .html/.htm
(main text and metadata by trafilatura, in search/ingest.py), .json (one record
or a list) and .jsonl/.ndjson (one record a line, streamed).

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

What cannot be read is counted in the `IngestReport` with its place and reason,
and the walk goes on.
"""
from __future__ import annotations

import json
import logging
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .analysis import GREEK_STOPWORDS, fold

log = logging.getLogger(__name__)

TEXT_SUFFIXES = {".txt", ".text", ".md"}
HTML_SUFFIXES = {".html", ".htm"}
JSON_SUFFIXES = {".json"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
# A JSON Lines export's encoding is decided on this much of its start.
ENCODING_SAMPLE_BYTES = 1 << 20


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


_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def printable(text: str) -> str:
    """`text` as valid UTF-8: a lone surrogate (from a JSON escape, or the undecodable bytes of a
    file name Python reads as surrogate escapes) becomes U+FFFD, so it can be indexed, hashed and shown."""
    return _SURROGATE_RE.sub("\ufffd", text)


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


@dataclass(frozen=True)
class Unit:
    """One item as read: a file's text or one of its records, with its place for skip reasons."""

    item: _Item
    kind: str
    payload: Any
    place: str


def units(sources: list[Path | str], report: IngestReport) -> Iterator[Unit]:
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
            yield Unit(item, kind, payload, place)


class _Unlogged(IngestReport):
    """The report of a pass over what the real pass reads and reports: it counts, and logs nothing."""

    def skip(self, source: str, reason: str) -> None:
        self.count(source, reason)


def texts(sources: list[Path | str]) -> Iterator[str]:
    """The text of every item of the sources, those that cannot be read left out without a word
    (the pass that builds the documents logs and reports them)."""
    quiet = _Unlogged()
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
