"""`dimos-search serve`'s HTTP server: waitress, with one change to how it treats a full house.

Waitress reads requests in one asyncore loop and hands only complete ones to its threads, so a
connection that sent half a request, or trickles a header line every few seconds, costs a socket and
nothing else -- but it holds one of `connection_limit` slots for as long as it is not silent for
`channel_timeout`.  When every slot is taken waitress stops calling accept(): every new connection,
/health included, waits in the kernel's listen backlog behind the slow ones (issue 12: 100 idle
connections made /health wait 49 s, 110 trickling ones kept it from answering at all).

`SheddingServer` keeps accepting instead: at the limit it closes the oldest connections that have no
request being answered and no answer being sent (idle keep-alives, half-sent requests), so one client
cannot fill the server however many connections it opens.  A request that is complete is never cut,
and the newest connections -- a browser that has just connected and is sending its request -- go last.
benchmarks/slow_clients.py prints the figures; docs/deployment.md says what a proxy adds in front.
"""
from __future__ import annotations

import logging
from operator import attrgetter
from typing import Any

from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import MultiSocketServer, TcpWSGIServer
from waitress.task import ThreadedTaskDispatcher

# At the limit, close this share of it at once (100 of 1,000), so a flood of new connections is let in
# by batches rather than one accept() per scan of every connection.
SHED_SHARE = 0.1


class SheddingServer(TcpWSGIServer):
    """A waitress TCP server that makes room at the connection limit instead of no longer accepting."""

    def readable(self) -> bool:
        if self.accepting:
            self.shed()
        return super().readable()

    def shed(self) -> int:
        """Mark the oldest connections with nothing in progress to be closed when the open ones, less
        those already closing, reach the limit; returns how many were marked."""
        if len(self._map) < self.adj.connection_limit:  # the common case, checked once per loop turn
            return 0
        channels = [c for c in self._map.values() if isinstance(c, HTTPChannel)]
        closing = sum(1 for c in channels if c.will_close)
        if len(self._map) - closing < self.adj.connection_limit:
            return 0
        waiting = sorted((c for c in channels if not (c.will_close or c.requests or c.total_outbufs_len)),
                         key=attrgetter("creation_time"))
        victims = waiting[:max(1, int(self.adj.connection_limit * SHED_SHARE))]
        for channel in victims:
            channel.will_close = True  # closed by the loop at its next turn, as waitress's own timeout does
        if victims:
            self.logger.warning("connection limit %d reached: closing the %d oldest connections with no "
                                "request in progress", self.adj.connection_limit, len(victims))
        return len(victims)


def create_server(app: Any, **settings: Any) -> SheddingServer | MultiSocketServer:
    """What `waitress.create_server` builds for TCP listeners, with `SheddingServer` for each."""
    adj = Adjustments(**settings)
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(adj.threads)
    channels: dict[int, Any] = {}
    servers = [SheddingServer(app, channels, dispatcher=dispatcher, adj=adj, sockinfo=info) for info in adj.listen]
    if len(servers) == 1:
        return servers[0]
    return MultiSocketServer(channels, adj, [(s.effective_host, s.effective_port) for s in servers], dispatcher,
                             servers[0].log_info)


def serve(app: Any, **settings: Any) -> None:
    """Serve `app` until interrupted; waitress's own warnings (the limit reached) go to standard error."""
    logging.basicConfig()
    create_server(app, **settings).run()
