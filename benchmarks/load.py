"""Load and faults on the production server: concurrent clients, a reindex under load, a killed server.

    python benchmarks/load.py [--clients 8] [--seconds 60] [--size 10000 | --sources PATH ... | --index DIR]
                              [--during-reindex [--reindex-sources PATH ...]] [--kill-server]
                              [--threads N] [--pool 300] [--seed 1] [--workdir DIR]

Starts `dimos-search serve` (waitress) in a subprocess on a free loopback port and runs
N client threads, each on its own keep-alive connection, as fast as answers come back.
Each request is drawn (seeded) from a pool made from the index's own documents: one,
two and three words, phrases, prefixes, OR and -exclusions, Greeklish, empty queries,
with municipality, official and year filters, sorting and pages; mostly the JSON API
(every answer carries the facet counts), some HTML search pages, some documents by id,
and a few invalid requests that must answer 400.

Every answer names the index generation that served it (`X-Index-Generation`). After
the run each JSON answer is compared with the answer this process computes on that
generation itself: same total, same ids, same facet counts. An error is any connection
error or timeout, any status other than the expected one, any answer that differs from
its generation's, a generation that is not on disk, and a client that sees an older
generation after a newer one.

--during-reindex  a full `dimos-search reindex` of a different but overlapping source set
                  runs during the load and switches generations (the load goes on until
                  the reindex is done and 15 s more).
--kill-server     the server is SIGKILLed halfway and restarted on the same index; failures
                  while it is down are counted apart, and it must answer as before.

--size N indexes N announcements of benchmarks/generate.py; the reindex's set leaves out
the first 10% of them and adds 10% more. With --workdir, the sources and the index are
kept there and reused by the next run (a reindex then switches back to the other set).
Prints requests/s, latency percentiles and errors by kind; exits 1 on any error.
"""
from __future__ import annotations

import argparse
import hashlib
import http.client
import itertools
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

from benchmarks.common import free_port  # noqa: E402
from benchmarks.generate import ensure_corpus  # noqa: E402
from search.analysis import Word, is_greek, words  # noqa: E402
from search.greeklish import final_sigma  # noqa: E402
from search.backend.whoosh.engine import SearchEngine  # noqa: E402
from search.backend.whoosh.schema import facet_values  # noqa: E402
from search.backend.whoosh.writer import open_index  # noqa: E402
from search.request import InvalidRequest, parse_request, resolve_filters  # noqa: E402
from search.service import SearchService  # noqa: E402
from search.store import POINTER, IndexStore  # noqa: E402
from tools.make_greeklish_pairs import CONVENTIONS, transliterate  # noqa: E402
from web.state import GENERATION_HEADER  # noqa: E402
from search.answers import DocumentAnswer  # noqa: E402

HOST = "127.0.0.1"
REQUEST_TIMEOUT = 30.0
SERVER_START_TIMEOUT = 60.0
# A client that finds the server down waits this long before trying again.
RETRY_PAUSE = 0.05
# Shares of the request pool, by kind.
KINDS = {"search": 0.70, "page": 0.15, "document": 0.08, "invalid": 0.07}
QUERY_SHAPES = {"word": 25, "two": 20, "three": 10, "phrase": 10, "prefix": 8, "greeklish": 10,
                "browse": 10, "or": 4, "exclude": 3}
INVALID_PARAMS = [{"page": "0"}, {"per_page": "1000"}, {"from": "2024-13-45"}, {"sort": "random"},
                  {"from": "2024-05-01", "to": "2023-01-01"}]
SAMPLED_DOCUMENTS = 400
# The load goes on this long after a reindex, so that the new generation's first answers
# (which build its caches) and its steady state are measured too.
AFTER_REINDEX_SECONDS = 15.0
# The requests started this long after the switch are reported apart: the first queries after a switch.
AFTER_SWITCH_SECONDS = 5.0


# --- the server and the reindex, as subprocesses ---------------------------------------


def cli(*args: str) -> list[str]:
    """The `dimos-search` command line, run from this checkout (the console script may point elsewhere)."""
    return [sys.executable, "-m", "web.cli", *args]


class Server:
    """`dimos-search serve` on a loopback port, as production runs it; killed and restarted on the same port."""

    def __init__(self, index: Path, log: Path, threads: int | None = None):
        self.index = index
        self.log = log  # the server's output, appended to across restarts
        self.port = free_port(HOST)
        self.threads = threads
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = SERVER_START_TIMEOUT) -> float:
        """Start it and wait until /health answers 200; returns the seconds that took."""
        started = time.monotonic()
        command = cli("serve", "--host", HOST, "--port", str(self.port), "--index", str(self.index))
        if self.threads:
            command += ["--threads", str(self.threads)]
        with open(self.log, "a", encoding="utf-8") as log:
            self.process = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT)
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with status {self.process.returncode}: {self.log_tail()}")
            if self.health_status() == 200:
                return time.monotonic() - started
            time.sleep(RETRY_PAUSE)
        self.stop()
        raise RuntimeError(f"the server did not answer /health within {timeout:.0f} s: {self.log_tail()}")

    def health_status(self) -> int | None:
        try:
            return self.get("/health")[0]
        except OSError:
            return None

    def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        """One request on a connection of its own: status, headers, body."""
        connection = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs, as in a crash or an OOM kill."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        if self.process is not None:
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def log_tail(self, lines: int = 20) -> str:
        return "\n".join(self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def start_reindex(sources: Sequence[Path], index: Path) -> subprocess.Popen:
    """A full `dimos-search reindex` in a process of its own, as cron runs it."""
    return subprocess.Popen(cli("reindex", *map(str, sources), "--index", str(index)), cwd=PROJECT_ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def build_index(sources: Sequence[Path], index: Path) -> None:
    process = start_reindex(sources, index)
    out, err = process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"reindex failed with status {process.returncode}: {out}{err}")


# --- the requests ------------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    """One request of the pool: its kind and its path with query string."""

    kind: str
    path: str

    @property
    def params(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.path).query, keep_blank_values=True)


def request_pool(index: Path, size: int, seed: int) -> list[Entry]:
    """`size` requests made from the live generation's own documents, the same for the same seed."""
    rng = random.Random(seed)
    engine = SearchService(IndexStore(index)).engine()
    with engine.ix.searcher() as searcher:
        docnums = list(searcher.reader().all_doc_ids())
        sample = [searcher.stored_fields(n) for n in rng.sample(docnums, min(SAMPLED_DOCUMENTS, len(docnums)))]
    shapes, weights = zip(*QUERY_SHAPES.items())
    pool = []
    for _ in range(size):
        kind = rng.choices(list(KINDS), weights=list(KINDS.values()))[0]
        stored = rng.choice(sample)
        if kind == "document":
            pool.append(Entry(kind, "/api/documents/" + quote(stored["id"], safe="")))
            continue
        params = _search_params(stored, rng.choices(shapes, weights)[0], rng)
        if kind == "invalid":
            params.update(rng.choice(INVALID_PARAMS))
        query = urlencode(params, doseq=True)
        pool.append(Entry(kind, ("/" if kind == "page" else "/api/search") + (f"?{query}" if query else "")))
    return pool


def _search_params(stored: dict[str, Any], shape: str, rng: random.Random) -> dict[str, str | list[str]]:
    """A query of `shape` from one document's words, with the filters and options people add."""
    text = f"{stored.get('title', '')}\n{stored.get('body', '')}"
    spans = [w for w in words(text) if w.term and len(w.folded) >= 4 and w.folded.isalpha()] or list(words(text))

    def written(word: Word) -> str:  # as written, or typed without accents and capitals
        return text[word.start:word.end] if rng.random() < 0.6 else final_sigma(word.folded)

    params: dict[str, str | list[str]] = {}
    if shape in ("word", "two", "three"):
        count = {"word": 1, "two": 2, "three": 3}[shape]
        params["q"] = " ".join(written(w) for w in rng.sample(spans, min(count, len(spans))))
    elif shape == "phrase":  # two words next to each other in the text
        every = list(words(text))
        pairs = [(a, b) for a, b in itertools.pairwise(every) if text[a.end:b.start] == " " and (a.term or b.term)]
        params["q"] = '"{} {}"'.format(*map(written, rng.choice(pairs))) if pairs else written(rng.choice(spans))
    elif shape == "prefix":
        word = rng.choice(spans).folded
        params["q"] = word[:max(3, len(word) - 3)] + "*"
    elif shape == "greeklish":
        greek = [w for w in spans if is_greek(w.folded)] or spans
        params["q"] = " ".join(transliterate(w.folded, rng.choice(sorted(CONVENTIONS)))
                               for w in rng.sample(greek, min(rng.choice((1, 1, 2)), len(greek))))
    elif shape in ("or", "exclude"):
        first, second = (rng.sample(spans, 2) if len(spans) > 1 else spans * 2)
        params["q"] = f"{written(first)} {'OR' if shape == 'or' else '-'}{' ' if shape == 'or' else ''}{written(second)}"
    for name in ("municipality", "official"):
        values = facet_values(stored.get(name))
        if values and rng.random() < (0.6 if shape == "browse" else 0.3):
            params[name] = rng.sample(values, 1)
    if stored.get("year") and rng.random() < 0.15:
        params["from"], params["to"] = f"{stored['year']}-01-01", f"{stored['year']}-12-31"
    if rng.random() < 0.2:
        params["sort"] = rng.choice(("newest", "oldest"))
    if rng.random() < 0.15:
        params["page"] = str(rng.choice((2, 3)))
    if rng.random() < 0.1:
        params["per_page"] = str(rng.choice((10, 50)))
    return params


def digest(answer: Any) -> str:
    """What must be equal between two answers from one generation (all but the timing, and the as-typed
    link the web layer adds to an applied correction: a URL, not a search result)."""
    if isinstance(answer, dict):
        answer = {k: v for k, v in answer.items() if k != "took_ms"}
        if isinstance(answer.get("correction"), dict):
            answer["correction"] = {k: v for k, v in answer["correction"].items() if k != "as_typed_url"}
    return hashlib.sha1(json.dumps(answer, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def expected(engine: SearchEngine, entry: Entry) -> tuple[int, str | None]:
    """The status and the answer digest `entry` must get from `engine`'s generation (None: not compared)."""
    if entry.kind == "document":
        found = engine.get_document(unquote(entry.path.rsplit("/", 1)[1]))
        return (200, digest(DocumentAnswer.of(found).as_json())) if found else (404, None)
    try:
        # As the API does: typed filter values resolved against the generation's own values (none: a 400).
        request = resolve_filters(parse_request(entry.params), engine.known_values)
    except InvalidRequest:
        return 400, None
    if entry.kind == "page":
        return 200, None
    return 200, digest(engine.search(request).as_json())


# --- the clients -----------------------------------------------------------------------

@dataclass(frozen=True)
class Outcome:
    """One request as a client saw it."""

    client: int
    started: float  # time.monotonic()
    seconds: float
    entry: int  # index into the pool
    status: int | None = None
    generation: str | None = None
    digest: str | None = None
    error: str | None = None  # a connection error or timeout, by exception name


class Load:
    """`clients` threads, each on its own keep-alive connection, sending pool requests back to back."""

    def __init__(self, port: int, pool: Sequence[Entry], clients: int = 8, seed: int = 1):
        self.port = port
        self.pool = pool
        self.clients = clients
        self.seed = seed
        self.outcomes: list[Outcome] = []
        self.outages: list[tuple[float, float]] = []  # (killed, serving again), set by whoever kills the server
        self.switched: float | None = None  # time.monotonic() when a reindex under load switched CURRENT
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.started = self.stopped = 0.0

    def start(self) -> None:
        self.started = time.monotonic()
        self._threads = [threading.Thread(target=self._client, args=(n,), daemon=True) for n in range(self.clients)]
        for thread in self._threads:
            thread.start()

    def stop(self) -> list[Outcome]:
        self._stop.set()
        for thread in self._threads:
            thread.join()
        self.stopped = time.monotonic()
        return self.outcomes

    def run(self, seconds: float) -> list[Outcome]:
        with self:
            time.sleep(seconds)
        return self.outcomes

    def __enter__(self) -> Load:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _client(self, number: int) -> None:
        rng = random.Random(f"{self.seed}:{number}")
        connection = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT)
        mine: list[Outcome] = []
        while not self._stop.is_set():
            index = rng.randrange(len(self.pool))
            entry = self.pool[index]
            started = time.monotonic()
            try:
                connection.request("GET", entry.path)
                response = connection.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                mine.append(Outcome(number, started, time.monotonic() - started, index, error=type(error).__name__))
                time.sleep(RETRY_PAUSE)
                continue
            elapsed = time.monotonic() - started
            answer = digest(json.loads(body)) if entry.kind in ("search", "document") and response.status == 200 else None
            mine.append(Outcome(number, started, elapsed, index, response.status,
                                response.getheader(GENERATION_HEADER), answer))
        connection.close()
        self.outcomes.extend(mine)  # list.extend is atomic under the GIL


# --- the verdict -------------------------------------------------------------------------

@dataclass
class Verdict:
    """What the clients got, judged against what each generation must answer."""

    pool: Sequence[Entry]
    started: float  # time.monotonic() when the load started
    requests: int = 0
    seconds: float = 0.0
    answered: list[Outcome] = field(default_factory=list)  # the correct answers
    errors: Counter[str] = field(default_factory=Counter)
    outage_failures: int = 0  # failed while the server was down on purpose
    by_generation: Counter[str] = field(default_factory=Counter)
    first_seen: dict[str, float] = field(default_factory=dict)  # generation -> its first answer, s into the load
    switches: Counter[tuple[str, str]] = field(default_factory=Counter)  # (from, to) -> clients that saw it
    switched: float | None = None  # time.monotonic() of a reindex's switch of CURRENT
    checked: int = 0  # answers compared with their generation's own answer
    distinguishing: int = 0  # pool entries whose expected answer differs between the generations seen

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def latencies(self, kind: str | None = None, generation: str | None = None) -> list[float]:
        return [o.seconds for o in self.answered
                if kind in (None, self.pool[o.entry].kind) and generation in (None, o.generation)]

    def percentile(self, q: int, kind: str | None = None, generation: str | None = None) -> float:
        """The q-th percentile latency in milliseconds of the correct answers (of one kind, or generation)."""
        values = self.latencies(kind, generation)
        if len(values) < 2:
            return values[0] * 1000 if values else float("nan")
        return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000


def judge(load: Load, index: Path) -> Verdict:
    """Check every outcome: status, generation, and the answer against its generation's own."""
    verdict = Verdict(load.pool, load.started, requests=len(load.outcomes), seconds=load.stopped - load.started,
                      switched=load.switched)
    engines: dict[str, SearchEngine | None] = {}
    references: dict[tuple[str | None, int], tuple[int, str | None]] = {}

    def engine_for(generation: str) -> SearchEngine | None:
        if generation not in engines:
            path = index / generation
            engines[generation] = SearchEngine(open_index(path)) if generation.startswith("gen-") and path.is_dir() \
                else None
        return engines[generation]

    def reference(generation: str | None, entry: int) -> tuple[int, str | None] | None:
        if (generation, entry) not in references:
            engine = engine_for(generation) if generation else None
            if engine is None:
                return None
            references[generation, entry] = expected(engine, load.pool[entry])
        return references[generation, entry]

    last_seen: dict[int, str] = {}
    for outcome in sorted(load.outcomes, key=lambda o: o.started + o.seconds):
        entry = load.pool[outcome.entry]
        if outcome.error is not None:
            ended = outcome.started + outcome.seconds
            if any(killed <= ended and outcome.started <= back for killed, back in load.outages):
                verdict.outage_failures += 1
            else:
                verdict.errors[outcome.error] += 1
            continue
        problem = None
        if entry.kind == "invalid":
            problem = None if outcome.status == 400 else f"status {outcome.status} (expected 400)"
        elif outcome.generation is None:
            problem = f"status {outcome.status} without {GENERATION_HEADER}"
        else:
            verdict.by_generation[outcome.generation] += 1
            verdict.first_seen.setdefault(outcome.generation, outcome.started + outcome.seconds - load.started)
            expected_answer = reference(outcome.generation, outcome.entry)
            previous = last_seen.get(outcome.client)
            if expected_answer is None:
                problem = "generation not on disk"
            elif outcome.status != expected_answer[0]:
                problem = f"status {outcome.status} (expected {expected_answer[0]})"
            elif expected_answer[1] is not None:
                verdict.checked += 1
                if outcome.digest != expected_answer[1]:
                    problem = "answer differs from its generation's"
            if previous is not None and outcome.generation < previous:
                problem = "an older generation after a newer one"
            elif previous is not None and outcome.generation != previous:
                verdict.switches[previous, outcome.generation] += 1
            last_seen[outcome.client] = outcome.generation
        if problem:
            verdict.errors[problem] += 1
        else:
            verdict.answered.append(outcome)
    generations = [g for g in verdict.by_generation if engine_for(g) is not None]
    if len(generations) > 1:
        verdict.distinguishing = sum(
            1 for i, entry in enumerate(load.pool)
            if entry.kind in ("search", "document") and len({reference(g, i) for g in generations}) > 1)
    return verdict


# --- the command line ----------------------------------------------------------------------

def report(verdict: Verdict) -> str:
    def percentiles(kind: str | None = None, generation: str | None = None) -> str:
        return "  ".join(f"p{q} {verdict.percentile(q, kind, generation):7.1f}" for q in (50, 95, 99))

    answered = len(verdict.answered)
    kinds = [k for k in KINDS if verdict.latencies(k)]
    lines = [
        (f"requests: {verdict.requests:,} in {verdict.seconds:.1f} s = {verdict.requests / verdict.seconds:.1f}/s "
         f"({answered:,} answered correctly: {answered / verdict.seconds:.1f}/s)"),
        f"latency ms: {percentiles()}  max {max(verdict.latencies(), default=0) * 1000:.0f}",
        *(f"  {kind:<9} {len(verdict.latencies(kind)):>7,} requests  {percentiles(kind)}" for kind in kinds),
        f"errors: {verdict.error_count}" + (
            " (" + ", ".join(f"{kind} {n}" for kind, n in verdict.errors.most_common()) + ")" if verdict.errors else ""),
        f"answers compared with their generation's own: {verdict.checked:,}",
        "answers by generation:",
        *(f"  {g} {n:>7,} answers, the first at {verdict.first_seen[g]:6.1f} s  {percentiles(generation=g)}"
          for g, n in sorted(verdict.by_generation.items())),
    ]
    if verdict.switches:
        lines.append("switches seen: " + ", ".join(f"{a} -> {b} by {n} clients" for (a, b), n in verdict.switches.items()))
    if verdict.distinguishing:
        lines.append(f"pool requests whose answer differs between the generations: {verdict.distinguishing}")
    if verdict.switched is not None:
        lines.append(after_switch(verdict))
    slowest = sorted(verdict.answered, key=lambda o: -o.seconds)[:3]
    lines += [f"slow: {o.seconds * 1000:.0f} ms from {o.started - verdict.started:.1f} s, {o.generation or ''} "
              f"{unquote(verdict.pool[o.entry].path)}" for o in slowest]
    return "\n".join(lines)


def after_switch(verdict: Verdict) -> str:
    """The requests started in the AFTER_SWITCH_SECONDS after the switch: every kind, and the Greeklish ones."""
    switched = verdict.switched
    assert switched is not None
    first = [o for o in verdict.answered if switched <= o.started < switched + AFTER_SWITCH_SECONDS]
    greeklish = [o for o in first if "greeklish" in verdict.pool[o.entry].path or _is_latin(verdict.pool[o.entry])]
    new = [o.started + o.seconds - switched for o in verdict.answered
           if o.started >= switched and o.generation == max(verdict.by_generation)]

    def figures(outcomes: list[Outcome]) -> str:
        if not outcomes:
            return "none"
        times = [o.seconds * 1000 for o in outcomes]
        return f"{len(times)} answered, median {statistics.median(times):.1f} ms, max {max(times):.0f} ms"

    return (f"the first {AFTER_SWITCH_SECONDS:.0f} s after the switch: {figures(first)}; Greeklish "
            f"{figures(greeklish)}; the first answer from the new generation {min(new, default=float('nan')):.2f} s "
            "after the switch")


def _is_latin(entry: Entry) -> bool:
    """A search typed in Latin letters (Greeklish) in the pool."""
    q = entry.params.get("q", [""])[0]
    return bool(q) and not any(is_greek(c) for c in q) and any(c.isalpha() for c in q)


def generated_sources(workdir: Path, size: int) -> tuple[Path, Path]:
    """`size` generated announcements, and an overlapping set: the first 10% left out, 10% new ones added."""
    first, second = workdir / f"a-{size}.jsonl", workdir / f"b-{size}.jsonl"
    if not (first.exists() and second.exists()):
        extra = size // 10
        lines = ensure_corpus(size + extra).read_text(encoding="utf-8").splitlines(keepends=True)
        first.write_text("".join(lines[:size]), encoding="utf-8")
        second.write_text("".join(lines[extra:]), encoding="utf-8")
    return first, second


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60.0)
    data = parser.add_mutually_exclusive_group()
    data.add_argument("--size", type=int, default=10_000, help="generated announcements to index (default 10000)")
    data.add_argument("--sources", type=Path, nargs="+", help="index these sources instead")
    data.add_argument("--index", type=Path, help="serve this existing index")
    parser.add_argument("--during-reindex", action="store_true")
    parser.add_argument("--reindex-sources", type=Path, nargs="+",
                        help="what the reindex indexes (default with --size: the overlapping generated set)")
    parser.add_argument("--reindex-after", type=float, default=5.0, help="seconds of load before the reindex starts")
    parser.add_argument("--kill-server", action="store_true")
    parser.add_argument("--threads", type=int, help="waitress threads (default: serve's own)")
    parser.add_argument("--pool", type=int, default=300, help="distinct requests to draw from")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, help="keep generated sources and the index here (default: a temp dir)")
    args = parser.parse_args(argv)
    if args.index and args.during_reindex and not args.reindex_sources:
        parser.error("--during-reindex on an existing --index needs --reindex-sources")
    return args


def prepare(args: argparse.Namespace, workdir: Path) -> tuple[Path, list[Path] | None]:
    """The index to serve (built when it holds none) and the sources a reindex under load indexes."""
    index, sources, reindex_sources = args.index, args.sources, args.reindex_sources
    if index is None:
        if sources is None:
            first, second = generated_sources(workdir, args.size)
            sources, reindex_sources = [first], reindex_sources or [second]
        index = workdir / "index"
    store = IndexStore(index)
    if store.current_generation() is None:
        if sources is None:
            sys.exit(f"{index} holds no index")
        started = time.monotonic()
        build_index(sources, index)
        print(f"built the index from {', '.join(map(str, sources))} in {time.monotonic() - started:.1f} s")
    elif reindex_sources and sources and \
            set(store.origins(store.current_generation())) == {str(p.resolve()) for p in reindex_sources}:
        reindex_sources = sources  # a reused workdir whose last reindex went live: switch back
    return index, reindex_sources


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="dimos-load-") as temporary:
        workdir = args.workdir or Path(temporary)
        workdir.mkdir(parents=True, exist_ok=True)
        index, reindex_sources = prepare(args, workdir)
        before = SearchService(IndexStore(index)).health().as_json()
        print(f"index: {before['documents']:,} documents, generation {before['generation']}")
        pool = request_pool(index, args.pool, args.seed)
        kinds = Counter(e.kind for e in pool)
        print(f"pool: {len(pool)} requests ({', '.join(f'{k} {kinds[k]}' for k in KINDS)}), seed {args.seed}")
        reindex_status = 0
        with Server(index, workdir / "serve.log", threads=args.threads) as server:
            # Build the generation's caches (facet maps, Greeklish vocabulary) before the clock starts.
            for entry in pool[:20]:
                server.get(entry.path)
            load = Load(server.port, pool, args.clients, args.seed)
            print(f"load: {args.clients} clients for {args.seconds:.0f} s on http://{HOST}:{server.port}/, "
                  f"load average {os.getloadavg()[0]:.2f}", flush=True)
            load.start()
            deadline = load.started + args.seconds
            if args.kill_server:
                time.sleep(args.seconds / 2)
                killed = time.monotonic()
                server.kill()
                restart = server.start()
                load.outages.append((killed, time.monotonic()))
                print(f"server SIGKILLed at {killed - load.started:.1f} s of load; serving again after {restart:.2f} s")
            if args.during_reindex:
                time.sleep(max(0.0, load.started + args.reindex_after - time.monotonic()))
                started = time.monotonic()
                process = start_reindex(reindex_sources, index)
                out, err = process.communicate()
                reindex_status = process.returncode
                # CURRENT's mtime is when the reindex switched it (wall clock, turned into monotonic time).
                load.switched = time.monotonic() - (time.time() - (index / POINTER).stat().st_mtime)
                print(f"reindex of {', '.join(map(str, reindex_sources))} from {started - load.started:.1f} s of "
                      f"load on: status {reindex_status}, {time.monotonic() - started:.1f} s")
                print("\n".join(line for line in (out + err).splitlines()
                                if line.startswith(("Full", "Elapsed", "Index", "Error"))))
                deadline = max(deadline, time.monotonic() + AFTER_REINDEX_SECONDS)
            time.sleep(max(0.0, deadline - time.monotonic()))
            load.stop()
        verdict = judge(load, index)
        after = SearchService(IndexStore(index)).health().as_json()
        print(f"load average {os.getloadavg()[0]:.2f} at the end")
        print(report(verdict))
        lost = False
        if args.kill_server:
            lost = not args.during_reindex and (after["generation"], after["documents"]) != \
                (before["generation"], before["documents"])
            print(f"failed while the server was down (expected): {verdict.outage_failures}; after the restart: "
                  f"{after['documents']:,} documents in {after['generation']} "
                  f"({'LOST: not' if lost else 'the same as'} before the kill)")
        return 1 if verdict.error_count or reindex_status or lost else 0


if __name__ == "__main__":
    sys.exit(main())
