"""Precision and recall of municipality and official extraction on real Diavgeia decisions.

The `municipality` and `officials` fields of ../shared/data/diavgeia-decisions.jsonl
are hidden from ingestion (written to a temporary copy without them); what the
text alone yields is then compared with them, per record, where they exist.
Names are compared by person key (nominative first name + surname, folded), so
"ΒΛΑΣΣΗΣ ΙΩΑΝΝΗΣ" and "Ιωάννης Βλάσσης" are one person.

    python benchmarks/ingest_quality.py [--no-gazetteer]
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from search.analysis import fold  # noqa: E402
from search.extract import canonical_municipality  # noqa: E402
from search.gazetteer import Gazetteer  # noqa: E402
from search.ingest import IngestReport, load_documents  # noqa: E402
from search.names import parse_person  # noqa: E402

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def person_key(name: str) -> str:
    parsed = parse_person(name)
    return parsed.key if parsed else fold(name)


def prf(tp: int, fp: int, fn: int) -> str:
    p = tp / (tp + fp) if tp + fp else float("nan")
    r = tp / (tp + fn) if tp + fn else float("nan")
    return f"precision {p:.2f} ({tp}/{tp + fp})  recall {r:.2f} ({tp}/{tp + fn})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-gazetteer", action="store_true", help="extract from the text alone")
    args = parser.parse_args()
    source = DATA / "diavgeia-decisions.jsonl"
    if not source.exists():
        sys.exit(f"no data: {source} is absent")
    gazetteer = None if args.no_gazetteer else Gazetteer.load(DATA / "municipalities.csv")
    records = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]
    gold = {r["id"]: (r.get("municipality"), r.get("officials") or []) for r in records}
    with tempfile.TemporaryDirectory() as tmp:
        hidden = Path(tmp) / "decisions-hidden.jsonl"
        with hidden.open("w", encoding="utf-8") as out:
            for r in records:
                r = {k: v for k, v in r.items() if k not in ("municipality", "officials")}
                out.write(json.dumps(r, ensure_ascii=False) + "\n")
        report = IngestReport()
        started = time.perf_counter()
        docs = {d.id: d for d in load_documents([hidden], report, gazetteer)}
        elapsed = time.perf_counter() - started

    m_tp = m_fp = m_fn = i_tp = i_n = 0
    o_tp = o_fp = o_fn = 0
    for doc_id, (municipality, officials) in gold.items():
        doc = docs.get(doc_id)
        if doc is None:
            continue
        if municipality:
            expected = canonical_municipality(municipality, gazetteer)
            found = set(doc.municipalities)
            m_tp += expected in found
            m_fn += expected not in found
            m_fp += len(found - {expected})
            i_n += 1
            i_tp += bool(doc.municipalities) and doc.municipalities[0] == expected
        if officials:
            expected_people = {person_key(o) for o in officials}
            found_people = {person_key(o.name) for o in doc.officials}
            o_tp += len(expected_people & found_people)
            o_fp += len(found_people - expected_people)
            o_fn += len(expected_people - found_people)
    garbled = sum("garbled" in d.flags for d in docs.values())
    print(f"gazetteer: {'no' if gazetteer is None else 'municipalities.csv'}; {len(records)} records in {elapsed:.1f} s")
    print(report.summary())
    print(f"garbled documents flagged: {garbled}")
    print(f"municipality (records with the field, {i_n}): {prf(m_tp, m_fp, m_fn)}; issuing first {i_tp}/{i_n}")
    print(f"officials (records with the field, {sum(1 for _, o in gold.values() if o)}): {prf(o_tp, o_fp, o_fn)}")


if __name__ == "__main__":
    main()
