"""Settings shared by the CLI and the web app, read from the environment.

One setting per concern, so `reindex` and `serve` always agree on where the index lives.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .gazetteer import PACKAGED

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INDEX_DIR = PROJECT_ROOT / "instance" / "index"
DEFAULT_SOURCES = (PROJECT_ROOT / "seeds",)


@dataclass(frozen=True)
class Settings:
    index_dir: Path = DEFAULT_INDEX_DIR
    sources: tuple[Path, ...] = DEFAULT_SOURCES
    # On by default: without it a place name cannot become a municipality (issue 15).
    gazetteer: Path = PACKAGED
    # None: the embedded Whoosh index in index_dir (the default); "sphinx://host:port,...": a Sphinx /
    # Manticore cluster (docs/cluster.md), whose nodes' SphinxQL ports are listed in placement order.
    backend: str | None = None

    @classmethod
    def from_env(cls, environ: "os._Environ[str] | dict[str, str] | None" = None) -> "Settings":
        """DIMOS_INDEX_DIR, DIMOS_SOURCES (os.pathsep-separated), DIMOS_GAZETTEER (default: the packaged one)
        and DIMOS_BACKEND (default: unset, the embedded index)."""
        env = os.environ if environ is None else environ
        sources = tuple(Path(p) for p in env.get("DIMOS_SOURCES", "").split(os.pathsep) if p)
        gazetteer = env.get("DIMOS_GAZETTEER")
        return cls(
            index_dir=Path(env.get("DIMOS_INDEX_DIR") or DEFAULT_INDEX_DIR),
            sources=sources or DEFAULT_SOURCES,
            gazetteer=Path(gazetteer) if gazetteer else PACKAGED,
            backend=env.get("DIMOS_BACKEND") or None,
        )
