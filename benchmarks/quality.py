"""Known-item search quality on the real corpus: dimos-search against peers with native Greek handling.

    python benchmarks/quality.py [--data ../shared/data] [--seed S] [--limit N] [--out DIR]

Every document is indexed by its body only; each one with a title is a known
item, looked for with a few words of its title in the forms people type (as
written, unaccented, upper case, another inflection, Greeklish).  Prints, and
writes to DIR/quality.md, MRR@10 and recall@10 per engine, one table per form.
docs/quality.md explains the method and records the figures of a run.
"""
from __future__ import annotations

import argparse
import hashlib
import random
import sys
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.corpus import law_articles  # noqa: E402
from benchmarks.engines import ENGINE_NAMES, BenchDocument, BenchQuery, make_engine  # noqa: E402
from search.analysis import GREEK_STOPWORDS, fold, is_greek, terms, words  # noqa: E402
from search.documents import Document  # noqa: E402
from search.ingest import IngestReport, load_documents  # noqa: E402
from tools.make_greeklish_pairs import CONVENTIONS, mixed, transliterate  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data"
DEFAULT_SEED = 7
DEFAULT_LIMIT = 500
TOP = 10
# A law article's first paragraph is its heading when it is at most this long.
MAX_HEADING_CHARS = 300
# Query words: the k rarest qualifying title words, k drawn per item from this range.
QUERY_WORDS = (2, 3, 4)
MIN_WORD_LETTERS = 4  # shorter words are mostly abbreviations (παρ, περ, ν)
# A rewritten word form must occur in at least this many documents to count as a real word.
MIN_ATTESTED_DOCS = 2

# Another inflection of the same lexeme, on folded endings (final ς folded to σ):
# each ending's replacements in order of preference (case change within the
# same number first), longest ending first.  Ambiguous changes are left out:
# -ο -> -α and -α -> -ο (δρόμο is a masculine accusative, χώρα not a plural of χώρο).
INFLECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ματοσ", ("μα",)),            # προγράμματος -> πρόγραμμα
    ("ματων", ("ματα",)),          # προγραμμάτων -> προγράμματα
    ("ματα", ("ματων",)),          # προγράμματα -> προγραμμάτων
    ("μα", ("ματοσ", "ματα")),     # πρόγραμμα -> προγράμματος
    ("εισ", ("εων",)),             # αποφάσεις -> αποφάσεων
    ("εων", ("εισ",)),             # αποφάσεων -> αποφάσεις
    ("ουσ", ("ων", "οι")),         # δήμους -> δήμων
    ("οσ", ("ου", "οι")),          # δήμος -> δήμου
    ("ου", ("οσ", "ο")),           # δήμου -> δήμος, έργου -> έργο
    ("οι", ("ων", "οσ")),          # δήμοι -> δήμων
    ("ων", ("οι", "εσ", "α")),     # δήμων -> δήμοι, δαπανών -> δαπάνες, έργων -> έργα
    ("εσ", ("ων",)),               # δαπάνες -> δαπανών
    ("ησ", ("η",)),                # απόφασης -> απόφαση, πολίτης -> πολίτη
    ("η", ("ησ",)),                # απόφαση -> απόφασης
    ("ασ", ("α",)),                # υγείας -> υγεία
    ("α", ("ασ", "ων")),           # υγεία -> υγείας, έργα -> έργων
    ("ο", ("ου",)),                # συμβούλιο -> συμβουλίου
)

SOURCES = ("decisions", "law articles")
FORMS = ("as written", "unaccented", "upper case", "other inflection", "Greeklish")
GREEKLISH_STYLES = (*sorted(CONVENTIONS), "mixed")


# --- the corpus --------------------------------------------------------------------

def headed_article(article: Document) -> Document:
    """A law article titled by its own heading (its first paragraph), the heading taken out of the body.

    `law_articles` titles every article of a law with the law's title, which
    names no article in particular; the heading ("Δημοσιότητα", "Τροποποίηση
    άρθρου 3 ...") is what a reader remembers.  An article without a short first
    paragraph keeps its whole body and gets no title.
    """
    heading, blank, rest = article.body.partition("\n\n")
    heading = " ".join(heading.split())
    if not blank or not rest.strip() or len(heading) > MAX_HEADING_CHARS:
        return replace(article, title="")
    return replace(article, title=heading, body=rest.strip())


def load_corpus(data: Path) -> list[Document]:
    """The seeds, the Diavgeia decisions with a body, and the law articles (headed)."""
    report = IngestReport()
    ingested = load_documents([ROOT / "seeds", data / "diavgeia-decisions.jsonl"], report)
    documents = [d for d in ingested if d.body.strip()]
    documents += [headed_article(a) for a in law_articles(data / "greek-laws-2023-2024.jsonl")]
    return documents


def body_key(body: str) -> str:
    """Bodies equal up to case, accents and whitespace share a key."""
    return hashlib.sha1(" ".join(fold(body).split()).encode()).hexdigest()


@dataclass
class Vocabulary:
    """Folded word -> documents whose body holds it, and how the corpus writes it."""

    body_frequency: Counter[str]
    text_frequency: Counter[str]
    spellings: dict[str, Counter[str]]

    @classmethod
    def of(cls, documents: Iterable[Document]) -> Vocabulary:
        body_frequency: Counter[str] = Counter()
        text_frequency: Counter[str] = Counter()
        spellings: dict[str, Counter[str]] = defaultdict(Counter)
        for document in documents:
            in_body = {w.folded for w in words(document.body)}
            body_frequency.update(in_body)
            text_frequency.update(in_body | {w.folded for w in words(document.title)})
            for text in (document.title, document.body):
                for word in words(text):
                    written = text[word.start:word.end]
                    if not written.isupper():  # capitals carry no accents
                        spellings[word.folded][written] += 1
        return cls(body_frequency, text_frequency, spellings)

    def written(self, folded: str) -> str | None:
        """The commonest spelling of a folded word outside all-capital text (accents as the corpus puts them)."""
        spellings = self.spellings.get(folded)
        return spellings.most_common(1)[0][0] if spellings else None

    def is_name(self, folded: str) -> bool:
        """Never written with a lower-case initial: a name (Ιούνιος, Μελάς), not a common word."""
        return not any(written[0].islower() for written in self.spellings.get(folded, ()))


# --- known items and their queries ---------------------------------------------------

@dataclass(frozen=True)
class KnownItem:
    """A document, the title words a person would type for it, and the documents that count as it."""

    doc_id: str
    words: tuple[str, ...]      # as the title writes them, in title order
    targets: frozenset[str]     # the document and every other with an identical body

    @property
    def source(self) -> str:
        return source_of(self.doc_id)


def source_of(doc_id: str) -> str:
    """"law articles" (ids "law:<n>/<k>" from `law_articles`), else "decisions" (the seeds among them)."""
    return "law articles" if doc_id.startswith("law:") else "decisions"


def query_words(document: Document, vocabulary: Vocabulary, rng: random.Random) -> tuple[str, ...]:
    """The k rarest (by body document frequency) content words of the title that its body holds.

    Content words: Greek letters only (not "Aξιολόγησης" with a Latin A, a
    defect of some texts), at least four of them, not a stopword.
    The body must hold the word as written (up to case and accents): a known
    item is searched with words of its own text, and the forms then vary.
    """
    body_words = {w.folded for w in words(document.body)}
    candidates: dict[str, str] = {}
    for word in words(document.title):
        written = document.title[word.start:word.end]
        if (word.term is not None and all(is_greek(c) for c in word.folded)
                and len(word.folded) >= MIN_WORD_LETTERS and word.folded in body_words):
            candidates.setdefault(word.folded, written)
    k = rng.choice(QUERY_WORDS)
    order = list(candidates)
    rarest = sorted(order, key=lambda f: (vocabulary.body_frequency[f], order.index(f)))[:k]
    return tuple(candidates[f] for f in order if f in rarest) if len(rarest) >= 2 else ()


def known_items(documents: Sequence[Document], vocabulary: Vocabulary, seed: int) -> list[KnownItem]:
    """Every titled document with at least two query words, its identical-body twins as its targets."""
    by_body: dict[str, set[str]] = defaultdict(set)
    for document in documents:
        by_body[body_key(document.body)].add(document.id)
    items = []
    for document in documents:
        if not document.title:
            continue
        chosen = query_words(document, vocabulary, random.Random(f"{seed}:{document.id}"))
        if chosen:
            items.append(KnownItem(document.id, chosen, frozenset(by_body[body_key(document.body)])))
    return items


def sample_items(items: Sequence[KnownItem], limit: int, seed: int) -> list[KnownItem]:
    """Up to `limit` known items (0: all): the decisions first, law articles to fill, each group a seeded sample.

    The law articles outnumber the decisions twenty to one; a plain sample
    would leave the announcements, the service's own kind of text, a handful.
    """
    rng = random.Random(f"{seed}:sample")
    groups = [[i for i in items if i.source == source] for source in SOURCES]
    ordered = [item for group in groups for item in rng.sample(group, len(group))]
    return ordered[:limit] if limit else ordered


def unaccented(word: str) -> str:
    """Every accent mark (tonos, dialytika) dropped, case kept: how most people type."""
    return unicodedata.normalize("NFC", "".join(
        c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c)))


def upper_case(word: str) -> str:
    """Greek capitals as they are written: no tonos, dialytika kept (ΚΑΪΤΕΖΙΔΗΣ)."""
    decomposed = unicodedata.normalize("NFD", word.upper())
    return unicodedata.normalize("NFC", "".join(
        c for c in decomposed if not unicodedata.combining(c) or c == "\u0308"))


class Inflector:
    """Moves a word to another case or number of its lexeme, only to forms the corpus attests.

    A form is attested when MIN_ATTESTED_DOCS documents hold it and the corpus
    writes it as a name only if it does the word (a common noun does not turn
    into a name: μελών -> Μελά is refused).  It is written as the corpus writes it, so
    the accent moves where Greek moves it (δήμος -> δήμου, πρόγραμμα -> προγράμματος).
    """

    def __init__(self, vocabulary: Vocabulary):
        self.vocabulary = vocabulary

    def __call__(self, word: str) -> str:
        folded = fold(word)
        name = self.vocabulary.is_name(folded)
        for ending, replacements in INFLECTIONS:
            if not folded.endswith(ending):
                continue
            for replacement in replacements:
                other = folded[: -len(ending)] + replacement
                written = self.vocabulary.written(other)
                if (other not in GREEK_STOPWORDS and written is not None
                        and self.vocabulary.text_frequency[other] >= MIN_ATTESTED_DOCS
                        and self.vocabulary.is_name(other) == name):
                    return _same_case(written.lower(), word)
        return word


def _same_case(written: str, like: str) -> str:
    if like.isupper():
        return upper_case(written)
    return written[:1].upper() + written[1:] if like[:1].isupper() else written


def greeklish(word: str, style: str, rng: random.Random) -> str:
    folded = fold(word)
    return mixed(folded, rng) if style == "mixed" else transliterate(folded, style)


def form_queries(item: KnownItem, inflect: Inflector, seed: int) -> tuple[dict[str, str], str]:
    """The query of each form for one known item, and the Greeklish style (one, seeded, per item)."""
    rng = random.Random(f"{seed}:greeklish:{item.doc_id}")
    style = rng.choice(GREEKLISH_STYLES)
    forms: dict[str, Callable[[str], str]] = {
        "as written": lambda w: w,
        "unaccented": unaccented,
        "upper case": upper_case,
        "other inflection": inflect,
        "Greeklish": lambda w: greeklish(w, style, rng),
    }
    return {form: " ".join(change(w) for w in item.words) for form, change in forms.items()}, style


# --- measuring -----------------------------------------------------------------------

# The peers with their native Greek handling, and with dimos-search's terms: the
# second set tells dimos-search's analysis apart from its ranking (the exact-form bonus).
ENGINES = ("dimos-search", "sqlite-fts5 native", "tantivy native", "whoosh StemmingAnalyzer native",
           "sqlite-fts5 dimos-terms", "tantivy dimos-terms", "whoosh dimos-terms")


@dataclass(frozen=True)
class Query:
    item: KnownItem
    form: str
    text: str
    changed: bool  # the form differs from the query as written
    style: str     # the Greeklish convention of the item's Greeklish query


def make_queries(items: Sequence[KnownItem], inflect: Inflector, seed: int) -> list[Query]:
    queries = []
    for item in items:
        texts, style = form_queries(item, inflect, seed)
        queries += [Query(item, form, text, text != texts["as written"], style) for form, text in texts.items()]
    return queries


def bench_document(document: Document) -> BenchDocument:
    """The document as every engine indexes it here: its body only, the title left out."""
    return BenchDocument(
        id=document.id,
        title="",
        body=document.body,
        date=document.date.isoformat() if document.date else None,
        municipality=tuple(document.municipalities),
        officials=tuple(o.name for o in document.officials),
    )


@dataclass
class Run:
    """One engine's ranks of the known items (0: not in the top TOP), with its timings."""

    engine: str
    ranks: list[int]
    build_seconds: float
    query_seconds: float


def run_engine(name: str, documents: Sequence[BenchDocument], queries: Sequence[Query], directory: Path) -> Run:
    engine = make_engine(name)
    started = time.perf_counter()
    engine.build(documents, directory)
    built = time.perf_counter()
    ranks = []
    for query in queries:
        answer = engine.search(BenchQuery(query.text, kind=query.form), limit=TOP)
        ranks.append(next((i + 1 for i, doc_id in enumerate(answer.ids) if doc_id in query.item.targets), 0))
    engine.close()
    return Run(name, ranks, built - started, time.perf_counter() - built)


def mrr(ranks: Sequence[int]) -> float:
    return sum(1 / r for r in ranks if r) / len(ranks) if ranks else float("nan")


def recall(ranks: Sequence[int]) -> float:
    return sum(1 for r in ranks if r) / len(ranks) if ranks else float("nan")


def form_table(form: str, queries: Sequence[Query], runs: Sequence[Run]) -> str:
    picked = [i for i, q in enumerate(queries) if q.form == form]
    by_source = {source: [i for i in picked if queries[i].item.source == source] for source in SOURCES}
    changed = sum(queries[i].changed for i in picked)
    counts = ", ".join(f"{len(ids)} {source}" for source, ids in by_source.items())
    lines = [
        f"### {form}",
        "",
        f"{len(picked)} queries ({counts}); {changed} of them changed by this form.",
        "",
        "| engine | MRR@10 | recall@10 | " + " | ".join(f"MRR@10 {s} | recall@10 {s}" for s in SOURCES) + " |",
        "|---|" + "---:|" * (2 + 2 * len(SOURCES)),
    ]
    for run in runs:
        cells = []
        for ids in (picked, *by_source.values()):
            ranks = [run.ranks[i] for i in ids]
            cells += [f"{mrr(ranks):.3f}", f"{recall(ranks):.3f}"]
        lines.append(f"| {run.engine} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def greeklish_table(queries: Sequence[Query], runs: Sequence[Run]) -> str:
    """Greeklish recall@10 per convention: which spellings each engine reads."""
    picked = [i for i, q in enumerate(queries) if q.form == "Greeklish"]
    lines = [
        "### Greeklish, recall@10 per convention",
        "",
        "| engine | " + " | ".join(f"{s} ({sum(queries[i].style == s for i in picked)})" for s in GREEKLISH_STYLES) + " |",
        "|---|" + "---:|" * len(GREEKLISH_STYLES),
    ]
    for run in runs:
        cells = [recall([run.ranks[i] for i in picked if queries[i].style == s]) for s in GREEKLISH_STYLES]
        lines.append(f"| {run.engine} | " + " | ".join(f"{c:.3f}" for c in cells) + " |")
    return "\n".join(lines)


def render(header: Sequence[str], queries: Sequence[Query], runs: Sequence[Run]) -> str:
    timings = ["| engine | build (s) | queries (s) |", "|---|---:|---:|"]
    timings += [f"| {r.engine} | {r.build_seconds:.1f} | {r.query_seconds:.1f} |" for r in runs]
    tables = [form_table(form, queries, runs) for form in FORMS] + [greeklish_table(queries, runs)]
    return "\n\n".join(["# Known-item search quality", "\n".join(header), *tables, "### Time", "\n".join(timings)]) + "\n"


def write_details(path: Path, queries: Sequence[Query], runs: Sequence[Run]) -> None:
    """Every query with each engine's rank of its known item (0: not in the top 10), for reading failures."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as out:
        out.write("\t".join(["doc_id", "form", "query", *(r.engine for r in runs)]) + "\n")
        out.writelines("\t".join([query.item.doc_id, query.form, query.text, *(str(r.ranks[i]) for r in runs)]) + "\n"
                       for i, query in enumerate(queries))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--limit", type=int, default=DEFAULT_LIMIT,
                        help="known items: the decisions, then law articles to fill, each a seeded sample (0: all)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    parser.add_argument("--engines", nargs="+", default=list(ENGINES), choices=ENGINE_NAMES)
    parser.add_argument("--details", type=Path, help="also write every query and its ranks to this TSV file")
    args = parser.parse_args(argv)
    for name in ("diavgeia-decisions.jsonl", "greek-laws-2023-2024.jsonl"):
        if not (args.data / name).exists():
            sys.exit(f"{args.data / name} is absent: the benchmark needs the real data of ../shared/data")
    started = time.perf_counter()
    documents = load_corpus(args.data)
    vocabulary = Vocabulary.of(documents)
    items = known_items(documents, vocabulary, args.seed)
    sample = sample_items(items, args.limit, args.seed)
    inflect = Inflector(vocabulary)
    queries = make_queries(sample, inflect, args.seed)
    query_words = [w for item in sample for w in item.words]
    inflected = [(w, inflect(w)) for w in query_words if inflect(w) != w]
    split = sorted({pair for pair in inflected if terms(pair[0]) != terms(pair[1])})
    examples = random.Random(args.seed).sample(split, min(len(split), 8))
    indexed = [bench_document(d) for d in documents]
    with tempfile.TemporaryDirectory() as tmp:
        runs = [run_engine(name, indexed, queries, Path(tmp) / str(i)) for i, name in enumerate(args.engines)]
    laws = sum(source_of(d.id) == "law articles" for d in documents)
    header = [
        (f"{len(documents)} documents indexed by body only ({len(documents) - laws} seeds and Diavgeia decisions "
         f"with a body, {laws} law articles); {sum(bool(d.title) for d in documents)} have a title, "
         f"{len(items)} of them at least two query words: the known items."),
        (f"Measured: {len(sample)} known items, "
         + ", ".join(f"{sum(i.source == s for i in sample)} of the {sum(i.source == s for i in items)} {s}"
                     for s in SOURCES)
         + f" (seed {args.seed}); {sum(len(i.targets) > 1 for i in sample)} share their body with another "
         "document (any of them counts as the hit)."),
        (f"Other inflection: {len(inflected)} of {len(query_words)} query words "
         f"({len(inflected) / len(query_words):.0%}) have an attested other form; dimos-search's analyzer "
         f"gives {len(split)} distinct pairs of them different terms (e.g. "
         + ", ".join(f"{a}/{b}" for a, b in examples) + ")."),
        f"Wall time {time.perf_counter() - started:.0f} s.",
    ]
    report = render(header, queries, runs)
    print(report)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "quality.md").write_text(report, encoding="utf-8")
    if args.details:
        write_details(args.details, queries, runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
