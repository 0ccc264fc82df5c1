"""Slow clients against the real server (issue 12): idle and trickling connections, and what a
cheap request waits meanwhile.

    python benchmarks/slow_clients.py [--connections 200] [--under-limit 95] [--requests 20]
                                      [--trickle-every 13] [--trickle-seconds 40] [--index DIR]
                                      [--server both | "serve before" | "dimos-search serve"]

Builds an index of the seeds (or uses --index), then runs two servers in turn on a free loopback port:

  serve before        the same app and WAITRESS settings but the connection handling `serve` had
                      before issue 12: waitress's default 100 connections, select();
  dimos-search serve  the product, `python -m web.cli serve` (1,000 connections, poll()).

For each one it measures /health and a cheap search (`/api/search?q=δήμαρχος`), N times each on a
fresh connection: with no slow clients (the peer, same run, same server), then with C idle
connections open (each sent half a request and went quiet; first 95, under the old
connection limit, to tell the limit from the thread pool), then with C trickling ones (each sends one
more header line every --trickle-every seconds, so it is never idle), both at once and after
--trickle-seconds of trickling (past the server's channel timeout and cleanup interval).  Beside each
figure: how many slow connections were still open when the last answer came (a non-blocking read:
a server that had closed them to answer would show it).  A request that gets no answer within
REQUEST_TIMEOUT counts as such and ends that measurement.
"""
from __future__ import annotations

import argparse
import contextlib
import http.client
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

from benchmarks.common import free_port  # noqa: E402

HOST = "127.0.0.1"
HEALTH = "/health"
CHEAP_SEARCH = "/api/search?q=" + quote("δήμαρχος")
# The figures: an answer 49 s late (channel_timeout 30 s, checked every 30 s), or none at
# all; past this a request counts as unanswered.
REQUEST_TIMEOUT = 65.0
SERVER_START_TIMEOUT = 60.0
# Half a request: a request line and one header, never the blank line that ends the headers.
HALF_REQUEST = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n"
TRICKLE_LINE = b"X-Slow: 1\r\n"


def product_command(index: Path, port: int) -> list[str]:
    """`dimos-search serve`, run from this checkout (the console script may point elsewhere)."""
    return [sys.executable, "-m", "web.cli", "serve", "--host", HOST, "--port", str(port), "--index", str(index)]


def before_command(index: Path, port: int) -> list[str]:
    """The same app and settings with the connection handling of `serve` before issue 12 (961cc46^):
    waitress's default 100 connections and select()."""
    code = ("import sys, waitress; from web import create_app; from web.cli import WAITRESS; "
            "waitress.serve(create_app({'INDEX_DIR': sys.argv[1]}), host=sys.argv[2], port=int(sys.argv[3]), "
            "**{**WAITRESS, 'connection_limit': 100, 'asyncore_use_poll': False})")
    return [sys.executable, "-c", code, str(index), HOST, str(port)]


SERVERS = {"serve before": before_command, "dimos-search serve": product_command}


def get(port: int, path: str, timeout: float = REQUEST_TIMEOUT) -> tuple[int, bytes]:
    """One GET on a connection of its own: its status and whole body."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@contextlib.contextmanager
def running(command: Sequence[str], port: int, timeout: float = SERVER_START_TIMEOUT) -> Iterator[int]:
    """A server process on `port`, yielded once /health answers 200; killed on exit."""
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{command[:4]} exited with status {process.returncode}")
            try:
                if get(port, HEALTH, timeout=5)[0] == 200:
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{command[:4]} did not answer /health within {timeout:.0f} s") from None
                time.sleep(0.1)
        yield port
    finally:
        process.kill()
        process.wait()


class SlowClients:
    """C connections from this one client, each holding half a request; `trickle()` sends each one
    more header line, as a client that is never idle but never finishes does."""

    def __init__(self, port: int, count: int):
        self.sockets: list[socket.socket] = []
        try:
            for _ in range(count):
                client = socket.create_connection((HOST, port), timeout=10)
                client.sendall(HALF_REQUEST)
                self.sockets.append(client)
        except BaseException:
            self.close()
            raise

    def trickle(self) -> None:
        """One more header line on each one the server has not closed."""
        for client in self.sockets:
            with contextlib.suppress(OSError):
                client.sendall(TRICKLE_LINE)

    def open_states(self) -> list[bool]:
        """Each one, oldest first: still connected?  A non-blocking read of one that is open finds
        nothing to read; of one the server closed, end of file (or a reset)."""
        return [_still_open(client) for client in self.sockets]

    def open_count(self) -> int:
        return sum(self.open_states())

    def close(self) -> None:
        for client in self.sockets:
            client.close()

    def __enter__(self) -> SlowClients:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _still_open(client: socket.socket) -> bool:
    """A peek that cannot wait: on a socket with a timeout, Python polls before any recv, flags or not."""
    timeout = client.gettimeout()
    client.setblocking(False)
    try:
        return client.recv(1, socket.MSG_PEEK) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        client.settimeout(timeout)


@contextlib.contextmanager
def trickling(clients: SlowClients, every: float) -> Iterator[None]:
    """One more header line on every connection each `every` seconds, in a thread, until exit."""
    stop = threading.Event()

    def run() -> None:
        while not stop.wait(every):
            clients.trickle()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


@dataclass
class Figures:
    """Latencies of one path, measured one request after another; `unanswered` ends the series."""

    seconds: list[float]
    unanswered: bool = False
    still_open: int | None = None

    @property
    def median(self) -> float | None:
        return statistics.median(self.seconds) if self.seconds else None

    def line(self, peer: Figures | None) -> str:
        """Median and max, the median's ratio to the peer's (no slow clients), and the open count."""
        if self.median is None:
            text = f"no answer within {REQUEST_TIMEOUT:.0f} s"
        else:
            text = f"median {self.median * 1e3:7.1f} ms, max {max(self.seconds) * 1e3:8.1f} ms ({len(self.seconds)})"
            if peer is not None and peer.median:
                text += f", {self.median / peer.median:5.1f}x the peer's median"
            if self.unanswered:
                text += f", then no answer within {REQUEST_TIMEOUT:.0f} s"
        return text + (f"; slow connections still open: {self.still_open}" if self.still_open is not None else "")


def measure(port: int, path: str, requests: int, clients: SlowClients | None = None) -> Figures:
    figures = Figures([])
    for _ in range(requests):
        started = time.perf_counter()
        try:
            if get(port, path)[0] != 200:
                raise RuntimeError(f"{path} did not answer 200")
        except TimeoutError:
            figures.unanswered = True
            break
        figures.seconds.append(time.perf_counter() - started)
    if clients is not None:
        figures.still_open = clients.open_count()
    return figures


def report(label: str, port: int, requests: int, clients: SlowClients | None = None,
           peer: dict[str, Figures] | None = None) -> dict[str, Figures]:
    """Both paths measured and printed; their figures, to serve as the peer of later rounds."""
    measured = {}
    for path in (HEALTH, CHEAP_SEARCH):
        measured[path] = measure(port, path, requests, clients)
        print(f"  {label:<34} {'/health' if path == HEALTH else 'search δήμαρχος':<16} "
              f"{measured[path].line(peer[path] if peer else None)}", flush=True)
    return measured


def run_server(name: str, command: Sequence[str], port: int, args: argparse.Namespace) -> None:
    print(f"{name}:", flush=True)
    with running(command, port):
        peer = report("no slow clients", port, args.requests)
        with SlowClients(port, args.under_limit) as clients:
            report(f"{args.under_limit} idle", port, args.requests, clients, peer)
        with SlowClients(port, args.connections) as clients:
            report(f"{args.connections} idle", port, args.requests, clients, peer)
        with SlowClients(port, args.connections) as clients, trickling(clients, args.trickle_every):
            report(f"{args.connections} trickling, at once", port, args.requests, clients, peer)
            time.sleep(args.trickle_seconds)
            report(f"{args.connections} trickling, after {args.trickle_seconds:.0f} s", port, args.requests,
                   clients, peer)


def build_seed_index(index: Path) -> None:
    subprocess.run([sys.executable, "-m", "web.cli", "reindex", str(PROJECT_ROOT / "seeds"), "--index", str(index)],
                   cwd=PROJECT_ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--under-limit", type=int, default=95,
                        help="Idle connections in a first round: fewer than the old limit of 100.")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--trickle-every", type=float, default=13.0)
    parser.add_argument("--trickle-seconds", type=float, default=40.0)
    parser.add_argument("--server", choices=["both", *SERVERS], default="both")
    parser.add_argument("--index", type=Path, help="An existing index (default: the seeds, built in a temporary folder).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        index = args.index or Path(tmp) / "index"
        if args.index is None:
            build_seed_index(index)
        for name, command in SERVERS.items():
            if args.server not in ("both", name):
                continue
            port = free_port(HOST)
            run_server(name, command(index, port), port, args)


if __name__ == "__main__":
    main()
