"""The Sphinx cluster against embedded Whoosh on the same real documents: agreement and speed.

    python3 benchmarks/cluster.py [--law-articles 2500] [--decisions 1453] [--items 60]
    python3 benchmarks/cluster.py --generated 100000 [--seconds 30]

Starts a 3-node cluster on free loopback ports in a temporary directory (and
stops it), builds both from the seeds, a water cut, the Diavgeia decisions and
law articles (tests/conftest.py), and compares them on the requests of
tests/test_cluster.py, the query forms of benchmarks/quality.py (known items'
title words as written, unaccented, upper case, another inflection, Greeklish)
and the API tests' facet and filter combinations over them.  Prints per
request whether totals, facets, corrections and suggestions agree and, where the top-10 sets differ, the
documents in one and not the other with both engines' scores; then the
figures, build rates and p50/p95 latency.

Whoosh is built by one writer (procs=1): its tie order is then its writing
order, which the cluster's `seq` follows; Whoosh's parallel writer numbers
documents in the order its processes finish (docs/cluster.md).

--generated N [--cluster-only]: speed at scale instead, on N announcements of benchmarks/generate.py
through the ingestion: the build rate of each (Whoosh as `IndexStore.build` builds,
in parallel), p50/p95 of benchmarks/queries.py's queries (one warm-up pass, one timed),
and the requests per second of 8 client threads for --seconds on each, in one run.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from benchmarks.generate import ensure_corpus  # noqa: E402
from benchmarks.queries import make_queries as speed_queries  # noqa: E402
from benchmarks.quality import Inflector, Vocabulary, known_items, make_queries, sample_items  # noqa: E402
from tests.conftest import decision_documents, free_base_port, law_articles, seed_documents, water_cut  # noqa: E402
from search.backend.whoosh.engine import SearchEngine  # noqa: E402
from search.backend.whoosh.writer import open_index, write_documents  # noqa: E402
from search.ingest import IngestReport, load_documents  # noqa: E402
from search.service import SearchService  # noqa: E402
from search.store import IndexStore  # noqa: E402
from search.request import SearchRequest  # noqa: E402
from search.sphinx.cluster import LocalCluster  # noqa: E402
from search.sphinx.searcher import ClusterSearcher  # noqa: E402
from search.sphinx.writer import build_generation  # noqa: E402
from test_cluster import requests  # noqa: E402

SEED = 7
TOP = 10


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def quality_requests(documents, items: int) -> list[SearchRequest]:
    """benchmarks/quality.py's query forms for `items` known items."""
    vocabulary = Vocabulary.of(documents)
    chosen = sample_items(known_items(documents, vocabulary, SEED), items, SEED)
    return [SearchRequest(q=query.text) for query in make_queries(chosen, Inflector(vocabulary), SEED)]


def filtered_requests(whoosh: SearchEngine, queries: list[str]) -> list[SearchRequest]:
    """The API tests' combinations: a municipality, two, an official, a year, a date range, date
    sorts and a second page, each with values the query's own facets offer."""
    out = []
    for q in queries:
        facets = whoosh.search(SearchRequest(q=q)).as_json()["facets"]
        towns = [f["value"] for f in facets["municipality"]][:2]
        people = [f["value"] for f in facets["official"]][:1]
        years = [f["value"] for f in facets["year"] if f["value"].isdigit()][:1]
        if towns:
            out += [SearchRequest(q=q, municipality=(towns[0],)), SearchRequest(q=q, municipality=tuple(towns))]
        if people:
            out.append(SearchRequest(q=q, official=tuple(people), municipality=tuple(towns[:1])))
        if years:
            year = int(years[0])
            out.append(SearchRequest(q=q, date_from=dt.date(year, 1, 1), date_to=dt.date(year, 12, 31)))
        out += [SearchRequest(q=q, date_from=dt.date(2023, 6, 1)), SearchRequest(q=q, sort="newest"),
                SearchRequest(q=q, sort="oldest", page=2, per_page=10), SearchRequest(q=q, page=2, per_page=10)]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--law-articles", type=int, default=2500)
    parser.add_argument("--decisions", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=60, help="known items of benchmarks/quality.py")
    parser.add_argument("--generated", type=int, help="speed at scale on this many generated announcements")
    parser.add_argument("--seconds", type=float, default=30, help="of 8-client load per engine (--generated)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--cluster-only", action="store_true",
                        help="--generated: the cluster alone (no Whoosh build), e.g. after a change of the searcher")
    args = parser.parse_args()
    if args.generated:
        scale(args.generated, args.seconds, args.clients, whoosh=not args.cluster_only)
        return
    documents = (seed_documents() + [water_cut()] + decision_documents()[:args.decisions]
                 + law_articles(args.law_articles))
    work = Path(tempfile.mkdtemp(prefix="dimos-cluster-bench-"))
    started = time.perf_counter()
    write_documents(work / "whoosh", documents, procs=1)
    whoosh_s = time.perf_counter() - started
    whoosh = SearchEngine(open_index(work / "whoosh"))
    cluster = LocalCluster.layout(work / "cluster", 3, free_base_port(3))
    try:
        cluster.start()
        started = time.perf_counter()
        build_generation(cluster.topology, documents)
        sphinx_s = time.perf_counter() - started
        searcher = ClusterSearcher(cluster.topology)
        print(f"{len(documents)} documents; build: Whoosh (one writer) {len(documents) / whoosh_s:.0f} docs/s, "
              f"cluster (both copies) {len(documents) / sphinx_s:.0f} docs/s")
        forms = quality_requests(documents, args.items)
        plain = list(dict.fromkeys(r.q for r in forms))[::4][:12] + ["δήμος", "απόφαση", "προμήθεια"]
        report([*requests(), *forms, *filtered_requests(whoosh, plain)], whoosh, searcher)
    finally:
        cluster.stop()
        shutil.rmtree(work, ignore_errors=True)


def progress(started: float, message: str) -> None:
    """A timestamped step on stderr, flushed: a long run shows where it is (and a killed one where it stopped)."""
    print(f"[{time.perf_counter() - started:7.0f} s] {message}", file=sys.stderr, flush=True)


def scale(size: int, seconds: float, clients: int, whoosh: bool = True) -> None:
    """Build both engines (or the cluster alone) on `size` generated announcements, then time each; every
    figure is printed (flushed) as soon as it is measured.  At 100,000 the steps are long (2026-12-02, 2
    shared cores): the corpus generated once (15 s, then cached), the ingestion (583 s: the extraction of
    every announcement), Whoosh's build (571 s), the cluster's (348 s); the earlier run printed nothing
    until all of them had finished, and its output was block-buffered into its file."""
    begun = time.perf_counter()
    progress(begun, f"corpus of {size} (generated once into benchmarks/.cache)")
    corpus = ensure_corpus(size)
    progress(begun, f"ingesting {corpus.name}")
    documents = list(load_documents([corpus], IngestReport()))
    work = Path(tempfile.mkdtemp(prefix="dimos-cluster-scale-"))
    engines: dict = {}
    rates: dict[str, float] = {}
    if whoosh:
        progress(begun, f"{len(documents)} documents; Whoosh build (IndexStore.build)")
        started = time.perf_counter()
        store = IndexStore(work / "whoosh")
        store.build(documents)
        rates["whoosh"] = len(documents) / (time.perf_counter() - started)
        print(f"Whoosh build: {rates['whoosh']:.0f} docs/s", flush=True)
        engines["whoosh"] = SearchService(store).engine()
    cluster = LocalCluster.layout(work / "cluster", 3, free_base_port(3))
    try:
        cluster.start()
        progress(begun, "cluster build (3 nodes, both copies)")
        started = time.perf_counter()
        build_generation(cluster.topology, documents)
        rates["cluster"] = len(documents) / (time.perf_counter() - started)
        engines["cluster"] = ClusterSearcher(cluster.topology)
        size_mb = sum(f.stat().st_size for f in (work / "cluster").rglob("*") if f.is_file()) / 1e6
        print(f"{len(documents)} documents of {corpus.name}; cluster build {rates['cluster']:.0f} docs/s; "
              f"cluster on disk {size_mb:.0f} MB (3 nodes, 2 copies, binlogs included)", flush=True)
        requests = [SearchRequest(q=q.text, municipality=q.municipality, official=q.official)
                    for q in speed_queries(corpus)]
        print("| | build docs/s | p50 ms | p95 ms | requests/s, " f"{clients} clients |", flush=True)
        print("|---|---:|---:|---:|---:|", flush=True)
        for name, engine in engines.items():
            progress(begun, f"timing {name}: {len(requests)} queries twice, then {seconds:.0f} s of load")
            p50, p95 = latencies(engine, requests)
            rate = throughput(engine, requests, seconds, clients)
            print(f"| {name} | {rates[name]:.0f} | {p50:.1f} | {p95:.1f} | {rate:.1f} |", flush=True)
        print(f"({len(requests)} queries of benchmarks/queries.py; the cluster's 3 nodes, the Python client and "
              f"Whoosh share this machine's {len(os.sched_getaffinity(0))} cores)", flush=True)
    finally:
        cluster.stop()
        shutil.rmtree(work, ignore_errors=True)


def latencies(engine, requests: list[SearchRequest]) -> tuple[float, float]:
    """p50 and p95 in ms of one timed pass over `requests`, after one warm-up pass."""
    for request in requests:
        engine.search(request)
    times = []
    for request in requests:
        started = time.perf_counter()
        engine.search(request)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), percentile(times, 0.95)


def throughput(engine, requests: list[SearchRequest], seconds: float, clients: int) -> float:
    """Answers per second of `clients` threads, each going through the queries as fast as answered."""
    done = [0] * clients
    failures: list[BaseException] = []
    deadline = time.perf_counter() + seconds

    def client(k: int) -> None:
        i = k
        while time.perf_counter() < deadline:
            try:
                engine.search(requests[i % len(requests)])
                done[k] += 1
            except Exception as error:  # counted: a load figure with failures is no figure
                failures.append(error)
            i += clients

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError(f"{len(failures)} requests failed under load, e.g. {failures[0]!r}")
    return sum(done) / seconds


def top_ids(answer: dict) -> set[str]:
    return {r["id"] for r in answer["results"][:TOP]}


def differences(request: SearchRequest, expected: dict, got: dict, whoosh: SearchEngine,
                searcher: ClusterSearcher) -> str:
    """The documents in one top 10 only, with both engines' scores (found on a page of 100)."""
    wide = {"whoosh": whoosh.search(_widened(request)).as_json(),
            "cluster": searcher.search(_widened(request)).as_json()}
    scores = {name: {r["id"]: r["score"] for r in answer["results"]} for name, answer in wide.items()}
    only = {"whoosh only": top_ids(expected) - top_ids(got), "cluster only": top_ids(got) - top_ids(expected)}
    tenth = expected["results"][TOP - 1]["score"] if len(expected["results"]) >= TOP else None
    lines = [f"    Whoosh's 10th score {tenth}"]
    for side, ids in only.items():
        lines += [f"    {side}: {i} whoosh {scores['whoosh'].get(i)} cluster {scores['cluster'].get(i)}"
                  for i in sorted(ids)]
    return "\n".join(lines)


def _widened(request: SearchRequest) -> SearchRequest:
    return SearchRequest(q=request.q, municipality=request.municipality, official=request.official,
                         date_from=request.date_from, date_to=request.date_to, sort=request.sort,
                         page=1, per_page=100)


def report(compared: list[SearchRequest], whoosh: SearchEngine, searcher: ClusterSearcher) -> None:
    times: dict[str, list[float]] = {"whoosh": [], "cluster": []}
    agree = same_top = expanded = 0
    for request in compared:
        expected, got = whoosh.search(request).as_json(), searcher.search(request).as_json()
        times["whoosh"].append(expected["took_ms"])
        times["cluster"].append(got["took_ms"])
        expanded += expected["correction"] is not None  # Whoosh read it as Greeklish, corrected or suggested
        same = all(expected[k] == got[k] for k in ("total", "pages", "facets", "correction", "suggestion"))
        top = top_ids(expected) == top_ids(got)
        agree += same
        same_top += top
        if not (same and top):
            print(f"{request!r}: total {expected['total']} / {got['total']}, facets and corrections "
                  f"{'same' if same else 'DIFFER'}, top-10 {'same' if top else 'differs'}")
            if not top:
                print(differences(request, expected, got, whoosh, searcher))
    counted = len(compared)
    print(f"{counted} requests compared ({expanded} of them Whoosh read as Greeklish, corrected or gave a "
          f"suggestion): totals, facets, corrections and suggestions agree for {agree}/{counted}; "
          f"top-10 set for {same_top}/{counted} ({100 * same_top / counted:.1f}%)")
    for name, values in times.items():
        print(f"{name}: p50 {statistics.median(values):.1f} ms, p95 {percentile(values, 0.95):.1f} ms "
              f"({len(values)} searches)")


if __name__ == "__main__":
    main()
