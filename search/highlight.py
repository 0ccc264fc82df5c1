"""Highlighting: which words of a text a query matched, and the excerpt that shows them.

Backend-free: a word matches by its stem, its folded form or a typed prefix,
whatever index answered the query, so the Whoosh engine and the Sphinx cluster
mark the same words.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from . import analysis, cleaning
from .analysis import Word
from .normalizers import INVISIBLE_CLASS
from .querylang import Clause, Expansions

SNIPPET_CHARS = 240
# A snippet reads a bounded part of its text, so a 700,000-character law costs what a 3 KB
# announcement does: splitting, folding and stemming every word of the longest real law took
# 300-590 ms per snippet (benchmarks/snippet_cost.py), and a page shows up to 100 of them.
# The first match is looked for in the first SNIPPET_LOCATE_CHARS (about 700 words, ~4 ms of
# that work); a text with none there (a title-only match, or a match deeper than this) shows
# its opening (after a leading letterhead, cleaning.passage), as a text with no match does.
SNIPPET_LOCATE_CHARS = 5_000
# After the first match outside a letterhead, matches this far on (and a window more, so every
# match the window shows is marked) compete for the window with the most distinct query words:
# four windows' worth, the whole of a typical announcement.
SNIPPET_SCAN_CHARS = 4 * SNIPPET_CHARS
# The most of a text a snippet ever reads: where the first match may be, the matches that compete
# for the window after it, the window, and the letters a candidate word may run past its end.  A
# backend may keep only this head of a long body for its result pages (the Whoosh schema does).
SNIPPET_READ_CHARS = SNIPPET_LOCATE_CHARS + SNIPPET_SCAN_CHARS + 3 * SNIPPET_CHARS
_WHITESPACE = re.compile(r"\s+")
_LETTER_OR_SIGN = re.compile(r"\S")


class WordMatcher:
    """Which words of a text the query matched (call it with a Word), and where such a word may begin.

    A word matches by its stem, its folded form or a typed prefix.  Testing a word
    means splitting, folding and stemming it, a few microseconds of Python each;
    `candidates` finds, in C, the places where a matching word can begin -- a word
    start whose first letters fold to the first letters of a stem, form or prefix
    (FIRST_LETTERS of them, with the few stems Snowball respells there) -- so a
    snippet tests only those words, not every word before the first match.
    """

    def __init__(self, stems: set[str], exact: set[str], prefixes: tuple[str, ...]):
        self.stems, self.exact, self.prefixes = stems, exact, prefixes
        keys = {key for stem in stems for key in _stem_keys(stem)}
        keys |= {form[:FIRST_LETTERS] for form in (*exact, *prefixes) if form}
        self.candidates = _candidate_pattern(keys)

    def __call__(self, word: Word) -> bool:
        return (word.term in self.stems or word.folded in self.exact
                or (bool(self.prefixes) and word.folded.startswith(self.prefixes)))


# Letters of a stem or form a candidate word must begin with.  Two: every one of the
# lexicon's 812,036 stemmed forms begins with its stem's first two letters but five
# (μεστε -> μιεστ, πιανε -> παν ...), which _stem_keys covers; three letters missed 28.
FIRST_LETTERS = 2


def _stem_keys(stem: str) -> set[str]:
    """The first letters a word with this stem can begin with: Snowball inserts or drops
    an ι after the first letter of a few forms (μεστε -> μιεστ, μιανε -> μαν)."""
    keys = {stem[:FIRST_LETTERS]}
    if len(stem) > 2 and stem[1] == "ι":
        keys.add(stem[0] + stem[2])
    if stem and analysis.is_greek(stem):
        keys.add(stem[0] + "ι")
    return keys


# The characters that can fold to a letter a query word begins with: all scripts, symbols and
# compatibility forms up to U+2FFF, and the ligatures and fullwidth forms of U+FB00-U+FFEF; the
# ideographs and Hangul between hold ~40,000 characters and no Greek or Latin letter.
_FOLDING_RANGES = (range(0x3000), range(0xFB00, 0xFFF0))


def warm() -> None:
    """Build the table of what each character folds to (about 0.3 s, once per process): called
    when an engine opens, so no request pays it."""
    _letters_by_fold()


@lru_cache(maxsize=1)
def _letters_by_fold() -> dict[str, str]:
    """Every character of _FOLDING_RANGES by the first letters it folds to.

    Latin and Greek look-alikes count as the letter of the other script too, as
    fold_text reads them inside a word of the other script («Pόδου»).
    """
    by_fold: dict[str, list[str]] = {}
    for code in (code for block in _FOLDING_RANGES for code in block):
        char = chr(code)
        folded = analysis.fold_text(char)
        if not folded:
            continue
        for form in {folded, folded.translate(analysis.LATIN_TO_GREEK), folded.translate(analysis.GREEK_TO_LATIN)}:
            for length in range(1, min(FIRST_LETTERS, len(form)) + 1):
                by_fold.setdefault(form[:length], []).append(char)
    return {key: "".join(dict.fromkeys(chars)) for key, chars in by_fold.items()}


def _letter_class(key: str) -> str:
    chars = _letters_by_fold().get(key, "")
    return f"[{re.escape(chars)}]" if chars else "(?!)"


def _candidate_pattern(keys: set[str]) -> re.Pattern[str] | None:
    """A regex finding word starts whose first letters fold to one of `keys`."""
    if not keys:
        return None
    between = f"{analysis.MARKS}*[{INVISIBLE_CLASS}]*"
    alternatives = []
    for key in sorted(keys):
        ways = [_letter_class(key)]  # one character folding to the whole key (ῷ -> ωι)
        if len(key) > 1:
            ways.append(_letter_class(key[0]) + between + _letter_class(key[1:]))
        alternatives.append("|".join(ways))
    return re.compile(rf"(?<![^\W_])(?:{'|'.join(alternatives)})")


def highlighter(clauses: Sequence[Clause], expansions: Expansions | None = None) -> WordMatcher:
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
    return WordMatcher(stems, exact, tuple(prefixes))


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


def _boundary_before(text: str, position: int) -> int:
    """A place at or before `position` where no word is cut: just after a space or a line break."""
    if position <= 0:
        return 0
    return max(text.rfind(" ", 0, position), text.rfind("\n", 0, position)) + 1


def _matching_words(text: str, matches: WordMatcher, start: int, end: int) -> Iterator[Word]:
    """The matching words starting from `start` to `end`, in order, testing only candidate places."""
    if matches.candidates is None:
        return
    position = start
    while True:
        candidate = matches.candidates.search(text, position, end + 64)
        if candidate is None:
            return
        word = _word_at(text, candidate.start())
        if word is None or word.start > end:
            return
        if word.start >= start and matches(word):
            yield word
        position = max(word.end, candidate.end())


def _word_at(text: str, position: int) -> Word | None:
    """The word that holds `position`, or the first one after it."""
    return next((w for w in analysis.words(text, _boundary_before(text, position)) if w.end > position), None)


def snippet(text: str, matches: WordMatcher, width: int = SNIPPET_CHARS) -> Snippet:
    """An excerpt of the matched words in real sentences, with the spans of its matched words.

    One line of plain text: runs of whitespace (line breaks too) are one space.  The
    first match is looked for within SNIPPET_LOCATE_CHARS; matches up to SNIPPET_SCAN_CHARS
    (and a window) after the first one outside a letterhead compete for the window, which
    cleaning.passage chooses: a letterhead («Αριθμ. Πρωτ.», «Τηλ.», e-mails) is shown only
    when the query matches nothing else.  The letterhead spans are computed over the part of
    the text the snippet reads, never the whole body.
    """
    more = _LETTER_OR_SIGN.search(text, SNIPPET_READ_CHARS) is not None  # found at once in a long text, no copy
    text = text[:SNIPPET_READ_CHARS]
    first = next(_matching_words(text, matches, 0, SNIPPET_LOCATE_CHARS), None)
    letterheads = _Letterheads(text[:SNIPPET_LOCATE_CHARS + SNIPPET_SCAN_CHARS + 2 * width])
    if first is None:
        start, end = cleaning.passage(text, [], letterheads.upto(0), width)
        return _excerpt(text, [], start, end, more)
    anchor = first
    if _in_spans(first, letterheads.upto(first.start)):
        outside = (w for w in _matching_words(text, matches, first.end, SNIPPET_LOCATE_CHARS)
                   if not _in_spans(w, letterheads.upto(w.start)))
        anchor = next(outside, first)
    hits = list(_matching_words(text, matches, first.start, anchor.start + SNIPPET_SCAN_CHARS + width))
    spans = letterheads.upto(hits[-1].start)
    start, end = cleaning.passage(text, [(hit.start, hit.end) for hit in hits], spans, width)
    return _excerpt(text, hits, start, end, more)


class _Letterheads:
    """The letterhead spans of the part a snippet reads, found paragraph by paragraph only as far as
    asked: a match at the start of a long text needs the first paragraphs' spans, not all 6,440
    characters' (cleaning.boilerplate_spans costs ~50 ns a character)."""

    def __init__(self, read: str):
        self.read, self.cut, self.spans = read, 0, []

    def upto(self, position: int) -> list[tuple[int, int]]:
        """The spans of every paragraph up to the one holding `position`."""
        if position >= self.cut and self.cut < len(self.read):
            cut = self.read.find("\n\n", position + 1)
            cut = len(self.read) if cut < 0 else cut
            found = cleaning.boilerplate_spans(self.read[self.cut:cut])
            self.spans = self.spans + [(self.cut + begin, self.cut + end) for begin, end in found]
            self.cut = cut
        return self.spans


def _in_spans(word: Word, spans: list[tuple[int, int]]) -> bool:
    return any(begin <= word.start < end for begin, end in spans)


def _excerpt(text: str, hits: list[Word], start: int, end: int, more: bool) -> Snippet:
    """text[start:end] as one line, «…» where it is cut (`more`: the text goes on past what was read), its
    hits marked."""
    excerpt, cursor = _Excerpt(), start
    if start > 0:
        excerpt.plain("… ")
    for hit in hits:
        if start <= hit.start and hit.end <= end:
            excerpt.plain(text[cursor:hit.start])
            excerpt.matched(text[hit.start:hit.end])
            cursor = hit.end
    excerpt.plain(text[cursor:end])
    suffix = " …" if more or end < len(text.rstrip()) else ""
    return Snippet(excerpt.text() + suffix, tuple(excerpt.spans))
