"""Greek text analysis: the one chain used at index time and at query time.

Pure functions, no search engine: search/backend/whoosh/analyzers.py wraps them
as Whoosh analyzers, and the same `words`/`terms` split queries and highlights.

    text -> words (hyphenated compounds split, NFC/NFD alike)
         -> fold (case, final sigma, every diacritic; Latin via Unidecode)
         -> drop stopwords
         -> stem (Snowball Greek, with its -ία/-ίας and -ιο/-ιου split repaired)

Folding comes before stemming on purpose: Snowball maps ϊ/ΐ to η and leaves a
decomposed accent in place, so "Καϊτεζίδης" and "Καιτεζιδης" would stem apart.
"""
from __future__ import annotations

import re
import sys
import threading
import unicodedata
from collections.abc import Iterator
from functools import cache, lru_cache
from typing import NamedTuple

import Stemmer
from unidecode import unidecode

from .normalizers import INVISIBLE_CLASS, WORD_CHARS, strip_invisible, symbols_to_letters

# A word is a run of letters and digits; combining marks may sit inside it, so a
# decomposed (NFD) "δήμος" is still one word.  Hyphens, dots and apostrophes
# split, which makes each part of "Πυλαίας-Χορτιάτη" findable on its own.  Invisible
# format characters (soft hyphen, zero-width space, joiners, bidi marks) inside a word
# do not split it, and a symbol standing for a Greek letter (∆) is a letter: a word
# ends on a visible character, so highlights cover the whole visible word.
MARKS = r"[\u0300-\u036f\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
WORD_PATTERN = rf"{WORD_CHARS}(?:[{INVISIBLE_CLASS}]*(?:{WORD_CHARS}|{MARKS}))*"
_WORD_RE = re.compile(WORD_PATTERN)
_GREEK_RE = re.compile(r"[\u0370-\u03ff\u1f00-\u1fff]")

# Folded forms (lower case, no accents, final ς as σ).  Function words only:
# articles, pronouns, conjunctions, prepositions, particles and the commonest
# auxiliaries.  Snowball turns these short words into junk stems (της -> τ,
# και -> κα) that would collide with real ones, so they go before stemming.
GREEK_STOPWORDS = frozenset(
    """
    ο η το οι τα του τησ των τον την τουσ τισ τι
    ενα ενασ ενοσ ενη μια μιασ μιαν
    εγω εσυ εμεισ εσεισ αυτοσ αυτη αυτο αυτοι αυτεσ αυτα αυτου αυτησ αυτων
    αυτον αυτην αυτουσ μου σου μασ σασ με σε τουσ τουτο εκεινοσ εκεινη εκεινο
    οποιοσ οποια οποιο οποιοι οποιεσ οποιων οποιου οποιασ οποιον οποιαν
    οποιουσ οτι καθε καποιοσ καποια καποιο
    και κι η ουτε μητε ειτε αλλα αλλ ομωσ ενω αν εαν οταν οποτε γιατι
    επειδη αφου ωστε οπωσ πωσ που ποιοσ ποια ποιο ποτε
    σε στο στη στην στον στα στουσ στισ στησ στου στων σ
    απο για με μετα προσ χωρισ ωσ εωσ κατα παρα δια υπερ υπο αντι μεχρι
    μεσα εξω πανω κατω μεταξυ εναντι εκ εξ εν
    να θα δεν μη μην ασ ναι οχι μα λοιπον ηδη ακομα ακομη επισησ
    ειναι ηταν εχει εχουν ειχε
    κ κκ
    """.split()
)

_stemmer = Stemmer.Stemmer("greek")
# PyStemmer's stemmers must not be called from two threads at once (web requests are).
_stemmer_lock = threading.Lock()


def fold_text(text: str) -> str:
    """Case- and accent-fold text, keeping Greek letters Greek.

    First the normalizers of search/normalizers.py: invisible format characters
    go (δήμαρ\u00adχος is δήμαρχος) and math symbols printed for Greek letters
    become the letters (∆ΙΑΘΕΣΗΣ is ΔΙΑΘΕΣΗΣ).
    NFKD splits every accent (tonos, dialytika, polytonic marks) off its
    letter and maps compatibility forms (ϲ, ϐ, µ, ᴬ) to plain letters; casefold
    then turns final ς into σ and writes an iota subscript as ι, as upper case
    does (ῷ, ΩΙ).  Decomposing both before and after casefold makes the result
    a fixed point: lunate ϲ folds to σ, not to a final ς that would never match.
    Latin-only text also goes through Unidecode, which folds letters NFKD
    cannot split (ø, ł, æ); a letter it has no reading for stays itself, so no
    word folds to nothing.  Uncached, for whole documents.
    """
    text = symbols_to_letters(strip_invisible(text))
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    folded = decomposed.translate(_combining_marks())
    if folded.isascii():
        return folded
    if _GREEK_RE.search(folded) and _LATIN_RE.search(folded):
        folded = _LETTER_RUN_RE.sub(_one_script, folded)
    if _GREEK_RE.search(folded):
        return folded
    # Decided after the look-alike pass: "aaµ÷" becomes "aam÷", Latin only, and
    # must fold as Latin text does (÷ -> /), or folding it again would change it.
    return "".join(unidecode(c) or c for c in folded).lower()


# Letters that look alike in the two scripts (folded: lower case, no accents).
# Scanned and typed texts mix them inside one word: "Pόδου" with a Latin P,
# "Εmail" with a Greek Ε.
_LOOKALIKES = ("abehikmnoptxyzuv", "αβεηικμνορτχυζυν")
LATIN_TO_GREEK = str.maketrans(*_LOOKALIKES)
GREEK_TO_LATIN = str.maketrans("αβεηικμνορτχυζ", "abehikmnoptxyz")
_LATIN_RE = re.compile(r"[a-z]")
_LETTER_RUN_RE = re.compile(r"[^\W\d_]+")


def _one_script(match: re.Match) -> str:
    """A word of both scripts, written in the script most of its letters are in."""
    word = match.group()
    latin = len(_LATIN_RE.findall(word))
    greek = len(_GREEK_RE.findall(word))
    if not latin or not greek:
        return word
    return word.translate(LATIN_TO_GREEK if greek >= latin else GREEK_TO_LATIN)


@cache
def _combining_marks() -> dict[int, None]:
    """Every code point with a combining class, mapped to nothing: `str.translate` drops them in C.

    Dropping them one character at a time in Python was a tenth of ingestion's profile; the
    table (912 code points) is read off the whole of Unicode once, in ~70 ms, on first use.
    """
    return dict.fromkeys(point for point in range(sys.maxunicode + 1) if unicodedata.combining(chr(point)))


# Words and lines repeat across documents: each distinct one is folded once.
fold = lru_cache(maxsize=200_000)(fold_text)


def is_greek(word: str) -> bool:
    return _GREEK_RE.search(word) is not None


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Stem one folded word, repairing Snowball's inflection splits.

    Snowball stems -ίας apart from -ία (πανδημίας -> πανδημι, πανδημία -> πανδημ)
    and -ίου apart from -ιο (συμβουλίου -> συμβουλ, συμβούλιο -> συμβουλι).
    Feeding it the -ια/-ιο form of both, then dropping a trailing ι from the
    stem, joins each pair (and the plurals) without merging δήμος with
    δημόσιος.  Snowball also strips the -ικ- of some forms of an adjective and
    not of others (κεντρικών -> κεντρ, κεντρικούς -> κεντρικ); putting it back
    whenever the word goes on with ικ after the stem joins them, and keeps
    πολιτικός apart from πολίτης.  docs/analysis.md has the measured figures.
    """
    if not is_greek(word) or len(word) < 4:
        return word
    full = word
    if word.endswith(("ιασ", "ιου")):
        word = word[:-1]
    with _stemmer_lock:
        stemmed = _stemmer.stemWord(word)
    if len(stemmed) > 3 and stemmed.endswith("ι"):
        stemmed = stemmed[:-1]
    if not stemmed.endswith("ικ") and full.startswith(stemmed + "ικ"):
        stemmed += "ικ"
    # Snowball reads some short words as all suffix (ίδιο -> "", βίας -> β): such
    # a stem would join unrelated words, so the word stands for itself.
    return stemmed if len(stemmed) >= 2 else full


class Word(NamedTuple):
    """One word of a text: where it is, its folded form, and its index term.

    A named tuple, not a dataclass: snippets split up to hundreds of words per
    result, and a frozen dataclass took five times as long to make.
    """

    start: int
    end: int
    folded: str
    term: str | None  # None for a stopword


@lru_cache(maxsize=200_000)
def word_forms(surface: str) -> tuple[str, str | None]:
    """A word as written -> its folded form and its index term (None for a stopword)."""
    folded = fold(surface)
    return folded, (None if not folded or folded in GREEK_STOPWORDS else stem(folded))


def words(text: str, start: int = 0) -> Iterator[Word]:
    """Split text into words with character spans, for highlighting and query parsing.

    From `start` on, which the caller puts where no word is cut (spans stay those of `text`).
    """
    for match in _WORD_RE.finditer(text, start):
        folded, term = word_forms(match.group())
        if not folded:
            continue  # only marks that fold away (halfwidth ﾞ); the analyzers index no term for it
        yield Word(match.start(), match.end(), folded, term)


def terms(text: str) -> list[str]:
    """The index terms of a text, exactly as the stemmed fields hold them."""
    return [word.term for word in words(text) if word.term is not None]
