"""Time per word of Greeklish lookup and of the costliest bounded queries, on the real documents.

    python benchmarks/greeklish_lookup.py [--repeat 10]

The tests count this work (tests/test_greeklish.py, tests/test_hostile_input.py); this script
prints what it costs in time on this machine, which a test must never assert.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from search import analysis  # noqa: E402
from search.greeklish import GreekVocabulary  # noqa: E402
from search.request import MAX_QUERY_CHARS, MAX_QUERY_WORDS, parse_request  # noqa: E402
from search.service import SearchService  # noqa: E402
from search.store import IndexStore  # noqa: E402
from tests.conftest import LAW_ARTICLES, decision_documents, law_articles, seed_documents, water_cut  # noqa: E402

LATIN = ["dimarxos", "xanion", "psifiaki", "diakyvernisi", "8essaloniki", "proypologismou",
         "oikonomikis", "kaitezidhs", "ypiresion", "ekpaideusis"]


def common_words(engine, count: int) -> list[str]:
    with engine.ix.searcher() as searcher:
        by_frequency = sorted(((info.doc_frequency(), text.decode("utf-8"))
                               for text, info in searcher.reader().iter_field("exact")), reverse=True)
    return [word for _, word in by_frequency if word not in analysis.GREEK_STOPWORDS and len(word) > 3][:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    store = IndexStore(Path(tempfile.mkdtemp(prefix="greeklish-bench-")))
    store.build(seed_documents() + [water_cut()] + decision_documents() + law_articles(LAW_ARTICLES))
    engine = SearchService(store).engine()
    with engine.ix.searcher() as searcher:
        vocabulary = GreekVocabulary.from_reader(searcher.reader(), "exact")
    started = time.perf_counter()
    for q in LATIN * args.repeat:
        vocabulary.greeklish_candidates(q)
    per_word = (time.perf_counter() - started) * 1000 / (len(LATIN) * args.repeat)
    print(f"Greeklish lookup: {per_word:.2f} ms per word ({len(vocabulary)} words in the vocabulary)")
    common = common_words(engine, MAX_QUERY_WORDS)
    prefixes = [word[:2] + "*" for word in common]
    shapes = {"prefixes": " ".join(prefixes), "prefixes OR": " OR ".join(prefixes),
              "words OR": " OR ".join(common), "words excluded": common[0] + " -" + " -".join(common[1:])}
    engine.search(parse_request({"q": ["dimarxos"]}))  # the vocabulary, built once per generation
    for shape, q in shapes.items():
        started = time.perf_counter()
        engine.search(parse_request({"q": [q[:MAX_QUERY_CHARS]]}))
        print(f"costliest query under the limits ({shape}): {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
