"""Generate the Greeklish test pairs: (Greeklish spelling, Greek word).

    python tools/make_greeklish_pairs.py [--data ../shared/data] [--out tests/data/greeklish_pairs.tsv]

Takes the 300 most frequent content words (not in `analysis.GREEK_STOPWORDS`,
at least 4 letters, Greek) of the real documents in ../shared/data
(diavgeia-decisions.jsonl titles and bodies, greek-laws-2023-2024.jsonl) and
writes each one in every convention people use, plus a seeded random mix of
them inside one word.  The output is committed so the test needs no data to
know its pairs; rerunning the script reproduces it byte for byte.

The transliterator here is deliberately independent of `search.greeklish`: a
plain Greek -> Latin table per convention, applied left to right, written from
the conventions themselves and not from the matcher's rule table, so the
measured test can fail.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from search.analysis import is_greek, words  # noqa: E402

TOP_WORDS = 300
SEED = 743

VOWELS = set("αεηιουω")
VOICED = set("βγδζλμνρ") | VOWELS

BASE = {
    "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th",
    "ι": "i", "κ": "k", "λ": "l", "μ": "m", "ν": "n", "ξ": "ks", "ο": "o", "π": "p",
    "ρ": "r", "σ": "s", "τ": "t", "υ": "i", "φ": "f", "χ": "x", "ψ": "ps", "ω": "o",
}

# Each convention: letter overrides and digraph spellings.  A digraph value may
# be a function (word, position after the digraph) -> spelling.


def _av(vowel: str, voiced: str, voiceless: str):
    def spell(word: str, after: int) -> str:
        nxt = word[after] if after < len(word) else ""
        return vowel + (voiced if nxt in VOICED else voiceless)
    return spell


def _initial(at_start: str, inside: str):
    def spell(word: str, after: int) -> str:
        return at_start if after == 2 else inside
    return spell


CONVENTIONS: dict[str, dict] = {
    # ELOT 743 / ISO 843 (the official transliteration)
    "elot743": {
        "letters": {"υ": "y", "ξ": "x", "χ": "ch", "η": "i"},
        "digraphs": {
            "ου": "ou", "αι": "ai", "ει": "ei", "οι": "oi",
            "αυ": _av("a", "v", "f"), "ευ": _av("e", "v", "f"), "ηυ": _av("i", "v", "f"),
            "μπ": _initial("b", "mp"), "ντ": _initial("d", "nt"),
            "γγ": "ng", "γκ": _initial("g", "gk"), "γξ": "nx", "γχ": "nch",
        },
    },
    # by sound, with x for χ
    "sound_x": {
        "letters": {},
        "digraphs": {
            "ου": "ou", "αι": "e", "ει": "i", "οι": "i", "υι": "i",
            "αυ": _av("a", "v", "f"), "ευ": _av("e", "v", "f"),
            "μπ": _initial("b", "mp"), "ντ": _initial("d", "nt"), "γγ": "ng", "γκ": "g",
        },
    },
    # by sound, with h for χ, u for ου, doubled consonants typed once
    "sound_h": {
        "letters": {"χ": "h", "ξ": "x", "φ": "ph", "β": "b"},
        "digraphs": {
            "ου": "u", "αι": "ai", "ει": "i", "οι": "i",
            "αυ": "au", "ευ": "eu", "μπ": "b", "ντ": "d", "γγ": "g", "γκ": "g",
        },
        "single_doubles": True,
    },
    # by sound, with ch for χ and letter-by-letter diphthongs
    "sound_ch": {
        "letters": {"χ": "ch", "ξ": "x"},
        "digraphs": {
            "ου": "ou", "αι": "ai", "ει": "ei", "οι": "oi",
            "αυ": _av("a", "v", "f"), "ευ": _av("e", "v", "f"),
            "μπ": "mp", "ντ": "nt", "γγ": "gg", "γκ": "gk",
        },
    },
    # by letter shape: η -> h, ω -> w, υ -> u, θ -> 8, ξ -> 3, ψ -> 4
    "shape_u": {
        "letters": {"η": "h", "ω": "w", "υ": "u", "θ": "8", "ξ": "3", "ψ": "4", "β": "b"},
        "digraphs": {"ου": "ou", "αι": "ai", "ει": "ei", "οι": "oi", "αυ": "au", "ευ": "eu", "μπ": "mp", "ντ": "nt"},
    },
    # letter shape with y for υ, ps kept
    "shape_y": {
        "letters": {"η": "h", "ω": "w", "υ": "y", "θ": "8", "ξ": "ks", "χ": "x"},
        "digraphs": {"ου": "oy", "αι": "ai", "ει": "ei", "οι": "oi", "αυ": "ay", "ευ": "ey", "μπ": "mp", "ντ": "nt"},
    },
}

DIGRAPHS = ("ου", "αι", "ει", "οι", "υι", "αυ", "ευ", "ηυ", "μπ", "ντ", "γγ", "γκ", "γξ", "γχ")


def _units(word: str) -> list[tuple[str, int]]:
    """Split a folded word into letters and digraphs: (unit, position after it)."""
    out, i = [], 0
    while i < len(word):
        if word[i : i + 2] in DIGRAPHS:
            out.append((word[i : i + 2], i + 2))
            i += 2
        else:
            out.append((word[i], i + 1))
            i += 1
    return out


def _spell_unit(unit: str, after: int, word: str, convention: dict) -> str:
    if len(unit) == 2:
        spelling = convention["digraphs"].get(unit)
        if spelling is None:
            return "".join(_spell_unit(ch, after, word, convention) for ch in unit)
        return spelling(word, after) if callable(spelling) else spelling
    return convention["letters"].get(unit, BASE.get(unit, unit))


def transliterate(word: str, name: str) -> str:
    convention = CONVENTIONS[name]
    out = []
    previous = ""
    for unit, after in _units(word):
        spelled = _spell_unit(unit, after, word, convention)
        # a doubled consonant letter (λλ, σσ) typed once
        if convention.get("single_doubles") and unit == previous and unit not in VOWELS:
            continue
        out.append(spelled)
        previous = unit
    return "".join(out)


def mixed(word: str, rng: random.Random) -> str:
    """Each unit in a convention picked at random: people mix them inside one word."""
    names = sorted(CONVENTIONS)
    return "".join(_spell_unit(unit, after, word, CONVENTIONS[rng.choice(names)]) for unit, after in _units(word))


def top_words(data: Path, n: int = TOP_WORDS) -> list[tuple[str, str]]:
    """The n most frequent content words: (folded, commonest written form in lower case)."""
    counts: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    for name in ("diavgeia-decisions.jsonl", "greek-laws-2023-2024.jsonl"):
        with open(data / name, encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                text = f"{record.get('title') or ''}\n{record.get('body') or ''}"
                for w in words(text):
                    if w.term is None or len(w.folded) < 4 or not is_greek(w.folded) or not w.folded.isalpha():
                        continue
                    counts[w.folded] += 1
                    forms[w.folded][text[w.start : w.end].lower()] += 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:n]
    return [(folded, forms[folded].most_common(1)[0][0]) for folded, _ in ranked]


def make_pairs(data: Path) -> list[tuple[str, str, str]]:
    pairs = []
    for folded, written in top_words(data):
        rng = random.Random(f"{SEED}:{folded}")
        seen = set()
        spellings = [(transliterate(folded, name), name) for name in CONVENTIONS]
        spellings.append((mixed(folded, rng), "mixed"))
        for latin, name in spellings:
            if latin not in seen:
                seen.add(latin)
                pairs.append((latin, written, name))
    return pairs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=ROOT / "tests" / "data" / "greeklish_pairs.tsv")
    args = parser.parse_args(argv)
    pairs = make_pairs(args.data)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as out:
        out.write("# greeklish\tgreek\tconvention  (generated by tools/make_greeklish_pairs.py; do not edit)\n")
        for latin, greek, name in pairs:
            out.write(f"{latin}\t{greek}\t{name}\n")
    print(f"{len(pairs)} pairs from {len({g for _, g, _ in pairs})} words -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
