"""Snippets found by jumping to candidate words are the snippets of testing every word, on real text."""
from __future__ import annotations

import json

import pytest

from search import analysis, highlight
from search.cleaning import boilerplate_spans, passage
from search.querylang import parse_query
from tests.conftest import shared_data


def every_word_snippet(text: str, matches, width: int = highlight.SNIPPET_CHARS) -> highlight.Snippet:
    """The oracle: the snippet of the same rules, found by splitting and testing every word from the start."""
    all_words = list(analysis.words(text))
    read = highlight.SNIPPET_LOCATE_CHARS + highlight.SNIPPET_SCAN_CHARS + 2 * width
    letterheads = boilerplate_spans(text[:read])
    located = [w for w in all_words if w.start <= highlight.SNIPPET_LOCATE_CHARS and matches(w)]
    if not located:
        return highlight.snippet(text, highlight.WordMatcher(set(), set(), ()), width)
    in_sentences = [w for w in located if not any(b <= w.start < e for b, e in letterheads)]
    first, anchor = located[0], (in_sentences or located)[0]
    last_hit = anchor.start + highlight.SNIPPET_SCAN_CHARS + width
    hits = [w for w in all_words if first.start <= w.start <= last_hit and matches(w)]
    start, end = passage(text, [(w.start, w.end) for w in hits], letterheads, width)
    cursor = start
    pieces = ["… "] if start > 0 else []
    for hit in hits:
        if start <= hit.start and hit.end <= end:
            pieces += [text[cursor:hit.start], ("mark", text[hit.start:hit.end])]
            cursor = hit.end
    pieces.append(text[cursor:end])
    excerpt = highlight._Excerpt()
    for piece in pieces:
        if isinstance(piece, tuple):
            excerpt.matched(piece[1])
        else:
            excerpt.plain(piece)
    return highlight.Snippet(excerpt.text() + (" …" if end < len(text.rstrip()) else ""), tuple(excerpt.spans))


def real_texts(limit: int) -> list[str]:
    texts = []
    with open(shared_data("diavgeia-decisions.jsonl"), encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            texts.append(record["body"] or record["title"] or "")
            if len(texts) >= limit:
                break
    return texts


# Real query forms: accents and capitals as people type them, inflections, prefixes, stopword phrases,
# the irregular Snowball stems (μεστε -> μιεστ), a Latin look-alike inside a Greek word, a soft hyphen.
QUERIES = ["δήμαρχος", "ΑΠΟΦΑΣΗ", "πιστωσεως", "ανάληψη υποχρέωσης", "προϋπολογ*", '"και το"', "ν. 4412/2016",
           "μέστε", "πιάνε", "Pόδου", "δήμαρ\u00adχος", "Νοσοκομείο", "ΚΑΕ", "ευρώ"]


@pytest.mark.parametrize("query", QUERIES)
def test_jumping_to_candidates_gives_the_snippet_of_testing_every_word(query):
    matches = highlight.highlighter(parse_query(query))
    found = 0
    for text in real_texts(400):
        expected = every_word_snippet(text, matches)
        assert highlight.snippet(text, matches) == expected
        found += bool(expected.spans)
    if query not in ("μέστε", "πιάνε", "Pόδου"):
        assert found, f"{query!r} matched none of the real decisions: the comparison proves nothing"


@pytest.mark.parametrize("text, query", [
    ("Σας παρακαλούμε να μέστε στην αίθουσα.", "μεστε"),  # Snowball stems μεστε as μιεστ
    ("Το Pόδου λιμάνι.", "ρόδου"),                         # a Latin P inside a Greek word
    ("Δήμαρ\u00adχος Χανίων", "δήμαρχος"),                  # a soft hyphen inside the word
    ("Ο δήμαρχος ῷ", "ωι"),                                # one character folding to two letters
])
def test_irregular_stems_lookalikes_and_invisibles_are_highlighted(text, query):
    matches = highlight.highlighter(parse_query(query))
    got = highlight.snippet(text, matches)
    assert got.spans and got == every_word_snippet(text, matches)
