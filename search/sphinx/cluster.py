"""A local cluster of `searchd` nodes on loopback, for development and tests.

`start` writes one config per node into DIR/nodeK/ and starts it; `stop` stops
exactly the processes whose PIDs those nodes wrote (never by name); `status`
reads the same PID files.  The configs are what this backend expects of any
cluster, Manticore in production included (docs/cluster.md):

* per node, the RT indexes of the shards it holds, in both generation slots,
  plus the slot's facet-name and vocabulary indexes and the pointer index `dimos_meta`;
* per node and slot, a distributed index with one `agent` line per shard
  listing both of its copies as mirrors, so a query on any node fans out to
  every shard and a dead copy is skipped (`ha_strategy = nodeads`);
* `morphology = none`, `dict = keywords`, `min_word_len = 1` and a charset
  that keeps the folded Greek and Latin letters and digits: the terms
  search.analysis sends arrive as sent.
"""
from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from .nodes import is_up
from .terms import STOP_TERM
from .topology import (META_INDEX, SLOTS, Node, Topology, distributed_index, names_index, shard_index,
                       vocabulary_index)

SEARCHD = "searchd"
# Folded terms hold only these: digits, Latin a-z and Greek α-ω (ς included, though
# folding writes σ).  Anything else is hex-encoded by the writer (search.sphinx.terms).
CHARSET_TABLE = "0..9, a..z, U+3B1..U+3C9"
# Node K listens on base + K * PORT_STEP (SphinxQL) and the next port (agents).
PORT_STEP = 10
# A started node answered SphinxQL after about 0.13 s here; an RT index replaying a
# large binlog takes longer.
START_TIMEOUT_S = 30
# Sphinx's default, 1,000, caps a page at the 1,000th result; the API serves up to 10,000.
MAX_MATCHES = 10_000

TEXT_FIELDS = ("title", "body", "exact", "every")
STRING_ATTRS = ("doc_id", "stored", "doc_type")
UINT_ATTRS = ("year", "date", "dated", "seq", "len_title", "len_body", "len_exact")
MVA_ATTRS = ("municipality", "official", "region")
# The near-duplicate group's key (search.sphinx.terms.doc_key of it): `group=` lists a group.
BIGINT_ATTRS = ("group_key",)
# Each node's list of stopwords, in its directory: the one word search.sphinx.terms.STOP_TERM.
STOPWORDS_FILE = "stopwords.txt"


@dataclass(frozen=True)
class LocalCluster:
    directory: Path
    topology: Topology

    @classmethod
    def layout(cls, directory: Path, nodes: int = 3, base_port: int = 9306) -> "LocalCluster":
        return cls(directory, Topology(tuple(Node("127.0.0.1", base_port + k * PORT_STEP) for k in range(nodes))))

    @classmethod
    def existing(cls, directory: Path) -> "LocalCluster":
        """The cluster a previous `start` wrote into `directory`."""
        url = (directory / "cluster.url").read_text(encoding="utf-8").strip()
        return cls(directory, Topology.from_url(url))

    def node_dir(self, k: int) -> Path:
        return self.directory / f"node{k}"

    def config_path(self, k: int) -> Path:
        return self.node_dir(k) / "sphinx.conf"

    def pid_path(self, k: int) -> Path:
        return self.node_dir(k) / "searchd.pid"

    def write_configs(self) -> None:
        for k, node in enumerate(self.topology.nodes):
            self.node_dir(k).mkdir(parents=True, exist_ok=True)
            (self.node_dir(k) / "binlog").mkdir(exist_ok=True)
            (self.node_dir(k) / STOPWORDS_FILE).write_text(STOP_TERM + "\n", encoding="utf-8")
            self.config_path(k).write_text(node_config(self.topology, node, self.node_dir(k)), encoding="utf-8")
        (self.directory / "cluster.url").write_text(self.topology.url + "\n", encoding="utf-8")

    def start(self) -> None:
        self.write_configs()
        for k in range(len(self.topology.nodes)):
            self.start_node(k)

    def start_node(self, k: int) -> None:
        if self.pid(k) is not None:
            return
        subprocess.run([SEARCHD, "--config", str(self.config_path(k))], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + START_TIMEOUT_S
        while not is_up(self.topology.nodes[k]):
            if time.monotonic() > deadline:
                raise RuntimeError(f"searchd node {k} did not answer within {START_TIMEOUT_S} s "
                                   f"(see {self.node_dir(k) / 'searchd.log'})")
            time.sleep(0.05)

    def pid(self, k: int) -> int | None:
        """The PID this node wrote, if that process is still alive."""
        try:
            pid = int(self.pid_path(k).read_text().strip())
            os.kill(pid, 0)
        except (OSError, ValueError):
            return None
        return pid

    def kill_node(self, k: int) -> None:
        """Kill a node at once (no flush), as a crash would: for fault tests."""
        pid = self.pid(k)
        if pid is not None:
            os.kill(pid, signal.SIGKILL)
            _wait_gone(pid)

    def stop_node(self, k: int) -> None:
        pid = self.pid(k)
        if pid is None:
            return
        os.kill(pid, signal.SIGTERM)
        _wait_gone(pid)

    def stop(self) -> None:
        for k in range(len(self.topology.nodes)):
            self.stop_node(k)

    def status(self) -> list[dict]:
        return [{"node": str(node), "pid": self.pid(k), "answering": is_up(node)}
                for k, node in enumerate(self.topology.nodes)]


def _wait_gone(pid: int, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except OSError:
            return
        time.sleep(0.05)
    raise RuntimeError(f"searchd {pid} did not stop within {timeout_s} s")


def _rt_index(name: str, path: Path, fields: tuple[str, ...], strings: tuple[str, ...],
              uints: tuple[str, ...] = (), mvas: tuple[str, ...] = (), bigints: tuple[str, ...] = ()) -> str:
    lines = [f"index {name}", "{", "    type = rt", f"    path = {path / name}",
             "    dict = keywords", "    morphology = none", "    min_word_len = 1", "    min_prefix_len = 1",
             f"    charset_table = {CHARSET_TABLE}", "    rt_mem_limit = 256M",
             f"    stopwords = {path / STOPWORDS_FILE}", "    stopword_step = 1"]
    lines += [f"    rt_field = {f}" for f in fields]
    lines += [f"    rt_attr_string = {a}" for a in strings]
    lines += [f"    rt_attr_uint = {a}" for a in uints]
    lines += [f"    rt_attr_multi = {a}" for a in mvas]
    lines += [f"    rt_attr_bigint = {a}" for a in bigints]
    return "\n".join(lines + ["}", ""])


def node_config(topology: Topology, node: Node, directory: Path) -> str:
    sections = [_rt_index(META_INDEX, directory, ("note",), ("slot",), ("generation", "revision"))]
    for slot in SLOTS:
        sections += [_rt_index(shard_index(slot, s), directory, TEXT_FIELDS, STRING_ATTRS, UINT_ATTRS, MVA_ATTRS,
                               BIGINT_ATTRS) for s in topology.shards_on(node)]
        sections.append(_rt_index(names_index(slot), directory, ("value_text",), ("value",), ("kind",)))
        # Sphinx 2.2 cannot list an index's words over SphinxQL, so the writer keeps them here (an RT
        # index needs a full-text field: `word_text`, left empty; words are read by id, not matched).
        sections.append(_rt_index(vocabulary_index(slot), directory, ("word_text",), ("word",), ("df",)))
        agents = [
            "    agent = " + "|".join(f"{n.host}:{n.agent_port}:{shard_index(slot, s)}" for n in topology.holders(s))
            for s in range(topology.shard_count)
        ]
        sections.append("\n".join([f"index {distributed_index(slot)}", "{", "    type = distributed", *agents,
                                   "    ha_strategy = nodeads", "    agent_connect_timeout = 300",
                                   "    agent_query_timeout = 10000", "}", ""]))
    sections.append("\n".join([
        "searchd", "{",
        f"    listen = {node.host}:{node.port}:mysql41",
        f"    listen = {node.host}:{node.agent_port}",
        f"    pid_file = {directory / 'searchd.pid'}",
        f"    log = {directory / 'searchd.log'}",
        f"    query_log = {directory / 'query.log'}",
        f"    binlog_path = {directory / 'binlog'}",
        "    workers = threads",
        # No watchdog parent: the PID file names the one process, and a killed node stays down.
        "    watchdog = 0",
        # A prefix* stands for at most this many completions (search.backend.whoosh.matchers.MAX_PREFIX_TERMS).
        "    expansion_limit = 50",
        # Mirrors are pinged this often (ms; Sphinx's default 1,000): a node learns a mirror is dead
        # from these pings, and until then sends it queries (search.sphinx.searcher.ATTEMPTS).
        "    ha_ping_interval = 100",
        "    seamless_rotate = 0",
        "    max_packet_size = 32M",
        "}", ""]))
    return "\n".join(sections)
