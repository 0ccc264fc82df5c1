"""A reindex to be killed: `python -m tests.reindex_child PHASE INDEX_DIR COUNT [TAG]`.

It builds COUNT constructed announcements (TAG appended to every title and body) and, on reaching PHASE, prints
"PHASE <phase>" and stalls there until a line arrives on its stdin (or stdin closes),
so a test can SIGKILL it at that exact point, or let it go on: a signal, not a sleep.
The stalls are patched in here, in the child only: production code has no hooks.

    parsing  while documents are still being read (the generator stalls)
    parallel the same, with Whoosh's writer processes already started (COUNT > 110)
    writing  segment files written, the generation's table of contents not yet
    switch   CURRENT.tmp written, not yet renamed over CURRENT
    prune    CURRENT switched, older generations not yet removed
    incremental  an incremental run, its updated copy's table of contents not yet written
"""
from __future__ import annotations

import datetime as dt
import io
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from search.documents import Document, Official

MUNICIPALITIES = ["Δήμος Χανίων", "Δήμος Πυλαίας-Χορτιάτη", "Δήμος Ηρακλείου", "Δήμος Θεσσαλονίκης"]
SENTENCES = [
    "Ο δήμαρχος συναντήθηκε με τους υφυπουργούς Ψηφιακής Διακυβέρνησης στο Δημαρχείο.",
    "Το δημοτικό συμβούλιο ενέκρινε τον προϋπολογισμό του επόμενου έτους.",
    "Ξεκινούν οι εργασίες ασφαλτόστρωσης στις κεντρικές οδούς της πόλης.",
    "Η κοινωνική υπηρεσία ανακοινώνει τη διανομή τροφίμων στους δικαιούχους.",
    "Προκηρύσσεται διαγωνισμός για την προμήθεια οχημάτων καθαριότητας.",
    "Οι πολίτες καλούνται να υποβάλουν αιτήσεις για τις παιδικές κατασκηνώσεις.",
]


def announcements(count: int, tag: str = "", source: str = "announcements") -> list[Document]:
    """`count` realistic municipal announcements; `tag` changes every text (and so every content hash)."""
    documents = []
    for i in range(count):
        municipality = MUNICIPALITIES[i % len(MUNICIPALITIES)]
        body = " ".join(SENTENCES[(i + k) % len(SENTENCES)] for k in range(3))
        documents.append(Document(
            id=f"ann:{i}",
            title=f"Ανακοίνωση {i} του {municipality}{tag}",
            body=f"{body} {tag}".strip(),
            date=dt.date(2024, 1 + i % 12, 1 + i % 28),
            municipalities=[municipality],
            officials=[Official("Παναγιώτης Σημανδηράκης", "δήμαρχος")] if i % 3 == 0 else [],
            doc_type="ανακοίνωση",
            source=source,
        ))
    return documents


def _announce(phase: str) -> None:
    print(f"PHASE {phase}", flush=True)
    sys.stdin.readline()


def _stalling(documents: list[Document], phase: str, at: int) -> Iterator[Document]:
    for i, document in enumerate(documents):
        if i == at:
            _announce(phase)
        yield document


def main() -> None:
    phase, root, count = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    from whoosh.writing import SegmentWriter

    from search import store as store_module
    from search.reindex import Progress, reindex
    from search.store import IndexStore

    tag = sys.argv[4] if len(sys.argv) > 4 else " (νέα έκδοση)"
    documents = announcements(count, tag=tag)
    if phase == "parsing":
        documents = _stalling(documents, phase, len(documents) // 2)
    elif phase == "parallel":
        from search.backend.whoosh import writer as index_module
        index_module.SERIAL_FIRST = 10  # then Whoosh's writer processes start with their first batch of 100
        documents = _stalling(documents, phase, len(documents) - 10)
    elif phase in ("writing", "incremental"):
        commit_toc = SegmentWriter._commit_toc
        SegmentWriter._commit_toc = lambda self, segments: (_announce(phase), commit_toc(self, segments))
    elif phase == "switch":
        replace = os.replace
        store_module.os.replace = lambda src, dst: (_announce("switch"), replace(src, dst))
    elif phase == "prune":
        IndexStore._prune = lambda self: _announce("prune")
    reindex(IndexStore(root), {"announcements": documents}, incremental=phase == "incremental",
            progress=Progress(io.StringIO()))
    print("PHASE done", flush=True)


if __name__ == "__main__":
    main()
