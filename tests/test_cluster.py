"""The same search on a 3-node Sphinx cluster as on the embedded Whoosh index.

A real cluster of `searchd` processes on free loopback ports, the seeds and a
few hundred real Diavgeia decisions written onto it and into a Whoosh index:
the two must give the same totals, facet counts and ranked pages (ids, order,
scores); with one node killed, also under load, the answers stay the same and
health says degraded; with both copies of a shard gone every search refuses
with a clear error instead of answering in part; a reindex under 8 clients
answers each request from exactly one generation.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import shutil
import subprocess
import sys
import threading
import time

import pytest

from tests.conftest import PROJECT_ROOT, decision_documents, free_base_port, seed_documents, water_cut
from search.answers import SearchAnswer
from search.request import SearchRequest

pytestmark = pytest.mark.slow

if shutil.which("searchd") is None:
    pytest.skip("Sphinx's searchd is not installed (apt-get install sphinxsearch; scripts/test does it as root)",
                allow_module_level=True)

from search.sphinx.nodes import ClusterUnavailable  # noqa: E402  (needs pymysql, as searchd)
from search.sphinx.searcher import ClusterSearcher  # noqa: E402
from search.sphinx.nodes import session  # noqa: E402
from search.sphinx.topology import shard_index  # noqa: E402
from search.sphinx.writer import Pointer, build_generation, read_pointer, repair, update_live  # noqa: E402

DECISIONS = 400

# Query forms of benchmarks/quality.py and the API tests: words, inflections, a phrase,
# a prefix, OR, an exclusion, a hyphenated name, an empty query (everything, by date).
QUERIES = [
    "", "δήμος", "δημοτικού συμβουλίου", "απόφαση", "προμήθεια", "έγκριση πρακτικού",
    '"δημοτικού συμβουλίου"', "προμήθ*", "ύδρευση OR αποχέτευση", "δήμος -προμήθεια",
    "-απόφαση", "διακοπή νερού", "Πυλαίας-Χορτιάτη", "2024", "ΑΔΑ",
    # Odd input: Cyrillic (sent hex-encoded), Sphinx's own operator words, stray syntax.
    "кириллица δήμος", "ΑΔΑ*", '-"δημοτικού συμβουλίου" δήμος', "sentence maybe paragraph zone",
    "π.χ.", "π.χ. @title", "OR", '"', "x OR -y", "δήμος | -",
]


@pytest.fixture(scope="module")
def documents():
    return seed_documents() + [water_cut()] + decision_documents()[:DECISIONS]


def requests():
    for q in QUERIES:
        yield SearchRequest(q=q)
    yield SearchRequest(q="δήμος", municipality=("Δήμος Αθηναίων",))
    yield SearchRequest(q="απόφαση", date_from=dt.date(2024, 1, 1))
    yield SearchRequest(q="", sort="oldest", page=2)


def comparable(answer: SearchAnswer) -> dict:
    return {"total": answer.total, "pages": answer.pages, "facets": answer.facets.as_json()}


def digest(answer: SearchAnswer) -> tuple:
    """All of an answer but its timing and snippets: totals, facets, the page's ids and scores."""
    return repr(comparable(answer)), tuple((r.id, r.score) for r in answer.results)


def ranked(answer: SearchAnswer) -> list[tuple[str, float | None]]:
    return [(r.id, r.score) for r in answer.results]


def test_cluster_and_whoosh_give_the_same_totals_facets_and_ranked_pages(cluster, whoosh_engine, documents, figure):
    """The same page in the same order with the same scores: the cluster scores its candidates as
    Whoosh's BM25F does and orders ties by writing order, Whoosh's docnum here (one segment).
    Requests Whoosh reads as Greeklish or corrects get the same correction and suggestion
    (tests/test_cluster_vocabulary.py has many more of those)."""
    searcher = ClusterSearcher(cluster.topology)
    compared = expanded = 0
    for request in requests():
        expected = whoosh_engine.search(request)
        got = searcher.search(request)
        assert (got.suggestion, got.correction) == (expected.suggestion, expected.correction), request
        assert comparable(got) == comparable(expected), request
        assert ranked(got) == ranked(expected), request
        compared += 1
        expanded += expected.correction is not None
    assert searcher.search(SearchRequest(q="")).total == len(documents)
    figure(f"cluster vs Whoosh on {len(documents)} documents: {compared} requests ({expanded} corrected or "
           f"suggested), same totals, facets, corrections and pages (ids, order, scores)")


def test_one_node_killed_answers_the_same_and_reports_degraded(healed, whoosh_engine):
    searcher = ClusterSearcher(healed.topology)
    before = [searcher.search(r) for r in requests()]
    healed.kill_node(1)
    after = [searcher.search(r) for r in requests()]
    assert [comparable(a) for a in after] == [comparable(b) for b in before]
    assert [ranked(a) for a in after] == [ranked(b) for b in before]
    state = searcher.health()
    assert state["status"] == "degraded"
    nodes = [str(n) for n in healed.topology.nodes]
    assert [n["status"] for n in state["nodes"]] == ["ok", "down", "ok"]
    # Node 1 holds shards 0 (with node 0) and 1 (with node 2): those answer from their mirror.
    assert [(s["shard"], s["status"], s["answering"]) for s in state["shards"]] == [
        (0, "degraded", [nodes[0]]), (1, "degraded", [nodes[2]]), (2, "ok", [nodes[2], nodes[0]])]


def test_both_copies_of_a_shard_down_is_a_clear_error(healed):
    searcher = ClusterSearcher(healed.topology)
    healed.kill_node(0)
    healed.kill_node(1)  # shard 0 lives on nodes 0 and 1
    for request in requests():
        with pytest.raises(ClusterUnavailable, match=r"shards \[0\] have no live copy"):
            searcher.search(request)
    state = searcher.health()
    assert state["status"] == "down"
    assert [(s["shard"], s["status"]) for s in state["shards"]] == [(0, "down"), (1, "degraded"), (2, "degraded")]


def shard_counts(node, slot: str, shards) -> dict[int, int]:
    with session(node) as cursor:
        counts = {}
        for shard in shards:
            cursor.execute(f"SELECT COUNT(*) FROM {shard_index(slot, shard)}")
            counts[shard] = int(cursor.fetchall()[0][0])
        return counts


def test_a_reindex_switches_generation_and_a_node_that_lost_its_data_is_repaired(healed, documents):
    topology = healed.topology
    before = read_pointer(topology)
    fewer = documents[: len(documents) // 2]
    searcher = ClusterSearcher(topology)
    try:
        pointer, _ = build_generation(topology, fewer)
        assert (pointer.generation, pointer.slot != before.slot) == (before.generation + 1, True)
        assert searcher.search(SearchRequest(q="")).total == len(fewer)
        # Node 2 comes back from a lost disk: its indexes and binlog are gone.
        healed.stop_node(2)
        for path in healed.node_dir(2).iterdir():
            if path.name.startswith(f"{pointer.slot}_") or path.name == "binlog":
                shutil.rmtree(path) if path.is_dir() else path.unlink()
        (healed.node_dir(2) / "binlog").mkdir()
        healed.start_node(2)
        node = topology.nodes[2]
        held = topology.shards_on(node)
        assert set(shard_counts(node, pointer.slot, held).values()) == {0}
        copied = repair(topology, node)
        partners = {s: next(n for n in topology.holders(s) if n != node) for s in held}
        expected = {s: shard_counts(partners[s], pointer.slot, [s])[s] for s in held}
        assert shard_counts(node, pointer.slot, held) == expected
        assert sum(copied.values()) == sum(expected.values()) > 0
        assert read_pointer(topology) == pointer
    finally:
        build_generation(topology, documents)
    assert searcher.search(SearchRequest(q="")).total == len(documents)


def test_an_interrupted_reindex_leaves_the_last_good_generation_serving(cluster, documents):
    searcher = ClusterSearcher(cluster.topology)
    live = read_pointer(cluster.topology)
    expected = searcher.search(SearchRequest(q="απόφαση"))

    def failing_midway():
        yield from documents[:250]
        raise OSError("source disk gone")

    with pytest.raises(OSError, match="source disk gone"):
        build_generation(cluster.topology, failing_midway())
    assert read_pointer(cluster.topology) == live
    again = searcher.search(SearchRequest(q="απόφαση"))
    assert (again.total, again.facets) == (expected.total, expected.facets)
    assert searcher.search(SearchRequest(q="")).total == len(documents)


def test_an_incremental_update_replaces_and_deletes_in_the_live_generation(cluster, documents):
    topology = cluster.topology
    searcher = ClusterSearcher(topology)
    changed = dataclasses.replace(documents[0], title="Κλείσιμο της Λεωφόρου Σουλίου για ασφαλτόστρωση",
                                  municipalities=["Δήμος Ωραιοκάστρου"])
    gone = documents[1].id
    try:
        update_live(topology, [changed], deleted=[gone])
        answer = searcher.search(SearchRequest(q="ασφαλτόστρωσης Σουλίου"))
        assert [r.id for r in answer.results] == [changed.id]
        assert answer.facets.as_json()["municipality"] == [{"value": "Δήμος Ωραιοκάστρου", "count": 1,
                                                            "selected": False}]
        assert searcher.search(SearchRequest(q="")).total == len(documents) - 1
    finally:
        build_generation(topology, documents)


def test_a_node_killed_under_load_fails_no_request_and_changes_no_answer(healed):
    searcher = ClusterSearcher(healed.topology)
    baseline = {r: digest(searcher.search(r)) for r in requests()}
    failures: list[BaseException] = []
    differing: list[SearchRequest] = []
    answered = [0]  # requests made
    stop = threading.Event()

    def client() -> None:
        while not stop.is_set():
            for request in baseline:
                try:
                    if digest(searcher.search(request)) != baseline[request]:
                        differing.append(request)
                except Exception as error:  # every failure counts; the assertion shows them
                    failures.append(error)
                answered[0] += 1  # answers and failures alike, so a failing cluster ends the wait too

    clients = [threading.Thread(target=client) for _ in range(4)]
    for thread in clients:
        thread.start()
    try:
        while answered[0] < 20:
            time.sleep(0.05)
        healed.kill_node(2)
        killed_at = answered[0]
        while answered[0] < killed_at + 60:
            time.sleep(0.05)
    finally:
        stop.set()
        for thread in clients:
            thread.join()
    assert failures == [] and differing == []
    assert searcher.health()["status"] == "degraded"


def test_a_reindex_under_load_of_8_clients_answers_each_request_from_one_generation(healed, documents):
    """benchmarks/load.py's check: no error, each answer equal to its own generation's answer
    (asked again after the load, from that generation's slot), no client sees an older
    generation after a newer one."""
    topology = healed.topology
    searcher = ClusterSearcher(topology)
    pool = list(requests())
    outcomes: list[tuple[int, Pointer, SearchRequest, tuple]] = []
    failures: list[BaseException] = []
    answered = [0]
    stop = threading.Event()

    def client(k: int) -> None:
        for request in itertools.cycle(pool[k:] + pool[:k]):
            if stop.is_set():
                return
            try:
                pointer, answer = searcher.search_generation(request)
                outcomes.append((k, pointer, request, digest(answer)))
            except Exception as error:  # every failure counts; the assertion shows them
                failures.append(error)
            answered[0] += 1

    before = read_pointer(topology)
    clients = [threading.Thread(target=client, args=(k,)) for k in range(8)]
    for thread in clients:
        thread.start()
    try:
        while answered[0] < 16:
            time.sleep(0.05)
        at_start = answered[0]
        after, _ = build_generation(topology, documents[len(documents) // 10:])
        during = answered[0] - at_start
        while answered[0] < at_start + during + 16:
            time.sleep(0.05)
    finally:
        stop.set()
        for thread in clients:
            thread.join()
    try:
        assert failures == []
        assert during > 0 and {p for _, p, _, _ in outcomes} == {before, after}
        references = {(p, r): digest(searcher.search_generation(r, at=p)[1]) for p in (before, after) for r in pool}
        assert [o for o in outcomes if o[3] != references[o[1], o[2]]] == []
        assert any(references[before, r] != references[after, r] for r in pool)
        for k in range(8):
            seen = [p.generation for c, p, _, _ in outcomes if c == k]
            assert seen == sorted(seen)
    finally:
        build_generation(topology, documents)


def test_the_cluster_commands_start_fill_report_and_stop_a_cluster(tmp_path):
    base = free_base_port(2)
    where = ["--dir", str(tmp_path / "c")]

    def run(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "web.cli", "cluster", *args], cwd=PROJECT_ROOT,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    try:
        assert f"127.0.0.1:{base}" in run("start", "--nodes", "2", "--base-port", str(base), *where)
        assert "generation 1 live (slot a): 2 documents, 0 skipped" in run("reindex", "seeds", *where)
        assert run("status", *where).startswith("cluster: ok; live generation: 1 (slot a)")
    finally:
        run("stop", *where)
    assert run("status", *where).startswith("cluster: down")
