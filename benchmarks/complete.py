"""Time of Greeklish prefix completion (search/completion.py) on the real laws' vocabulary.

    python benchmarks/complete.py [--repeat 5]

Prints the one-off cost of sorting the vocabulary by Greeklish key, then per prefix the median time of
a completion and, as the peer measured in the same run, of the Greeklish look-up of a whole word
(GreekVocabulary.greeklish_candidates, what a search does for a Latin word; its keys are cached after
the first call, as in a search), with their ratio.
tests/test_complete.py checks what completes; a test never asserts these times.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import median_ms  # noqa: E402
from search.analysis import words  # noqa: E402
from search.completion import GreeklishPrefixes  # noqa: E402
from search.greeklish import GreekVocabulary  # noqa: E402
from tests.conftest import SHARED_DATA  # noqa: E402

# (prefix being typed, the whole word it leads to)
PREFIXES = [("dia", "diataxeis"), ("kat", "katopin"), ("ypour", "ypourgos"), ("prosl", "proslipsi"),
            ("dimarx", "dimarxos"), ("diakyv", "diakyvernisi")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    frequencies: Counter[str] = Counter()
    with open(SHARED_DATA / "greek-laws-2023-2024.jsonl", encoding="utf-8") as lines:
        for line in lines:
            frequencies.update({word.folded for word in words(json.loads(line)["body"] or "")})
    vocabulary = GreekVocabulary(dict(frequencies))
    started = time.perf_counter()
    prefixes = GreeklishPrefixes(vocabulary)
    print(f"{len(vocabulary):,} words; sorted by Greeklish key in {time.perf_counter() - started:.2f} s")
    print(f"{'prefix':<8} {'completion ms':>14} {'whole word ms':>14} {'ratio':>6}  first completions")
    for prefix, word in PREFIXES:
        completion = median_ms(lambda: prefixes.complete(prefix, 5), args.repeat)
        lookup = median_ms(lambda: vocabulary.greeklish_candidates(word), args.repeat)
        found = ", ".join(w for w, _ in prefixes.complete(prefix, 3))
        print(f"{prefix:<8} {completion:>14.2f} {lookup:>14.3f} {completion / lookup:>6.0f}  {found}")


if __name__ == "__main__":
    main()
