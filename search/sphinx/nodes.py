"""Connections to the nodes, and what the cluster can still answer.

A node is `ok` when it answers SphinxQL.  A shard is `ok` with both copies up,
`degraded` with one (queries are answered from the mirror), `down` with none;
the cluster takes the worst of its shards.  A search never runs while a shard
is down: its answer would silently miss that shard's documents.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pymysql

from .topology import Node, Topology

# Loopback and LAN nodes answer a connect in well under a millisecond; a dead one
# refuses at once, a cut-off one is given this long before the next node is tried.
CONNECT_TIMEOUT_S = 1
READ_TIMEOUT_S = 30


class ClusterUnavailable(RuntimeError):
    """Both copies of a shard are down: no complete answer can be given (HTTP 503)."""

    def __init__(self, health: dict):
        down = [s["shard"] for s in health["shards"] if s["status"] == "down"]
        super().__init__(f"shards {down} have no live copy; a search would miss their documents" if down
                         else "no node gave a complete answer (an agent failed on every attempt)")
        self.health = health


def connect(node: Node) -> pymysql.connections.Connection:
    return pymysql.connect(host=node.host, port=node.port, charset="utf8mb4", autocommit=True,
                           connect_timeout=CONNECT_TIMEOUT_S, read_timeout=READ_TIMEOUT_S,
                           write_timeout=READ_TIMEOUT_S)


_local = threading.local()


@contextmanager
def session(node: Node) -> Iterator[pymysql.cursors.Cursor]:
    """A cursor on this thread's connection to the node, opened once and checked with a ping.

    Opening a SphinxQL connection took 45-50 ms on loopback here (a query on a
    distributed index, 2 ms), and a search makes several statements: each thread
    keeps one connection per node.  A connection that fails is dropped, so a
    restarted node is reconnected to on the next use.
    """
    pool: dict[Node, pymysql.connections.Connection] = _local.__dict__.setdefault("connections", {})
    connection = pool.get(node)
    try:
        if connection is not None:
            try:
                connection.ping(reconnect=False)
            except pymysql.MySQLError:
                connection.close()
                connection = None
        if connection is None:
            connection = pool[node] = connect(node)
        with connection.cursor() as cursor:
            yield cursor
    except (pymysql.OperationalError, pymysql.InterfaceError):
        dropped = pool.pop(node, None)
        if dropped is not None and dropped.open:
            dropped.close()
        raise


def is_up(node: Node) -> bool:
    try:
        with session(node) as cursor:
            cursor.execute("SHOW STATUS LIKE 'uptime'")
            return bool(cursor.fetchall())
    except pymysql.MySQLError:
        return False


def health(topology: Topology) -> dict:
    """Every node (ok / down) and shard (ok / degraded: answering from its mirror / down), and the
    cluster's status, the worst shard's: data for /health and `dimos-search cluster status`.

    Each shard names its copies (`nodes`) and those answering now (`answering`).
    """
    up = {node: is_up(node) for node in topology.nodes}
    shards = []
    for shard in range(topology.shard_count):
        holders = topology.holders(shard)
        live = [str(n) for n in holders if up[n]]
        status = "ok" if len(live) == len(holders) else "degraded" if live else "down"
        shards.append({"shard": shard, "status": status, "nodes": [str(n) for n in holders], "answering": live})
    statuses = {s["status"] for s in shards}
    overall = "down" if "down" in statuses else "degraded" if "degraded" in statuses else "ok"
    return {"status": overall,
            "nodes": [{"node": str(n), "status": "ok" if up[n] else "down"} for n in topology.nodes],
            "shards": shards}


def live_nodes(topology: Topology) -> list[Node]:
    return [n for n in topology.nodes if is_up(n)]
