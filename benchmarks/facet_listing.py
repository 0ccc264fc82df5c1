"""What a facet's all-values listing and a forgiving filter value cost, beside the search they count over.

    python3 benchmarks/facet_listing.py [--index DIR] [--repeat 21]

Builds an index of ../shared/data/diavgeia-decisions.jsonl and seeds/ with `dimos-search reindex`
(or uses the one --index names) and asks the JSON API, with Flask's test client, each request
`--repeat` times.  Prints the median milliseconds of each and its ratio to `/api/search?q=απόφαση`
measured in the same run (the peer: a listing counts over that search's documents, and a filter
value is resolved before it).  Figures vary with the machine's load; the ratios less so.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from click.testing import CliRunner  # noqa: E402

from web import create_app  # noqa: E402
from web.cli import main  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DECISIONS = ROOT.parent / "shared" / "data" / "diavgeia-decisions.jsonl"
PEER = "/api/search?q=απόφαση"
REQUESTS = [
    PEER,
    "/api/facets/municipality?q=απόφαση",
    "/api/facets/municipality?q=απόφαση&filter=rod",
    "/api/facets/municipality?filter=chania",
    "/api/facets/official?q=απόφαση",
    "/api/facets/official?q=απόφαση&filter=vlas",
    "/api/facets/year",
    "/api/search?q=απόφαση&municipality=Δήμος Ρόδου",
    "/api/search?q=απόφαση&municipality=rodos",
    "/api/search?q=απόφαση&municipality=ΔΗΜΟΣ ΡΟΔΟΥ",
]


def build_index(directory: Path) -> None:
    result = CliRunner().invoke(main, ["reindex", str(DECISIONS), str(ROOT / "seeds"), "--index", str(directory)])
    if result.exit_code != 0:
        raise SystemExit(f"reindex failed:\n{result.output}")


def median_ms(client, url: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url}: {response.status_code} {response.get_data(as_text=True)[:300]}")
    return statistics.median(times)


def main_(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, help="an index to use instead of building one")
    parser.add_argument("--repeat", type=int, default=21)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        index = args.index or Path(scratch) / "index"
        if args.index is None:
            build_index(index)
        client = create_app({"INDEX_DIR": index, "TESTING": True}).test_client()
        client.get(PEER)  # opens the engine; the vocabulary is read in the background
        figures = {url: median_ms(client, url, args.repeat) for url in REQUESTS}
    peer = figures[PEER]
    print(f"median of {args.repeat} requests each, ms (ratio to {PEER})")
    for url, ms in figures.items():
        print(f"{ms:8.1f}  {ms / peer:5.2f}x  {url}")


if __name__ == "__main__":
    main_()
