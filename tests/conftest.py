"""Shared fixtures: the real data beside the project, an index of the seeds, and figures printed after the run."""
from __future__ import annotations

from pathlib import Path

import pytest

from search.documents import Document
from search.ingest import IngestReport, load_documents
from search.store import IndexStore

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SEEDS = PROJECT_ROOT / "seeds"
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"

_FIGURES: list[str] = []


def shared_data(name: str) -> Path:
    """A file of ../shared/data, or a skip: a user's fresh clone has no ../shared."""
    path = SHARED_DATA / name
    if not path.exists():
        pytest.skip(f"real reference data {path} is absent (it lives beside the project, not in it)")
    return path


def seed_documents() -> list[Document]:
    """The two seeds, through real ingestion."""
    return list(load_documents([SEEDS], IngestReport()))


@pytest.fixture(scope="session")
def seed_store(tmp_path_factory) -> IndexStore:
    """An index of the two seeds, shared read-only by the whole run."""
    store = IndexStore(tmp_path_factory.mktemp("seed-index"))
    store.build(seed_documents())
    return store


@pytest.fixture
def figure():
    """Record a measured figure; all of them are printed at the end of the run."""
    def record(line: str) -> None:
        _FIGURES.append(line)
    return record


def pytest_terminal_summary(terminalreporter):
    if _FIGURES:
        terminalreporter.section("dimos-search measured figures")
        for line in _FIGURES:
            terminalreporter.write_line(line)
