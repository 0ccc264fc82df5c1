"""The Sphinx cluster against embedded Whoosh on the same real documents: agreement and speed.

    python3 benchmarks/cluster.py [--law-articles 2500] [--decisions 1453]

Starts a 3-node cluster on free loopback ports in a temporary directory (and
stops it), builds both from the seeds, a water cut, the Diavgeia decisions and
law articles (tests/conftest.py), and prints: build rate of each, per request
whether totals and facets agree, top-10 set agreement, and p50/p95 latency.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from tests.conftest import decision_documents, law_articles, seed_documents, water_cut  # noqa: E402
from search.service import SearchService  # noqa: E402
from search.store import IndexStore  # noqa: E402
from search.sphinx.cluster import LocalCluster  # noqa: E402
from search.sphinx.searcher import ClusterSearcher  # noqa: E402
from search.sphinx.writer import build_generation  # noqa: E402
from test_cluster import free_base_port, requests  # noqa: E402

ROUNDS = 5


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--law-articles", type=int, default=2500)
    parser.add_argument("--decisions", type=int, default=100_000)
    args = parser.parse_args()
    documents = (seed_documents() + [water_cut()] + decision_documents()[:args.decisions]
                 + law_articles(args.law_articles))
    work = Path(tempfile.mkdtemp(prefix="dimos-cluster-bench-"))
    started = time.perf_counter()
    store = IndexStore(work / "whoosh")
    store.build(documents)
    whoosh_s = time.perf_counter() - started
    whoosh = SearchService(store).engine()
    cluster = LocalCluster.layout(work / "cluster", 3, free_base_port(3))
    try:
        cluster.start()
        started = time.perf_counter()
        build_generation(cluster.topology, documents)
        sphinx_s = time.perf_counter() - started
        searcher = ClusterSearcher(cluster.topology)
        print(f"{len(documents)} documents; build: Whoosh {len(documents) / whoosh_s:.0f} docs/s, "
              f"cluster (both copies) {len(documents) / sphinx_s:.0f} docs/s")
        report(list(requests()), whoosh, searcher)
    finally:
        cluster.stop()


def report(compared, whoosh, searcher) -> None:
    times: dict[str, list[float]] = {"whoosh": [], "cluster": []}
    agree = same_top = 0
    for request in compared:
        expected, got = whoosh.search(request).as_json(), searcher.search(request)
        same = all(expected[k] == got[k] for k in ("total", "pages", "facets"))
        top = {r["id"] for r in expected["results"][:10]} == {r["id"] for r in got["results"][:10]}
        agree += same
        same_top += top
        print(f"{request.q!r:28} {request.effective_sort:9} total {expected['total']:5} / {got['total']:5} "
              f"facets {'same' if same else 'DIFFER'}; top-10 {'same' if top else 'differs'}")
        for _ in range(ROUNDS):
            times["whoosh"].append(whoosh.search(request).took_ms)
            times["cluster"].append(searcher.search(request)["took_ms"])
    print(f"totals and facets agree for {agree}/{len(compared)}; top-10 set for {same_top}/{len(compared)}")
    for name, values in times.items():
        print(f"{name}: p50 {statistics.median(values):.1f} ms, p95 {percentile(values, 0.95):.1f} ms "
              f"({len(values)} searches)")


if __name__ == "__main__":
    main()
