"""The document model every stage shares: ingestion produces it, the index stores it."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Official:
    """A person named in an announcement, with the role the text gives them."""

    name: str
    role: str | None = None


@dataclass
class Document:
    """One clean announcement, ready to index.

    `municipalities` holds canonical facet values ("Δήμος Χανίων"), the issuing
    municipality first when it is known.  `flags` marks documents the index must
    treat with care (e.g. "garbled": legacy-font text kept out of the facets).
    """

    id: str
    title: str
    body: str
    date: dt.date | None = None
    url: str | None = None
    municipalities: list[str] = field(default_factory=list)
    officials: list[Official] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    doc_type: str | None = None
    source: str | None = None
    flags: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    group: str | None = None  # near-duplicate group key (search/neardup.py), None for a document alone

    # What a document says, as opposed to where it came from (`id`, `source`): the same unchanged
    # file read through another path, absolute or relative, keeps its hash.
    CONTENT_FIELDS = ("title", "body", "date", "url", "municipalities", "officials", "regions", "doc_type",
                      "flags", "meta")

    @property
    def content_hash(self) -> str:
        """Stable fingerprint of the content fields, for incremental reindexing."""
        payload = {name: getattr(self, name) for name in self.CONTENT_FIELDS}
        payload["date"] = self.date.isoformat() if self.date else None
        payload["officials"] = [asdict(official) for official in self.officials]
        blob = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()
