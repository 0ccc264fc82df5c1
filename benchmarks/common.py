"""What the timing benchmarks share: the median of repeated runs of one action, a free port.

A median, not a mean or a minimum: on the loaded 2-core machine these scripts run on, one run in a few is
slowed by another process, and the median of 5 ignores it without hiding a steady cost.  Each script
prints its figure beside a peer timed the same way in the same run, so the ratio stays comparable
across machines.
"""
from __future__ import annotations

import socket
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


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port on `host` that nothing listens on now, for a server the benchmark starts."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]
