"""The Atom feed of a search: an alert a journalist adds to her feed reader.

`GET /feeds/search.atom` takes the search page's parameters (words, municipality, official,
from, to) and answers its newest FEED_ENTRIES results, newest first, whatever the sort
asked for: a feed is read for what is new.  The feed is built from the same answer the
API returns (`GET /api/search`), so a feed entry and a search result cannot disagree.

A feed reader polls: web/caching.py's validators, tied to the index generation, answer it
304 until a reindex or a rollback changes the index.
"""
from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from typing import Any

from flask import Blueprint, Response, request, url_for

from search.answers import Hit, SearchAnswer
from search.backend import Backend
from search.request import SearchRequest

from .caching import Validators, allow_any_origin, conditional_get
from .links import SearchLinks, parse_args

bp = Blueprint("feeds", __name__)
# A feed is public and read-only: a web-based feed reader on another origin may fetch it.
bp.after_request(allow_any_origin)

# How many of the newest results a feed carries.  Real decisions come in bursts (of the 1,139
# dated Diavgeia decisions in ../shared/data, up to 286 share one day, over 94 days), more than
# any feed size holds for the unfiltered search; a followed topic or municipality is a small
# part of a burst.  50 entries keep a feed small: 44 KiB for q=απόφαση over those decisions.
FEED_ENTRIES = 50
ATOM = "http://www.w3.org/2005/Atom"
FEED_TYPE = "application/atom+xml; charset=utf-8"
# Characters XML 1.0 cannot carry at all (a scanned document may hold form feeds and the like).
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@bp.get("/feeds/search.atom")
def search_feed() -> Any:
    def feed(engine: Backend, search_request: SearchRequest, tags: Validators) -> Response:
        body = atom_document(search_request, engine.search(search_request), tags.last_modified)
        return Response(body, mimetype="application/atom+xml", content_type=FEED_TYPE)

    return conditional_get(
        lambda: replace(parse_args(request.args), sort="newest", page=1, per_page=FEED_ENTRIES), feed)


def feed_title(search: SearchRequest) -> str:
    words = f"«{search.q}»" if search.q.strip() else "Όλες οι ανακοινώσεις"
    labels = [label for label, _ in SearchLinks(search).active_filters()]
    return " · ".join([words, *labels]) + " — dimos-search"


def _text(parent: ET.Element, tag: str, text: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    element.text = _NOT_XML.sub("", text)
    return element


def _entry_updated(hit: Hit, fallback: dt.datetime) -> str:
    """A dated result is updated at midnight UTC of its date; an undated one when the index went live."""
    if hit.date:
        return f"{hit.date.isoformat()}T00:00:00Z"
    return fallback.isoformat(timespec="seconds")


def atom_document(search: SearchRequest, answer: SearchAnswer, went_live: dt.datetime) -> bytes:
    """An Atom 1.0 feed (RFC 4287) of `answer`'s results, as UTF-8 bytes."""
    ET.register_namespace("", ATOM)
    links = SearchLinks(search)
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "el"})
    page_url = request.host_url.rstrip("/") + links.url()
    feed_url = request.url
    _text(feed, f"{{{ATOM}}}id", feed_url)
    _text(feed, f"{{{ATOM}}}title", feed_title(search))
    _text(feed, f"{{{ATOM}}}subtitle", f"Οι {FEED_ENTRIES} νεότερες ανακοινώσεις δήμων αυτής της αναζήτησης")
    newest = next((hit for hit in answer.results if hit.date), None)
    _text(feed, f"{{{ATOM}}}updated", _entry_updated(newest, went_live) if newest else
          went_live.isoformat(timespec="seconds"))
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, f"{{{ATOM}}}name", "dimos-search")
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "self", "type": "application/atom+xml", "href": feed_url})
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "alternate", "type": "text/html", "href": page_url})
    for hit in answer.results:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        document_url = url_for("pages.document", doc_id=hit.id, _external=True)
        _text(entry, f"{{{ATOM}}}id", document_url)
        _text(entry, f"{{{ATOM}}}title", hit.title or hit.id)
        _text(entry, f"{{{ATOM}}}updated", _entry_updated(hit, went_live))
        ET.SubElement(entry, f"{{{ATOM}}}link", {"rel": "alternate", "type": "text/html", "href": document_url})
        for municipality in hit.municipality:
            ET.SubElement(entry, f"{{{ATOM}}}category", {"term": municipality})
        _text(entry, f"{{{ATOM}}}summary", hit.snippet)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
