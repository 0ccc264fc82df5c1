"""All benchmarks at one size: the generated corpus, speed, search quality; tables to benchmarks/results/.

    python benchmarks/run.py --size 10000 [--seed 7] [--passes 2] [--http-passes 1]

Generates the corpus if it is not in benchmarks/.cache/ yet, runs
benchmarks/speed.py's measurements, then benchmarks/quality.py (when present)
as `python benchmarks/quality.py --out DIR`, and writes everything as Markdown to
benchmarks/results/SIZE.md (and prints it), headed by the date, the machine and
the exact command; the raw figures go to benchmarks/results/SIZE.json.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shlex
import sqlite3
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.generate import DEFAULT_SEED, default_path, ensure_corpus  # noqa: E402
from benchmarks.speed import DEFAULT_PASSES, HTTP_PASSES, report, run_speed, save_raw  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
QUALITY = Path(__file__).resolve().parent / "quality.py"
PACKAGES = ("whoosh-reloaded", "PyStemmer", "Unidecode", "Flask", "waitress", "tantivy")


def _first_line(path: str, key: str) -> str:
    try:
        with open(path, encoding="utf-8") as lines:
            return next((line.split(":", 1)[1].strip() for line in lines if line.startswith(key)), "unknown")
    except OSError:
        return "unknown"


def machine() -> str:
    """CPU, cores, memory, OS, Python and the versions of the packages measured."""
    memory = _first_line("/proc/meminfo", "MemTotal")
    if memory.endswith(" kB"):
        memory = f"{int(memory[:-3]) / 1024 ** 2:.1f} GiB"
    versions = []
    for package in PACKAGES:
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package} (not installed)")
    return "\n".join([
        f"- CPU: {_first_line('/proc/cpuinfo', 'model name')}, {os.cpu_count()} cores; memory {memory}",
        f"- OS: {platform.platform()}",
        f"- Python {platform.python_version()}; SQLite {sqlite3.sqlite_version}; " + ", ".join(versions),
    ])


def quality_section(size: int) -> str:
    """benchmarks/quality.py's tables, when that script exists."""
    if not QUALITY.exists():
        return "## Search quality\n\nbenchmarks/quality.py is not in this checkout: not run."
    out = RESULTS / f"quality-{size}"
    out.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, str(QUALITY), "--out", str(out)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        return (f"## Search quality\n\n`{shlex.join(command)}` failed (exit status {done.returncode}):\n\n"
                f"```\n{done.stderr[-3000:]}\n```")
    tables = [path.read_text(encoding="utf-8") for path in sorted(out.glob("*.md"))]
    return "\n\n".join(tables) if tables else done.stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, required=True, help="generated documents")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--passes", type=int, default=DEFAULT_PASSES, help="timed passes over the query mix")
    parser.add_argument("--http-passes", type=int, default=HTTP_PASSES, help="timed passes over HTTP")
    parser.add_argument("--skip-quality", action="store_true", help="do not run benchmarks/quality.py")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    begun = dt.datetime.now(dt.timezone.utc)
    load_before = os.getloadavg()
    existed = default_path(args.size, args.seed).exists()
    corpus = ensure_corpus(args.size, args.seed)
    generated = time.perf_counter() - started
    speed = run_speed(args.size, args.seed, passes=args.passes, http_passes=args.http_passes)
    sections = [report(speed)]
    if not args.skip_quality:
        sections.append(quality_section(args.size))
    elapsed = time.perf_counter() - started
    command = "python benchmarks/run.py " + shlex.join(sys.argv[1:] if argv is None else argv)
    corpus_note = "reused from an earlier run" if existed else f"generated in {generated:.0f} s"
    header = "\n".join([
        f"# dimos-search benchmarks at {args.size:,} documents",
        "",
        f"- Date: {begun:%Y-%m-%d %H:%M} UTC; command: `{command}`; wall time {elapsed / 60:.1f} min",
        f"- Corpus: `{corpus.relative_to(ROOT)}` ({corpus.stat().st_size / 1e6:.1f} MB, {corpus_note})",
        f"- Load average (1 min) at start {load_before[0]:.1f}, at end {os.getloadavg()[0]:.1f}",
        machine(),
    ])
    text = "\n\n".join([header, *sections]) + "\n"
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{args.size}.md").write_text(text, encoding="utf-8")
    save_raw(speed, RESULTS / f"{args.size}.json")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
