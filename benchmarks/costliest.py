"""The costliest request the API allows, alone and from 4 clients at once, beside a cheap search and /health.

    python benchmarks/costliest.py [--index DIR] [--runs 5] [--seconds 10]

Issue 13's case: on the real laws (long bodies), 12 ORs of common words with
per_page=100 took 6-15 s, and four such clients made /health wait 28-40 s.
This script indexes ../shared/data/greek-laws-2023-2024.jsonl with the
operator's `dimos-search reindex` (unless --index is given), serves it with
`dimos-search serve`, and prints:

- the costliest request alone: median and max of --runs;
- the same while 4 clients send it without pause for --seconds: its own
  median, and the median and max of a cheap search and of /health sent
  meanwhile, beside the same two with no load (the peer in the same run).
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import free_port  # noqa: E402
from benchmarks.slow_clients import get, product_command, running  # noqa: E402

LAWS = ROOT.parent / "shared" / "data" / "greek-laws-2023-2024.jsonl"
# Twelve words every law uses, ORed, a hundred results a page: the most work one request may ask.
COMMON_WORDS = ("άρθρο", "νόμος", "υπουργός", "διάταξη", "παράγραφος", "περίπτωση",
                "ισχύ", "απόφαση", "δημόσιο", "υπηρεσία", "ρύθμιση", "εφαρμογή")
COSTLIEST = "/api/search?" + urlencode({"q": " OR ".join(COMMON_WORDS), "per_page": 100})
CHEAP = "/api/search?" + urlencode({"q": "κτηματολόγιο"})
HEALTH = "/health"
CLIENTS = 4


def timed(port: int, path: str) -> float:
    started = time.perf_counter()
    status, _ = get(port, path, timeout=120)
    if status != 200:
        raise RuntimeError(f"{path} answered {status}")
    return (time.perf_counter() - started) * 1000


def figures(samples: list[float]) -> str:
    return f"median {statistics.median(samples):7.1f} ms  max {max(samples):7.1f} ms  (n={len(samples)})"


def under_load(port: int, seconds: float) -> tuple[list[float], list[float], list[float]]:
    """CLIENTS threads sending COSTLIEST without pause; meanwhile the cheap search and /health, in turn."""
    stop = threading.Event()
    costly: list[float] = []

    def client() -> None:
        while not stop.is_set():
            costly.append(timed(port, COSTLIEST))

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    time.sleep(1)  # every client has a request in flight
    cheap, health = [], []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        cheap.append(timed(port, CHEAP))
        health.append(timed(port, HEALTH))
        time.sleep(0.2)
    stop.set()
    for thread in threads:
        thread.join()
    return costly, cheap, health


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, help="an index built already (default: the laws, reindexed now)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        index = args.index
        if index is None:
            index = Path(scratch) / "index"
            subprocess.run([sys.executable, "-m", "web.cli", "reindex", str(LAWS), "--index", str(index)],
                           cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        port = free_port()
        with running(product_command(index, port), port):
            timed(port, COSTLIEST)  # the terms' postings read once, as a busy server has them
            alone = [timed(port, COSTLIEST) for _ in range(args.runs)]
            quiet_cheap = [timed(port, CHEAP) for _ in range(args.runs)]
            quiet_health = [timed(port, HEALTH) for _ in range(args.runs)]
            costly, cheap, health = under_load(port, args.seconds)
    print(f"costliest request ({COSTLIEST[:60]}…), alone:     {figures(alone)}")
    print(f"  the same, {CLIENTS} clients sending it:        {figures(costly)}")
    print(f"cheap search, no load:                          {figures(quiet_cheap)}")
    print(f"cheap search, while {CLIENTS} clients send it:       {figures(cheap)}")
    print(f"/health, no load:                               {figures(quiet_health)}")
    print(f"/health, while {CLIENTS} clients send it:            {figures(health)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
