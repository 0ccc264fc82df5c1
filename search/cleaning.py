"""Text cleanup: from scraped or exported text to clean lines and real paragraphs.

The steps are separate functions because they run at different moments of
ingestion: the date is read after signature blocks go but before the credit
line that carries it is dropped as boilerplate, and the title is chosen from
the cleaned lines before they are joined into paragraphs.
"""
from __future__ import annotations

import re

from .analysis import fold

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
