"""Writing documents onto the cluster: every copy, generations, and bringing a node back in line.

Sphinx 2.2 does not replicate RT writes, so the writer writes each document
to both nodes holding its shard (`REPLACE INTO`).

Generations.  Every node has two slots of indexes, `a` and `b`.  The pointer
is one row of the RT index `dimos_meta` on every node: (generation N, slot).
A reindex needs every node up; it empties the slot that is not live, writes
all copies into it, and only then writes the pointer row N+1 on every node.
Readers take the highest generation any live node reports: a node shows N+1
only after the whole slot is written, so whichever node a reader asks, the
slot it names is complete, and each query runs on one slot's distributed
index, i.e. on exactly one generation.  An interrupted or failed reindex
never wrote the pointer: the last good generation keeps serving.  A node
that was down during a switch still shows N; readers ignore it (they take
the maximum) and `repair` copies the pointer with the data.
"""
from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

import pymysql

from ..documents import Document
from . import terms
from .nodes import live_nodes, session
from .topology import (META_INDEX, SLOTS, Node, Topology, distributed_index, names_index, shard_index,
                       vocabulary_index)

log = logging.getLogger(__name__)

# Rows per REPLACE statement: 200 rows of ~3 KB stay far below max_packet_size (32 MB).
BATCH = 200
# Vocabulary rows per statement: a word and a count, ~60 bytes a row.
WORD_BATCH = 2_000
POINTER_ID = 1


class NodeDown(RuntimeError):
    """A write needs every copy, and a node holding one does not answer."""


@dataclass(frozen=True)
class Pointer:
    """The live generation and its slot; `revision` counts the incremental updates written into it,
    so a reader sees that the slot's vocabulary changed (the generation number stays the same)."""

    generation: int
    slot: str
    revision: int = 0


def read_pointer(topology: Topology) -> Pointer | None:
    """The live generation: the highest any live node reports (module docstring)."""
    best: Pointer | None = None
    for node in topology.nodes:  # a node that does not answer reports nothing
        pointer = _node_pointer(node)
        if pointer and (best is None or (pointer.generation, pointer.revision) > (best.generation, best.revision)):
            best = pointer
    return best


def _node_pointer(node: Node) -> Pointer | None:
    try:
        with session(node) as cursor:
            cursor.execute(f"SELECT generation, slot, revision FROM {META_INDEX} WHERE id = {POINTER_ID}")
            found = cursor.fetchall()
    except pymysql.MySQLError:
        return None
    return Pointer(int(found[0][0]), found[0][1], int(found[0][2])) if found else None


def _write_pointer(node: Node, pointer: Pointer) -> None:
    with session(node) as cursor:
        cursor.execute(f"REPLACE INTO {META_INDEX} (id, note, slot, generation, revision) VALUES (%s, %s, %s, %s, %s)",
                       (POINTER_ID, "pointer", pointer.slot, pointer.generation, pointer.revision))


def read_words(node: Node, slot: str) -> dict[str, int]:
    """The slot's vocabulary as one node holds it: each folded word with its document frequency,
    read a page of WORD_BATCH rows at a time in id order (Sphinx caps a result at max_matches)."""
    words: dict[str, int] = {}
    last = 0
    while True:
        with session(node) as cursor:
            cursor.execute(f"SELECT id, word, df FROM {vocabulary_index(slot)} WHERE id > %s ORDER BY id ASC "
                           f"LIMIT {WORD_BATCH} OPTION max_matches={WORD_BATCH}", (last,))
            page = cursor.fetchall()
        if not page:
            return words
        last = int(page[-1][0])
        words.update((word, int(df)) for _, word, df in page)


def _batches(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _replace(cursor, index: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    cursor.execute(f"REPLACE INTO {index} ({', '.join(columns)}) VALUES "
                   + ", ".join([placeholders] * len(rows)), [v for r in rows for v in r])


class ClusterWriter:
    """Writes documents into one slot on every node that holds a copy."""

    def __init__(self, topology: Topology, slot: str, first_seq: int = 0):
        self.topology = topology
        self.slot = slot
        self.names: dict[int, tuple[int, str]] = {}
        # Documents holding each folded word of `exact`, among those this writer wrote (the vocabulary).
        self.words: Counter[str] = Counter()
        self.count = 0
        self.skipped = 0
        # Each document's place in the writing order, as Whoosh numbers its documents
        # (an updated one goes last): relevance ties and date ties are ordered by it.
        self.next_seq = first_seq

    def write(self, documents: Iterable[Document]) -> None:
        for batch in _batches(documents, BATCH):
            by_shard: dict[int, list[tuple]] = {}
            for document in batch:
                try:
                    exact = terms.exact_words(document)
                    row = terms.row(document, self.next_seq, exact)
                    self._add_names(document)
                except ValueError as error:
                    log.warning("document %s skipped: %s", document.id, error)
                    self.skipped += 1
                    continue
                self.words.update(set(exact))
                self.next_seq += 1
                by_shard.setdefault(self.topology.shard_of(document.id), []).append(row)
            for shard, rows in by_shard.items():
                for node in self.topology.holders(shard):
                    self._on(node, lambda c: _replace(c, shard_index(self.slot, shard), terms.ROW_COLUMNS, rows))
                self.count += len(rows)

    def _add_names(self, document: Document) -> None:
        found = terms.names([document])
        for key, (kind, value) in found.items():
            if key in self.names and self.names[key][1] != value:
                raise ValueError(f"facet values {self.names[key][1]!r} and {value!r} share the id {key}")
        self.names.update(found)

    def write_names(self) -> None:
        """The facet names, on every node (each answers FACET ids for the whole cluster)."""
        rows = [(key, value, value, kind) for key, (kind, value) in self.names.items()]
        for node in self.topology.nodes:
            for batch in _batches(rows, BATCH):
                self._on(node, lambda c: _replace(c, names_index(self.slot), ("id", "value_text", "value", "kind"),
                                                  batch))

    def write_words(self, frequencies: dict[str, int]) -> None:
        """Vocabulary rows (word -> document frequency) on every node: any node answers the vocabulary."""
        for node in self.topology.nodes:
            _write_words(node, self.slot, frequencies)

    def delete(self, doc_ids: Iterable[str]) -> None:
        for doc_id in doc_ids:
            shard = self.topology.shard_of(doc_id)
            for node in self.topology.holders(shard):
                self._on(node, lambda c: c.execute(f"DELETE FROM {shard_index(self.slot, shard)} WHERE id = %s",
                                                   (terms.doc_key(doc_id),)))

    def truncate(self) -> None:
        for node in self.topology.nodes:
            indexes = [shard_index(self.slot, s) for s in self.topology.shards_on(node)] + [
                names_index(self.slot), vocabulary_index(self.slot)]
            for index in indexes:
                self._on(node, lambda c: c.execute(f"TRUNCATE RTINDEX {index}"))

    @staticmethod
    def _on(node: Node, action) -> None:
        try:
            with session(node) as cursor:
                action(cursor)
        except pymysql.OperationalError as error:
            raise NodeDown(f"node {node} did not take a write ({error}); every copy must be written") from error


def build_generation(topology: Topology, documents: Iterable[Document]) -> tuple[Pointer, ClusterWriter]:
    """A new generation beside the live one, switched only when every copy is written."""
    down = [str(n) for n in topology.nodes if n not in live_nodes(topology)]
    if down:
        raise NodeDown(f"nodes {down} are down: a reindex writes every copy (bring them back, then `repair`)")
    live = read_pointer(topology)
    slot = SLOTS[0] if live is None or live.slot == SLOTS[1] else SLOTS[1]
    writer = ClusterWriter(topology, slot)
    writer.truncate()
    writer.write(documents)
    writer.write_names()
    writer.write_words(writer.words)
    pointer = Pointer((live.generation if live else 0) + 1, slot)
    for node in topology.nodes:
        _write_pointer(node, pointer)
    return pointer, writer


def update_live(topology: Topology, documents: Iterable[Document], deleted: Iterable[str] = ()) -> ClusterWriter:
    """An incremental update: changed documents replaced and removed ones deleted in the live slot.

    The vocabulary follows: the words of each document replaced or deleted are counted out (from
    its stored copy, read before it is overwritten), those of the new versions counted in, and only
    the changed words are written; then the pointer's revision is raised on every node, so a
    service reads the slot's vocabulary again.
    """
    live = read_pointer(topology)
    if live is None:
        raise LookupError("the cluster has no generation yet: build one first")
    documents, deleted = list(documents), list(deleted)
    source = topology.nodes[0]
    before = _stored_words(source, live.slot, [d.id for d in documents] + deleted)
    writer = ClusterWriter(topology, live.slot, _last_seq(source, live.slot) + 1)
    existing = _names(source, live.slot)
    writer.names.update(existing)
    writer.write(documents)
    writer.names = {k: v for k, v in writer.names.items() if k not in existing}
    writer.write_names()
    writer.delete(deleted)
    change = writer.words.copy()
    change.subtract(before)
    counts = read_words(source, live.slot)
    writer.write_words({word: counts.get(word, 0) + n for word, n in change.items() if n})
    pointer = Pointer(live.generation, live.slot, live.revision + 1)
    for node in topology.nodes:
        _write_pointer(node, pointer)
    return writer


def _stored_words(node: Node, slot: str, doc_ids: list[str]) -> Counter[str]:
    """Documents holding each folded word, among the stored documents with these ids in the slot."""
    words: Counter[str] = Counter()
    for batch in _batches(dict.fromkeys(doc_ids), BATCH):
        keys = ", ".join(str(terms.doc_key(doc_id)) for doc_id in batch)
        with session(node) as cursor:
            cursor.execute(f"SELECT stored FROM {distributed_index(slot)} WHERE id IN ({keys}) LIMIT {len(batch)}")
            found = [terms.load(stored) for stored, in cursor.fetchall()]
        for document in found:
            words.update(set(terms.exact_words(document)))
    return words


def _write_words(node: Node, slot: str, frequencies: dict[str, int]) -> None:
    """Vocabulary rows on one node: a word's row replaced, or deleted for a frequency of 0."""
    rows = [(terms.doc_key(word), "", word, df) for word, df in frequencies.items() if df > 0]
    gone = [terms.doc_key(word) for word, df in frequencies.items() if df <= 0]
    index = vocabulary_index(slot)
    for batch in _batches(rows, WORD_BATCH):
        ClusterWriter._on(node, lambda c: _replace(c, index, ("id", "word_text", "word", "df"), batch))
    for batch in _batches(gone, WORD_BATCH):
        ClusterWriter._on(node, lambda c: c.execute(f"DELETE FROM {index} WHERE id IN ({', '.join(map(str, batch))})"))


def _names(node: Node, slot: str) -> dict[int, tuple[int, str]]:
    with session(node) as cursor:
        cursor.execute(f"SELECT id, kind, value FROM {names_index(slot)} LIMIT 1000000 OPTION max_matches=1000000")
        return {int(i): (int(k), v) for i, k, v in cursor.fetchall()}


def _last_seq(node: Node, slot: str) -> int:
    """The highest writing-order number in the slot (-1 when it is empty)."""
    with session(node) as cursor:
        cursor.execute(f"SELECT seq FROM {distributed_index(slot)} ORDER BY seq DESC LIMIT 1")
        found = cursor.fetchall()
    return int(found[0][0]) if found else -1


def _rows(node: Node, index: str) -> Iterator[tuple]:
    """Every document of one RT index on one node as its row, in id order, a page at a time."""
    last = 0
    while True:
        with session(node) as cursor:
            cursor.execute(f"SELECT id, stored, seq FROM {index} WHERE id > %s ORDER BY id ASC LIMIT {BATCH}",
                           (last,))
            page = cursor.fetchall()
        if not page:
            return
        last = int(page[-1][0])
        yield from (terms.row(terms.load(stored), int(seq)) for _, stored, seq in page)


def repair(topology: Topology, node: Node) -> dict[str, int]:
    """Bring a node that was down back in line with its mirrors, for the live generation.

    Each shard it holds is emptied and copied back from the other copy (the
    documents travel as their stored JSON and are analysed again, the same
    chain), then the facet names, the vocabulary (emptied first: a word the
    node kept from before may be gone) and the pointer are copied.  Returns the
    documents copied per shard index.
    """
    live = read_pointer(topology)
    if live is None:
        raise LookupError("the cluster has no generation yet: nothing to repair")
    copied: dict[str, int] = {}
    for shard in topology.shards_on(node):
        source = next(n for n in topology.holders(shard) if n != node)
        index = shard_index(live.slot, shard)
        ClusterWriter._on(node, lambda c: c.execute(f"TRUNCATE RTINDEX {index}"))
        count = 0
        for batch in _batches(_rows(source, index), BATCH):
            ClusterWriter._on(node, lambda c: _replace(c, index, terms.ROW_COLUMNS, batch))
            count += len(batch)
        copied[index] = count
    source = next(n for n in topology.nodes if n != node)
    rows = [(k, v, v, kind) for k, (kind, v) in _names(source, live.slot).items()]
    for batch in _batches(rows, BATCH):
        ClusterWriter._on(node, lambda c: _replace(c, names_index(live.slot), ("id", "value_text", "value", "kind"),
                                                   batch))
    words = read_words(source, live.slot)
    ClusterWriter._on(node, lambda c: c.execute(f"TRUNCATE RTINDEX {vocabulary_index(live.slot)}"))
    _write_words(node, live.slot, words)
    _write_pointer(node, live)
    return copied
