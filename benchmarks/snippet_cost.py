"""What one snippet costs on the longest real law against a short real announcement.

    python benchmarks/snippet_cost.py [--laws PATH] [--decisions PATH] [--runs N]

For each query shape (a common word matched at once, a word first matched deep in the text, a word
the body never holds: a title-only match), prints the median time of `search.highlight.snippet` over
the longest law body of ../shared/data/greek-laws-2023-2024.jsonl and over the real Diavgeia
decision closest to 3,000 characters, and their ratio.  The snippet is computed per result shown, so with per_page=100 of laws
this is paid a hundred times per request.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from search.highlight import highlighter, snippet  # noqa: E402
from search.querylang import parse_query  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
# The peer: a real decision of about this length (a typical 3 KB announcement).
ANNOUNCEMENT_CHARS = 3_000


def bodies(path: Path) -> list[str]:
    with open(path, encoding="utf-8") as lines:
        return [body for line in lines if line.strip() and (body := json.loads(line).get("body"))]


def median_ms(text: str, q: str, runs: int) -> float:
    matches = highlighter(parse_query(q))
    snippet(text, matches)  # folding and stemming caches warm, as in a running server
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        snippet(text, matches)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--laws", type=Path, default=DATA / "greek-laws-2023-2024.jsonl")
    parser.add_argument("--decisions", type=Path, default=DATA / "diavgeia-decisions.jsonl")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    law = max(bodies(args.laws), key=len)
    short = min(bodies(args.decisions), key=lambda body: abs(len(body) - ANNOUNCEMENT_CHARS))
    head = law[:len(law) * 9 // 10]
    deep = next(w for w in law[len(head):].split() if w.isalpha() and len(w) >= 8 and w not in head)
    shapes = {"common word (άρθρο)": "άρθρο", f"word deep in the law ({deep})": deep,
              "no match in the body (title only)": "ζζζζζζ"}
    print(f"longest law: {len(law):,} characters; decision: {len(short):,} characters; "
          f"median of {args.runs} runs")
    for name, q in shapes.items():
        long_ms, short_ms = median_ms(law, q, args.runs), median_ms(short, q, args.runs)
        print(f"{name:48} law {long_ms:8.2f} ms   decision {short_ms:6.2f} ms   ratio {long_ms / short_ms:7.1f}x")


if __name__ == "__main__":
    main()
