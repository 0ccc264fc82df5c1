"""What collapsing near-duplicates costs: at reindex, when a generation opens, and per query.

    python benchmarks/collapse.py [--index DIR] [--runs N] [SOURCE ...]

Builds an index of the sources (default: the real Diavgeia decisions and the seeds) with `reindex`
into a temporary directory, unless --index names one already built.  Prints:
- the grouping pass alone (search.neardup.Grouper over the ingested documents) beside the whole reindex;
- reading the group column when a generation opens (GroupColumn.read), beside all of its arrays;
- per query and order, the median time of the engine's whole search as served (collapsed) and of the same
  search with the page chosen uncollapsed (the engine before collapsing: same matching, facets and
  snippets; the pages hold other documents, whose snippets cost more or less), and the page step
  alone both ways on the same matches (GenerationArrays.by_relevance / by_date): what collapsing adds;
- the page choice at 100,000 matches (synthetic arrays: random scores, distinct, coarse or all tied, in
  40,000 random groups): the collapsed selection and the count of results beside the uncollapsed top 20.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from benchmarks.common import median_ms  # noqa: E402
from search.backend.whoosh.collapse import GroupColumn, best_first  # noqa: E402
from search.backend.whoosh.engine import SearchEngine  # noqa: E402
from search.backend.whoosh.generation import GenerationArrays  # noqa: E402
from search.backend.whoosh.writer import open_index  # noqa: E402
from search.ingest import IngestReport, load_documents  # noqa: E402
from search.backend.whoosh.matchers import build_query  # noqa: E402
from search.neardup import Grouper, text_of  # noqa: E402
from search.querylang import parse_query  # noqa: E402
from search.reindex import Progress, reindex  # noqa: E402
from search.request import SearchRequest  # noqa: E402
from search.store import IndexStore  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCES = [ROOT.parent / "shared" / "data" / "diavgeia-decisions.jsonl", ROOT / "seeds"]
QUERIES = ("απόφαση", "πίστωσης", "ανάληψη υποχρέωσης", "προϋπολογισμού", "νοσοκομείου", "")
SORTS = ("relevance", "newest")


class Quiet(Progress):
    def _write(self, text: str) -> None:
        pass


def build(sources: list[Path], root: Path) -> IndexStore:
    documents = [doc for path in sources for doc in load_documents([path], IngestReport())]
    started = time.perf_counter()
    grouper = Grouper()
    for doc in documents:
        grouper.assign(doc.id, text_of(doc))
    grouping = time.perf_counter() - started
    store = IndexStore(root)
    result = reindex(store, {str(p): load_documents([p], IngestReport()) for p in sources}, progress=Quiet())
    print(f"reindex of {result.documents} documents: {result.elapsed:.1f} s in all (ingestion included); "
          f"the grouping pass alone {grouping * 1000:.0f} ms ({grouping / len(documents) * 1e6:.0f} µs a document)")
    return store


def uncollapsed(arrays: GenerationArrays) -> None:
    """Make the engine choose its pages as before collapsing existed (the peer of this run)."""
    arrays.by_relevance = lambda matches, allowed, first, count, collapse=False: \
        GenerationArrays.by_relevance(arrays, matches, allowed, first, count)
    arrays.by_date = lambda allowed, newest, first, count, collapse=False: \
        GenerationArrays.by_date(arrays, allowed, newest, first, count)


def page_step(engine: SearchEngine, request: SearchRequest, collapse: bool) -> None:
    """Match the query (cached postings), then choose the first page: the step collapsing changes."""
    searcher, arrays = engine.searcher(), engine.arrays
    clauses = parse_query(request.q)
    found = arrays.matches(searcher, build_query(clauses, engine.expansions(searcher, clauses)))
    allowed = arrays.mask(found.ids)
    if request.effective_sort == "relevance":
        arrays.by_relevance(found, allowed, 0, request.per_page, collapse)
    else:
        arrays.by_date(allowed, True, 0, request.per_page, collapse)


def at_scale(runs: int, matches: int = 100_000, groups: int = 40_000, count: int = 20) -> None:
    rng = np.random.default_rng(14)
    of = rng.integers(0, groups, matches)
    column = GroupColumn(of, np.bincount(of), {})
    ids = np.arange(matches)
    for label, scores in (("distinct", rng.random(matches)), ("coarse", np.round(rng.random(matches), 2)),
                          ("all tied", np.ones(matches))):
        def uncollapsed_top() -> None:
            top = np.argpartition(-scores, count - 1)[:count]
            np.lexsort((ids[top], -scores[top]))
        after = median_ms(lambda: best_first(ids, scores, column, count), runs)
        counting = median_ms(lambda: column.distinct(ids), runs)
        before = median_ms(uncollapsed_top, runs)
        print(f"{matches} matches, {label} scores: collapsed page {after:.2f} ms + counting results "
              f"{counting:.2f} ms, uncollapsed page {before:.2f} ms (ratio {(after + counting) / before:.1f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sources", nargs="*", type=Path, default=DEFAULT_SOURCES)
    parser.add_argument("--index", type=Path, help="an index directory already built (skips the reindex)")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = IndexStore(args.index) if args.index else build(args.sources, Path(tmp))
        ix = open_index(store.root / store.current_generation())
        engine, peer = SearchEngine(ix), SearchEngine(ix)
        opened = median_ms(lambda: GenerationArrays(engine.searcher()), 5)
        uncollapsed(peer.arrays)
        reader = engine.searcher().reader()
        column = median_ms(lambda: GroupColumn.read(reader, engine.arrays.postings.live), 5)
        print(f"a generation's arrays: {opened:.1f} ms, of which the group column {column:.1f} ms "
              f"({engine.document_count()} documents, {len(engine.arrays.groups.numbers)} group keys)")
        print(f"{'query':<20} {'sort':<9} {'total':>5} {'shown':>5}   search: collapsed uncollapsed ratio"
              f"   page step: collapsed uncollapsed ratio")
        for q in QUERIES:
            for sort in SORTS:
                request = SearchRequest(q=q, sort=sort)
                engine.search(request), peer.search(request)  # warm both: postings cache, vocabulary
                after = median_ms(lambda: engine.search(request), args.runs)
                before = median_ms(lambda: peer.search(request), args.runs)
                answer = engine.search(request)
                step_after, step_before = (median_ms(lambda: page_step(engine, request, collapse), args.runs)
                                           for collapse in (True, False))
                print(f"{q or '(none)':<20} {sort:<9} {answer.total:>5} {answer.distinct:>5}   "
                      f"{after:9.2f} ms {before:8.2f} ms {after / before:5.2f}   "
                      f"{step_after:9.3f} ms {step_before:8.3f} ms {step_after / step_before:5.2f}")
        at_scale(args.runs)


if __name__ == "__main__":
    main()
