"""A generation built by an earlier release still opens after the code that built it moved."""
from __future__ import annotations

import pickle
import sys
import types

from whoosh import index as whoosh_index
from whoosh.analysis import Filter

from search.backend.whoosh.schema import build_schema
from search.backend.whoosh.writer import open_index
from search.store import IndexStore
from tests.conftest import seed_documents


def test_an_index_whose_pickled_analyzer_class_no_longer_exists_still_opens(tmp_path, monkeypatch):
    """The 0.1 release pickled search.analysis.FoldFilter into every index's table of contents."""
    store = IndexStore(tmp_path / "index")
    store.build(seed_documents())
    generation = store.root / store.current_generation()
    # Rewrite the table of contents with a schema whose filter lives in a module that then disappears.
    old = types.ModuleType("search_release_0_1")

    class FoldFilter(Filter):
        def __call__(self, tokens):
            yield from tokens

    FoldFilter.__module__ = old.__name__
    FoldFilter.__qualname__ = "FoldFilter"
    old.FoldFilter = FoldFilter
    monkeypatch.setitem(sys.modules, old.__name__, old)
    schema = build_schema()
    schema["exact"].analyzer = schema["exact"].analyzer | FoldFilter()
    ix = whoosh_index.open_dir(str(generation), schema=build_schema())
    with ix.writer() as writer:
        writer.schema = schema  # the next commit pickles this schema into a new table of contents
        writer.add_document(id="extra", title="Ανακοίνωση", body="Ανακοίνωση του δήμου")
    monkeypatch.delitem(sys.modules, old.__name__)
    toc = max(generation.glob("_MAIN_*.toc"))
    assert b"search_release_0_1" in toc.read_bytes()
    try:
        whoosh_index.open_dir(str(generation))
        raise AssertionError("Whoosh's own open unpickled a class that is gone")
    except (AttributeError, ModuleNotFoundError, pickle.UnpicklingError):
        pass
    assert open_index(generation).doc_count() == len(seed_documents()) + 1
