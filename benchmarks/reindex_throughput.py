"""Full-rebuild throughput on real law articles: single-process writer vs Whoosh's procs=2.

    python benchmarks/reindex_throughput.py [--laws PATH] [--limit N] [--runs 3]

Prints docs/s (median of the runs) for each writer and the procs=2 / procs=1 ratio;
docs/reindex.md records the figures this machine gave.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.corpus import law_articles  # noqa: E402
from search.backend.whoosh.writer import write_documents  # noqa: E402

DEFAULT_LAWS = Path(__file__).resolve().parents[2] / "shared" / "data" / "greek-laws-2023-2024.jsonl"


def docs_per_second(documents: list, procs: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        count = write_documents(Path(tmp) / "ix", documents, procs=procs)
        return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--laws", type=Path, default=DEFAULT_LAWS)
    parser.add_argument("--limit", type=int, default=4000, help="articles to index (0: all)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not args.laws.exists():
        sys.exit(f"{args.laws} is absent: the benchmark needs the real laws of ../shared/data")
    documents = list(law_articles(args.laws))
    if args.limit:
        documents = documents[: args.limit]
    chars = sum(len(d.body) for d in documents)
    print(f"{len(documents)} law articles, {chars / 1e6:.1f} M characters, {args.runs} runs each")
    rates = {}
    for procs in (1, 2):
        runs = [docs_per_second(documents, procs) for _ in range(args.runs)]
        rates[procs] = statistics.median(runs)
        print(f"procs={procs}: {rates[procs]:.0f} docs/s (median; runs {', '.join(f'{r:.0f}' for r in runs)})")
    print(f"procs=2 / procs=1 = {rates[2] / rates[1]:.2f}")


if __name__ == "__main__":
    main()
