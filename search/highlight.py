"""Highlighting: which words of a text a query matched, and the excerpt that shows them.

Backend-free: a word matches by its stem, its folded form or a typed prefix,
whatever index answered the query, so the Whoosh engine and the Sphinx cluster
mark the same words.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from . import analysis
from .analysis import Word
from .querylang import Clause, Expansions

SNIPPET_CHARS = 240
_WHITESPACE = re.compile(r"\s+")


def matches_nothing(word: Word) -> bool:
    """The matcher of a query without words (every document, newest first): a snippet needs no analysis."""
    return False


def highlighter(clauses: Sequence[Clause], expansions: Expansions | None = None) -> Callable[[Word], bool]:
    """Which words of a text the query matched, whatever form the query used."""
    stems: set[str] = set()
    exact: set[str] = set()
    for expansion in (expansions or {}).values():
        for folded in expansion.words:
            if folded in analysis.GREEK_STOPWORDS:
                exact.add(folded)
            else:
                stems.add(analysis.stem(folded))
    prefixes: list[str] = []
    pending = [c for c in clauses if not c.negated]
    while pending:
        clause = pending.pop()
        pending.extend(clause.alternatives)
        for i, word in enumerate(clause.words):
            if clause.prefix and i == len(clause.words) - 1:
                prefixes.append(word.folded)
            elif clause.phrase or word.term is None:
                exact.add(word.folded)
            else:
                stems.add(word.term)
    prefix_tuple = tuple(prefixes)
    if not (stems or exact or prefix_tuple):
        return matches_nothing

    def matches(word: Word) -> bool:
        return word.term in stems or word.folded in exact or (bool(prefix_tuple) and word.folded.startswith(prefix_tuple))

    return matches


@dataclass(frozen=True)
class Snippet:
    """An excerpt as plain text, and the [start, end) spans of the matched words in it."""

    text: str
    spans: tuple[tuple[int, int], ...] = ()


class _Excerpt:
    """Builds a snippet's text piece by piece, runs of whitespace as one space, keeping the spans true."""

    def __init__(self) -> None:
        self._pieces: list[str] = []
        self._length = 0
        self.spans: list[tuple[int, int]] = []

    def plain(self, text: str) -> None:
        text = _WHITESPACE.sub(" ", text)
        if text.startswith(" ") and (not self._length or self._pieces[-1].endswith(" ")):
            text = text[1:]  # no space at the start, and never two in a row
        self._add(text)

    def matched(self, word: str) -> None:
        self.spans.append((self._length, self._length + len(word)))
        self._add(word)

    def _add(self, text: str) -> None:
        if text:
            self._pieces.append(text)
            self._length += len(text)

    def text(self) -> str:
        return "".join(self._pieces).rstrip(" ")


def snippet(text: str, matches: Callable[[Word], bool], width: int = SNIPPET_CHARS) -> Snippet:
    """An excerpt around the run of text that matches most query terms, with the spans of its matched words.

    One line of plain text: runs of whitespace (line breaks too) are one space.
    """
    # Analysing a long body costs ~8 ms: 90% of a newest-first page of the real decisions (docs/api.md).
    all_words = [] if matches is matches_nothing else list(analysis.words(text))
    hits = [w for w in all_words if matches(w)]
    if not hits:
        excerpt = _Excerpt()
        excerpt.plain(text[:width])
        return Snippet(excerpt.text() + ("…" if len(text) > width else ""))
    # Slide a window of `width` characters over the hits; keep the one with most distinct terms.
    best, best_count = hits[0], 0
    in_window: Counter[str] = Counter()
    last = 0
    for first, hit in enumerate(hits):
        while last < len(hits) and hits[last].end <= hit.start + width:
            in_window[hits[last].term or hits[last].folded] += 1
            last += 1
        if len(in_window) > best_count:
            best, best_count = hit, len(in_window)
        key = hit.term or hit.folded
        in_window[key] -= 1
        if not in_window[key]:
            del in_window[key]
    # Start a few words before the first hit, on a word boundary.
    start = next(w.start for w in all_words if w.start >= best.start - width // 4)
    end = max((w.end for w in all_words if w.end <= start + width), default=best.end)
    excerpt, cursor = _Excerpt(), start
    if start > 0:
        excerpt.plain("… ")
    for hit in hits:
        if start <= hit.start and hit.end <= end:
            excerpt.plain(text[cursor:hit.start])
            excerpt.matched(text[hit.start:hit.end])
            cursor = hit.end
    excerpt.plain(text[cursor:end])
    suffix = " …" if end < len(text.rstrip()) else ""
    return Snippet(excerpt.text() + suffix, tuple(excerpt.spans))
