"""Speed of dimos-search and its peers on one generated corpus: build, size, memory, query latency.

    python benchmarks/speed.py --size 10000 [--seed 7] [--passes 3] [--engines NAME ...]

For every engine of benchmarks/engines.py, on the same generated documents
(benchmarks/generate.py) and the same seeded query mix (benchmarks/queries.py):

- full build time, documents per second, index size on disk, and peak memory
  (each build runs in a child process whose peak RSS the kernel reports);
- for dimos-search also the operator's full reindex, `dimos-search reindex
  CORPUS --index DIR` (ingestion, cleaning, extraction and the index; no gazetteer);
- query latency in process (a warm-up query of each kind and variant, then
  `passes` timed passes over the mix; each query's median, then percentiles over
  the queries), each engine in its own child process;
- for dimos-search also over HTTP: `dimos-search serve` (waitress) on loopback,
  queried sequentially with http.client on one keep-alive connection.

Prints Markdown tables (dimos-search's ratio to every peer included) and the two
targets; benchmarks/run.py writes them to benchmarks/results/.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import queries as query_mix  # noqa: E402
from benchmarks.common import free_port  # noqa: E402
from benchmarks.engine_child import timed_passes  # noqa: E402
from benchmarks.engines import ENGINE_NAMES, BenchQuery, save_queries  # noqa: E402
from benchmarks.generate import CACHE, DEFAULT_SEED, ensure_corpus  # noqa: E402
from search.store import IndexStore, directory_size  # noqa: E402

DIMOS = "dimos-search"
HTTP = "dimos-search over HTTP"
OPERATOR = "dimos-search reindex (operator)"
DEFAULT_PASSES = 2
HTTP_PASSES = 1
SERVER_START_SECONDS = 120
# The targets of issue 13, for dimos-search at 100,000 documents (issue 7's were 30 / 150 ms, 500 docs/s).
TARGET_P50_MS = 15.0
TARGET_P95_MS = 60.0
TARGET_COMMON_WORD_P95_MS = 100.0  # one word matching 20-40% of the documents, with facet counts
COMMON_WORD_SHARE = (0.2, 0.4)
TARGET_TANTIVY_RATIO = 15.0  # dimos-search p50 over Tantivy's fed the same terms, all queries
TANTIVY_TERMS = "tantivy dimos-terms"
TARGET_DOCS_PER_SECOND = 600.0
TARGET_FIRST_QUERY_MS = 500.0  # the first Greeklish query once a generation answers, and one beside it
TARGET_SERVE_RSS_BYTES = 1_000_000_000  # 1 GB, as the peak RSS is printed (decimal MB)


@dataclass
class ChildRun:
    result: dict
    seconds: float  # wall time of the whole child, interpreter start included
    peak_rss_bytes: int


def _run_child(command: list[str], result_path: Path | None = None, cwd: Path = ROOT,
               env: dict[str, str] | None = None) -> ChildRun:
    """Run a child process to its end; its peak RSS comes from the kernel (wait4)."""
    with tempfile.TemporaryFile() as output:
        started = time.perf_counter()
        child = subprocess.Popen(command, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        text = output.read().decode("utf-8", "replace")
    if child.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({child.returncode}):\n{text[-3000:]}")
    result = json.loads(result_path.read_text(encoding="utf-8")) if result_path else {"output": text}
    return ChildRun(result, seconds, usage.ru_maxrss * 1024)  # Linux reports kilobytes


def _engine_child(*arguments: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve().with_name("engine_child.py")), *arguments]


# --- HTTP -------------------------------------------------------------------------------------


def _api_path(query: BenchQuery, limit: int = 10) -> str:
    params = [("q", query.text), *(("municipality", v) for v in query.municipality),
              *(("official", v) for v in query.official), ("per_page", str(limit))]
    return "/api/search?" + urlencode(params)


def _http_run(index: Path, queries: Sequence[BenchQuery], passes: int, log: Path) -> dict:
    """`dimos-search serve` on the index, the mix sent to it one request at a time.

    Besides the mix's latencies: how long the server took to answer /health (it opens the
    generation, vocabulary included, before it listens), then its first Greeklish query and a plain
    one sent beside it; and the server's peak resident memory after the mix (VmHWM).
    """
    port = free_port()
    started = time.monotonic()
    with open(log, "wb") as output:
        server = subprocess.Popen([sys.executable, "-m", "web.cli", "serve", "--index", str(index), "--port", str(port)],
                                  cwd=ROOT, env=_clean_env(), stdout=output, stderr=subprocess.STDOUT)
    try:
        connection = _wait_for_health(server, port, log)
        startup = {"health_ms": (time.monotonic() - started) * 1000, **_first_answers(port, queries)}

        def search(query: BenchQuery) -> int:
            connection.request("GET", _api_path(query))
            response = connection.getresponse()
            body = response.read()
            if response.status != 200:
                raise RuntimeError(f"{_api_path(query)} answered {response.status}: {body[:300]!r}")
            return json.loads(body)["total"]

        result = timed_passes(search, queries, passes)
        result["startup"] = startup
        result["peak_rss_bytes"] = _peak_rss(server.pid)
        return result
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_for_health(server: subprocess.Popen, port: int, log: Path) -> http.client.HTTPConnection:
    """A keep-alive connection to the server, once it has answered /health."""
    deadline = time.monotonic() + SERVER_START_SECONDS
    while True:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection.request("GET", "/health")
            if connection.getresponse().read() and server.poll() is None:
                return connection
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError(f"dimos-search serve did not start; see {log}") from None
            time.sleep(0.2)


def _first_answers(port: int, queries: Sequence[BenchQuery]) -> dict[str, float]:
    """The first Greeklish query and a plain two-word one, sent together on two connections (ms each)."""
    chosen = {"greeklish_ms": next(q for q in queries if q.kind == "greeklish"),
              "plain_beside_ms": next(q for q in queries if q.kind == "two-words")}
    timings: dict[str, float] = {}

    def send(name: str, query: BenchQuery) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        sent = time.perf_counter()
        connection.request("GET", _api_path(query))
        connection.getresponse().read()
        timings[name] = (time.perf_counter() - sent) * 1000
        connection.close()

    threads = [threading.Thread(target=send, args=item) for item in chosen.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return timings


def _peak_rss(pid: int) -> int:
    """A live process's peak resident set size (VmHWM), in bytes."""
    status = Path(f"/proc/{pid}/status").read_text().splitlines()
    return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) * 1024  # kB


def _clean_env() -> dict[str, str]:
    """The environment without DIMOS_* settings, so the commands run as documented."""
    return {k: v for k, v in os.environ.items() if not k.startswith("DIMOS_")}


# --- the run --------------------------------------------------------------------------------


@dataclass
class Build:
    engine: str
    documents: int
    seconds: float
    analysis_seconds: float
    index_bytes: int
    peak_rss_bytes: int
    note: str = ""

    @property
    def docs_per_second(self) -> float:
        return self.documents / self.seconds if self.seconds else 0.0


@dataclass
class SpeedRun:
    size: int
    seed: int
    corpus: Path
    queries: list[BenchQuery]
    passes: int
    http_passes: int
    builds: list[Build] = field(default_factory=list)
    runs: dict[str, dict] = field(default_factory=dict)  # engine -> matches and latencies per query
    baseline_rss_bytes: int = 0  # a child that only imports the engines
    seconds: float = 0.0


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def operator_reindex(corpus: Path, index: Path) -> Build:
    """The operator's full reindex of the corpus file, timed from outside like cron would see it."""
    run = _run_child([sys.executable, "-m", "web.cli", "reindex", str(corpus), "--index", str(index)],
                     env=_clean_env())
    summary = run.result["output"]
    indexed = re.search(r"indexed (\d+) documents", summary)
    elapsed = re.search(r"Elapsed: ([\d.]+) s", summary)
    store = IndexStore(index)
    generation = store.current_generation()
    if indexed is None or elapsed is None or generation is None:
        raise RuntimeError(f"unexpected reindex output:\n{summary}")
    return Build(OPERATOR, int(indexed.group(1)), run.seconds, 0.0, directory_size(index / generation),
                 run.peak_rss_bytes, note=f"its own summary: {float(elapsed.group(1)):.1f} s inside the run")


def run_speed(size: int, seed: int = DEFAULT_SEED, engines: Sequence[str] = ENGINE_NAMES, passes: int = DEFAULT_PASSES,
              http_passes: int = HTTP_PASSES, operator: bool = True, keep: bool = False) -> SpeedRun:
    started = time.perf_counter()
    corpus = ensure_corpus(size, seed)
    work = CACHE / f"speed-{size}-seed{seed}"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    queries = query_mix.make_queries(corpus, seed)
    queries_path = work / "queries.json"
    save_queries(queries, queries_path)
    run = SpeedRun(size, seed, corpus, queries, passes, http_passes)
    try:
        baseline = _run_child(_engine_child("baseline", str(work / "baseline.json")), work / "baseline.json")
        run.baseline_rss_bytes = baseline.peak_rss_bytes
        for name in engines:
            index = work / _slug(name)
            _say(f"[speed] building {name} ...")
            built = _run_child(_engine_child("build", name, str(corpus), str(index), str(work / "build.json")),
                               work / "build.json")
            result = built.result
            run.builds.append(Build(name, result["documents"], result["seconds"], result["analysis_seconds"],
                                    directory_size(index), built.peak_rss_bytes))
            _say(f"[speed] querying {name} ...")
            queried = _run_child(_engine_child("query", name, str(index), str(queries_path), str(passes),
                                              str(work / "query.json")), work / "query.json")
            run.runs[name] = queried.result
            if name == DIMOS and http_passes:
                _say("[speed] querying dimos-search over HTTP ...")
                run.runs[HTTP] = _http_run(index, queries, http_passes, work / "serve.log")
        if operator:
            _say("[speed] operator reindex (dimos-search reindex) ...")
            run.builds.append(operator_reindex(corpus, work / "operator-index"))
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    run.seconds = time.perf_counter() - started
    return run


# --- figures ----------------------------------------------------------------------------------


def percentile(values: Sequence[float], share: float) -> float:
    """The share-th percentile, interpolated between the closest ranks."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = (len(ordered) - 1) * share
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _per_query(run: dict) -> list[float]:
    return [statistics.median(times) for times in run["latencies_ms"]]


def _select(queries: Sequence[BenchQuery], keep: Callable[[BenchQuery], bool]) -> list[int]:
    return [i for i, q in enumerate(queries) if keep(q)]


def _stats(values: list[float], indices: list[int]) -> tuple[float, float, float]:
    chosen = [values[i] for i in indices]
    return percentile(chosen, 0.50), percentile(chosen, 0.95), percentile(chosen, 0.99)


def _ms(value: float) -> str:
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def _ratio(value: float) -> str:
    return f"{value:.1f}×" if value < 100 else f"{value:.0f}×"


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _mb(size: int) -> str:
    return f"{size / 1e6:.1f}"


def two_word_faceted(queries: Sequence[BenchQuery]) -> list[int]:
    return _select(queries, lambda q: q.kind == "two-words" and q.facets)


def report(run: SpeedRun) -> str:
    """The Markdown tables of a speed run."""
    queries = run.queries
    engines = list(run.runs)
    per_query = {name: _per_query(result) for name, result in run.runs.items()}
    everything = list(range(len(queries)))
    by_kind = {kind: _select(queries, lambda q, k=kind: q.kind == k) for kind in query_mix.KINDS}
    out = [f"## Speed at {run.size:,} documents",
           f"Corpus: `{run.corpus.relative_to(ROOT) if run.corpus.is_relative_to(ROOT) else run.corpus}` "
           f"(generated, seed {run.seed}); {len(queries)} queries (benchmarks/queries.py, seed {run.seed}); "
           f"after one warm-up query of each kind and variant, {run.passes} timed passes in process and "
           f"{run.http_passes} over HTTP, each query's median; percentiles over the queries. "
           f"Speed section wall time: {run.seconds / 60:.1f} min."]

    out.append("### Full build (reindex)")
    peers = {b.engine: b for b in run.builds}
    dimos_build = peers.get(DIMOS)
    rows = []
    for build in run.builds:
        ratio = ""
        if dimos_build and build.engine not in (DIMOS, OPERATOR) and build.docs_per_second:
            ratio = _ratio(build.docs_per_second / dimos_build.docs_per_second)
        rows.append([build.engine, f"{build.documents:,}", f"{build.seconds:.1f}", f"{build.docs_per_second:.0f}",
                     f"{build.analysis_seconds:.1f}" if build.analysis_seconds else "–", _mb(build.index_bytes),
                     _mb(build.peak_rss_bytes), ratio])
    out.append(_table(["engine", "documents", "build s", "docs/s", "of which analysis s", "index MB", "peak RSS MB",
                       "peer docs/s ÷ dimos-search"], rows))
    out.append(f"Build time is the engine's build call in a child process (documents streamed from the JSONL file, "
               "commit and merge included); \"analysis\" is the part of it spent in dimos-search's analyzer for the "
               "dimos-terms peers. The operator row is the whole `dimos-search reindex` command as cron runs it "
               "(interpreter start, ingestion, cleaning, extraction of municipalities and officials, the index, "
               "verification and the switch). Peak RSS is the child's maximum resident set size (wait4); a child "
               f"that only imports the engines peaks at {_mb(run.baseline_rss_bytes)} MB.")

    out.append("### Query latency in process, all queries (ms)")
    dimos = per_query.get(DIMOS)
    rows = []
    for name in engines:
        p50, p95, p99 = _stats(per_query[name], everything)
        ratio50 = ratio95 = ""
        if dimos is not None and name not in (DIMOS, HTTP):
            d50, d95, _ = _stats(dimos, everything)
            ratio50, ratio95 = _ratio(d50 / p50), _ratio(d95 / p95)
        matches = statistics.mean(run.runs[name]["totals"])
        rows.append([name, _ms(p50), _ms(p95), _ms(p99), ratio50, ratio95, f"{matches:.0f}"])
    out.append(_table(["engine", "p50", "p95", "p99", "dimos-search p50 ÷ peer p50", "dimos-search p95 ÷ peer p95",
                       "mean matches"], rows))

    for title, share in (("p50", 0.5), ("p95", 0.95)):
        out.append(f"### Query latency {title} by kind (ms)")
        rows = []
        for name in engines:
            cells = [_ms(percentile([per_query[name][i] for i in by_kind[kind]], share)) for kind in query_mix.KINDS]
            rows.append([name, *cells])
        out.append(_table(["engine", *query_mix.KINDS], rows))

    out.append("### dimos-search p50 ÷ peer p50, by kind")
    if dimos is not None:
        rows = []
        for name in engines:
            if name in (DIMOS, HTTP):
                continue
            cells = []
            for kind in query_mix.KINDS:
                cells.append(_ratio(_stats(dimos, by_kind[kind])[0] / _stats(per_query[name], by_kind[kind])[0]))
            rows.append([name, *cells])
        out.append(_table(["peer", *query_mix.KINDS], rows))

    out.append("### Query latency by kind × filters and facets, p50 / p95 (ms)")
    labels = list(dict.fromkeys(query_mix.variant_label(q) for q in queries))
    rows = []
    for kind in query_mix.KINDS:
        for label in labels:
            chosen = _select(queries, lambda q, k=kind, v=label: q.kind == k and query_mix.variant_label(q) == v)
            cells = [f"{_ms(_stats(per_query[name], chosen)[0])} / {_ms(_stats(per_query[name], chosen)[1])}"
                     for name in engines]
            rows.append([f"{kind}, {label}", *cells])
    out.append(_table(["queries", *engines], rows))

    out.append("### Mean matches by kind")
    rows = [[name, *(f"{statistics.mean(run.runs[name]['totals'][i] for i in by_kind[kind]):.0f}"
                     for kind in query_mix.KINDS)] for name in engines]
    out.append(_table(["engine", *query_mix.KINDS], rows))
    out.append("Native analyses find fewer documents (SQLite's unicode61 keeps Greek accents, so unaccented queries "
               "miss; Whoosh's English analyzer neither folds nor stems Greek; Tantivy's Snowball Greek stemmer "
               "splits -ία/-ίας); no peer reads Greeklish. The dimos-terms peers match what dimos-search matches "
               "without its Greeklish and misspelling expansions.")

    out.append(targets(run))
    return "\n\n".join(out)


def targets(run: SpeedRun) -> str:
    """The issue's targets, met or missed, with the figures behind them."""
    lines = [f"### Targets (set for 100,000 documents; this run: {run.size:,})"]
    chosen = two_word_faceted(run.queries)
    for name in (DIMOS, HTTP):
        if name not in run.runs:
            continue
        p50, p95, _ = _stats(_per_query(run.runs[name]), chosen)
        verdict = "met" if p50 <= TARGET_P50_MS and p95 <= TARGET_P95_MS else "missed"
        lines.append(f"- Two-word queries with facet counts ({len(chosen)} queries), {name}: p50 {_ms(p50)} ms "
                     f"(target ≤ {TARGET_P50_MS:.0f}), p95 {_ms(p95)} ms (target ≤ {TARGET_P95_MS:.0f}): **{verdict}**.")
    common = [i for i in _select(run.queries, lambda q: q.kind == "one-word" and q.facets)
              if COMMON_WORD_SHARE[0] * run.size <= run.runs[DIMOS]["totals"][i] <= COMMON_WORD_SHARE[1] * run.size] \
        if DIMOS in run.runs else []
    for name in (DIMOS, HTTP):
        if name in run.runs and common:
            _, p95, _ = _stats(_per_query(run.runs[name]), common)
            verdict = "met" if p95 <= TARGET_COMMON_WORD_P95_MS else "missed"
            lines.append(f"- One word matching 20-40% of the documents, with facet counts ({len(common)} queries), "
                         f"{name}: p95 {_ms(p95)} ms (target ≤ {TARGET_COMMON_WORD_P95_MS:.0f}): **{verdict}**.")
    if DIMOS in run.runs and TANTIVY_TERMS in run.runs:
        everything = list(range(len(run.queries)))
        ratio = _stats(_per_query(run.runs[DIMOS]), everything)[0] / \
            _stats(_per_query(run.runs[TANTIVY_TERMS]), everything)[0]
        verdict = "met" if ratio <= TARGET_TANTIVY_RATIO else "missed"
        lines.append(f"- p50 ratio to {TANTIVY_TERMS}, all queries, in process: {_ratio(ratio)} "
                     f"(target ≤ {TARGET_TANTIVY_RATIO:.0f}×): **{verdict}**.")
    if HTTP in run.runs:
        lines += _serving_targets(run.runs[HTTP])
    for build in run.builds:
        if build.engine in (DIMOS, OPERATOR):
            verdict = "met" if build.docs_per_second >= TARGET_DOCS_PER_SECOND else "missed"
            lines.append(f"- Full reindex, {build.engine}: {build.docs_per_second:.0f} docs/s "
                         f"(target ≥ {TARGET_DOCS_PER_SECOND:.0f}): **{verdict}**.")
    return "\n".join(lines)


def _serving_targets(http_run: dict) -> list[str]:
    """Start-up and memory of `dimos-search serve`, against the issue's targets."""
    startup = http_run["startup"]
    first = max(startup["greeklish_ms"], startup["plain_beside_ms"])
    rss = http_run["peak_rss_bytes"]
    return [
        f"- First queries at start-up, once the server answers /health ({_ms(startup['health_ms'])} ms after "
        f"it started): Greeklish {_ms(startup['greeklish_ms'])} ms, a plain two-word query sent beside it "
        f"{_ms(startup['plain_beside_ms'])} ms (target ≤ {TARGET_FIRST_QUERY_MS:.0f}, set for the first queries "
        f"after a switch, which the previous generation answers until the new one is open): "
        f"**{'met' if first <= TARGET_FIRST_QUERY_MS else 'missed'}**.",
        f"- `dimos-search serve` peak RSS after the mix: {_mb(rss)} MB (target ≤ {_mb(TARGET_SERVE_RSS_BYTES)} MB): "
        f"**{'met' if rss <= TARGET_SERVE_RSS_BYTES else 'missed'}**.",
    ]


def save_raw(run: SpeedRun, path: Path) -> None:
    """Every measured figure, for later analysis."""
    path.write_text(json.dumps({
        "size": run.size, "seed": run.seed, "passes": run.passes, "http_passes": run.http_passes,
        "seconds": run.seconds, "baseline_rss_bytes": run.baseline_rss_bytes,
        "queries": [q.__dict__ for q in run.queries],
        "builds": [b.__dict__ for b in run.builds],
        "runs": run.runs,
    }, ensure_ascii=False), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, required=True, help="generated documents (benchmarks/generate.py)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--passes", type=int, default=DEFAULT_PASSES, help="timed passes over the query mix")
    parser.add_argument("--http-passes", type=int, default=HTTP_PASSES, help="timed passes over HTTP (0: none)")
    parser.add_argument("--engines", nargs="+", default=list(ENGINE_NAMES), choices=ENGINE_NAMES, metavar="ENGINE")
    parser.add_argument("--no-operator", action="store_true", help="skip the operator's `dimos-search reindex`")
    parser.add_argument("--keep", action="store_true", help="keep the indexes in benchmarks/.cache/")
    args = parser.parse_args(argv)
    run = run_speed(args.size, args.seed, args.engines, args.passes, args.http_passes, not args.no_operator, args.keep)
    print(report(run))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
