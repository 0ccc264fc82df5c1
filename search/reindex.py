"""Full and incremental reindex runs: what they write, how they report progress, what they say.

Both runs write a new generation (IndexStore.stage) and switch to it only once
it is verified (IndexStore.publish).  The incremental run copies the live
generation and updates the copy: the live generation is never written, so a
run killed at any moment cannot damage what the service is searching.
"""
from __future__ import annotations

import itertools
import math
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TextIO

from .documents import Document
from .backend.whoosh.writer import IndexUpdate
from .neardup import Grouper, text_of
from .parallel import SERIAL_FIRST, WORKERS, ordered_map
from .store import IndexStore, LockHolder, directory_size

# How often progress is written: a terminal bar is redrawn, a log gets a line.
BAR_REFRESH_SECONDS = 0.2
LOG_EVERY_SECONDS = 10.0
BAR_WIDTH = 24
# Skipped items named in the summary, each with its place and reason; every one is also logged.
SKIPS_LISTED = 50


class IngestCounts(Protocol):
    """What the reindex summary needs from ingestion (search.sources.IngestReport)."""

    duplicates: int
    skipped: Counter[str]


@dataclass
class ReindexResult:
    """What a run did, for the summary and for callers that check it (tests, scripts)."""

    incremental: bool
    generation: str
    documents: int  # in the live index after the run
    switched: bool = True  # False when an incremental run found nothing to change
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    duplicate_ids: int = 0  # repeated ids in this run, dropped after the first
    clashes: list[str] = field(default_factory=list)  # each repeated id with both of its places
    elapsed: float = 0.0
    index_bytes: int = 0
    regrouped: int = 0  # kept documents whose near-duplicate group changed (their leader changed or left)
    stale_lock: LockHolder | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def processed(self) -> int:
        return self.added + self.updated + self.unchanged


class Progress:
    """Counts documents as they are indexed and shows it on `stream` (stderr by default).

    On a terminal: a bar redrawn in place (documents, docs/s, ETA against the
    live index's size).  Elsewhere (cron, CI): a plain line every `every` seconds.
    """

    def __init__(self, stream: TextIO | None = None, every: float | None = None):
        self.stream = stream or sys.stderr
        self.terminal = self.stream.isatty()
        self.every = every if every is not None else (BAR_REFRESH_SECONDS if self.terminal else LOG_EVERY_SECONDS)
        self.count = 0
        self.expected: int | None = None
        self._started = self._shown = time.monotonic()

    def start(self, expected: int | None) -> None:
        self.expected = expected or None
        self._started = self._shown = time.monotonic()
        if not self.terminal:
            about = f" (about {expected} expected, as many as the live index holds)" if expected else ""
            self._write(f"reindex: started{about}\n")

    def advance(self) -> None:
        self.count += 1
        now = time.monotonic()
        if now - self._shown >= self.every:
            self._shown = now
            self._show(now)

    def writing(self) -> None:
        """Every document is read; the writer now flushes and merges (no documents to count)."""
        if self.terminal:
            self._show(time.monotonic(), "  writing the index…")
        else:
            self._write(f"reindex: {plural(self.count, 'document')} read, writing the index\n")

    def finish(self) -> None:
        self._show(time.monotonic())
        if self.terminal:
            self._write("\n")

    def _show(self, now: float, status: str = "") -> None:
        elapsed = max(now - self._started, 1e-9)
        rate = self.count / elapsed
        eta = ""
        if self.expected and rate > 0 and self.count < self.expected:
            eta = f"  ETA {_clock((self.expected - self.count) / rate)}"
        if self.terminal:
            total = self.expected or 0
            filled = min(BAR_WIDTH, BAR_WIDTH * self.count // total) if total else 0
            bar = f"[{'#' * filled}{'-' * (BAR_WIDTH - filled)}] " if total else ""
            of = f"/~{total}" if total else ""
            self._write(f"\r{bar}{self.count}{of} documents  {rate:.0f} docs/s{status or eta}\x1b[K")
        else:
            self._write(f"reindex: {plural(self.count, 'document')}, {rate:.0f} docs/s, {_clock(elapsed)} elapsed{eta}\n")

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{secs:02d}" if minutes >= 60 else f"{minutes}:{secs:02d}"


def _tracked(sources: Mapping[str, Iterable[Document]], origins: dict[str, list[str]],
             seen: dict[str, str], result: ReindexResult, progress: Progress) -> Iterator[Document]:
    """The documents of every source once each, noting which source gave which id.

    `seen` maps each id to the place that gave it.  Ingestion has already merged
    identical texts, so an id seen twice is a true clash of two different texts:
    the first is kept and both places are reported.
    """
    for origin, documents in sources.items():
        ids = origins.setdefault(origin, [])
        for document in documents:
            if document.id in seen:
                result.duplicate_ids += 1
                result.clashes.append(f"{document.id}: {seen[document.id]} (kept) and {document.source or origin}")
                continue
            seen[document.id] = document.source or origin
            ids.append(document.id)
            progress.advance()
            yield document
    progress.writing()


def _grouped(documents: Iterable[Document], grouper: Grouper) -> Iterator[Document]:
    """The documents, each with its near-duplicate group among those before it (search/neardup.py).

    Each text's signature is its own (in worker processes past the first SERIAL_FIRST); the groups,
    which depend on every document before, are assigned here, in order.
    """
    ahead, behind = itertools.tee(documents)
    signed = ordered_map(Grouper.features, (text_of(document) for document in ahead), processes=WORKERS,
                         serial_first=SERIAL_FIRST)
    for document, features in zip(behind, signed):
        document.group = grouper.assign_features(document.id, features)
        yield document


class _Regrouping:
    """Near-duplicate groups through an incremental run: over the whole index, not only the new documents.

    The live generation's leaders are the grouper's first leaders, so a new or changed document joins a
    group of documents indexed before, and every kept document keeps its key.  A leader that changes or
    leaves takes its group's meaning with it: the members that were grouped against its old text are
    grouped again once the run's changes are written (`regroup`), and only those whose key changes are
    rewritten.
    """

    def __init__(self, update: IndexUpdate):
        self.grouper = Grouper()
        self.keys = dict(update.groups)
        for document in update.documents({doc_id for doc_id, key in self.keys.items() if key == doc_id}):
            self.grouper.lead(document.id, text_of(document))
        self._step = 0
        self._assigned: dict[str, float] = {}  # id -> step of this run that grouped it (kept ones: none)
        self._changed: dict[str, float] = {}  # leader id -> step its text changed (inf: it left)

    def assign(self, document: Document, replacing: bool) -> None:
        self._step += 1
        if replacing:
            self.grouper.forget(document.id)
            self._changed[document.id] = self._step
        document.group = self.keys[document.id] = self.grouper.assign(document.id, text_of(document))
        self._assigned[document.id] = self._step

    def remove(self, doc_id: str) -> None:
        self.grouper.forget(doc_id)
        self.keys.pop(doc_id, None)
        self._changed[doc_id] = math.inf

    def orphans(self) -> set[str]:
        """Documents grouped with a leader before it changed or left."""
        return {doc_id for doc_id, key in self.keys.items()
                if key != doc_id and self._assigned.get(doc_id, 0) < self._changed.get(key, -1)}

    def regroup(self, staging: Path) -> int:
        """Group the orphans again in the committed staging index; returns how many were rewritten."""
        orphans = self.orphans()
        if not orphans:
            return 0
        update = IndexUpdate(staging)
        try:
            moved = [document for document in update.documents(orphans) if self._moved(document)]
            for document in moved:
                update.replace(document)
        except BaseException:
            update.cancel()
            raise
        update.commit()
        return len(moved)

    def _moved(self, document: Document) -> bool:
        before = self.keys[document.id]
        document.group = self.keys[document.id] = self.grouper.assign(document.id, text_of(document))
        return document.group != before


def reindex(store: IndexStore, sources: Mapping[str, Iterable[Document]], *, incremental: bool = False,
            wait: float = 0, progress: Progress | None = None) -> ReindexResult:
    """Index the documents of `sources` (a name for each source -> its documents) and switch to them.

    An incremental run with no healthy live index to update does a full rebuild.
    Raises ReindexLocked when another run holds the lock for longer than `wait`, DiskFull when the
    disk fills up (what the run wrote is removed first; the live generation stays).
    """
    asked = time.monotonic()
    progress = progress or Progress()
    with store.locked(wait), store.space_guard():
        started = time.monotonic()
        live = store.live_documents()
        base = store.current_generation() if live is not None else None
        result = ReindexResult(incremental=incremental and base is not None, generation="", documents=0,
                               stale_lock=store.stale_lock)
        if started - asked >= 1:
            result.notes.append(f"Waited {started - asked:.0f} s for another reindex to finish.")
        if incremental and base is None:
            result.notes.append("No healthy live index to update: did a full rebuild instead.")
        progress.start(live)
        if result.incremental:
            _incremental(store, base, sources, result, progress)
        else:
            origins: dict[str, list[str]] = {}
            documents = _grouped(_tracked(sources, origins, {}, result, progress), Grouper())
            info = store.build(documents, origins=origins)
            result.generation, result.documents, result.added = info.generation, info.documents, info.documents
        progress.finish()
        result.elapsed = time.monotonic() - started
        result.index_bytes = directory_size(store.root / result.generation)  # under the lock: no run prunes it
    return result


def _incremental(store: IndexStore, base: str, sources: Mapping[str, Iterable[Document]],
                 result: ReindexResult, progress: Progress) -> None:
    """Update a copy of generation `base`: add new ids, replace changed ones, drop vanished ones.

    A document is "removed" when a source given now gave its id last time and
    gives it no more (its file is gone, or it left a JSONL file); documents of
    sources not given now are kept.
    """
    old_origins = store.origins(base)
    staging = store.stage(base)
    update = IndexUpdate(staging)
    before = update.fingerprints
    origins: dict[str, list[str]] = {}
    seen: dict[str, str] = {}
    if not update.groups_stored:
        result.notes.append("The live index predates near-duplicate groups: a full reindex groups them.")
    try:
        groups = _Regrouping(update)
        for document in _tracked(sources, origins, seen, result, progress):
            known = before.get(document.id)
            if known is None:
                groups.assign(document, replacing=False)
                update.add(document)
                result.added += 1
            elif known != document.content_hash:
                groups.assign(document, replacing=True)
                update.replace(document)
                result.updated += 1
            else:
                result.unchanged += 1
        vanished = {i for origin in sources for i in old_origins.get(origin, ())} - seen.keys()
        vanished &= before.keys()
        for doc_id in vanished:
            groups.remove(doc_id)
            update.delete(doc_id)
        result.removed = len(vanished)
    except BaseException:
        update.cancel()
        store.discard(staging)
        raise
    if not (result.added or result.updated or result.removed):
        update.cancel()
        store.discard(staging)
        result.switched = False
        result.generation, result.documents = base, len(before)
        return
    update.commit()
    try:
        result.regrouped = groups.regroup(staging)
    except BaseException:
        store.discard(staging)
        raise
    kept = {origin: [i for i in ids if i not in seen and i not in vanished]
            for origin, ids in old_origins.items() if origin not in sources}
    info = store.publish(staging, len(before) + result.added - result.removed, {**kept, **origins})
    result.generation, result.documents = info.generation, info.documents


def _size(size: float) -> str:
    if size < 1024:
        return f"{size:.0f} B"
    for unit in ("KB", "MB"):
        size /= 1024
        if size < 1024:
            return f"{size:.1f} {unit}"
    return f"{size / 1024:.1f} GB"


def plural(count: int, noun: str) -> str:
    """'1 document', '2 documents': English nouns that take an s (all the CLI uses).

    Digits without a thousands separator: scripts (benchmarks/speed.py) parse the summary.
    """
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def summary(result: ReindexResult, report: IngestCounts | None = None) -> str:
    """The final report of a run: what was indexed, skipped and why, how long, how big."""
    skipped = Counter(report.skipped if report else {})
    if result.duplicate_ids:
        skipped["repeated id"] += result.duplicate_ids
    duplicates = report.duplicates if report else 0
    lines = []
    if result.stale_lock:
        lines.append(f"Cleared a stale lock left by a killed reindex ({result.stale_lock}) and its leftovers.")
    lines.extend(result.notes)
    if result.incremental:
        lines.append(f"Incremental reindex: added {result.added}, updated {result.updated}, "
                     f"removed {result.removed}, unchanged {result.unchanged}, skipped {sum(skipped.values())}.")
        if result.regrouped:
            lines.append(f"Near-duplicates: {plural(result.regrouped, 'kept document')} regrouped "
                         "(their group's first document changed or left).")
    else:
        lines.append(f"Full reindex: indexed {plural(result.documents, 'document')}, skipped {sum(skipped.values())}.")
    if skipped:
        lines.append("Skipped by reason: " + ", ".join(f"{reason} {n}" for reason, n in skipped.most_common()) + ".")
        places = [f"  {place}: {reason}" for place, reason in getattr(report, "details", ())
                  if not reason.startswith("duplicate of ")]
        if places:
            shown = places[:SKIPS_LISTED]
            more = f" (the first {SKIPS_LISTED} of {len(places)}; the log has all)" if len(places) > len(shown) else ""
            lines.extend([f"Skipped{more}:", *shown])
    if result.clashes:
        lines.append("Repeated ids of different texts (the first kept):")
        lines.extend(f"  {clash}" for clash in result.clashes[:SKIPS_LISTED])
    lines.append(f"Duplicates: {duplicates}.")
    rate = result.processed / result.elapsed if result.elapsed else 0.0
    lines.append(f"Elapsed: {result.elapsed:.1f} s ({rate:.0f} docs/s).")
    state = "now live" if result.switched else "unchanged, still live"
    lines.append(f"Index: {plural(result.documents, 'document')}, {_size(result.index_bytes)}, "
                 f"generation {result.generation} ({state}).")
    return "\n".join(lines)
