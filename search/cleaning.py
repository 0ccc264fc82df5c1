"""Text cleanup: from scraped or exported text to clean lines and real paragraphs.

The steps are separate functions because they run at different moments of
ingestion: the date is read after signature blocks go but before the credit
line that carries it is dropped as boilerplate, and the title is chosen from
the cleaned lines before they are joined into paragraphs.
"""
from __future__ import annotations

import heapq
import html
import re
from collections.abc import Iterator

from .analysis import fold, stem
from .lexicon import is_greek_word  # its dictionary loads (~1.5 s) on the first lookup, not at import

_SPACES = re.compile(r"[ \t\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200d\u2060\ufeff]")


def normalize_whitespace(text: str) -> str:
    """One space between words, no form feeds, at most one blank line in a row."""
    text = _INVISIBLE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


_MD_RULES = (
    (re.compile(r"^\s*```.*$", re.M), ""),  # code fences
    (re.compile(r"^\s{0,3}#{1,6}\s*", re.M), ""),  # headings
    (re.compile(r"^\s{0,3}>\s?", re.M), ""),  # block quotes
    (re.compile(r"^\s*(?:[-*_]\s*){3,}$", re.M), ""),  # horizontal rules
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),  # images
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links
    (re.compile(r"\*\*|__"), ""),  # bold
    (re.compile(r"(?<![\w*])\*(\S[^*\n]*?)\*(?![\w*])"), r"\1"),  # italics
    (re.compile(r"(?<![\w_])_(\S[^_\n]*?)_(?![\w_])"), r"\1"),
    (re.compile(r"`([^`\n]*)`"), r"\1"),
    (re.compile(r"^\s*\|?(?:\s*:?-{3,}:?\s*\|)+\s*:?-*:?\s*$", re.M), ""),  # table rules
    (re.compile(r"\s*\|\s*"), " "),  # table cells
)


def strip_markdown(text: str) -> str:
    """Remove the Markdown marks that PDF-to-Markdown exports leave in the text."""
    for pattern, replacement in _MD_RULES:
        text = pattern.sub(replacement, text)
    return text


# Words of the digital-signature stamp that PDF extraction spills into the text
# ("Digitally signed by Ministry of Digital Governance, Hellenic Republic ...").
_SIGNATURE_WORDS = frozenset(
    """ministry ministryof of digital digitalgovernance digitally signed by governance hellenic
    republic date reason location athens eest eet informatics development developmen t agency""".split()
)
_STAMP_TIME = re.compile(r"\b\d{4}\.\d{2}\.\d{2}\b|\b\d{2}:\d{2}:\d{2}\b")


def drop_signature_blocks(text: str) -> str:
    """Drop digital-signature stamp lines; keep any Greek text sharing their line."""
    kept = []
    for line in text.split("\n"):
        latin = {word.lower() for word in re.findall(r"[A-Za-z]+", line)}
        if latin and latin <= _SIGNATURE_WORDS and not latin <= {"of", "by", "t"}:
            line = _STAMP_TIME.sub("", re.sub(r"[A-Za-z]+:?", "", line))
            if not re.search(r"[^\W\d_]", line):
                continue
            line = _SPACES.sub(" ", line).strip()
        kept.append(line)
    return "\n".join(kept)


def drop_repeated_lines(text: str) -> str:
    """Keep the first of repeated page headers and of blocks exported twice.

    A long line (40+ characters) seen before, or a 10+ character line already
    seen twice, is a header or a duplicate export, not new content; short lines
    such as "Ο ΔΗΜΑΡΧΟΣ" may legitimately repeat and stay.
    """
    seen: dict[str, int] = {}
    kept = []
    for line in text.split("\n"):
        key = fold(line.strip())
        count = seen.get(key, 0)
        if key and ((len(key) >= 40 and count >= 1) or (len(key) >= 10 and count >= 2)):
            continue
        seen[key] = count + 1
        kept.append(line)
    return "\n".join(kept)


# Scraped-page furniture, compared folded (case and accents ignored).
_BOILERPLATE_LINES = frozenset(
    fold(line)
    for line in """δες τον καιρό|πρέπει να διαβάσετε|διαβάστε επίσης|δημοφιλή|ροή ειδήσεων|
    τελευταία νέα|κοινοποίηση|εκτύπωση|ετικέτες|tags|share|tweet|print|διαβάστε περισσότερα""".split("|")
)
_BOILERPLATE_PREFIXES = tuple(
    fold(p) for p in ("Ακολούθησε μας", "Ακολουθήστε μας", "Για να μαθαίνεις πρώτος", "Follow us", "Πηγή:",
                      "Φωτογραφία:", "Φωτογραφίες:", "Photo:", "Γράφει:", "Κείμενο:")
)
# After these headings come lists of other articles, not this one.
_TAIL_MARKERS = frozenset(fold(m) for m in ("Σχετικά άρθρα", "Άλλα Πρόσφατα", "Διαβάστε επίσης", "Περισσότερα άρθρα"))
_TEMPERATURE = re.compile(r"-?\d{1,2}(?:[.,]\d)?\s*°?\s*[CcF]")
_CREDIT = re.compile(r"[\w .'-]{2,40}\b(?:Team|team|Newsroom|Σύνταξη|Συντακτική ομάδα)\s*:.*")
_LINK = re.compile(r"\(?\s*https?://[^\s)]*\)?|\bwww\.\S+")


def _is_navigation(line: str) -> bool:
    """A line of links: once the URLs go, only short comma-separated labels remain."""
    if not _LINK.search(line):
        return False
    rest = _LINK.sub("", line)
    segments = [s for s in re.split(r"[,|·•]", rest) if s.strip()]
    return all(len(s.split()) <= 6 for s in segments)


def strip_boilerplate(lines: list[str]) -> list[str]:
    """Drop the furniture of scraped news pages, keep the article lines.

    Menus and link lists, the weather widget ("13.8 C", the city, "Δες τον
    καιρό"), "Πρέπει να διαβάσετε", social and credit lines, and everything
    after a "Σχετικά άρθρα"/"Άλλα Πρόσφατα" heading once the article has begun.
    """
    greek_document = any(re.search(r"[\u0370-\u03ff]", line) for line in lines)
    kept: list[str] = []
    after_temperature = False
    article_started = False
    for line in lines:
        folded = fold(line).strip(" .:")
        if _TEMPERATURE.fullmatch(line):
            after_temperature = True
            continue
        if after_temperature and len(line.split()) == 1:
            after_temperature = False
            continue  # the weather widget's city
        after_temperature = False
        if folded in _TAIL_MARKERS and article_started:
            break
        if (
            folded in _BOILERPLATE_LINES
            or folded in _TAIL_MARKERS
            or folded.startswith(_BOILERPLATE_PREFIXES)
            or _CREDIT.fullmatch(line)
            or _is_navigation(line)
            or (greek_document and re.fullmatch(r"[A-Za-z][A-Za-z .'-]*", line) and len(line.split()) <= 4)
        ):
            continue
        line = _LINK.sub("", line).strip() if _LINK.search(line) else line
        if line:
            kept.append(line)
            article_started = article_started or len(line) >= 200
    return kept


_SENTENCE_END = re.compile(r"[.!;?:»\"”…)·]$")


def rebuild_paragraphs(lines: list[str]) -> list[str]:
    """Join hard-wrapped lines into paragraphs and mend words broken at a hyphen.

    A line continues on the next when it does not end a sentence and either
    the next starts in lower case or the line is about as long as the wrap
    width (a short line without a full stop is a heading or a list item).
    "Πυλαίας-" + "Χορτιάτη" keeps its hyphen (a compound name); "διεκ-" +
    "περαίωση" loses it (a syllable break).
    """
    if not lines:
        return []
    width = max(len(line) for line in lines)
    paragraphs: list[str] = []
    current, last = "", ""  # the paragraph so far, and its last physical line
    for line in lines:
        if not current:
            current = last = line
            continue
        next_lower = line[:1].islower()
        hyphen_break = re.search(r"[^\W\d_]-$", current) is not None
        wrapped = width >= 60 and len(last) >= 0.6 * width
        if hyphen_break:
            current = current + line if line[:1].isupper() else current[:-1] + line
        elif not _SENTENCE_END.search(current) and (next_lower or wrapped):
            current = f"{current} {line}"
        else:
            paragraphs.append(current)
            current = line
        last = line
    paragraphs.append(current)
    return paragraphs


# Legacy Greek fonts shift the code points: ΔΗΜΟΣ prints as "ΓΗΜΟ΢" (U+03A2 is
# unassigned) and "του/της/και" as "ηνπ/ηεο/θαη".
_GARBLED_WORDS = re.compile(r"(?<![^\W\d_])(?:θαη|ηνπ|ηεο|ηελ|ηνλ|ζην|ζηε|ηωλ|ηηο)(?![^\W\d_])")


def is_garbled(text: str) -> bool:
    """True for text typed in a legacy Greek font and extracted as wrong letters."""
    return "\u03a2" in text or len(_GARBLED_WORDS.findall(text)) >= 3


# ---------------------------------------------------------------- markup, letter spacing, titles

# Only the tags that plain-text exports of HTML actually carry: "<5" or "<<" in a text is not markup.
_TAG = re.compile(
    r"</?(?:br|p|div|span|b|i|u|em|strong|font|a|li|ul|ol|table|tr|td|th|tbody|thead|sup|sub|h[1-6]|center|small)"
    r"(?:\s[^<>]{0,300})?/?>",
    re.I,
)
_LINE_BREAK_TAG = re.compile(r"<(?:br|/p|/div|/li|/tr|/h[1-6])\b[^<>]{0,300}>", re.I)
_ENTITY = re.compile(r"&(?:[a-zA-Z]{2,8}|#\d{1,7}|#[xX][0-9a-fA-F]{1,6});")


def html_to_text(text: str) -> str:
    """HTML markup and entities found in plain-text sources become text: <br> a line break, &nbsp; a space.

    The 11 Diavgeia records with "<br>" in their body or title had it from the source's HTML form.
    """
    if "<" in text:
        text = _TAG.sub("", _LINE_BREAK_TAG.sub("\n", text))
    if "&" in text:
        text = _ENTITY.sub(lambda m: html.unescape(m.group()).replace("\u00a0", " "), text)
    return text


# Four or more single letters, each followed by spaces (not a line break): «Α Π Ο Φ Α Σ Ι Ζ Ο Υ Μ Ε».  Four single-letter
# words in a row do not occur in Greek prose (ο, η, ή, ω are the only ones), so the run is spaced-out type.
_SPACED = re.compile(r"(?<![^\W\d_])[^\W\d_](?:[^\S\n]+[^\W\d_]){3,}(?![^\W\d_])")


def join_letter_spaced(text: str) -> str:
    """Join letter-spaced words; a run of several spaced words is split again where the lexicon says.

    «Χ Ρ Η Μ Α Τ Ι Κ Ο Ε Ν Τ Α Λ Μ Α» (export lost the wider gaps) becomes «ΧΡΗΜΑΤΙΚΟ ΕΝΤΑΛΜΑ»:
    the fewest el_GR words that make up the letters; letters no split explains stay one word.
    """
    return _SPACED.sub(lambda m: _segment("".join(m.group().split())), text)


def _segment(letters: str) -> str:
    """The letters as the fewest dictionary words (dynamic programming), or as one word when none fits."""
    if len(letters) > 80 or is_greek_word(letters):
        return letters
    best: list[list[str] | None] = [[]] + [None] * len(letters)
    for end in range(1, len(letters) + 1):
        for start in range(max(0, end - 30), end):
            head = best[start]
            if head is not None and (best[end] is None or len(head) + 1 < len(best[end])) \
                    and (end - start > 1 or start == 0) and is_greek_word(letters[start:end]):
                best[end] = head + [letters[start:end]]
    return " ".join(best[-1]) if best[-1] else letters


TITLE_LIMIT = 200  # characters; the longest Diavgeia title is 500, the median 100


def tidy_title(title: str, limit: int = TITLE_LIMIT) -> str:
    """A title to show: one line, ended at a word boundary with «…», its quotation marks balanced.

    A source that cut its title mid-word («…δέσμευσης πίστωσης απ») loses the fragment: a last word in
    lower case that is not a Greek word, or of two letters, is one.  A closing » with no opening one is
    dropped and an opening « left open is closed.  Straight quotes (") open and close with the same
    mark, so an odd count is repaired on a title that was cut (its closing mark was lost with the
    tail) or whose last " plainly opens a quotation; otherwise they stay as written, since a lone "
    may be the data itself (a size, a pasted fragment of markup).
    """
    title = " ".join(join_letter_spaced(html_to_text(title)).split())
    cut = False
    if len(title) > limit:
        title, cut = title[: limit + 1].rsplit(" ", 1)[0], True
    words = title.split(" ")
    if len(words) > 3 and _is_fragment(words[-1]):
        title, cut = " ".join(words[:-1]), True
    if cut:
        title = title.rstrip(" ,.;:·-–(«\"") + "…"
    return _balance_quotes(title, straight=cut)


def _is_fragment(word: str) -> bool:
    """A lower-case Greek last word that is no word, or two letters («απ»): «αίτησής του» is whole."""
    if not re.fullmatch(r"[α-ωά-ώϊϋΐΰ]+", word):
        return False
    return len(word) <= 2 or not is_greek_word(word)


# The last straight quote of the title opens a quotation («μελέτης "Συντήρηση οδών»): after a space
# or at the start, before a letter, with no mark after it.
_OPENING_QUOTE_LEFT_OPEN = re.compile(r'(?:^|\s)"\w[^"]*$')


def _balance_quotes(title: str, straight: bool) -> str:
    depth, kept = 0, []
    for char in title:
        if char == "»" and depth == 0:
            continue
        depth += (char == "«") - (char == "»")
        kept.append(char)
    title = "".join(kept).rstrip() + "»" * depth
    if title.count('"') % 2 and (straight or _OPENING_QUOTE_LEFT_OPEN.search(title)):
        title = title[::-1].replace('"', "", 1)[::-1] if title.endswith('"') else title + '"'
    return title


# ---------------------------------------------------------------- header boilerplate

# Letterhead and protocol fields of official documents: «Αριθμ. Πρωτ.:», «Ταχ. Δ/νση», «Τηλ.», «Fax»,
# «Πληροφορίες:», «ΑΔΑ:» and e-mail addresses.  Matched on the text as written (case-insensitive,
# accents optional), so the spans are positions in the body itself.  A bare 10-digit number is no
# field: in the first 1,500 characters of the decisions 125 of 158 such numbers are budget accounts
# («ΑΛΕ 2420102001», «Λογαριασμό Εξόδων 2310802896») in the subject, and the phones carry «Τηλ.».
#
# Speed: a snippet runs this over up to 6,440 characters per result shown.  One alternation of marks
# and e-mails cost 0.8 ms there on the longest law (the e-mail branch retried at every letter of every
# word); the marks are tried only at a word start with one of their first letters, and e-mails only in
# a paragraph holding an «@»: 0.17 ms (benchmarks/snippet_cost.py prints the snippet's whole cost).
_FIELD_MARK = re.compile(
    r"(?<!\w)(?=[ατfφeπι])(?:αρ[ιί]θ(?:μ)?\s*\.?\s*πρωτ|αρ\.\s*πρωτ|ταχ\s*\.\s*(?:δ|κ[ωώ]δ)|τηλ\s*\.|τηλ[εέ]φωνο|fax"
    r"|φαξ|e-?mail|πληροφορ[ιί]ες\s*:|ιστοσελ[ιί]δα|τ\s*\.\s*κ\s*\.|αδα\s*:)",
    re.I,
)
_EMAIL = re.compile(r"(?<![\w.-])[\w.-]+@[\w-]+(?:\.[\w-]+)+")
HEADER_START = 500  # characters: a letterhead's first field (the decisions': within the first ~300)
FIELD_CHARS = 200  # characters: longer than any field mark or e-mail address (the longest e-mail in the decisions: 25)
HEADER_GAP = 250  # characters between two fields of one letterhead; the «Έχοντας υπόψη» citations come later
_FIELD_VALUE = re.compile(r"(?:\s*\S+){0,3}")  # the value after a field mark: «Αριθμ. Πρωτ: Β3γ/οικ. 89605»


def boilerplate_spans(body: str) -> list[tuple[int, int]]:
    """Character ranges of the body's letterhead and protocol lines, for snippets to pass over.

    Why ranges rather than moving those lines after the sentences: the body is shown as written (the
    letterhead first, as on paper), and the snippet code, which chooses fragments, only needs to know
    which parts are not sentences.  A paragraph is boilerplate from its start to its letterhead's end
    (see `_letterhead_end`); a short one (under 300 characters) needs one field, a run-on one whose line
    breaks the export lost (one 6,000-character paragraph) two.  The subject («ΘΕΜΑ:») always ends the
    letterhead, and a sentence that cites a protocol number further on stays a sentence.
    """
    spans, start = [], 0
    for paragraph in body.split("\n\n"):
        end = _letterhead_end(paragraph, 1 if len(paragraph) < 300 else 2)
        if end:
            spans.append((start, start + end))
        start += len(paragraph) + 2
    return spans


_SUBJECT = re.compile(r"\b(?:ΘΕΜΑ|Θέμα)\b")


def _letterhead_end(paragraph: str, needed: int) -> int:
    """Where a paragraph's letterhead ends: after the value of the last field of the chain that starts
    within HEADER_START with fields at most HEADER_GAP apart, and before the subject; 0 for fewer fields."""
    opening = next(_fields(paragraph, min(len(paragraph), HEADER_START + FIELD_CHARS)), None)
    if opening is None or opening.start() > HEADER_START:
        return 0  # most paragraphs: no subject search, no scan past the opening
    subject = _SUBJECT.search(paragraph)
    limit = subject.start() if subject else len(paragraph)
    end, count = 0, 0
    for field in _fields(paragraph, limit):
        if (count == 0 and field.start() > HEADER_START) or (count and field.start() - end > HEADER_GAP):
            break
        end, count = min(limit, _FIELD_VALUE.match(paragraph, field.end()).end()), count + 1
    return len(paragraph[:end].rstrip()) if count >= needed else 0


def _fields(paragraph: str, limit: int) -> Iterator[re.Match[str]]:
    """The field marks and e-mail addresses before `limit`, in order; a mark inside an address is none."""
    marks = _FIELD_MARK.finditer(paragraph, 0, limit)
    if paragraph.find("@", 0, limit) < 0:
        yield from marks
        return
    emails = list(_EMAIL.finditer(paragraph, 0, limit))
    for field in heapq.merge(marks, emails, key=lambda match: match.start()):
        if field.re is _EMAIL or not any(e.start() <= field.start() < e.end() for e in emails):
            yield field


# ---------------------------------------------------------------- passage choice

Span = tuple[int, int]
PASSAGE_CHARS = 240  # characters: the width of the snippets the engine shows today (SNIPPET_CHARS)


def passage(text: str, matches: list[Span], boilerplate: list[Span], width: int = PASSAGE_CHARS) -> Span:
    """The (start, end) window of `text` a snippet shows: the densest run of matches in real sentences.

    `matches` are the matched words' character ranges, `boilerplate` the letterhead ranges
    (`boilerplate_spans`).  With no match (a title-only hit) the window opens after a leading
    letterhead, on the subject, rather than on the addresses.  Matches inside a letterhead count
    only when no match lies outside one: a decision that says «ΥΠΟΥΡΓΕΙΟ ΥΓΕΙΑΣ» in its header and
    «του Υπουργείου Υγείας» in its text shows the sentence, and one whose only match is the header
    shows the header rather than nothing.  Among
    the matches kept, the window holding the most distinct terms (stems) wins, the earliest of equals;
    it starts about a quarter of its width before its first match, on a word boundary and, when the
    match is in a sentence, after any letterhead that ends before that match, and it ends on a word
    boundary.
    """
    if not matches:
        start = next((end for begin, end in boilerplate if begin == 0 and end < len(text.rstrip())), 0)
        start = _word_start(text, start, len(text))
        return start, _end_before(text, start, width)
    in_sentences = [m for m in matches if not _inside(m, boilerplate)]
    kept = sorted(in_sentences or matches)
    first, last = _densest(text, kept, width)
    start = max(0, first[0] - width // 4)
    if in_sentences:
        start = max([start] + [end for _, end in boilerplate if start < end <= first[0]])
    start = _word_start(text, start, first[0])
    return start, max(_end_before(text, start, width), last[1])


def _inside(match: Span, spans: list[Span]) -> bool:
    return any(begin <= match[0] < end for begin, end in spans)


def _densest(text: str, matches: list[Span], width: int) -> tuple[Span, Span]:
    """The first and last match of the window (of `width` characters from a match) with most distinct stems."""
    keys = [stem(fold(text[begin:end])) for begin, end in matches]
    best, best_count, last = (0, 0), 0, 0
    for first, match in enumerate(matches):
        last = max(last, first)
        while last + 1 < len(matches) and matches[last + 1][1] <= match[0] + width:
            last += 1
        count = len(set(keys[first:last + 1]))
        if count > best_count:
            best, best_count = (first, last), count
    return matches[best[0]], matches[best[1]]


def _word_start(text: str, position: int, limit: int) -> int:
    """The first word start at or after `position` (not past `limit`, the first match's start)."""
    while position < limit and (position > 0 and not text[position - 1].isspace() or text[position].isspace()):
        position += 1
    return position


def _end_before(text: str, start: int, width: int) -> int:
    """The end of the last whole word within `width` characters of `start` (the text's end if it is nearer)."""
    if len(text) <= start + width:
        return len(text.rstrip())
    cut = max(text.rfind(space, start, start + width + 1) for space in " \n")
    return cut if cut > start else start + width
