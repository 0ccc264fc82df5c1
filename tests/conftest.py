"""Shared fixtures: the real data beside the project, an index of the seeds, and figures printed after the run."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from search.documents import Document, Official
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


def _article(name: str, start: str, end: str, hard_wrapped: bool = False) -> str:
    """The article text of a seed file, from its first words up to (not including) `end`.

    A hard-wrapped page breaks lines mid-sentence, so its text becomes one paragraph.
    """
    text = (SEEDS / name).read_text(encoding="utf-8")
    article = text[text.index(start):text.index(end)]
    if hard_wrapped:
        return " ".join(article.split())
    return "\n\n".join(" ".join(p.split()) for p in article.split("\n\n") if p.strip())


def seed_documents() -> list[Document]:
    """The two seeds as ingestion should see them, written out by hand until ingestion lands."""
    return [
        Document(
            id="000_1fe309cce7ba6396",
            title="Η ψηφιακή Διακυβέρνηση στο επίκεντρο του Δήμου Πυλαίας-Χορτιάτη",
            body=_article("000_1fe309cce7ba6396.txt", "Συνάντηση εργασίας", "Cityportal Team", hard_wrapped=True),
            date=dt.date(2021, 1, 10),
            municipalities=["Δήμος Πυλαίας-Χορτιάτη"],
            officials=[
                Official("Ιγνάτιος Καϊτεζίδης", "δήμαρχος Πυλαίας-Χορτιάτη"),
                Official("Άγγελος Χαριστέας", "αντιπεριφερειάρχης Ψηφιακής Διακυβέρνησης"),
            ],
            regions=["Περιφέρεια Κεντρικής Μακεδονίας"],
            source="seeds/000_1fe309cce7ba6396.txt",
        ),
        Document(
            id="002_a41b864c727e27df",
            title="Συνάντηση δημάρχου Χανίων με τον Γ. Ζαριφόπουλο και τον Β. Διγαλάκη",
            body=_article("002_a41b864c727e27df.txt", "Τους υφυπουργούς", "Σχετικά άρθρα"),
            date=dt.date(2024, 11, 20),
            municipalities=["Δήμος Χανίων"],
            officials=[
                Official("Παναγιώτης Σημανδηράκης", "δήμαρχος Χανίων"),
                Official("Γρηγόρης Ζαριφόπουλος", "υφυπουργός Ψηφιακής Διακυβέρνησης"),
                Official("Βασίλης Διγαλάκης", "υφυπουργός Παιδείας και Θρησκευμάτων"),
            ],
            regions=["Περιφέρεια Κρήτης"],
            source="seeds/002_a41b864c727e27df.txt",
        ),
    ]


@pytest.fixture(scope="session")
def seed_store(tmp_path_factory) -> IndexStore:
    """An index of the two seeds, shared read-only by the whole run.

    The one place to switch to real ingestion: IndexStore(...).build(load_documents([SEEDS], report)).
    """
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
