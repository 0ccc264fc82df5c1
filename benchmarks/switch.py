"""The queries a serving generation answers while the next one opens, at each GIL switch interval.

    python benchmarks/switch.py [--index DIR] [--runs 3] [--intervals 0.005 0.0002]

After a reindex, the previous generation keeps answering while the new one opens
in a thread (search.service.SearchService): its facet and date columns, the
probe and the Greeklish vocabulary, pure Python for about 4 s at 100,000
documents, sharing the GIL with the requests.  This script opens the index
DIR (default: speed.py's kept 100,000-document index) in one service, then,
in each run, opens the same generation again in a second service, as the
switch would open a new generation of that size, while the first service's
engine answers the two-word queries with counts of speed.py's mix in a loop.

Per switch interval (search.service.OPENING_SWITCH_INTERVAL set for the run,
the runs of each interval taken in turn so that the machine's drift falls on
both), it prints the slowest and the median query of the loop, and how long
the opening took; beside them, the same queries with nothing opening (the
peer in the same run).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.engines import BenchQuery, load_queries  # noqa: E402
from benchmarks.speed import two_word_faceted  # noqa: E402
from search import service as service_module  # noqa: E402
from search.backend import Backend  # noqa: E402
from search.request import SearchRequest, parse_request  # noqa: E402
from search.service import SearchService  # noqa: E402
from search.store import IndexStore  # noqa: E402

KEPT = ROOT / "benchmarks" / ".cache" / "speed-100000-seed7"
PYTHON_DEFAULT_INTERVAL = 0.005


@dataclass
class Run:
    interval: float
    latencies_ms: list[float]
    opening_s: float


def _request(query: BenchQuery) -> SearchRequest:
    return parse_request({"q": [query.text], "municipality": list(query.municipality),
                          "official": list(query.official), "per_page": ["10"]})


def _loop(engine: Backend, queries: list[BenchQuery], until: threading.Event) -> list[float]:
    """The queries in turn until `until` is set (at least one pass); each one's latency in ms."""
    latencies: list[float] = []
    while not until.is_set() or len(latencies) < len(queries):
        query = queries[len(latencies) % len(queries)]
        started = time.perf_counter()
        engine.search(_request(query))
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def during_opening(index: Path, engine: Backend, queries: list[BenchQuery], interval: float) -> Run:
    """`engine` answering `queries` while a second service opens the same generation."""
    service_module.OPENING_SWITCH_INTERVAL = interval
    opened = threading.Event()
    opening: list[float] = []

    def open_again() -> None:
        started = time.perf_counter()
        second = SearchService(IndexStore(index))
        second.engine()  # the opening a switch runs, in a service of its own
        opening.append(time.perf_counter() - started)
        opened.set()
        second.close()

    opener = threading.Thread(target=open_again, name="open again")
    opener.start()
    latencies = _loop(engine, queries, opened)
    opener.join()
    return Run(interval, latencies, opening[0])


def quiet(engine: Backend, queries: list[BenchQuery]) -> list[float]:
    """The same queries with nothing opening: one pass."""
    done = threading.Event()
    done.set()
    return _loop(engine, queries, done)


def _line(label: str, latencies: list[float], opening: str = "") -> str:
    return (f"{label:<26} median {statistics.median(latencies):6.1f} ms  slowest {max(latencies):7.1f} ms  "
            f"(n={len(latencies)}){opening}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index", type=Path, default=KEPT / "dimos-search",
                        help="an index directory (default: speed.py's kept 100,000-document index)")
    parser.add_argument("--queries", type=Path, default=KEPT / "queries.json", help="speed.py's query mix")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--intervals", type=float, nargs="+", default=[PYTHON_DEFAULT_INTERVAL,
                                                                        service_module.OPENING_SWITCH_INTERVAL])
    args = parser.parse_args(argv)
    all_queries = load_queries(args.queries)
    queries = [all_queries[i] for i in two_word_faceted(all_queries)]
    engine = SearchService(IndexStore(args.index)).engine()
    print(f"{len(queries)} two-word queries with counts on {engine.document_count():,} documents, "
          f"{args.runs} runs per interval")
    for run_number in range(1, args.runs + 1):
        print(_line(f"run {run_number}, nothing opening", quiet(engine, queries)))
        for interval in args.intervals:
            run = during_opening(args.index, engine, queries, interval)
            print(_line(f"run {run_number}, interval {interval * 1000:g} ms", run.latencies_ms,
                        f"  opening {run.opening_s:.2f} s"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
