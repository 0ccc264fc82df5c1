"""The search service: a generation's engine is opened and warmed once, and no request waits on another's opening."""
from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path

import pytest

from search.backend.whoosh import engine as engine_module
from search.backend.whoosh.writer import open_index
from search.request import SearchRequest
from search import service as service_module
from search.service import SearchService
from search.store import BUILD_INFO, IndexStore, file_checksums
from tests.reindex_child import announcements
from web import create_app
from web.state import GENERATION_HEADER, open_before_serving


@pytest.fixture
def store(tmp_path: Path) -> IndexStore:
    return IndexStore(tmp_path / "index")


class SlowOpening:
    """Holds every engine opening until released, and counts the openings started."""

    def __init__(self, monkeypatch):
        self.started = threading.Event()
        self.release = threading.Event()
        self.count = 0
        opened = engine_module.SearchEngine.__init__

        def held(engine, ix):
            self.count += 1
            self.started.set()
            assert self.release.wait(30), "the test never released the opening"
            opened(engine, ix)

        monkeypatch.setattr(engine_module.SearchEngine, "__init__", held)


def eventually(condition, seconds: float = 30) -> bool:
    """Whether `condition()` holds within `seconds` (a deadline only a hung run reaches)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def held_vocabulary(monkeypatch) -> tuple[threading.Event, threading.Event]:
    """Holds every vocabulary reading until the second event is set; the first says one has started."""
    reading, release = threading.Event(), threading.Event()
    read_vocabulary = engine_module.lexicon.read_vocabulary

    def slow_vocabulary(reader):
        reading.set()
        assert release.wait(30)
        return read_vocabulary(reader)

    monkeypatch.setattr(engine_module.lexicon, "read_vocabulary", slow_vocabulary)
    return reading, release


def test_requests_during_a_large_generations_opening_are_answered_by_the_previous_one(store, monkeypatch):
    monkeypatch.setattr(service_module, "WAIT_FOR_GENERATIONS_UPTO", 12)  # the new generation's 15 are "large"
    store.build(announcements(10))
    service = SearchService(store)
    first, _ = service.live()
    store.build(announcements(15, " (νέα έκδοση)"))
    new = store.current_generation()
    slow = SlowOpening(monkeypatch)
    # The request that meets the new generation starts opening it, and is answered by the old one...
    generation, engine = service.live()
    assert slow.started.wait(30)
    assert generation == first and engine.search(SearchRequest()).total == 10
    # ...as is every request while it opens, and none starts a second opening.
    assert [service.live()[0] for _ in range(3)] == [first] * 3
    slow.release.set()
    assert eventually(lambda: service.live()[0] == new)
    assert service.engine().search(SearchRequest()).total == 15 and slow.count == 1


def test_a_small_new_generation_answers_its_first_request(store):
    store.build(announcements(10))
    service = SearchService(store)
    service.live()
    store.build(announcements(15, " (νέα έκδοση)"))
    generation, engine = service.live()
    assert generation == store.current_generation() and engine.search(SearchRequest()).total == 15


def test_after_a_switch_the_new_generation_answers_greeklish_at_once(store, monkeypatch):
    """The new generation answers only once its vocabulary is read: no Greeklish query waits for it."""
    monkeypatch.setattr(service_module, "WAIT_FOR_GENERATIONS_UPTO", 11)  # the new generation's 12 are "large"
    store.build(announcements(10))
    service = SearchService(store)
    first, _ = service.live()
    store.build(announcements(12, " (νέα έκδοση)"))
    reading, release = held_vocabulary(monkeypatch)
    assert service.live()[0] == first
    assert reading.wait(30)
    assert service.live()[0] == first  # the new engine's columns are read, its vocabulary is not
    release.set()
    assert eventually(lambda: service.live()[0] == store.current_generation())
    assert service.engine().search(SearchRequest(q="dimarxos")).correction.query == "δήμαρχος"


def test_a_plain_query_does_not_wait_for_the_greeklish_vocabulary(store, monkeypatch):
    store.build(announcements(12))
    reading, release = held_vocabulary(monkeypatch)
    engine = engine_module.SearchEngine(open_index(store.root / store.current_generation()))
    assert reading.wait(30)  # the vocabulary is being read, in its own thread, since the engine opened
    assert engine.search(SearchRequest(q="δήμαρχος")).total > 0  # a Greek word in the index needs no vocabulary
    release.set()
    assert engine.search(SearchRequest(q="dimarxos")).correction.query == "δήμαρχος"
    engine.close()


def test_the_first_generation_answers_once_its_vocabulary_is_read(store, monkeypatch):
    """At start-up too: reading the vocabulary holds the GIL, so a query beside it would wait as long."""
    store.build(announcements(12))
    reading, release = held_vocabulary(monkeypatch)
    service = SearchService(store)
    answered = threading.Event()
    threading.Thread(target=lambda: (service.live(), answered.set()), daemon=True).start()
    assert reading.wait(30)
    assert not answered.wait(0.3)
    release.set()
    assert answered.wait(30)


def test_a_generation_opens_with_finer_gil_switching_and_restores_it(store, monkeypatch):
    """Requests of the answering generation get the GIL back quickly while the next one reads its vocabulary."""
    store.build(announcements(12))
    usual = sys.getswitchinterval()
    reading, release = held_vocabulary(monkeypatch)
    service = SearchService(store)
    opened = threading.Thread(target=service.live, daemon=True)
    opened.start()
    assert reading.wait(30)
    assert sys.getswitchinterval() == pytest.approx(service_module.OPENING_SWITCH_INTERVAL) and usual > 0.001
    release.set()
    opened.join(30)
    assert sys.getswitchinterval() == usual


def test_serve_opens_the_generation_before_it_listens(store, monkeypatch):
    store.build(announcements(12))
    app = create_app({"INDEX_DIR": store.root, "TESTING": True})
    health = open_before_serving(app)
    assert health.ok and health.documents == 12 and health.serving == store.current_generation()

    def no_opening(self, ix):
        raise AssertionError("a request opened the generation")

    monkeypatch.setattr(engine_module.SearchEngine, "__init__", no_opening)
    answer = app.test_client().get("/api/search?q=dimarxos").get_json()
    assert answer["correction"]["query"] == "δήμαρχος" and answer["total"] > 0


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
