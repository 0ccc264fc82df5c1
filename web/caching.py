"""HTTP caching and sharing of the read-only answers: validators tied to the index generation, CORS.

An answer (a search, a feed, an export) changes only when the live index generation does, so
the generation is the validator: the ETag names the generation and the request, Last-Modified
is when that generation went live (the mtime of CURRENT, so a rollback counts as a change too),
and a matching If-None-Match, or an If-Modified-Since not older than it, gets 304 without a search.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from flask import Response, current_app, request

from .state import GENERATION_HEADER, get_service


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
