"""A large reindex builds documents and near-duplicate signatures in worker processes (search/parallel.py):
what it indexes must be exactly what one process indexes."""
from __future__ import annotations

import io
import os
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from search import ingest, reindex as reindex_module
from search.analysis import terms
from search.backend.whoosh.writer import open_index
from search.gazetteer import PACKAGED, Gazetteer
from search.ingest import IngestReport, load_documents
from search.parallel import ordered_map
from search.reindex import Progress, reindex
from search.store import IndexStore
from tests.conftest import SEEDS, seed_documents, shared_data


def test_results_come_in_the_order_of_the_inputs_however_many_workers():
    texts = [f"{document.title}\n{document.body}" for document in seed_documents()]
    expected = [terms(text) for text in texts]
    assert any("δημαρχ" in found for found in expected)  # real Greek, stemmed as the index stems it
    for processes in (0, 1, 2):
        assert list(ordered_map(terms, texts, processes=processes, serial_first=3)) == expected, processes


def test_an_error_in_a_worker_is_raised_at_its_items_turn():
    given = [str(number) for number in range(200)] + ["δεκατρία"] + ["7"] * 100
    results = ordered_map(int, given, processes=2, serial_first=10)
    assert [next(results) for _ in range(200)] == list(range(200))
    with pytest.raises(ValueError, match="δεκατρία"):
        next(results)


def _indexed(root: Path) -> dict[str, dict]:
    """Every document's stored fields in the live generation, by id."""
    with open_index(root / (root / "CURRENT").read_text().strip()).searcher() as searcher:
        return {fields["id"]: fields for fields in searcher.all_stored_fields()}


def _reindexed(root: Path) -> tuple[dict[str, dict], IngestReport]:
    report = IngestReport()
    sources = {"decisions": load_documents([shared_data("diavgeia-decisions.jsonl"), SEEDS], report,
                                           Gazetteer.load(PACKAGED))}
    reindex(IndexStore(root), sources, progress=Progress(io.StringIO()))
    return _indexed(root), report


@pytest.mark.slow  # ingests the 1,453 real decisions twice
def test_a_reindex_with_worker_processes_indexes_what_one_process_indexes(tmp_path: Path, monkeypatch):
    alone, alone_report = _reindexed(tmp_path / "one-process")
    # Past the 50th item, documents are built in a worker and signatures computed in two.
    monkeypatch.setattr(ingest, "SERIAL_FIRST", 50)
    monkeypatch.setattr(reindex_module, "SERIAL_FIRST", 50)
    shared, shared_report = _reindexed(tmp_path / "workers")
    assert len(alone) > 1000
    assert shared == alone  # the same documents, officials, places, near-duplicate groups and hashes
    assert sum(fields["group"] != doc_id for doc_id, fields in alone.items()) > 50  # the templated decisions group
    assert any(fields.get("officials") for fields in alone.values())
    assert (shared_report.duplicates, shared_report.skipped) == (alone_report.duplicates, alone_report.skipped)
    assert sorted(shared_report.details) == sorted(alone_report.details)


def _dies_at_the_hundredth(number: int) -> int:
    if number == 100:
        os._exit(1)  # as a worker killed by the kernel (out of memory) would
    return number


def test_a_worker_that_dies_stops_the_map_with_an_error_instead_of_a_wait():
    results = ordered_map(_dies_at_the_hundredth, range(300), processes=2, serial_first=10)
    with pytest.raises(BrokenProcessPool):
        list(results)
