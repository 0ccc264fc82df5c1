"""The search service: a generation's engine is opened and warmed once, and no request waits on another's opening."""
from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from search.backend.whoosh import engine as engine_module
from search.request import SearchRequest
from search.service import SearchService
from search.store import BUILD_INFO, IndexStore, file_checksums
from tests.reindex_child import announcements
from web import create_app
from web.state import GENERATION_HEADER


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


def two_generations(store: IndexStore) -> tuple[str, str]:
    """An older and a live generation, of different texts."""
    store.build(announcements(10))
    older = store.current_generation()
    store.build(announcements(12, " (νέα έκδοση)"))
    return older, store.current_generation()


def test_a_probe_search_that_fails_makes_health_503_and_searches_fall_back(store, monkeypatch):
    older, live = two_generations(store)
    client = create_app({"INDEX_DIR": store.root, "TESTING": True}).test_client()
    assert client.get("/health").status_code == 200
    service = client.application.extensions["search_service"]
    live_engine = service.engine()

    def broken(request):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(live_engine, "search", broken)
    response = client.get("/health")
    health = response.get_json()
    assert response.status_code == 503 and health["status"] == "error"
    assert health["generation"] == live and health["serving"] == older
    assert "probe search" in health["message"] and live in health["message"] and "OSError" in health["message"]
    found = client.get("/api/search?q=δήμαρχος")
    assert found.status_code == 200 and found.headers[GENERATION_HEADER] == older
    assert found.get_json()["total"] > 0


def test_postings_damaged_behind_valid_checksums_are_caught_when_the_generation_is_read(store):
    """Garbage written into the postings at build time: BUILD.json's checksums match it, the
    document count is intact, so verification passes; only reading postings can tell (the
    facet columns read at opening, else the probe search)."""
    older, live = two_generations(store)
    generation = store.root / live
    for path in generation.glob("*.pst"):
        path.write_bytes(b"\x00garbage" * (path.stat().st_size // 8 + 1))
    info = json.loads((generation / BUILD_INFO).read_text(encoding="utf-8"))
    info["files"] = file_checksums(generation)
    (generation / BUILD_INFO).write_text(json.dumps(info), encoding="utf-8")
    assert IndexStore(store.root).verify(live) == []
    client = create_app({"INDEX_DIR": store.root, "TESTING": True}).test_client()
    response = client.get("/health")
    health = response.get_json()
    assert response.status_code == 503 and health["generation"] == live and health["serving"] == older
    assert f"index generation {live} cannot be opened" in health["message"]
    assert client.get("/api/search?q=δήμαρχος").headers[GENERATION_HEADER] == older
