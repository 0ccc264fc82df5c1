"""HTTP caching and sharing of the read-only answers: validators tied to the index generation, CORS.

An answer (a search, a feed, an export) changes only when the live index generation does, so
the generation is the validator: the ETag names the generation and the request, Last-Modified
is when that generation went live (the mtime of CURRENT, so a rollback counts as a change too),
and a matching If-None-Match, or an If-Modified-Since not older than it, gets 304 without a search.
`conditional_get` is that path for the routes that parse a search first (the API, a facet's listing,
the feed, the export), so their 400s, 304s and validators cannot drift apart.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from flask import Response, current_app, g, request

from search.backend import Backend
from search.request import InvalidRequest

from .errors import error_response
from .state import GENERATION_HEADER, get_engine, get_service

Parsed = TypeVar("Parsed")


@dataclass(frozen=True)
class Validators:
    """What a cache compares: the ETag and the Last-Modified time of one answer."""

    etag: str
    last_modified: dt.datetime
    # Weak when equal answers may differ in bytes (the API's took_ms), as RFC 9110 8.8.1 asks.
    weak: bool = False

    def not_modified(self) -> bool:
        """True when the request's If-None-Match (weak comparison, RFC 9110 13.1.2) or
        If-Modified-Since already has this answer."""
        if request.if_none_match:
            return request.if_none_match.contains_weak(self.etag)
        since = request.if_modified_since
        return since is not None and self.last_modified.replace(microsecond=0) <= since

    def apply(self, response: Response) -> Response:
        response.set_etag(self.etag, weak=self.weak)
        response.last_modified = self.last_modified
        return response


def validators(generation: str, variant: str, weak: bool = False) -> Validators:
    """The validators of `variant` (a path and query) as answered by index `generation`."""
    digest = hashlib.sha256(f"{generation}\n{variant}".encode("utf-8")).hexdigest()[:32]
    return Validators(etag=digest, last_modified=get_service().went_live(generation), weak=weak)


def allow_any_origin(response: Response) -> Response:
    """CORS for a public, read-only GET answer: any page may read it, and the validators and generation."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = f"ETag, Last-Modified, {GENERATION_HEADER}"
    return response


def not_modified_response(tags: Validators) -> Response:
    return tags.apply(current_app.response_class(status=304))


def conditional_get(parse: Callable[[], Parsed], answer: Callable[[Backend, Parsed, Validators], Response],
                    weak: bool = False) -> Response:
    """The one path of a cached GET (the API's search, a facet's listing, a feed, an export): `parse` the
    request, a 400 "invalid_parameter" when it cannot; then a 304 when the client has this generation's
    answer already, else `answer` (given the engine, the parsed request and the validators) with them.

    The request is parsed before the engine is asked for, so a bad parameter is a 400 that needs no index
    (and names no generation, unless a filter value had to be resolved against it: web/links.py);
    `weak` as for `validators`."""
    try:
        parsed = parse()
    except InvalidRequest as error:
        return error_response(400, "invalid_parameter", error.message, error.message_el, error.parameter)
    engine = get_engine()  # names the answering generation: g.index_generation
    tags = validators(g.index_generation, request.full_path, weak=weak)
    if tags.not_modified():
        return not_modified_response(tags)
    return tags.apply(answer(engine, parsed, tags))
