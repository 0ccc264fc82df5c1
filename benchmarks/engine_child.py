"""One engine's build or query run, in a process of its own (started by benchmarks/speed.py).

    python benchmarks/engine_child.py build ENGINE CORPUS.jsonl INDEX_DIR RESULT.json
    python benchmarks/engine_child.py query ENGINE INDEX_DIR QUERIES.json PASSES RESULT.json
    python benchmarks/engine_child.py baseline RESULT.json

A process per run gives every engine a clean heap, and the kernel its peak
memory (speed.py reads it with wait4).  This module imports only the engines,
so that peak is the engine's, not the generator's or the ingestion's;
`baseline` imports the same and does nothing, for comparison.
"""
from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.engines import BenchDocument, BenchQuery, load_queries, make_engine, read_documents  # noqa: E402


def build(engine_name: str, corpus: Path, index: Path) -> dict:
    """Build the engine's index from the corpus: documents, seconds, and the analysis share."""
    engine = make_engine(engine_name)
    count = 0

    def counted() -> Iterator[BenchDocument]:
        nonlocal count
        for document in read_documents(corpus):
            count += 1
            yield document

    started = time.perf_counter()
    engine.build(counted(), index)
    seconds = time.perf_counter() - started
    engine.close()
    return {"documents": count, "seconds": seconds, "analysis_seconds": engine.analysis_seconds}


def timed_passes(search: Callable[[BenchQuery], int], queries: Sequence[BenchQuery], passes: int) -> dict:
    """Warm the engine's caches with one query of each kind and variant, then time `passes` passes
    over the mix (milliseconds per query and pass), keeping each query's number of matches."""
    warmed: set[tuple] = set()
    for query in queries:
        variant = (query.kind, tuple(query.filters()), query.facets)
        if variant not in warmed:
            warmed.add(variant)
            search(query)
    totals: list[int] = []
    latencies: list[list[float]] = [[] for _ in queries]
    for _ in range(passes):
        for i, query in enumerate(queries):
            started = time.perf_counter()
            total = search(query)
            latencies[i].append((time.perf_counter() - started) * 1000)
            if len(totals) < len(queries):
                totals.append(total)
    return {"totals": totals, "latencies_ms": latencies}


def query(engine_name: str, index: Path, queries_path: Path, passes: int) -> dict:
    engine = make_engine(engine_name)
    engine.open(index)
    result = timed_passes(lambda q: engine.search(q).total, load_queries(queries_path), passes)
    engine.close()
    return result


def main(argv: list[str]) -> int:
    command, *args = argv
    if command == "build":
        name, corpus, index, out = args
        result = build(name, Path(corpus), Path(index))
    elif command == "query":
        name, index, queries_path, passes, out = args
        result = query(name, Path(index), Path(queries_path), int(passes))
    elif command == "baseline":
        (out,) = args
        result = {}
    else:
        raise SystemExit(__doc__)
    Path(out).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
