"""Real Greek law articles as documents: a corpus of thousands for tests and benchmarks.

The laws of ../shared/data/greek-laws-2023-2024.jsonl are long; split on their
"Άρθρο N" headings they give thousands of realistic documents of varied length.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path

from search.documents import Document, Official

_ARTICLE_RE = re.compile(r"\n\s*(Άρθρο\s+\d+)[^\n]*\n")


def law_articles(path: Path) -> Iterator[Document]:
    """One document per article of each law, ids "law:<n>/<k>", source = the JSONL file."""
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            law = json.loads(line)
            parts = _ARTICLE_RE.split(law["body"])
            date = dt.date.fromisoformat(law["date"]) if law.get("date") else None
            officials = [Official(name) for name in law.get("officials") or []]
            for k in range(1, len(parts) - 1, 2):
                body = parts[k + 1].strip()
                if not body:
                    continue
                yield Document(
                    id=f"{law['id']}/{k // 2 + 1}",
                    title=f"{law['title'][:150]} — {parts[k]}",
                    body=body,
                    date=date,
                    officials=officials,
                    doc_type=law.get("doc_type"),
                    source=str(path),
                )
