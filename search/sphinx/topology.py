"""Where each shard lives and what its indexes are called.

Placement is a pure function of the ordered node list, so every writer and
searcher given the same `sphinx://` list agrees on it without asking anyone:
with N nodes there are N shards, and shard k lives on nodes k and k+1 (mod N),
so each node holds two shards and losing any one node leaves a copy of every
shard.  Two generation slots, `a` and `b`, exist on every node all the time
(Sphinx 2.2 cannot create an index at run time: every index is in the config);
a reindex fills the slot that is not live and then moves the pointer
(search.sphinx.writer).
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass
from urllib.parse import urlsplit

SLOTS = ("a", "b")
COPIES = 2
META_INDEX = "dimos_meta"
# Agents (node to node) speak Sphinx's own API protocol on the port after the SphinxQL one.
AGENT_PORT_OFFSET = 1


@dataclass(frozen=True)
class Node:
    host: str
    port: int  # SphinxQL (mysql41)

    @property
    def agent_port(self) -> int:
        return self.port + AGENT_PORT_OFFSET

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class Topology:
    nodes: tuple[Node, ...]

    def __post_init__(self) -> None:
        if len(self.nodes) < COPIES:
            raise ValueError(f"a cluster needs at least {COPIES} nodes (each shard has {COPIES} copies)")

    @classmethod
    def from_url(cls, url: str) -> "Topology":
        """`sphinx://127.0.0.1:9306,127.0.0.1:9316,127.0.0.1:9326` (SphinxQL ports, in placement order)."""
        parts = urlsplit(url)
        if parts.scheme != "sphinx" or not parts.netloc:
            raise ValueError(f"not a sphinx:// address list: {url!r}")
        nodes = []
        for item in parts.netloc.split(","):
            host, _, port = item.rpartition(":")
            if not host or not port.isdigit():
                raise ValueError(f"node {item!r} is not host:port")
            nodes.append(Node(host, int(port)))
        return cls(tuple(nodes))

    @property
    def url(self) -> str:
        return "sphinx://" + ",".join(map(str, self.nodes))

    @property
    def shard_count(self) -> int:
        return len(self.nodes)

    def holders(self, shard: int) -> tuple[Node, ...]:
        return tuple(self.nodes[(shard + i) % len(self.nodes)] for i in range(COPIES))

    def shards_on(self, node: Node) -> list[int]:
        return [s for s in range(self.shard_count) if node in self.holders(s)]

    def shard_of(self, doc_id: str) -> int:
        """Documents are sharded by a hash of their id: stable across runs and machines."""
        return zlib.crc32(doc_id.encode("utf-8")) % self.shard_count


def shard_index(slot: str, shard: int) -> str:
    return f"{slot}_s{shard}"


def names_index(slot: str) -> str:
    """Facet value by its 32-bit id, on every node (FACET over an MVA answers ids)."""
    return f"{slot}_names"


def vocabulary_index(slot: str) -> str:
    """Each folded word of the slot's documents with its document frequency, on every node."""
    return f"{slot}_words"


def distributed_index(slot: str) -> str:
    return f"{slot}_all"
