"""`dimos-search serve`: waitress on the configured index, built first when there is none."""
from __future__ import annotations

import io

import pytest
from click.testing import CliRunner

from search.reindex import Progress, reindex
from search.service import SearchService
from search.store import POINTER, IndexStore
from tests.conftest import shared_data
from web.cli import main


@pytest.fixture
def served(monkeypatch):
    """Capture what serve would hand to waitress (web/server.py) instead of blocking on a socket."""
    calls: list[dict] = []
    monkeypatch.setattr("web.cli.run_server", lambda app, **options: calls.append({"app": app, **options}))
    return calls


def test_serve_runs_waitress_on_the_given_index(seed_store, served):
    result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0", "--port", "8123", "--threads", "3",
                                       "--index", str(seed_store.root)])
    assert result.exit_code == 0, result.output
    (call,) = served
    assert (call["host"], call["port"], call["threads"]) == ("0.0.0.0", 8123, 3)
    assert call["app"].test_client().get("/api/search?q=Χανίων").get_json()["total"] == 1


def test_serve_builds_the_index_first_when_there_is_none(tmp_path, served):
    index = tmp_path / "index"
    result = CliRunner().invoke(main, ["serve", "--index", str(index)])
    assert result.exit_code == 0, result.output
    assert "building it first" in result.output
    assert SearchService(IndexStore(index)).health().as_json()["documents"] == 2
    assert served[0]["app"].test_client().get("/health").status_code == 200


def test_serve_waits_for_a_running_reindex_instead_of_exiting(tmp_path, served):
    store = IndexStore(tmp_path / "index")
    with store.locked():
        result = CliRunner().invoke(main, ["serve", "--index", str(store.root)])
    assert result.exit_code == 0, result.output
    assert "Another reindex is building it" in result.output
    assert served[0]["app"].test_client().get("/health").status_code == 503


def test_a_deleted_pointer_beside_real_documents_is_served_not_rebuilt_from_seeds(tmp_path, served):
    from benchmarks.corpus import law_articles

    store = IndexStore(tmp_path / "index")
    articles = list(law_articles(shared_data("greek-laws-2023-2024.jsonl")))[:40]
    live = reindex(store, {"laws.jsonl": articles}, progress=Progress(io.StringIO())).generation
    (store.root / POINTER).unlink()
    result = CliRunner().invoke(main, ["serve", "--index", str(store.root)])
    assert result.exit_code == 0, result.output
    assert "building it first" not in result.output
    health = served[0]["app"].test_client().get("/health").get_json()
    assert (health["status"], health["generation"], health["documents"]) == ("ok", live, 40)
