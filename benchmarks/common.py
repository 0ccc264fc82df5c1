"""What the timing benchmarks share: the median of repeated runs of one action.

A median, not a mean or a minimum: on the loaded 2-core machine these scripts run on, one run in a few is
slowed by another process, and the median of 5 ignores it without hiding a steady cost.  Each script
prints its figure beside a peer timed the same way in the same run, so the ratio stays comparable
across machines.
"""
from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_ms(action: Callable[[], object], runs: int) -> float:
    """The median wall time of `runs` calls of `action`, in milliseconds."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000
