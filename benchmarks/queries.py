"""The fixed, seeded query mix for speed runs, drawn from a generated corpus.

    python benchmarks/queries.py CORPUS.jsonl [--seed S] [--per-cell 13]   # prints the mix

Six kinds (one word, two words, three words, a phrase, a prefix, Greeklish), each
in four variants (no facets; facet counts; one facet filter and counts; two facet
filters and counts), `per_cell` queries each: 6 x 4 x 13 = 312 by default.  Every
query is anchored on a random document of the corpus: its words come from that
document's text (so they follow the corpus' real word frequencies), typed as people
type them (lower case, accents often left out), and its filter values are that
document's municipality and officials, so filtered queries find something.
Greeklish words are written with tools/make_greeklish_pairs.py's transliterator,
in one convention or mixed within the word.
"""
from __future__ import annotations

import argparse
import random
import sys
import unicodedata
from collections.abc import Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.engines import BenchDocument, BenchQuery, read_documents  # noqa: E402
from benchmarks.generate import DEFAULT_SEED  # noqa: E402
from search.analysis import Word, is_greek, words  # noqa: E402
from tools.make_greeklish_pairs import CONVENTIONS, mixed, transliterate  # noqa: E402

KINDS = ("one-word", "two-words", "three-words", "phrase", "prefix", "greeklish")
# (number of facet filters, facet counts)
VARIANTS = ((0, False), (0, True), (1, True), (2, True))
PER_CELL = 13
ANCHORS = 3000  # candidate documents read from the corpus
UNACCENTED_SHARE = 0.6  # how often a query is typed without accents
NEAR_WORDS = 6  # words of a multi-word query come from this many consecutive words


def variant_label(query: BenchQuery) -> str:
    filters = len(query.filters())
    if not query.facets:
        return "plain"
    return "facets" if not filters else f"{filters} filter{'s' if filters > 1 else ''} + facets"


def _content(word: Word) -> bool:
    return word.term is not None and len(word.folded) >= 4 and is_greek(word.folded) and word.folded.isalpha()


def _typed(text: str, rng: random.Random) -> str:
    """Lower case, and often without accents (final ς kept), as people type."""
    lowered = text.lower()
    if rng.random() >= UNACCENTED_SHARE:
        return lowered
    bare = "".join(c for c in unicodedata.normalize("NFD", lowered) if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", bare)


def _text(kind: str, document: BenchDocument, rng: random.Random) -> str | None:
    """A query of `kind` from one document's words, or None when it has none that fit."""
    text = f"{document.title}\n{document.body}"
    all_words = list(words(text))
    positions = [i for i, w in enumerate(all_words) if _content(w)]
    if not positions:
        return None

    def surface(word: Word) -> str:
        return text[word.start:word.end]

    if kind in ("one-word", "two-words", "three-words"):
        count = KINDS.index(kind) + 1
        start = rng.choice(positions)
        near = [i for i in positions if start <= i < start + NEAR_WORDS][:count]
        if len(near) < count:
            return None
        return _typed(" ".join(surface(all_words[i]) for i in near), rng)
    if kind == "phrase":
        length = rng.choice((2, 3))
        start = rng.choice(positions)
        run = all_words[start:start + length]
        # Consecutive words of one sentence: only spaces between them, ending on a content word.
        if len(run) < length or not _content(run[-1]) or any(
                text[a.end:b.start] != " " for a, b in zip(run, run[1:])):
            return None
        return '"' + _typed(text[run[0].start:run[-1].end], rng) + '"'
    if kind == "prefix":
        long_words = [i for i in positions if len(all_words[i].folded) >= 7]
        if not long_words:
            return None
        word = surface(all_words[rng.choice(long_words)])
        return _typed(word[:rng.randint(4, 5)], rng) + "*"
    if kind == "greeklish":
        count = rng.choice((1, 1, 2))
        start = rng.choice(positions)
        near = [i for i in positions if start <= i < start + NEAR_WORDS][:count]
        if len(near) < count:
            return None
        conventions = sorted(CONVENTIONS)
        spelled = [mixed(all_words[i].folded, rng) if rng.random() < 0.3
                   else transliterate(all_words[i].folded, rng.choice(conventions)) for i in near]
        return " ".join(spelled)
    raise ValueError(f"unknown query kind {kind!r}")


def _anchors(corpus: Path, seed: int) -> list[BenchDocument]:
    """ANCHORS documents picked at random from the corpus, read in one pass."""
    with open(corpus, encoding="utf-8") as lines:
        size = sum(1 for _ in lines)
    picked = set(random.Random(f"{seed}:anchors").sample(range(size), min(ANCHORS, size)))
    return [d for i, d in enumerate(read_documents(corpus)) if i in picked]


def make_queries(corpus: Path, seed: int = DEFAULT_SEED, per_cell: int = PER_CELL) -> list[BenchQuery]:
    """The mix: every kind in every variant, per_cell queries each, the same for a corpus and seed."""
    anchors = _anchors(corpus, seed)
    queries = []
    for kind in KINDS:
        for filters, facets in VARIANTS:
            rng = random.Random(f"{seed}:{kind}:{filters}:{facets}")
            made = 0
            while made < per_cell:
                document = rng.choice(anchors)
                text = _text(kind, document, rng)
                if text is None or (filters == 2 and not (document.municipality and document.officials)):
                    continue
                municipality, official = _filter_values(document, filters, rng)
                queries.append(BenchQuery(text, kind, municipality, official, facets))
                made += 1
    return queries


def _filter_values(document: BenchDocument, filters: int, rng: random.Random) -> tuple[tuple[str, ...], tuple[str, ...]]:
    municipality = document.municipality[:1]
    official = (rng.choice(document.officials),) if document.officials else ()
    if filters == 2:
        return municipality, official
    if filters == 1:
        return (municipality, ()) if rng.random() < 0.5 or not official else ((), official)
    return (), ()


def _describe(queries: Sequence[BenchQuery]) -> Iterator[str]:
    for q in queries:
        filters = "; ".join(f"{k}={', '.join(v)}" for k, v in q.filters().items())
        yield f"{q.kind:12} {variant_label(q):20} {q.text}  {filters}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--per-cell", type=int, default=PER_CELL)
    args = parser.parse_args(argv)
    queries = make_queries(args.corpus, args.seed, args.per_cell)
    print("\n".join(_describe(queries)))
    print(f"{len(queries)} queries")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
