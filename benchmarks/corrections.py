"""Issue 14's done-when figures for corrections, through the web app's JSON API.

    python3 benchmarks/corrections.py [--index DIR] [--sample 200] [--seed 14]

Builds an index of ../shared/data/diavgeia-decisions.jsonl and seeds/ with `dimos-search reindex`
(or searches the one --index names) and asks /api/search, with Flask's test client, for

1. real Greek words the index lacks: `--sample` forms of the el_GR lexicon (search.lexicon) of 5 or
   more letters, not stopwords, whose folded form is no word of the documents and whose stem is no
   stem of them either (so no inflection of the word is in the index: a search as typed must find
   nothing).  Figure: how many give results (the issue wants 0), and how many carry a suggestion.
2. typos: `--sample` lexicon words of the documents (5+ letters) with one letter changed or two
   neighbours swapped, keeping only results that are neither lexicon nor index words.  Figures:
   recall@10 of the documents that contain the original word (|top 10 ∩ relevant| / min(10,
   |relevant|), averaged; a hit of a collapsed near-duplicate group counts as all its members),
   beside the same recall for the original word's own search (its ceiling) and the typo's recall
   counting each hit as its own document only, how many answers put such a document first, and
   how many announce the
   correction (`correction.applied` is true in the answer: the results are for `correction.query`,
   as search.corrections.CorrectionPlan.corrected_query gives it) rather than only suggest one.

The samples depend only on the seed, the lexicon and the documents (sorted before sampling), so two
runs print the same figures.  Going through the JSON API keeps this script valid whatever the engine
behind it.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from click.testing import CliRunner  # noqa: E402

from search import lexicon  # noqa: E402
from search.analysis import GREEK_STOPWORDS, is_greek, stem, words  # noqa: E402
from search.ingest import IngestReport, load_documents  # noqa: E402
from web import create_app  # noqa: E402
from web.cli import main as cli  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SOURCES = (ROOT.parent / "shared" / "data" / "diavgeia-decisions.jsonl", ROOT / "seeds")
MIN_LETTERS = 5  # shorter words are corrected at distance 1 only, and most one-letter edits of them are words
ALPHABET = "αβγδεζηθικλμνξοπρστυφχψω"
TOP = 10


@dataclass
class Documents:
    """The ingested documents as the index holds them: which folded words and stems each has."""

    ids: list[str] = field(default_factory=list)
    folded: list[set[str]] = field(default_factory=list)
    stems: set[str] = field(default_factory=set)

    @classmethod
    def load(cls) -> "Documents":
        out = cls()
        for doc in load_documents(list(SOURCES), IngestReport()):
            found = list(words(f"{doc.title}\n{doc.body}"))
            out.ids.append(doc.id)
            out.folded.append({w.folded for w in found})
            out.stems.update(w.term for w in found if w.term)
        return out

    def vocabulary(self) -> set[str]:
        return set().union(*self.folded)

    def containing(self, folded: str) -> set[str]:
        return {doc_id for doc_id, found in zip(self.ids, self.folded) if folded in found}


def content_word(word: str) -> bool:
    return len(word) >= MIN_LETTERS and is_greek(word) and word not in GREEK_STOPWORDS


def absent_real_words(docs: Documents, rng: random.Random, size: int) -> list[str]:
    vocabulary = docs.vocabulary()
    pool = sorted(w for w in lexicon.forms() if content_word(w) and w not in vocabulary)
    rng.shuffle(pool)
    return [w for w in pool if stem(w) not in docs.stems][:size]


def one_edit(word: str, rng: random.Random) -> str:
    """The word with one letter changed, or two neighbouring letters swapped (half the time each)."""
    i = rng.randrange(len(word) - 1)
    if rng.random() < 0.5 and word[i] != word[i + 1]:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    j = rng.randrange(len(word))
    return word[:j] + rng.choice(ALPHABET.replace(word[j], "")) + word[j + 1:]


def typos(docs: Documents, rng: random.Random, size: int) -> list[tuple[str, str]]:
    """(original, typo) pairs: originals are lexicon words of the documents, typos are no word at all."""
    vocabulary = docs.vocabulary()
    originals = sorted(w for w in vocabulary if content_word(w) and w in lexicon.forms())
    rng.shuffle(originals)
    pairs = []
    for original in originals:
        typo = one_edit(original, rng)
        if typo not in vocabulary and typo not in lexicon.forms():
            pairs.append((original, typo))
        if len(pairs) == size:
            break
    return pairs


def build_index(directory: Path) -> None:
    result = CliRunner().invoke(cli, ["reindex", *map(str, SOURCES), "--index", str(directory)])
    if result.exit_code:
        raise SystemExit(f"reindex failed ({result.exit_code}): {result.output}")
    print(result.output.strip().splitlines()[-1])


def ask(client, q: str) -> dict:
    response = client.get("/api/search", query_string={"q": q, "per_page": TOP})
    if response.status_code != 200:
        raise SystemExit(f"/api/search?q={q} answered {response.status_code}: {response.get_data(as_text=True)[:300]}")
    return response.get_json()


def report_absent(client, sample: list[str]) -> None:
    answers = [ask(client, w) for w in sample]
    found = [(w, a["total"]) for w, a in zip(sample, answers) if a["total"]]
    suggested = sum(bool(a.get("suggestion")) for a in answers)
    print(f"real words the index lacks: {len(found)} of {len(sample)} give results (want 0); "
          f"{suggested} carry a suggestion")
    if found:
        print("  e.g. " + ", ".join(f"{w} ({n})" for w, n in found[:8]))


class Groups:
    """The members of near-duplicate groups, each listed once through `/api/search?group=<key>`.

    A collapsed page shows a group once (its best-ranked member, `similar` others behind «+N
    παρόμοιες»), so a shown hit stands for its whole group: counting only the member shown would
    lower recall@10 for every relevant document collapsing hides.
    """

    def __init__(self, client):
        self.client, self.members = client, {}

    def shown(self, hit: dict) -> set[str]:
        """The ids a hit stands for: itself, or every member of its group."""
        if not hit.get("similar") or not hit.get("group"):
            return {hit["id"]}
        if hit["group"] not in self.members:
            self.members[hit["group"]] = self._listing(hit["group"])
        return self.members[hit["group"]] | {hit["id"]}

    def _listing(self, key: str) -> set[str]:
        ids, page = set(), 1
        while True:
            response = self.client.get("/api/search", query_string={"group": key, "per_page": 100, "page": page})
            answer = response.get_json()
            ids.update(hit["id"] for hit in answer["results"])
            if page >= answer["pages"]:
                return ids
            page += 1


def recall(answer: dict, relevant: set[str], groups: Groups | None) -> float:
    """|documents the top 10 hits stand for ∩ relevant| / min(10, |relevant|), at most 1 (ten hits
    may stand for more than ten documents once groups count whole).  Without `groups`, a hit is
    only its own document (the figure collapsing lowers)."""
    top = set().union(set(), *((groups.shown(hit) if groups else {hit["id"]}) for hit in answer["results"][:TOP]))
    return min(1.0, len(relevant & top) / min(TOP, len(relevant)))


def report_typos(client, docs: Documents, pairs: list[tuple[str, str]]) -> None:
    """Recall of the typo's answer, beside the recall of the original word's own answer (the ceiling:
    stemming ranks other inflections beside the exact form, whatever corrections do).  A hit counts as
    every member of its near-duplicate group (Groups)."""
    groups = Groups(client)
    recalls, ceilings, first_right, announced, suggested = [], [], 0, 0, 0
    alone: list[float] = []  # recall counting each hit as its own document only
    for original, typo in pairs:
        answer, relevant = ask(client, typo), docs.containing(original)
        recalls.append(recall(answer, relevant, groups))
        alone.append(recall(answer, relevant, None))
        ceilings.append(recall(ask(client, original), relevant, groups))
        first_right += bool(answer["results"]) and bool(groups.shown(answer["results"][0]) & relevant)
        announced += bool((answer.get("correction") or {}).get("applied"))
        suggested += bool(answer.get("suggestion"))
    print(f"typos of index words ({len(pairs)}): recall@{TOP} {statistics.mean(recalls):.3f} "
          f"(the original words themselves: {statistics.mean(ceilings):.3f}; typo recall 1 in "
          f"{sum(r == 1 for r in recalls)}, 0 in {sum(r == 0 for r in recalls)}; each hit as its own document "
          f"only: {statistics.mean(alone):.3f}); a right document first in "
          f"{first_right}; correction announced in {announced}; suggestion in {suggested}")
    print("  e.g. " + ", ".join(f"{o}→{t}" for o, t in pairs[:8]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, help="an index of the Diavgeia decisions and seeds (default: build one)")
    parser.add_argument("--sample", type=int, default=200)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    print("$ python3 benchmarks/corrections.py " + " ".join(sys.argv[1:]))
    index_dir = args.index or Path(tempfile.mkdtemp(prefix="corrections-bench-"))
    if args.index is None:
        build_index(index_dir)
    docs = Documents.load()
    client = create_app({"INDEX_DIR": index_dir, "TESTING": True}).test_client()
    report_absent(client, absent_real_words(docs, random.Random(args.seed), args.sample))
    report_typos(client, docs, typos(docs, random.Random(args.seed), args.sample))


if __name__ == "__main__":
    main()
