"""Character normalizers, one per concern, applied by `analysis.fold_text` before case and accent folding.

Each normalizer is a pure str -> str function with its own tests (tests/test_normalizers.py), in the
manner of Meilisearch's charabia: the analysis chain composes them, it does not re-implement them.

- `strip_invisible`: format characters that a PDF export or a keyboard leaves inside a word (soft
  hyphen, zero-width space, joiners and non-joiners, word joiner, bidi marks, byte-order mark) carry
  no letter and are dropped, so «δήμαρ\u00adχος» is «δήμαρχος».
- `symbols_to_letters`: mathematical symbols that exported PDFs print for a Greek letter (∆ INCREMENT
  for Δ, ∏ N-ARY PRODUCT for Π) become the letter.  The table is derived from Unicode's confusables
  data (the `confusable-homoglyphs` package ships confusables.txt as JSON), not typed by hand: every
  single math symbol (category Sm) that the data lists as confusable with a Greek letter.  Letter-like
  signs (µ MICRO SIGN, Ω OHM SIGN, ϐ ϑ ϕ ϱ ϲ) need no table: NFKD, which `fold_text` applies next,
  maps them to the letters already.  Shapes (△, category So) stay out: Greek documents use them as
  bullets, and a bullet must not become the word «δ».

`WORD_CHARS` and `INVISIBLE_CLASS` feed `analysis.WORD_PATTERN`, so the tokenizer keeps a word whole
across an invisible character and starts a word at a symbol letter; index and query split alike.
"""
from __future__ import annotations

import re
import unicodedata

from confusable_homoglyphs import confusables

# Unicode's Default_Ignorable_Code_Point format characters that occur in text (DerivedCoreProperties):
# soft hyphen, Arabic letter mark, Mongolian vowel separator, zero-width space/non-joiner/joiner,
# left-to-right and right-to-left marks, bidi embeddings and overrides, word joiner and the invisible
# operators, bidi isolates, the deprecated format controls, and the byte-order mark (zero-width no-break space).
INVISIBLE_CLASS = r"\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff"
_INVISIBLE_RE = re.compile(f"[{INVISIBLE_CLASS}]+")


def strip_invisible(text: str) -> str:
    """Drop the invisible format characters (soft hyphen, zero-width space, joiners, bidi marks)."""
    return _INVISIBLE_RE.sub("", text)


def _greek_symbol_table() -> dict[str, str]:
    """Math symbols confusable with one Greek letter, from Unicode's confusables data."""
    table: dict[str, str] = {}
    for char in map(chr, range(0x2100, 0x2300)):  # Letterlike Symbols .. Mathematical Operators
        if unicodedata.category(char) != "Sm":
            continue
        found = confusables.is_confusable(char, greedy=True, preferred_aliases=["greek"]) or []
        letters = {
            glyph["c"]
            for entry in found
            for glyph in entry["homoglyphs"]
            if len(glyph["c"]) == 1 and unicodedata.category(glyph["c"]) in ("Lu", "Ll")
            and unicodedata.name(glyph["c"], "").startswith("GREEK ")
        }
        if len(letters) == 1:
            table[char] = letters.pop()
    return table


# {'∆': 'Δ', '∏': 'Π'} with confusable-homoglyphs 3.3.1 (Unicode 15 data).
GREEK_SYMBOLS: dict[str, str] = _greek_symbol_table()
_SYMBOLS = str.maketrans(GREEK_SYMBOLS)

# A character that may start or continue a word: a letter or digit, or a symbol standing for a letter.
WORD_CHARS = r"[^\W_]" if not GREEK_SYMBOLS else rf"(?:[^\W_]|[{''.join(map(re.escape, GREEK_SYMBOLS))}])"


def symbols_to_letters(text: str) -> str:
    """∆ (INCREMENT) -> Δ, ∏ (N-ARY PRODUCT) -> Π: the symbols exported PDFs print for Greek letters."""
    return text.translate(_SYMBOLS)
