"""Greeklish and misspelled query words, matched against the index's own Greek words.

Greeks often type Greek in Latin letters ("Greeklish"), with several conventions
mixed freely inside one word: by sound (η/ι/υ/ει/οι -> i, χ -> x/h/ch, ου -> ou/u),
by letter shape (θ -> 8, ξ -> 3, ψ -> 4, ω -> w, η -> h, υ -> u/y) and by the
official ELOT 743 / ISO 843 transliteration (υ -> y, χ -> ch, ξ -> x, μπ -> mp).
"dimarxos", "dhmarxos", "dimarchos" and "8essaloniki" are all ordinary queries.

Why not Unidecode alone: it gives exactly one scholarly spelling per Greek word
("Δήμαρχος Χανίων" -> "Demarkhos Khanion": η -> e, χ -> kh, υ -> u), which almost
nobody types, and it only goes Greek -> Latin.  A query needs the other
direction, where one Latin string stands for many Greek spellings ("i" is ι, η,
υ, ει or οι; "h" is η or χ; "x" is χ or ξ; "u" is υ or ου) and only the
vocabulary can say which of them is a word.  Unidecode still has two jobs here:
its per-letter table is one more accepted (lower-ranked) convention, so
"Demarkhos" and "Khania" work too, and it folds non-ASCII Latin input
("Dímarchos", "Chaniá") before matching (through `analysis.fold`).

How matching works (fast on a vocabulary of ~150,000 words):

1. Every Greek vocabulary word gets a lossy *key*: each run of vowels becomes
   "V", each consonant its sound class (β and μπ -> B, δ and ντ -> D, γ, γγ and
   γκ -> G, θ -> Q, ξ -> KS, ψ -> PS ...), doubled letters collapse.  The key
   forgets exactly what Greeklish spellers confuse (which i, which o, ει or η).
2. A Latin word is parsed into spellings of Greek units (the same rule table,
   read backwards); each parse yields one key.  Ambiguous letters (h, x, th, ph,
   v/f after a vowel, b, d, ng) give a handful of keys, looked up in a dict.
3. Each candidate word is verified with a small dynamic program over the rule
   table (any convention per unit, so mixed spellings work), which also gives a
   cost: 0 for the conventions people use, 1 per Unidecode-only spelling.

Misspellings of Greek words (one or two wrong letters) are corrected here too,
rather than with Whoosh's FuzzyTerm: the suggestion ("Μήπως εννοείτε: ...") needs
the *best* close word, ranked by edit distance, sound-alike letters and document
frequency, while FuzzyTerm only ORs every term within the distance.  A
one-deletion index over the vocabulary (built on first use) finds every word
within Damerau-Levenshtein distance 2 in a few milliseconds.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA
from unidecode import unidecode

from .analysis import GREEK_STOPWORDS, fold, is_greek, stem

# --------------------------------------------------------------------------
# The rule table: Greek unit (one letter or a digraph) -> Latin spellings.
# Cost 0: the conventions of the issue (sound, letter shape, ELOT 743).
# --------------------------------------------------------------------------

_LETTER_SPELLINGS: dict[str, tuple[str, ...]] = {
    "α": ("a",),
    "β": ("v", "b"),
    "γ": ("g",),
    "δ": ("d",),
    "ε": ("e",),
    "ζ": ("z",),
    "η": ("i", "h"),
    "θ": ("th", "8"),
    "ι": ("i",),
    "κ": ("k",),
    "λ": ("l",),
    "μ": ("m",),
    "ν": ("n",),
    "ξ": ("ks", "x", "3"),
    "ο": ("o",),
    "π": ("p",),
    "ρ": ("r",),
    "σ": ("s",),
    "τ": ("t",),
    "υ": ("i", "y", "u"),
    "φ": ("f", "ph"),
    "χ": ("x", "h", "ch"),
    "ψ": ("ps", "4"),
    "ω": ("o", "w"),
}

_DIGRAPH_SPELLINGS: dict[str, tuple[str, ...]] = {
    # vowel digraphs: always one unit in Greek (a dialytika is folded away, so
    # "αι" may also be a-i: "ai" covers it)
    "ου": ("ou", "u", "oy"),
    "αι": ("e", "ai"),
    "ει": ("i", "ei"),
    "οι": ("i", "oi"),
    "υι": ("i", "yi", "ui"),
    "αυ": ("av", "af", "au", "ay"),
    "ευ": ("ev", "ef", "eu", "ey"),
    "ηυ": ("iv", "if", "iu", "iy"),
    # consonant digraphs (the letter-by-letter spelling is also allowed)
    "μπ": ("b", "mp", "mb"),
    "ντ": ("d", "nt", "nd"),
    "γγ": ("ng", "g", "gg"),
    "γκ": ("g", "gk", "ng", "nk"),
    "γξ": ("nx", "nks", "gx", "gks"),
    "γχ": ("nch", "nx", "nh", "gch", "gx", "gh"),
}

# Vowel digraphs are never split: "ο"+"υ" spelled "oi" must not match ου.
_FORCED_DIGRAPHS = frozenset(("ου", "αι", "ει", "οι", "υι", "αυ", "ευ", "ηυ"))

_VOWELS = frozenset("αεηιουω")
_GREEK_LETTERS = frozenset(_LETTER_SPELLINGS)


def _build_rules() -> dict[str, tuple[tuple[str, int], ...]]:
    rules: dict[str, dict[str, int]] = {}
    for unit, spellings in (*_LETTER_SPELLINGS.items(), *_DIGRAPH_SPELLINGS.items()):
        rules[unit] = {s: 0 for s in spellings}
    # Unidecode's scholarly table as one more, lower-ranked convention
    # (η -> e, χ -> kh): "Demarkhos", "Khania".
    for unit in rules:
        scholarly = unidecode(unit).lower()
        if scholarly and scholarly.isascii() and scholarly not in rules[unit]:
            rules[unit][scholarly] = 1
    # a doubled consonant typed once ("ll" or "l" for λλ)
    for letter in _LETTER_SPELLINGS:
        if letter not in _VOWELS:
            rules.setdefault(letter * 2, {}).update(rules[letter])
    return {unit: tuple(sorted(s.items())) for unit, s in rules.items()}


_RULES = _build_rules()


# --------------------------------------------------------------------------
# The lossy key shared by Greek words and Latin parses.
# --------------------------------------------------------------------------

_CONSONANT_CLASS = {
    "β": "B", "γ": "G", "δ": "D", "ζ": "Z", "θ": "Q", "κ": "K", "λ": "L",
    "μ": "M", "ν": "N", "ξ": "KS", "π": "P", "ρ": "R", "σ": "S", "τ": "T",
    "φ": "F", "χ": "H", "ψ": "PS",
}
_KEY_DIGRAPHS = {"μπ": "B", "ντ": "D", "γκ": "G", "γγ": "G"}


def _append(key: str, fragment: str) -> str:
    """Concatenate, collapsing a repeated symbol at the seam (λλ -> L, αι -> V)."""
    if key and fragment and key[-1] == fragment[0]:
        fragment = fragment[1:]
    return key + fragment


def _unit_key(unit: str) -> str:
    if unit in _KEY_DIGRAPHS:
        return _KEY_DIGRAPHS[unit]
    key = ""
    for ch in unit:
        key = _append(key, "V" if ch in _VOWELS else _CONSONANT_CLASS.get(ch, ch))
    return key


def greek_key(word: str) -> str:
    """The lossy key of a folded Greek word: vowel runs -> V, consonant classes."""
    key = ""
    i = 0
    while i < len(word):
        pair = word[i : i + 2]
        if pair in _KEY_DIGRAPHS:
            key = _append(key, _KEY_DIGRAPHS[pair])
            i += 2
            continue
        ch = word[i]
        key = _append(key, "V" if ch in _VOWELS else _CONSONANT_CLASS.get(ch, ch))
        i += 1
    return key


# Latin spelling -> key fragments of the Greek units it can stand for.
_SPELLING_KEYS: dict[str, frozenset[str]] = {}
for _unit, _spellings in _RULES.items():
    for _spelling, _cost in _spellings:
        _SPELLING_KEYS[_spelling] = _SPELLING_KEYS.get(_spelling, frozenset()) | {_unit_key(_unit)}
# "n" before a velar is γ (ELOT: γκ -> gk, γξ -> nx, γχ -> nch): covered by the
# digraph spellings above, whose keys start with G.
_MAX_SPELLING = max(len(s) for s in _SPELLING_KEYS)
# Real words spell at most a few dozen keys (the 938 test pairs: 24 at most);
# a word that spells more ("thththth...") is not Greeklish and is not expanded.
_MAX_KEYS = 256
# The longest Greek words run to ~25 letters; anything longer is not a typed word
# ("δδδδ..." pasted 5,000 times) and is not expanded at all.
MAX_WORD_LENGTH = 32
# Inflected readings: a stem of at least MIN_STEM letters, then up to
# MAX_ENDING Latin letters of ending ("xan" + "ia").
MIN_STEM = 3
MAX_ENDING = 4
INFLECTED_COST = 50


class _TooAmbiguous(Exception):
    pass


def latin_keys(latin: str) -> set[str]:
    """Every key a (lower-case, ASCII) Latin word can spell under the rule table; none past _MAX_KEYS."""
    n = len(latin)

    @lru_cache(maxsize=None)
    def suffix_keys(j: int) -> frozenset[str]:
        if j == n:
            return frozenset({""})
        out: set[str] = set()
        for length in range(1, min(_MAX_SPELLING, n - j) + 1):
            fragments = _SPELLING_KEYS.get(latin[j : j + length])
            if not fragments:
                continue
            rest = suffix_keys(j + length)
            for fragment in fragments:
                for tail in rest:
                    out.add(_prepend(fragment, tail))
            if len(out) > _MAX_KEYS:
                raise _TooAmbiguous
        return frozenset(out)

    try:
        return set(suffix_keys(0))
    except _TooAmbiguous:
        return set()


def _prepend(fragment: str, tail: str) -> str:
    if fragment and tail and fragment[-1] == tail[0]:
        return fragment + tail[1:]
    return fragment + tail


# --------------------------------------------------------------------------
# Precise verification: can this Latin string spell this Greek word, and at what cost?
# --------------------------------------------------------------------------

_INF = 1 << 30


def _units_at(word: str, i: int) -> Iterator[tuple[int, tuple[tuple[str, int], ...]]]:
    pair = word[i : i + 2]
    if pair in _FORCED_DIGRAPHS:
        yield 2, _RULES[pair]
        return
    letter = word[i]
    yield 1, _RULES.get(letter, ((letter, 0),))
    if len(pair) == 2 and pair in _RULES:
        yield 2, _RULES[pair]


def spelling_cost(latin: str, greek: str) -> int | None:
    """Lowest cost at which `latin` spells the folded Greek word, or None if it cannot.

    Each Greek unit may use any convention independently, so "dhmarxos"
    (letter-shape η, sound χ) spells δημαρχοσ at cost 0.
    """
    n, m = len(greek), len(latin)
    best = [dict() for _ in range(n + 1)]  # best[i][j] = cost of greek[:i] ~ latin[:j]
    best[0][0] = 0
    for i in range(n):
        if not best[i]:
            continue
        for length, spellings in _units_at(greek, i):
            target = best[i + length]
            for j, cost in best[i].items():
                for spelling, extra in spellings:
                    if latin.startswith(spelling, j):
                        k = j + len(spelling)
                        if cost + extra < target.get(k, _INF):
                            target[k] = cost + extra
    return best[n].get(m)


_EDIT = 100  # one typing slip costs more than any mix of conventions


def fuzzy_spelling_cost(latin: str, greek: str, max_edits: int = 1) -> int | None:
    """Like `spelling_cost`, also allowing `max_edits` slips (a Latin letter too many,
    too few or wrong: "prosliseis" for προσληψεισ, ψ typed as "s").  Each slip adds 100.
    """
    n, m = len(greek), len(latin)
    limit = (max_edits + 1) * _EDIT
    best = [dict() for _ in range(n + 1)]
    best[0][0] = 0
    for i in range(n + 1):
        row = best[i]
        # an extra Latin letter: stays on the same Greek position
        for j in range(m):
            if j in row and row[j] + _EDIT < min(limit, row.get(j + 1, _INF)):
                row[j + 1] = row[j] + _EDIT
        if i == n or not row:
            continue
        for length, spellings in _units_at(greek, i):
            target = best[i + length]
            for j, cost in row.items():
                for spelling, extra in spellings:
                    if latin.startswith(spelling, j):
                        k = j + len(spelling)
                        if cost + extra < target.get(k, _INF):
                            target[k] = cost + extra
                # the unit missing, or typed as one wrong letter
                for k in (j, j + 1):
                    if k <= m and cost + _EDIT < min(limit, target.get(k, _INF)):
                        target[k] = cost + _EDIT
    cost = best[n].get(m)
    return cost if cost is not None and cost < limit else None


# --------------------------------------------------------------------------
# Misspellings: optimal-string-alignment distance with sound-alike substitutions.
# --------------------------------------------------------------------------

_SOUND_ALIKE = [frozenset("ιηυ"), frozenset("οω"), frozenset("εα")]


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance, capped at limit + 1.

    rapidfuzz computes it in C, with the same cap (`score_cutoff`): identical values
    to the Python dynamic program it replaced (tests/test_greeklish.py checks them on
    real words).
    """
    return OSA.distance(a, b, score_cutoff=limit)


def _sound_alike_mismatches(a: str, b: str) -> int:
    """How many positions differ by a sound-alike letter only (ι/η/υ, ο/ω): a tie-breaker."""
    if len(a) != len(b):
        return 0
    return sum(1 for x, y in zip(a, b) if x != y and any(x in s and y in s for s in _SOUND_ALIKE))


_FOLDED_GREEK_ALPHABET = "αβγδεζηθικλμνξοπρστυφχψω"


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _collapsed_deletes(key: str) -> set[str]:
    out = set()
    for i in range(len(key)):
        left, right = key[:i], key[i + 1 :]
        out.add(_append(left, right) if left and right else left + right)
    return out


def _edits1(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out = {a + b[1:] for a, b in splits if b}
    out |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    out |= {a + c + b[1:] for a, b in splits if b for c in _FOLDED_GREEK_ALPHABET if c != b[0]}
    out |= {a + c + b for a, b in splits for c in _FOLDED_GREEK_ALPHABET}
    return out


# --------------------------------------------------------------------------
# The vocabulary
# --------------------------------------------------------------------------

_LATIN_QUERY_RE = re.compile(r"^[a-z0-9]*[a-z][a-z0-9]*$")


def is_latin_word(word: str) -> bool:
    """A folded query word written in Latin letters (digits allowed: "8essaloniki")."""
    return bool(_LATIN_QUERY_RE.match(word))


@dataclass(frozen=True)
class Candidate:
    """A vocabulary word a query word may stand for."""

    word: str  # folded, as in the index
    cost: int  # Greeklish: spelling cost; misspelling: edit distance
    df: int  # document frequency in the index (0 if unknown)


class GreekVocabulary:
    """The folded words of the index, for Greeklish lookup and misspelling correction.

    Built from an iterable of folded words (exactly `analysis.fold` output, e.g.
    the unstemmed field's lexicon) or a mapping word -> document frequency.
    Latin words of the index are kept too, so a Latin query word that is a real
    term ("covid", "mykep") is recognised and not expanded.

    Unidecode alone cannot do this job: it maps each Greek word to one scholarly
    Latin spelling ("Demarkhos", "Khania"), while people type "dimarxos",
    "dhmarxos", "dimarchos", "xania", "hania"; and a query needs Latin -> Greek,
    where one Latin letter stands for several Greek ones and only the index's
    own vocabulary can decide.  Unidecode's table is used as one extra convention
    and for folding non-ASCII Latin input.
    """

    def __init__(self, words: Iterable[str] | Mapping[str, int]):
        if isinstance(words, Mapping):
            df = {w: int(f) for w, f in words.items()}
        else:
            df = {}
            for w in words:
                df[w] = df.get(w, 0) + 1
        self.df: dict[str, int] = df
        self._by_key: dict[str, list[str]] = {}
        self.latin: set[str] = set()
        for w in df:
            if is_greek(w):
                self._by_key.setdefault(greek_key(w), []).append(w)
            elif is_latin_word(w):
                self.latin.add(w)
        self._deletion_index: dict[str, list[str]] | None = None
        self._key_deletion_index: dict[str, list[str]] | None = None
        self._stem_key_index: dict[str, dict[str, list[str]]] | None = None

    @classmethod
    def from_reader(cls, reader, fieldname: str) -> "GreekVocabulary":
        """From a Whoosh reader's field lexicon (the folded, unstemmed field), with document frequencies.

        Each segment's terms are walked on their own and their frequencies added up:
        a multi-segment reader's own walk looks every term up again in every segment
        (14.8 s of 15 for the 21,546 words of 10,000 announcements in two segments).
        """
        from_bytes = reader.schema[fieldname].from_bytes
        freqs: dict[str, int] = {}
        for leaf, _ in reader.leaf_readers():
            for btext, terminfo in leaf.iter_field(fieldname):
                text = from_bytes(btext) if isinstance(btext, bytes) else btext
                freqs[text] = freqs.get(text, 0) + terminfo.doc_frequency()
        return cls(freqs)

    def warm(self) -> GreekVocabulary:
        """Build the lookup indexes now, not on the first query that needs each (3 s at 10,000
        announcements: the first Greeklish or misspelled query after a reindex paid it)."""
        self._stem_keys()
        self._key_deletions()
        self._deletions()
        return self

    def __contains__(self, word: str) -> bool:
        return word in self.df

    def __len__(self) -> int:
        return len(self.df)

    # ---- Greeklish ------------------------------------------------------

    def greeklish_candidates(self, latin_word: str, max_cost: int | None = None,
                             include_stopwords: bool = False) -> list[Candidate]:
        """Greek vocabulary words the Latin word can spell, best first.

        Sorted by spelling cost, then document frequency.  Stopwords are left
        out unless asked for ("kai" is και, which no search wants as a content
        word).  Returns [] for non-Latin input.
        """
        latin = fold(latin_word)
        if not is_latin_word(latin) or len(latin) > MAX_WORD_LENGTH:
            return []
        out = []
        seen = set()
        for key in latin_keys(latin):
            for word in self._by_key.get(key, ()):
                if word in seen or (word in GREEK_STOPWORDS and not include_stopwords):
                    continue
                seen.add(word)
                cost = spelling_cost(latin, word)
                if cost is not None and (max_cost is None or cost <= max_cost):
                    out.append(Candidate(word, cost, self.df.get(word, 0)))
        out.sort(key=lambda c: (c.cost, -c.df, c.word))
        return out

    def fuzzy_greeklish_candidates(self, latin_word: str) -> list[Candidate]:
        """Greek words the Latin word spells with one slip ("prosliseis": προσληψεισ).

        Meant for Latin words with no exact Greeklish reading; cost >= 100.
        Words shorter than 5 letters get none: one slip in four letters is a
        different word more often than not.
        """
        latin = fold(latin_word)
        if not is_latin_word(latin) or not 5 <= len(latin) <= MAX_WORD_LENGTH:
            return []
        index = self._key_deletions()
        keys: set[str] = set()
        for key in latin_keys(latin):
            for variant in (key, *_collapsed_deletes(key)):
                keys.update(index.get(variant, ()))
        out = []
        for key in keys:
            for word in self._by_key[key]:
                if word in GREEK_STOPWORDS or abs(len(word) - len(latin)) > 4:
                    continue
                cost = fuzzy_spelling_cost(latin, word)
                if cost is not None:
                    out.append(Candidate(word, cost, self.df.get(word, 0)))
        out.sort(key=lambda c: (c.cost, -c.df, c.word))
        return out

    def inflected_candidates(self, latin_word: str) -> list[Candidate]:
        """Greek words whose stem the Latin word spells, whatever its ending ("xania": χανιων).

        For Greeklish of an inflection the index does not hold (the seeds say
        Χανίων, people type "xania"): the stem is spelled exactly and up to
        MAX_ENDING Latin letters after it are left to the stemmer, as a Greek
        query's ending would be.  Cost 50: above any exact reading, below a slip.
        """
        latin = fold(latin_word)
        if not is_latin_word(latin) or not MIN_STEM + 1 <= len(latin) <= MAX_WORD_LENGTH:
            return []
        index = self._stem_keys()
        found: dict[str, Candidate] = {}
        for cut in range(max(MIN_STEM, len(latin) - MAX_ENDING), len(latin) + 1):
            head = latin[:cut]
            for key in latin_keys(head):
                for word_stem, words_of_stem in index.get(key, {}).items():
                    if spelling_cost(head, word_stem) is None:
                        continue
                    for word in words_of_stem:
                        found[word] = Candidate(word, INFLECTED_COST, self.df.get(word, 0))
        return sorted(found.values(), key=lambda c: (-c.df, c.word))

    def _stem_keys(self) -> dict[str, dict[str, list[str]]]:
        """key of a stem -> stem -> the vocabulary words with that stem."""
        if self._stem_key_index is None:
            index: dict[str, dict[str, list[str]]] = {}
            for words_of_key in self._by_key.values():
                for word in words_of_key:
                    word_stem = stem(word)
                    if len(word_stem) >= MIN_STEM and word not in GREEK_STOPWORDS:
                        index.setdefault(greek_key(word_stem), {}).setdefault(word_stem, []).append(word)
            self._stem_key_index = index
        return self._stem_key_index

    def _key_deletions(self) -> dict[str, list[str]]:
        if self._key_deletion_index is None:
            index: dict[str, list[str]] = {}
            for key in self._by_key:
                for variant in {key, *_collapsed_deletes(key)}:
                    index.setdefault(variant, []).append(key)
            self._key_deletion_index = index
        return self._key_deletion_index

    def is_latin_term(self, word: str) -> bool:
        """Is this (folded) Latin word a plain Latin term of the index?"""
        return fold(word) in self.latin

    # ---- misspellings ---------------------------------------------------

    def _deletions(self) -> dict[str, list[str]]:
        if self._deletion_index is None:
            index: dict[str, list[str]] = {}
            for w in self.df:
                if len(w) >= 4 and is_greek(w):
                    index.setdefault(w, []).append(w)
                    for d in _deletes(w):
                        index.setdefault(d, []).append(w)
            self._deletion_index = index
        return self._deletion_index

    def corrections(self, word: str, max_distance: int | None = None, limit: int = 5) -> list[Candidate]:
        """Vocabulary words within a small edit distance of a Greek word not in the vocabulary.

        Distance 1 for words of up to 5 letters, 2 above (a missing accent is not
        an edit: words are folded first).  Best first: distance, then
        sound-alike substitutions (ι/η/υ, ο/ω), then document frequency.
        """
        folded = fold(word)
        if folded in self.df or not is_greek(folded) or not 4 <= len(folded) <= MAX_WORD_LENGTH:
            return []
        if max_distance is None:
            max_distance = 1 if len(folded) <= 5 else 2
        index = self._deletions()
        found: set[str] = set()
        probes = {folded} | (_edits1(folded) if max_distance >= 2 else set())
        for probe in probes:
            for variant in (probe, *_deletes(probe)):
                hits = index.get(variant)
                if hits:
                    found.update(hits)
        scored = []
        for w in found:
            d = edit_distance(folded, w, max_distance)
            if d <= max_distance and w not in GREEK_STOPWORDS:
                scored.append((d, -_sound_alike_mismatches(folded, w), -self.df.get(w, 0), w))
        scored.sort()
        return [Candidate(w, d, -negdf) for d, _, negdf, w in scored[:limit]]


def to_greek_candidates(latin_word: str, vocabulary: GreekVocabulary) -> list[str]:
    """The folded Greek vocabulary words a Latin-letter query word can spell, best first."""
    return [c.word for c in vocabulary.greeklish_candidates(latin_word)]


# --------------------------------------------------------------------------
# Display: the suggestion shows real Greek spelling, not folded forms.
# --------------------------------------------------------------------------


def final_sigma(word: str) -> str:
    """Write a word-final σ as ς (folded words, and texts typed with σ everywhere)."""
    return word[:-1] + "ς" if word.endswith("σ") else word


__all__ = [
    "Candidate",
    "Expansion",
    "expand",
    "GreekVocabulary",
    "edit_distance",
    "final_sigma",
    "greek_key",
    "is_latin_word",
    "latin_keys",
    "spelling_cost",
    "to_greek_candidates",
]


# --------------------------------------------------------------------------
# Query expansion policy: what the query layer ORs in for one query word.
# --------------------------------------------------------------------------

# Weight of a Greeklish reading relative to a word typed in Greek, and of a
# reading that needed one slip ("prosliseis").
GREEKLISH_WEIGHT = 1.0
GREEKLISH_SLIP_WEIGHT = 0.5
# Corrections of a misspelled Greek word rank below exact matches.
MISSPELLING_WEIGHTS = {1: 0.5, 2: 0.3}
MAX_READINGS = 5
MAX_CORRECTIONS = 3
# A Latin word of the index is taken as itself, unless it is rare beside its
# Greek reading (e.g. "thessaloniki" inside one URL vs θεσσαλονίκη in 33
# documents): below this share it is still read as Greeklish too.
LATIN_TERM_SHARE = 0.1


@dataclass(frozen=True)
class Expansion:
    """The vocabulary words one query word stands for, with their query weights."""

    kind: str  # "greeklish" or "misspelling"
    alternatives: tuple[tuple[str, float], ...]  # (folded word, weight), best first
    best: str  # folded word for the "Μήπως εννοείτε" suggestion

    @property
    def words(self) -> list[str]:
        return [w for w, _ in self.alternatives]


def expand(word: str, vocabulary: GreekVocabulary) -> Expansion | None:
    """Greeklish readings of a Latin word, or corrections of a misspelled Greek one: the candidates.

    None when the word is a known word of the index (a Greek word, a Latin term
    of the documents such as "covid") or nothing close exists.  Readings keep
    only the lowest spelling cost; among them the commonest words weigh most,
    so a rare look-alike cannot outrank the intended word.  Whether a candidate
    replaces the word, is only suggested, or is dropped (a real Greek word the
    index lacks is never replaced) is `search.corrections.decide`'s call.
    """
    folded = fold(word)
    if is_latin_word(folded):
        candidates = vocabulary.greeklish_candidates(folded, include_stopwords=True)
        weight = GREEKLISH_WEIGHT
        if not candidates:
            candidates = vocabulary.inflected_candidates(folded)
        if not candidates:
            candidates = vocabulary.fuzzy_greeklish_candidates(folded)
            weight = GREEKLISH_SLIP_WEIGHT
        if not candidates:
            return None
        latin_df = vocabulary.df.get(folded, 0)
        if latin_df and latin_df >= LATIN_TERM_SHARE * candidates[0].df:
            return None
        best_cost = candidates[0].cost
        chosen = [c for c in candidates if c.cost == best_cost][:MAX_READINGS]
        top_df = max(c.df for c in chosen) or 1
        alternatives = tuple((c.word, weight * (0.5 + 0.5 * c.df / top_df)) for c in chosen)
        return Expansion("greeklish", alternatives, chosen[0].word)
    if folded in vocabulary or folded in GREEK_STOPWORDS or not is_greek(folded):
        return None
    corrections = vocabulary.corrections(folded, limit=MAX_CORRECTIONS)
    if not corrections:
        return None
    alternatives = tuple((c.word, MISSPELLING_WEIGHTS.get(c.cost, 0.2)) for c in corrections)
    return Expansion("misspelling", alternatives, corrections[0].word)
