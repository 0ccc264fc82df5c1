"""Slow clients cannot take the server (issue 12): 200 idle or trickling connections from one client,
and a real `dimos-search serve` still answers /health and a cheap search."""
from __future__ import annotations

import http.client
import socket
import subprocess
import sys
import time

import pytest

from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.slow  # a real server

# What a loaded CI machine may take to answer once; the unfixed server made /health wait 49 s.
ANSWER_SECONDS = 10
IDLE = 200


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server(seed_store):
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "web.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
                                "--index", str(seed_store.root)], cwd=PROJECT_ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert "Serving dimos-search" in process.stdout.readline()
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    yield port
    process.kill()
    process.wait()


def get(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=ANSWER_SECONDS)
    connection.request("GET", path)
    return connection.getresponse().status


def test_two_hundred_half_requests_do_not_block_health_or_a_search(server):
    sockets = []
    try:
        for _ in range(IDLE):
            client = socket.create_connection(("127.0.0.1", server), timeout=5)
            client.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # half a request, never finished
            sockets.append(client)
        time.sleep(1)  # let the server accept them all
        assert get(server, "/health") == 200
        assert get(server, "/api/search?q=%CE%A7%CE%B1%CE%BD%CE%AF%CF%89%CE%BD") == 200
        for client in sockets:  # trickling: one more header line each, as the clients did
            client.sendall(b"X-Slow: 1\r\n")
        assert get(server, "/health") == 200
    finally:
        for client in sockets:
            client.close()
