"""Words typed together rank the document that holds them together first (search.backend.whoosh.proximity).

A decision that says «Ανάληψη υποχρέωσης» is what someone typing `ανάληψη υποχρέωσης` looks for; a
document that names «ανάληψη» twice in one sentence and «υποχρέωσης» in another wins on BM25 alone.
"""
from __future__ import annotations

import numpy as np
import pytest

from search.documents import Document
from search.request import parse_request
from search.service import SearchService
from search.store import IndexStore

FILLER = "Η Οικονομική Επιτροπή του Δήμου συνεδρίασε δημόσια και εξέτασε τα θέματα της ημερήσιας διάταξης. "
DOCUMENTS = [
    Document(id="together", title="Απόφαση Δημάρχου",
             body="Ανάληψη υποχρέωσης για την προμήθεια γραφικής ύλης. " + FILLER),
    Document(id="apart", title="Απόφαση Δημάρχου",
             body="Ανάληψη δαπάνης και ανάληψη ευθύνης. Εκκαθάριση της υποχρέωσης. " + FILLER),
    Document(id="neither", title="Πρόσκληση", body=FILLER),
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    store = IndexStore(tmp_path_factory.mktemp("proximity"))
    store.build(DOCUMENTS)
    return SearchService(store).engine()


def ranked(engine, q: str, **params: str) -> list[str]:
    request = parse_request({"q": [q], **{k: [v] for k, v in params.items()}})
    return [hit.id for hit in engine.search(request).results]


def test_words_typed_together_rank_the_document_holding_them_together_first(engine):
    assert ranked(engine, "ανάληψη υποχρέωσης") == ["together", "apart"]


def test_a_stopword_between_the_words_still_counts_as_together(engine):
    assert ranked(engine, "ανάληψη της υποχρέωσης")[0] == "together"


def test_either_order_counts(engine):
    # As Sphinx's proximity operator, which the cluster backend gives the same bonus with, closeness ignores order.
    assert ranked(engine, "υποχρέωσης ανάληψη") == ["together", "apart"]


def test_another_inflection_of_the_words_together_counts(engine):
    # Neither typed form is in the documents: their stems are close in one of them.
    assert ranked(engine, "αναλήψεως υποχρεώσεως") == ["together", "apart"]


def test_a_word_typed_alone_is_ranked_by_bm25(engine):
    assert ranked(engine, "ανάληψη") == ["apart", "together"]


@pytest.mark.slow
def test_pages_follow_on_across_the_rescored_window(real_store):
    """The bonus goes to the best PROXIMITY_WINDOW candidates only: pages past it follow on, no repeat or gap."""
    engine = SearchService(real_store).engine()
    whole = ranked(engine, "ανάληψη υποχρέωσης", per_page="100")
    pages = [ranked(engine, "ανάληψη υποχρέωσης", per_page="50", page=str(n)) for n in (1, 2, 3)]
    assert len(whole) == 100
    assert pages[0] + pages[1] == whole
    assert not set(pages[2]) & set(whole)


def test_a_generation_without_body_positions_still_answers(tmp_path, monkeypatch):
    """A generation written before the body kept positions (an upgrade before its first reindex) answers
    with the bonus of folded forms alone, not an error."""
    from whoosh.fields import TEXT

    from search.backend.whoosh import writer
    from search.backend.whoosh.analyzers import greek_analyzer
    from search.backend.whoosh.schema import build_schema

    def earlier_schema():
        schema = build_schema()
        schema.remove("body")
        schema.add("body", TEXT(analyzer=greek_analyzer(), stored=True, phrase=False))
        return schema

    monkeypatch.setattr(writer, "build_schema", earlier_schema)
    store = IndexStore(tmp_path)
    store.build(DOCUMENTS)
    engine = SearchService(store).engine()
    assert not engine.searcher().schema["body"].supports("positions")
    assert ranked(engine, "ανάληψη υποχρέωσης") == ["together", "apart"]


def test_positions_read_block_by_block_are_whooshs_own(tmp_path):
    """postings.position_keys (candidates found in each block) gives what Whoosh's own matcher reads, on
    real decisions written in two segments (as an incremental reindex leaves them), for every document."""
    from whoosh.writing import NO_MERGE

    from search.backend.whoosh.postings import SizedCache, position_keys
    from search.backend.whoosh.writer import WRITER_OPTIONS, create_index
    from search.backend.whoosh.schema import to_record
    from tests.conftest import decision_documents

    documents = decision_documents()[:400]
    ix = create_index(tmp_path)
    for part in (documents[:250], documents[250:]):
        with ix.writer(**WRITER_OPTIONS) as writer:
            writer.mergetype = NO_MERGE
            for document in part:
                writer.add_document(**to_record(document))
    with ix.searcher() as searcher:
        reader = searcher.reader()
        assert len(list(reader.leaf_readers())) == 2
        sizes = []
        for field, text in (("body", "αναληψ"), ("body", "υποχρεωσ"), ("exact", "πιστωσησ"), ("exact", "δημου")):
            expected = {}
            matcher = reader.postings(field, text)
            while matcher.is_active():
                expected[matcher.id()] = list(matcher.value_as("positions"))
                matcher.next()
            every = np.arange(reader.doc_count_all(), dtype=np.int64)
            sizes.append(len(expected))
            assert _by_document(position_keys(reader, field, text, every)) == expected
            some = every[3::7]
            wanted = {d: p for d, p in expected.items() if d in set(some.tolist())}
            assert _by_document(position_keys(reader, field, text, some)) == wanted
            blocks = SizedCache(10_000)  # read, then found in the generation's block cache
            for asked in (some, every[::5], some):
                assert _by_document(position_keys(reader, field, text, asked, blocks)) == \
                    {d: p for d, p in expected.items() if d in set(asked.tolist())}
        assert max(sizes) > 128  # a posting list of several blocks (Whoosh writes 128 postings a block)


def _by_document(keys) -> dict[int, list[int]]:
    """Position keys as each document's positions."""
    from search.backend.whoosh.postings import key_documents, key_positions

    out: dict[int, list[int]] = {}
    for docnum, position in zip(key_documents(keys).tolist(), key_positions(keys).tolist()):
        out.setdefault(docnum, []).append(position)
    return out
