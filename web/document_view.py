"""The document page's text: the words of the search that led to it marked, Diavgeia codes linked, garbling told.

Marking uses the very matcher the snippets use (search.highlight.highlighter over the
engine's Greeklish and correction expansions), so a word highlighted in a result's
snippet is highlighted on its page, and nowhere a different rule decides.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup, escape

from search.analysis import Word, words
from search.backend.whoosh.engine import SearchEngine
from search.cleaning import is_garbled
from search.documents import Document
from search.highlight import highlighter
from search.querylang import parse_query

# A Diavgeia decision's code (ΑΔΑ, «Αριθμός Διαδικτυακής Ανάρτησης»), e.g. «6ΖΞ74653ΠΩ-7ΚΜ»: ten digits and
# capitals, a hyphen, three more.  Only the capitals that occur in codes (Greek, and the Latin look-alikes that
# PDF text extraction gives for them: 5 of the 343 codes in the real decisions, «6XT1465ΦΥΟ-67Ω»), and at least
# two digits in the first part, so a hyphenated word in capitals is not taken for a code.
_CODE_CHARS = "0-9ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩABEZHIKMNOPTYX"
ADA = re.compile(rf"(?<![\w-])(?=(?:[^-]*?[0-9]){{2}})[{_CODE_CHARS}]{{10}}-[{_CODE_CHARS}]{{3}}(?![\w-])")
_LATIN_LOOKALIKES = str.maketrans("ABEZHIKMNOPTYX", "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ")
DIAVGEIA_DECISION = "https://diavgeia.gov.gr/doc/{code}"


def diavgeia_url(code: str) -> str:
    """The decision's public page; Latin look-alike letters read as the Greek capitals codes are made of."""
    return DIAVGEIA_DECISION.format(code=code.translate(_LATIN_LOOKALIKES))


def original_url(document: Document) -> str | None:
    """Where the original is: the document's own http(s) address, else, for a Diavgeia decision (its code in
    `meta.ada` or its id, «diavgeia:6Α0Α465ΧΘΞ-ΣΓΡ»), its public page on diavgeia.gov.gr."""
    if document.url and document.url.lower().startswith(("http://", "https://")):
        return document.url
    code = document.meta.get("ada") or document.id.removeprefix("diavgeia:")
    return diavgeia_url(code) if isinstance(code, str) and ADA.fullmatch(code) else None


def looks_garbled(document: Document) -> bool:
    """Whether the text was typed in a legacy Greek font and reads as wrong letters («ΓΗΜΟ΢» for ΔΗΜΟΣ).

    The measure is ingestion's (search.cleaning.is_garbled): the unassigned code point U+03A2, which no
    Greek text contains, or three or more of the function words such a font turns «και», «του», «της»...
    into («θαη», «ηνπ», «ηεο»).  Ingestion flags such a document "garbled"; the text is checked again here
    for an index built before the flag existed.
    """
    return "garbled" in document.flags or is_garbled(f"{document.title}\n{document.body}")


def _marked_words(text: str, spans: list[tuple[int, int]]) -> Markup:
    pieces, cursor = [], 0
    for start, end in spans:
        pieces += [escape(text[cursor:start]), Markup("<mark>%s</mark>") % text[start:end]]
        cursor = end
    pieces.append(escape(text[cursor:]))
    return Markup("").join(pieces)


def marked_paragraph(text: str, matches: Callable[[Word], bool] | None) -> Markup:
    """One paragraph as HTML: every character escaped, matched words in <mark>, codes linked to Diavgeia."""
    spans = [(w.start, w.end) for w in words(text) if matches(w)] if matches else []
    pieces, cursor = [], 0
    for code in ADA.finditer(text):
        before = [s for s in spans if cursor <= s[0] and s[1] <= code.start()]
        inside = [(s - code.start(), e - code.start()) for s, e in spans if code.start() <= s and e <= code.end()]
        pieces.append(_marked_words(text[cursor:code.start()], [(s - cursor, e - cursor) for s, e in before]))
        pieces.append(Markup('<a class="ada" href="%s" rel="external noopener noreferrer" title="%s">%s</a>')
                      % (diavgeia_url(code.group()), "Η απόφαση στη Διαύγεια",
                         _marked_words(code.group(), inside)))
        cursor = code.end()
    rest = [(s - cursor, e - cursor) for s, e in spans if s >= cursor]
    pieces.append(_marked_words(text[cursor:], rest))
    return Markup("").join(pieces)


@dataclass(frozen=True)
class DocumentText:
    """What the document page shows of a document's text."""

    title: Markup
    paragraphs: list[Markup]
    marked: int  # matched words marked in the whole text
    garbled: bool
    original: str | None

    @classmethod
    def of(cls, document: Document, engine: SearchEngine, q: str) -> DocumentText:
        matches = None
        if q.strip():
            clauses = parse_query(q)
            matches = highlighter(clauses, engine.expansions(engine.searcher(), clauses))
        paragraphs = [p for p in document.body.split("\n\n") if p.strip()]
        marked = sum(1 for w in words(document.body) if matches(w)) if matches else 0
        return cls(marked_paragraph(document.title, matches), [marked_paragraph(p, matches) for p in paragraphs],
                   marked, looks_garbled(document), original_url(document))
