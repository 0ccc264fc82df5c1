"""The search service: a generation's engine is opened and warmed once, and no request waits on another's opening."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest

from search.backend.whoosh import engine as engine_module
from search.request import SearchRequest
from search.service import SearchService
from search.store import IndexStore
from tests.reindex_child import announcements


@pytest.fixture
def store(tmp_path: Path) -> IndexStore:
    return IndexStore(tmp_path / "index")


class SlowOpening:
    """Holds the next engine opening until released, and says when one has started."""

    def __init__(self, monkeypatch):
        self.started = threading.Event()
        self.release = threading.Event()
        opened = engine_module.SearchEngine.__init__

        def held(engine, ix):
            self.started.set()
            assert self.release.wait(30), "the test never released the opening"
            opened(engine, ix)

        monkeypatch.setattr(engine_module.SearchEngine, "__init__", held)


def test_a_request_during_another_requests_opening_is_answered_by_the_previous_generation(store, monkeypatch):
    store.build(announcements(10))
    service = SearchService(store)
    first, _ = service.live()
    store.build(announcements(15, " (νέα έκδοση)"))
    slow = SlowOpening(monkeypatch)
    opened: list[tuple[str, int]] = []

    def open_the_new_one() -> None:
        generation, engine = service.live()
        opened.append((generation, engine.search(SearchRequest()).total))

    opener = threading.Thread(target=open_the_new_one)
    opener.start()
    assert slow.started.wait(30)
    # While the new generation's engine is still opening, another request is answered at once, from the old one.
    generation, engine = service.live()
    assert generation == first and engine.search(SearchRequest()).total == 10
    slow.release.set()
    opener.join()
    assert opened == [(store.current_generation(), 15)]
    assert service.live()[0] == store.current_generation() != first


def test_a_plain_query_does_not_wait_for_the_greeklish_vocabulary(store, monkeypatch):
    store.build(announcements(12))
    reading = threading.Event()
    release = threading.Event()
    read_vocabulary = engine_module.lexicon.read_vocabulary

    def slow_vocabulary(reader):
        reading.set()
        assert release.wait(30)
        return read_vocabulary(reader)

    monkeypatch.setattr(engine_module.lexicon, "read_vocabulary", slow_vocabulary)
    engine = SearchService(store).engine()
    assert reading.wait(30)  # the vocabulary is being read, in its own thread, since the engine opened
    assert engine.search(SearchRequest(q="δήμαρχος")).total > 0  # a Greek word in the index needs no vocabulary
    release.set()
    assert engine.search(SearchRequest(q="dimarxos")).correction.query == "δήμαρχος"
