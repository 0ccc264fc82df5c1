"""One line per request in the Common Log Format, for `dimos-search serve`.

waitress logs no requests of its own; this WSGI middleware writes, when the answer has
been sent, the line Apache and nginx write by default, so the usual tools (goaccess,
awk, fail2ban) read it:

    127.0.0.1 - - [01/Dec/2026:22:40:01 +0000] "GET /?q=%CE%B4 HTTP/1.1" 200 5120

The path is logged as sent (percent-encoded), so a line never holds raw Greek or a newline.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import quote

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
LOGGER_NAME = "dimos_search.access"


def access_logger(path: str | None) -> logging.Logger:
    """A logger writing bare lines to `path` (appending), or to stderr when `path` is None."""
    logger = logging.getLogger(LOGGER_NAME)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()
    handler = logging.FileHandler(path, encoding="utf-8") if path else logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(handler)
    return logger


# What stays as it is in a logged path: RFC 3986's reserved and unreserved characters and '%'.
_URL_SAFE = "/?&=;:@+$,%-._~!*'()[]"


def _request_line(environ: dict[str, Any]) -> str:
    """METHOD /path?query PROTOCOL, percent-encoded as on the wire (WSGI strings are bytes as Latin-1)."""
    query = environ.get("QUERY_STRING", "")
    target = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "") + (f"?{query}" if query else "")
    return f'{environ.get("REQUEST_METHOD", "-")} {quote(target.encode("latin-1"), safe=_URL_SAFE)} ' \
           f'{environ.get("SERVER_PROTOCOL", "-")}'


class AccessLog:
    """Wraps a WSGI app; logs each request once its body has been sent (or the client went away)."""

    def __init__(self, app: WSGIApp, logger: logging.Logger):
        self.app = app
        self.logger = logger

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterator[bytes]:
        status: list[str] = []

        def recording_start_response(status_line: str, headers: list, *args: Any) -> Any:
            status[:] = [status_line.split(" ", 1)[0]]
            return start_response(status_line, headers, *args)

        sent = 0
        body = self.app(environ, recording_start_response)
        try:
            for chunk in body:
                sent += len(chunk)
                yield chunk
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
            self.logger.info(self.line(environ, status[0] if status else "-", sent))

    @staticmethod
    def line(environ: dict[str, Any], status: str, sent: int) -> str:
        now = dt.datetime.now(dt.timezone.utc).astimezone()
        user = environ.get("REMOTE_USER") or "-"
        return (f'{environ.get("REMOTE_ADDR", "-")} - {user} [{now:%d/%b/%Y:%H:%M:%S %z}] '
                f'"{_request_line(environ)}" {status} {sent if sent else "-"}')
