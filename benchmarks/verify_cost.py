"""What a generation's self-check costs on real law articles.

    python benchmarks/verify_cost.py [--laws PATH] [--limit N]

Prints the generation's size, the time of `IndexStore.verify` (SHA-256 of every file, open, count:
paid when a generation is first checked or a file changed) and of `IndexStore.checked` when nothing
changed (a stat of each file: paid by every request); docs/reindex.md records the figures.
"""
from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.corpus import law_articles  # noqa: E402
from search.reindex import Progress, reindex  # noqa: E402
from search.store import IndexStore, directory_size  # noqa: E402

DEFAULT_LAWS = Path(__file__).resolve().parents[2] / "shared" / "data" / "greek-laws-2023-2024.jsonl"


def mean_seconds(action, runs: int) -> float:
    started = time.perf_counter()
    for _ in range(runs):
        action()
    return (time.perf_counter() - started) / runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--laws", type=Path, default=DEFAULT_LAWS)
    parser.add_argument("--limit", type=int, default=1000)
    args = parser.parse_args()
    articles = list(law_articles(args.laws))[:args.limit]
    with tempfile.TemporaryDirectory() as tmp:
        store = IndexStore(Path(tmp) / "index")
        generation = reindex(store, {"laws": articles}, progress=Progress(io.StringIO())).generation
        size = directory_size(store.root / generation)
        full = mean_seconds(lambda: store.verify(generation), 5)
        store.checked(generation)
        cached = mean_seconds(lambda: store.checked(generation), 200)
    print(f"{len(articles)} law articles, generation {size / 1e6:.1f} MB")
    print(f"verify (hash every file, open, count): {full * 1e3:.1f} ms ({size / 1e6 / full:.0f} MB/s)")
    print(f"checked, nothing changed (stat each file): {cached * 1e6:.0f} µs per request")


if __name__ == "__main__":
    main()
