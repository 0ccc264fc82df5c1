"""Index generations on disk, and the switch between them.

    <index dir>/
      CURRENT                 name of the live generation (replaced with an atomic rename)
      gen-<utc time>-<rand>/  a complete Whoosh index and its BUILD.json

A rebuild writes a new generation beside the live one and only then points
CURRENT at it, so searches never see a half-built index.  The previous
generation is kept for rollback; older ones are removed.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import shutil
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .documents import Document
from .index import open_index, write_documents
from .query import SearchEngine

POINTER = "CURRENT"
BUILD_INFO = "BUILD.json"
GENERATION_PREFIX = "gen-"
KEEP_GENERATIONS = 2


class IndexUnavailable(RuntimeError):
    """There is no usable index yet (never built, or damaged)."""


@dataclass(frozen=True)
class BuildInfo:
    generation: str
    documents: int
    built_at: str


class IndexStore:
    """The live generation of an index directory, reopened when a reindex switches it."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self._lock = threading.Lock()
        self._engine: SearchEngine | None = None
        self._engine_generation: str | None = None

    def current_generation(self) -> str | None:
        try:
            name = (self.root / POINTER).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return name or None

    def build_info(self, generation: str) -> BuildInfo:
        data = json.loads((self.root / generation / BUILD_INFO).read_text(encoding="utf-8"))
        return BuildInfo(generation, data["documents"], data["built_at"])

    def engine(self) -> SearchEngine:
        """The engine on the live generation; callers keep it for a whole request."""
        generation = self.current_generation()
        if generation is None:
            raise IndexUnavailable(f"no index has been built in {self.root} yet")
        with self._lock:
            if generation != self._engine_generation:
                try:
                    self._engine = SearchEngine(open_index(self.root / generation))
                except Exception as error:  # Whoosh raises many kinds on damaged files
                    raise IndexUnavailable(f"index generation {generation} cannot be opened: {error}") from error
                self._engine_generation = generation
            return self._engine

    def health(self) -> dict[str, Any]:
        generation = self.current_generation()
        try:
            engine = self.engine()
            documents = engine.document_count()
            info = self.build_info(generation)
        except (IndexUnavailable, OSError, ValueError, KeyError) as error:
            return {"status": "error", "documents": 0, "generation": generation, "built_at": None,
                    "message": str(error)}
        return {"status": "ok", "documents": documents, "generation": generation,
                "built_at": info.built_at, "message": None}

    def build(self, documents: Iterable[Document]) -> BuildInfo:
        """Index `documents` into a new generation, verify it, then make it live."""
        self.root.mkdir(parents=True, exist_ok=True)
        now = dt.datetime.now(dt.timezone.utc)
        generation = f"{GENERATION_PREFIX}{now:%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"
        path = self.root / generation
        count = write_documents(path, documents)
        with open_index(path).searcher() as searcher:
            if searcher.doc_count() != count:
                raise RuntimeError(f"generation {generation} holds {searcher.doc_count()} documents, expected {count}")
        info = BuildInfo(generation, count, now.isoformat(timespec="seconds"))
        (path / BUILD_INFO).write_text(json.dumps(info.__dict__), encoding="utf-8")
        self._point_to(generation)
        self._prune()
        return info

    def _point_to(self, generation: str) -> None:
        temporary = self.root / f"{POINTER}.tmp"
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(generation)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.root / POINTER)

    def _prune(self) -> None:
        generations = sorted(p.name for p in self.root.iterdir() if p.is_dir() and p.name.startswith(GENERATION_PREFIX))
        for name in generations[:-KEEP_GENERATIONS]:
            if name != self.current_generation():
                shutil.rmtree(self.root / name, ignore_errors=True)
