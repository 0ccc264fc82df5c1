"""Writing the index: a large reindex spreads over writer processes and loses nothing."""
from __future__ import annotations

from pathlib import Path

import pytest

from search.backend.whoosh import writer as index
from search.backend.whoosh.engine import SearchEngine
from search.request import parse_request
from tests.test_query import diavgeia_documents

QUERIES = ["δήμαρχος", "υπουργείο υγείας", '"κατανομή ποσού"', "προσλ*", "ypourgeio", ""]


@pytest.mark.slow  # builds a real corpus twice, once with writer processes
def test_writer_processes_give_the_same_answers_as_one_writer(tmp_path: Path, monkeypatch):
    documents = diavgeia_documents()
    if not documents:
        pytest.skip("real Diavgeia decisions in ../shared/data are absent")
    monkeypatch.setattr(index, "SERIAL_FIRST", 100)
    answers = {}
    for procs in (1, 2):
        count = index.write_documents(tmp_path / f"procs{procs}", documents, procs=procs)
        ix = index.open_index(tmp_path / f"procs{procs}")
        assert count == ix.doc_count() == len(documents)
        assert len(ix._segments()) == (1 if procs == 1 else 3)  # the first 100, then one per process
        engine = SearchEngine(ix)
        answers[procs] = {}
        for q in QUERIES:
            answer = engine.search(parse_request({"q": [q], "per_page": ["100"]})).as_json()
            answers[procs][q] = (answer["total"], {r["id"] for r in answer["results"]}, answer["facets"])
    for q in QUERIES:
        assert answers[1][q][0] > 0, q
        assert answers[2][q] == answers[1][q], q
