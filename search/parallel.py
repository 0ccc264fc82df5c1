"""An ordered map over forked worker processes, for the per-document steps of a large reindex.

A full reindex spends most of its time in pure Python per document: ingestion
(cleaning, entity extraction) and near-duplicate signatures in the reindexing
process, analysis and posting writes in Whoosh's writer processes.  Run one after
the other in one process, the first two held the reindex at one core while the
writers waited (docs/reindex.md has the figures).  `ordered_map` runs such a step
in worker processes and yields its results in the order of its inputs, so what a
reindex writes does not depend on how many processes computed it.

Workers are forked, not spawned: the function (and whatever it holds, such as
the display forms ingestion learned in a first pass) is inherited, not pickled,
and so is the interpreter's string-hash secret, on which the near-duplicate
content hashes depend.  Only inputs and results cross between processes.
"""
from __future__ import annotations

import itertools
import multiprocessing
import os
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

In = TypeVar("In")
Out = TypeVar("Out")

# Worker processes: the machine's two cores (a reindex's own process and Whoosh's writers share them).
WORKERS = min(2, os.cpu_count() or 1)
# Items mapped in this process before any worker starts: a run this small ends before workers would
# have started (forking and warming a worker's caches cost more than its share of 2,000 documents).
SERIAL_FIRST = 2000
# Items sent to a worker at a time: one pickle round trip costs ~0.1 ms, a document's ingestion ~4 ms.
CHUNK = 64
# Chunks in flight per worker: enough that a worker never waits for the next, few enough that the
# inputs read ahead stay a few hundred documents.
CHUNKS_AHEAD = 2

_function: Callable | None = None


def _install(function: Callable) -> None:
    global _function
    _function = function


def _run_chunk(chunk: list) -> tuple[list, Exception | None]:
    """The chunk's results up to the first item that raised, and what it raised."""
    results = []
    try:
        for item in chunk:
            results.append(_function(item))
    except Exception as error:  # noqa: BLE001 - raised again in the caller's process, at the item's turn
        return results, error
    return results, None


def _results(pending: deque[Future]) -> Iterator:
    """The oldest chunk's results, then what its item raised, if one did."""
    results, error = pending.popleft().result()
    yield from results
    if error is not None:
        raise error


def ordered_map(function: Callable[[In], Out], items: Iterable[In], *, processes: int,
                serial_first: int = 0) -> Iterator[Out]:
    """`map(function, items)`, past the first `serial_first` items in `processes` forked workers (0: here).

    The first items are mapped here: a small run (the seeds, a test's documents) ends before
    workers would have started, and never forks.  One worker is a pipeline stage: it maps every
    item after those, in order, so a `function` that remembers what it saw (it starts from what
    this process had seen, inherited at the fork) gives what it would have given here.  Two or
    more share the items out by chunks, for a function of its item alone.  `function` must not
    raise; an exception in a worker is raised here, at the item's turn, and a worker that dies
    (killed, out of memory) raises BrokenProcessPool here instead of leaving the map waiting.
    """
    items = iter(items)
    if processes <= 0:
        yield from map(function, items)
        return
    yield from map(function, itertools.islice(items, serial_first))
    chunks = iter(lambda: list(itertools.islice(items, CHUNK)), [])
    first = next(chunks, None)
    if first is None:
        return
    pool = ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork"),
                               initializer=_install, initargs=(function,))
    try:
        pending = deque([pool.submit(_run_chunk, first)])
        for chunk in chunks:
            pending.append(pool.submit(_run_chunk, chunk))
            if len(pending) >= processes * CHUNKS_AHEAD:
                yield from _results(pending)
        while pending:
            yield from _results(pending)
    finally:
        pool.shutdown(cancel_futures=True)
