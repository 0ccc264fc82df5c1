"""Shared fixtures: the real data beside the project, and figures printed after the run."""
from __future__ import annotations

from pathlib import Path

import pytest

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
