"""Precision and recall of municipality and official extraction on real Diavgeia decisions and laws.

The `municipality` and `officials` fields of ../shared/data/diavgeia-decisions.jsonl
are hidden from ingestion (written to a temporary copy without them); what the
text alone yields is then compared with them, per record, where they exist.
Names are compared by person key (nominative first name + surname, folded), so
"ΒΛΑΣΣΗΣ ΙΩΑΝΝΗΣ" and "Ιωάννης Βλάσσης" are one person.

The laws (../shared/data/greek-laws-2023-2024.jsonl) are read the same way,
their `officials` (the signers) withheld; the 400 hand-labelled
`moh_diavgeia_annotated_text` records are scored against their PERSON spans.
Last, every official and municipality value of all decisions and laws is
checked: no digit, currency sign or all-capital word; no two values folding to
one name; no municipality outside the gazetteer.

    python benchmarks/ingest_quality.py
"""
from __future__ import annotations

import argparse
import json
import re
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
MOH_SIGNERS = Path(__file__).resolve().parents[1] / "tests" / "data" / "moh_signers_50.tsv"
LAW_SIGNERS_NOT_IN_FIELD = Path(__file__).resolve().parents[1] / "tests" / "data" / "law_signers_not_in_field.tsv"


def person_key(name: str) -> str:
    parsed = parse_person(name)
    return parsed.key if parsed else fold(name)


def prf(tp: int, fp: int, fn: int) -> str:
    p = tp / (tp + fp) if tp + fp else float("nan")
    r = tp / (tp + fn) if tp + fn else float("nan")
    return f"precision {p:.2f} ({tp}/{tp + fp})  recall {r:.2f} ({tp}/{tp + fn})"


def _hidden_load(source: Path, gazetteer: Gazetteer) -> tuple[list[dict], dict, IngestReport, float]:
    """Records of a JSONL source and its documents built with `municipality`/`officials` withheld."""
    records = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        hidden = Path(tmp) / f"{source.stem}-hidden.jsonl"
        with hidden.open("w", encoding="utf-8") as out:
            for r in records:
                r = {k: v for k, v in r.items() if k not in ("municipality", "officials")}
                out.write(json.dumps(r, ensure_ascii=False) + "\n")
        report = IngestReport()
        started = time.perf_counter()
        docs = {d.id: d for d in load_documents([hidden], report, gazetteer)}
        elapsed = time.perf_counter() - started
    return records, docs, report, elapsed


def _officials_prf(records: list[dict], docs: dict) -> tuple[int, int, int]:
    tp = fp = fn = 0
    for r in records:
        doc = docs.get(r["id"])
        if doc is None or not r.get("officials"):
            continue
        expected = {person_key(o) for o in r["officials"]}
        found = {person_key(o.name) for o in doc.officials}
        tp += len(expected & found)
        fp += len(found - expected)
        fn += len(expected - found)
    return tp, fp, fn


def decisions(gazetteer: Gazetteer) -> dict:
    records, docs, report, elapsed = _hidden_load(DATA / "diavgeia-decisions.jsonl", gazetteer)
    m_tp = m_fp = m_fn = i_tp = i_n = 0
    for r in records:
        doc = docs.get(r["id"])
        if doc is None or not r.get("municipality"):
            continue
        expected = canonical_municipality(r["municipality"], gazetteer)
        found = set(doc.municipalities)
        m_tp += expected in found
        m_fn += expected not in found
        m_fp += len(found - {expected})
        i_n += 1
        i_tp += bool(doc.municipalities) and doc.municipalities[0] == expected
    garbled = sum("garbled" in d.flags for d in docs.values())
    print(f"decisions: {len(records)} records in {elapsed:.1f} s; {report.summary()}; garbled flagged: {garbled}")
    print(f"  municipality (records with the field, {i_n}): {prf(m_tp, m_fp, m_fn)}; issuing first {i_tp}/{i_n}")
    print(f"  officials (records with the field): {prf(*_officials_prf(records, docs))}")
    moh = [r for r in records if r.get("meta", {}).get("collection") == "moh_diavgeia_annotated_text"]
    print(f"  moh_diavgeia_annotated_text ({len(moh)}) vs PERSON spans: {prf(*_officials_prf(moh, docs))}")
    moh_signers(docs)
    return docs


def moh_signers(docs: dict) -> None:
    """Signer recall on the 50 hand-checked MOH records (tests/data/moh_signers_50.tsv).

    The PERSON spans mix signers with beneficiaries, so recall against them
    says little about signature blocks; these 50 list the signers only.  An
    official found that is not a signer is counted and printed, not called an
    error: it may be a person named with a role in the text.
    """
    signers: dict[str, set[str]] = {}
    for line in MOH_SIGNERS.read_text(encoding="utf-8").splitlines():
        if line.startswith("moh_doccano:"):
            record_id, _, name = line.split("\t")
            signers.setdefault(record_id, set()).add(person_key(name))
    found = total = 0
    others: list[str] = []
    for record_id, expected in sorted(signers.items()):
        got = {person_key(o.name): o for o in docs[record_id].officials} if record_id in docs else {}
        found += len(expected & got.keys())
        total += len(expected)
        others += [f"{record_id} {got[k].name} ({got[k].role})" for k in got.keys() - expected]
        for missed in expected - got.keys():
            print(f"    signer missed: {record_id} {missed}")
    print(f"  signers of {len(signers)} hand-checked MOH records ({MOH_SIGNERS.name}): recall {found / total:.2f} "
          f"({found}/{total}); {len(others)} other officials found {others[:5]}")


def _signers_not_in_field() -> dict[str, list[str]]:
    """Hand-checked signers the laws' own field leaves out (tests/data/law_signers_not_in_field.tsv)."""
    table: dict[str, list[str]] = {}
    for line in LAW_SIGNERS_NOT_IN_FIELD.read_text(encoding="utf-8").splitlines():
        if line.startswith("law:"):
            law_id, printed = line.split("\t")
            table.setdefault(law_id, []).append(printed.replace(" / ", " "))
    return table


def laws(gazetteer: Gazetteer) -> dict:
    """Signers against the field, then against the field plus the signers a hand check found it leaves out.

    The field was parsed from the signature block in part: of a table of 26
    ministers (ν. 5042) it keeps 3, and the Prime Minister who signs an act of
    legislative content (ν. 5046, 5059, 5085) is missing.  Each name the
    extractor finds outside the field is printed, so the hand list can be checked.
    """
    records, docs, report, elapsed = _hidden_load(DATA / "greek-laws-2023-2024.jsonl", gazetteer)
    print(f"laws: {len(records)} records in {elapsed:.1f} s")
    print(f"  signers vs the officials field: {prf(*_officials_prf(records, docs))}")
    extra = _signers_not_in_field()
    amended = [dict(r, officials=list(r.get("officials") or ()) + extra.get(r["id"], [])) for r in records]
    print(f"  signers vs the field plus {sum(map(len, extra.values()))} hand-checked signers it leaves out "
          f"({LAW_SIGNERS_NOT_IN_FIELD.name}): {prf(*_officials_prf(amended, docs))}")
    for r in amended:
        expected = {person_key(o) for o in r.get("officials") or ()}
        for o in docs[r["id"]].officials if r["id"] in docs and expected else ():
            if person_key(o.name) not in expected:
                print(f"    not a signer: {r['id']} {o.name} ({o.role})")
    return docs


_BAD_VALUE = re.compile(r"\d|[€$£]")


def value_checks(docs: list, gazetteer: Gazetteer) -> None:
    """The issue's zero-figures over every value of the given documents."""
    officials = {o.name for d in docs for o in d.officials}
    bad = sorted(v for v in officials if _BAD_VALUE.search(v) or not any(c.islower() for c in v[1:]))
    by_fold: dict[str, set[str]] = {}
    for v in officials:
        by_fold.setdefault(fold(v), set()).add(v)
    folding = sorted(tuple(sorted(vs)) for vs in by_fold.values() if len(vs) > 1)
    places = {m for d in docs for m in d.municipalities}
    outside = sorted(m for m in places if gazetteer.resolve(m) is None)
    print(f"values over {len(docs)} documents: {len(officials)} officials, {len(places)} municipalities")
    print(f"  officials with a digit, currency sign or no lower-case letter after the first: {len(bad)} {bad}")
    print(f"  pairs of official values folding to one name: {len(folding)} {folding}")
    print(f"  municipality values outside the gazetteer: {len(outside)} {outside[:5]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gazetteer", type=Path, default=None, help="a gazetteer CSV (default: the packaged one)")
    parser.add_argument("--part", choices=("decisions", "laws", "values"), action="append",
                        help="run only these parts (repeatable; default: all)")
    args = parser.parse_args()
    parts = set(args.part or ("decisions", "laws", "values"))
    if not DATA.exists():
        sys.exit(f"no data: {DATA} is absent")
    gazetteer = Gazetteer.load(args.gazetteer) if args.gazetteer else Gazetteer.default()
    if "decisions" in parts:
        decisions(gazetteer)
    if "laws" in parts:
        laws(gazetteer)
    if "values" not in parts:
        return
    report = IngestReport()  # the index a user builds: the records' own fields kept
    documents = list(load_documents([DATA / "diavgeia-decisions.jsonl", DATA / "greek-laws-2023-2024.jsonl"],
                                    report, gazetteer))
    value_checks(documents, gazetteer)


if __name__ == "__main__":
    main()
