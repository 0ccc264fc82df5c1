"""Search-as-you-type: `GET /api/complete?q=` completes the last, partly typed word of q.

From the index's own words (the `exact` field: folded, not stemmed, so «ΔΙΑΚ» or «διάκ» completes
to «διακυβερνησης»; a Latin prefix also through search.completion's Greeklish keys, «diakyv» to the
same word) and from its municipalities' and people's names, matched by any word in Greek or in Latin
letters (ELOT 743, as their slugs: «chan» finds «Δήμος Χανίων»).  Small and cheap: one run of the
sorted term dictionary, one of the Greeklish keys, and one pass over the names.  Words are answered
folded (no accents): the search is accent-blind, and the documents' own spelling would need their
texts read.  web/static/complete.js offers the answers under the search box; without JavaScript
nothing is lost.
"""
from __future__ import annotations

import threading
from typing import Any
from weakref import WeakKeyDictionary

from flask import Blueprint, Response, jsonify, request

from search.analysis import fold_text
from search.answers import Completion, CompletionAnswer
from search.backend.whoosh.engine import SearchEngine
from search.completion import GreeklishPrefixes
from search.greeklish import final_sigma, is_latin_word
from search.request import MAX_QUERY_CHARS, InvalidRequest, check_parameter_names

from .errors import error_response
from .caching import allow_any_origin
from .entities import directory
from .links import entity_url
from .state import get_engine

bp = Blueprint("complete", __name__)
bp.after_request(allow_any_origin)

# Suggestions offered: a browser's list shows about eight without scrolling.
COMPLETIONS = 8
# Of them, names of municipalities and people at most (the rest are words).
NAME_COMPLETIONS = 3


def completions(q: str) -> list[Completion]:
    """Names, then words, completing the last word of `q`."""
    words = q.split()
    prefix = fold_text(words[-1]) if words and not q[-1:].isspace() else ""
    if not prefix:
        return []
    engine = get_engine()
    names = [Completion(text=value, kind=facet, documents=documents, url=entity_url(facet, value))
             for facet, value, documents in directory(engine).complete(prefix, NAME_COMPLETIONS)]
    room = COMPLETIONS - len(names)
    found = engine.complete_word(prefix, room)
    if is_latin_word(prefix):
        found = sorted({**dict(greeklish(engine).complete(prefix, room)), **dict(found)}.items(),
                       key=lambda item: (-item[1], item[0]))[:room]
    return names + [Completion(text=final_sigma(word), kind="word", documents=documents, url=None)
                    for word, documents in found]


_greeklish: WeakKeyDictionary[SearchEngine, GreeklishPrefixes] = WeakKeyDictionary()
_greeklish_lock = threading.Lock()


def greeklish(engine: SearchEngine) -> GreeklishPrefixes:
    """The generation's words by Greeklish key, sorted on the first Latin completion of a generation."""
    with _greeklish_lock:
        found = _greeklish.get(engine)
        if found is None:
            found = _greeklish[engine] = GreeklishPrefixes(engine.vocabulary())
        return found


@bp.get("/api/complete")
def complete() -> Any:
    try:
        check_parameter_names(request.args, {"q"})
    except InvalidRequest as error:
        return error_response(400, "invalid_parameter", error.message, error.message_el, error.parameter)
    q = request.args.get("q", "")[:MAX_QUERY_CHARS]
    response: Response = jsonify(CompletionAnswer(q=q, completions=completions(q)).as_json())
    response.headers["Cache-Control"] = "public, max-age=60"
    return response
