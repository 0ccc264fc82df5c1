"""Highlighting: which words of a text a query matched, and the excerpt that shows them.

Backend-free: a word matches by its stem, its folded form or a typed prefix,
whatever index answered the query, so the Whoosh engine and the Sphinx cluster
mark the same words.
"""
from __future__ import annotations

import re
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from . import analysis
from .analysis import Word
from .querylang import Clause, Expansions

SNIPPET_CHARS = 240
# A snippet reads a bounded part of its text, so a 700,000-character law costs what a 3 KB
# announcement does: splitting, folding and stemming every word of the longest real law took
# 300-590 ms per snippet (benchmarks/snippet_cost.py), and a page shows up to 100 of them.
# The first match is looked for in the first SNIPPET_LOCATE_CHARS (about 700 words, ~4 ms of
# that work); a text with none there (a title-only match, or a match deeper than this) shows
# its opening, as a text with no match always did.
SNIPPET_LOCATE_CHARS = 5_000
# After the first match, matches this far on compete for the window with the most distinct
# query words: four windows' worth, the whole of a typical announcement.
SNIPPET_SCAN_CHARS = 4 * SNIPPET_CHARS
_WHITESPACE = re.compile(r"\s+")


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


def _scanned(text: str, matches: Callable[[Word], bool], width: int) -> tuple[list[Word], list[Word]]:
    """The words a snippet can show (from `width` before the first match to `width` past the last
    match weighed) and the matches among them, reading only as far as SNIPPET_LOCATE_CHARS and
    SNIPPET_SCAN_CHARS allow."""
    before: deque[Word] = deque()  # the words just before the first match, within `width`
    scanned: list[Word] = []
    hits: list[Word] = []
    last_hit = SNIPPET_LOCATE_CHARS
    for word in analysis.words(text):
        if word.start > last_hit + width:
            break
        if not hits:
            before.append(word)
            while before[0].start < word.start - width:
                before.popleft()
        else:
            scanned.append(word)
        if word.start <= last_hit and matches(word):
            if not hits:
                last_hit = word.start + SNIPPET_SCAN_CHARS
                scanned = list(before)
            hits.append(word)
    return scanned, hits


def snippet(text: str, matches: Callable[[Word], bool], width: int = SNIPPET_CHARS) -> Snippet:
    """An excerpt around the run of text that matches most query terms, with the spans of its matched words.

    One line of plain text: runs of whitespace (line breaks too) are one space.
    """
    all_words, hits = _scanned(text, matches, width)
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
