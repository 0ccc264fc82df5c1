"""Ingestion: seeds, a mixed folder of every format and encoding, bad files, real data."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from search.documents import Official
from search.gazetteer import Gazetteer
from search.ingest import IngestReport, load_documents, Skip
from search.sources import decode

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
DATA = ROOT.parent / "shared" / "data"
needs_data = pytest.mark.skipif(not DATA.exists(), reason=f"reference data folder {DATA} is absent")


def _load(*sources, gazetteer=None):
    report = IngestReport()
    docs = list(load_documents(sources, report, gazetteer))
    return docs, report


def _seed(stem: str):
    docs, report = _load(SEEDS / f"{stem}.txt")
    assert report.documents == 1
    return docs[0]


def test_seed_000_pylaia():
    doc = _seed("000_1fe309cce7ba6396")
    assert doc.id == "000_1fe309cce7ba6396"
    assert doc.title == "Η ψηφιακή Διακυβέρνηση στο επίκεντρο του Δήμου Πυλαίας-Χορτιάτη"
    assert doc.date == dt.date(2021, 1, 10)
    assert doc.municipalities == ["Δήμος Πυλαίας-Χορτιάτη"]
    assert doc.officials == [
        Official("Ιγνάτιος Καϊτεζίδης", "δήμαρχος Πυλαίας-Χορτιάτη"),
        Official("Άγγελος Χαριστέας", "αντιπεριφερειάρχης Ψηφιακής Διακυβέρνησης"),
    ]
    for furniture in ("cityportal", "Facebook", "Ακολούθησε", "Ποιοι:", "Cityportal Team", "Tsakiris", "http"):
        assert furniture not in doc.body
    assert "Πυλαίας-Χορτιάτη και πρόεδρος" in doc.body  # "Πυλαίας-" / "Χορτιάτη" mended
    assert "Ψηφιακής Διακυβέρνησης της Περιφέρειας" in doc.body  # hard wrap joined
    assert doc.source == "000_1fe309cce7ba6396.txt"  # the file given, never a server path


def test_seed_002_chania():
    doc = _seed("002_a41b864c727e27df")
    assert doc.title == "Συνάντηση δημάρχου Χανίων με τον Γ. Ζαριφόπουλο και τον Β. Διγαλάκη"
    assert doc.date == dt.date(2024, 11, 20)
    assert doc.municipalities == ["Δήμος Χανίων"]
    assert set(doc.officials) == {
        Official("Παναγιώτης Σημανδηράκης", "δήμαρχος Χανίων"),
        Official("Γρηγόρης Ζαριφόπουλος", "υφυπουργός Ψηφιακής Διακυβέρνησης"),
        Official("Βασίλης Διγαλάκης", "υφυπουργός Παιδείας και Θρησκευμάτων"),
        Official("Ευτύχης Δαμιανάκης", "πρόεδρος δημοτικού συμβουλίου Χανίων"),
        Official("Τάσος Αλόγλου", "αντιδήμαρχος"),
        Official("Αντώνης Βαρδάκης", "αντιδήμαρχος"),
        Official("Γιώργος Φραγκιαδάκης", "γενικός γραμματέας Δήμου Χανίων"),
    }
    assert doc.officials[0].name == "Παναγιώτης Σημανδηράκης"  # the issuing municipality's mayor first
    for furniture in ("13.8 C", "Ηρακλείου", "Δες τον καιρό", "Πρέπει να διαβάσετε", "Σχετικά άρθρα", "Άλλα Πρόσφατα", "Τετάρτη"):
        assert furniture not in doc.body


HTML_PAGE = """<!DOCTYPE html>
<html lang="el"><head><meta charset="utf-8">
<title>Ανακοίνωση για την ύδρευση | Δήμος Χανίων</title>
<link rel="canonical" href="https://www.chania.gr/enimerosi/anakoinoseis/ydreusi-2024.html">
<meta property="og:title" content="Διακοπή υδροδότησης στη Νέα Χώρα την Πέμπτη">
<meta property="article:published_time" content="2024-03-14T09:30:00+02:00">
</head><body>
<header><nav><ul><li><a href="/">Αρχική</a></li><li><a href="/dimos">Ο Δήμος</a></li>
<li><a href="/enimerosi">Ενημέρωση</a></li><li><a href="/epikoinonia">Επικοινωνία</a></li></ul></nav></header>
<main><article>
<h1>Διακοπή υδροδότησης στη Νέα Χώρα την Πέμπτη</h1>
<p>Η ΔΕΥΑ Χανίων ενημερώνει ότι την Πέμπτη θα γίνει διακοπή υδροδότησης στη Νέα Χώρα λόγω εργασιών
αντικατάστασης του δικτύου ύδρευσης, από τις 8 το πρωί έως τις 2 το μεσημέρι.</p>
<p>Ο αντιδήμαρχος Υδρευσης του Δήμου Χανίων, Νίκος Καλαϊτζάκης, ζητά από τους κατοίκους την κατανόησή τους
για την προσωρινή αναστάτωση, καθώς τα έργα θα βελτιώσουν την ποιότητα του νερού στην περιοχή.</p>
<p>Για περισσότερες πληροφορίες οι πολίτες μπορούν να επικοινωνούν με την τεχνική υπηρεσία της ΔΕΥΑ Χανίων
τις εργάσιμες ημέρες και ώρες.</p>
</article></main>
<footer><p>© 2024 Δήμος Χανίων. Με την επιφύλαξη παντός δικαιώματος.</p>
<ul><li><a href="/privacy">Πολιτική απορρήτου</a></li><li><a href="/cookies">Cookies</a></li></ul></footer>
</body></html>
"""

GREEK_8BIT = (
    "Ανακοίνωση του Δήμου Ηρακλείου\n\n"
    "Ο δήμαρχος Ηρακλείου Αλέξης Καλοκαιρινός ενημερώνει τους δημότες ότι το Δημαρχείο θα είναι "
    "κλειστό την Αγίου Πνεύματος. Άλλη μια ανακοίνωση για τις υπηρεσίες του δήμου και τα ωράρια "
    "λειτουργίας τους, με «εισαγωγικά» και το σύμβολο του ευρώ €.\n\n"
    "Ηράκλειο, 10/01/2021\n"
)


@pytest.fixture()
def mixed_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "sources"
    (folder / "news").mkdir(parents=True)
    (folder / "news" / "000_1fe309cce7ba6396.txt").write_bytes((SEEDS / "000_1fe309cce7ba6396.txt").read_bytes())
    (folder / "news" / "chania-water.html").write_text(HTML_PAGE, encoding="utf-8")
    (folder / "heraklion-cp1253.txt").write_bytes(GREEK_8BIT.encode("cp1253"))
    (folder / "heraklion-iso.txt").write_bytes(GREEK_8BIT.replace("Ηρακλείου", "Χανίων").replace("Καλοκαιρινός", "Σημανδηράκης").encode("iso8859_7"))
    record = {
        "id": "diavgeia:TEST-1", "title": "Απόφαση δημάρχου για την καθαριότητα",
        "body": "ΔΗΜΟΣ ΧΑΝΙΩΝ\n\nΟ ΔΗΜΑΡΧΟΣ ΧΑΝΙΩΝ αποφασίζει την ανάθεση καθαριότητας.\n\nΟ ΔΗΜΑΡΧΟΣ\n\nΣΗΜΑΝΔΗΡΑΚΗΣ ΠΑΝΑΓΙΩΤΗΣ",
        "date": "2021-05-03", "doc_type": "ΑΠΟΦΑΣΗ", "ada": "TEST-1",
    }
    (folder / "one.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    lines = [
        {"id": "r1", "title": "Πρώτη απόφαση", "body": "Κείμενο της πρώτης απόφασης του Δήμου Ρόδου.", "date": None},
        {"id": "r2", "title": "Πρώτη απόφαση", "body": "Κείμενο της  πρώτης απόφασης του Δήμου Ρόδου."},  # duplicate
        {"id": "r3", "title": "", "body": ""},  # no text
        {"id": "r4", "title": "Απόφαση", "body": "# **ΔΛΛΗΝΙΚΗ ΓΗΜΟΚΡΑΣΙΑ ΓΗΜΟ\u03a2 ΝΟΜΟ\u03a2 ΜΔ\u03a2\u03a2ΗΝΙΑ\u03a2**\n\nΔήμος Πύλου"},
    ]
    (folder / "many.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in lines) + "\n{not json\n", encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "image.html").write_bytes(bytes(range(256)) * 4)
    (folder / "koi8.txt").write_bytes("Привет, это русский текст без греческих букв вообще.".encode("koi8_r"))
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4")
    return folder


def test_mixed_folder(mixed_folder: Path):
    docs, report = _load(mixed_folder)
    by_id = {d.id: d for d in docs}
    assert set(by_id) == {
        "news/000_1fe309cce7ba6396", "news/chania-water", "heraklion-cp1253", "heraklion-iso", "diavgeia:TEST-1",
        "r1", "r4",
    }  # file ids are paths relative to the folder given, without extension
    html = by_id["news/chania-water"]
    assert html.title == "Διακοπή υδροδότησης στη Νέα Χώρα την Πέμπτη"
    assert html.date == dt.date(2024, 3, 14)
    assert html.url == "https://www.chania.gr/enimerosi/anakoinoseis/ydreusi-2024.html"
    assert "ΔΕΥΑ Χανίων ενημερώνει" in html.body
    assert "Επικοινωνία" not in html.body and "απορρήτου" not in html.body
    assert html.municipalities == ["Δήμος Χανίων"]
    assert html.officials == [Official("Νίκος Καλαϊτζάκης", "αντιδήμαρχος Υδρευσης")]

    cp = by_id["heraklion-cp1253"]
    assert cp.meta["encoding"] == "cp1253" and "«εισαγωγικά»" in cp.body and "€" in cp.body
    assert cp.date == dt.date(2021, 1, 10)
    assert cp.municipalities == ["Δήμος Ηρακλείου"]
    assert cp.officials == [Official("Αλέξης Καλοκαιρινός", "δήμαρχος Ηρακλείου")]
    iso = by_id["heraklion-iso"]
    assert iso.meta["encoding"] == "iso8859_7" and "Άλλη μια" in iso.body and "€" in iso.body

    record = by_id["diavgeia:TEST-1"]
    assert record.meta["ada"] == "TEST-1" and record.doc_type == "ΑΠΟΦΑΣΗ"
    assert record.date == dt.date(2021, 5, 3)
    assert record.municipalities == ["Δήμος Χανίων"]
    assert [o.role for o in record.officials] == ["δήμαρχος"]
    assert record.officials[0].name.startswith("Παναγιώτης Σημανδηρ")

    assert by_id["r4"].flags == ["garbled"] and by_id["r4"].municipalities == [] and by_id["r4"].officials == []
    assert report.duplicates == 1
    assert dict(report.skipped) == {
        "empty": 1, "binary": 1, "undecodable": 1, "unsupported format": 1, "no text": 1, "invalid json": 1,
    }
    assert report.read == report.documents + report.duplicates + sum(report.skipped.values()) == 14
    summary = report.summary()
    assert "7 documents" in summary and "1 duplicates" in summary and "binary: 1" in summary


def test_missing_source_is_skipped_not_raised(tmp_path: Path):
    docs, report = _load(tmp_path / "nowhere")
    assert docs == [] and report.skipped == {"not found": 1}


def test_decode_tells_the_greek_code_pages_apart():
    text = "Άλλη «ανακοίνωση» του Δήμου για το νερό και τα έργα της πόλης."
    assert decode(text.encode("cp1253")) == (text, "cp1253")
    assert decode(text.encode("iso8859_7")) == (text, "iso8859_7")
    assert decode(text.encode("utf-8")) == (text, "utf-8")
    with pytest.raises(Skip, match="empty"):
        decode(b"  \n ")


def test_jsonl_bad_line_is_skipped_alone_and_8bit_exports_stream(tmp_path: Path):
    """A large export is read line by line: one line of broken bytes costs that record only."""
    records = [{"id": f"r{i}", "title": f"Απόφαση {i} του Δημοτικού Συμβουλίου",
                "body": f"Ο δήμαρχος Χανίων εγκρίνει την πρόταση αριθμός {i} για τα έργα ύδρευσης."} for i in range(3)]
    lines = [json.dumps(r, ensure_ascii=False).encode("utf-8") for r in records]
    lines.insert(1, json.dumps({"id": "broken", "title": "Δήμος", "body": "ύδρευση"}, ensure_ascii=False)
                 .encode("utf-8").replace("ύδρευση".encode("utf-8"), "ύδρευση".encode("cp1253")))
    (tmp_path / "utf8.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    (tmp_path / "greek8.jsonl").write_bytes(
        b"\n".join(json.dumps({**r, "id": f"cp-{r['id']}", "title": r["title"].replace("Απόφαση", "Πρόσκληση")}, ensure_ascii=False).encode("cp1253") for r in records))
    docs, report = _load(tmp_path)
    assert [d.id for d in docs] == ["cp-r0", "cp-r1", "cp-r2", "r0", "r1", "r2"]
    assert docs[0].title == "Πρόσκληση 0 του Δημοτικού Συμβουλίου"
    assert dict(report.skipped) == {"undecodable": 1}
    assert report.details[-1][0].endswith("utf8.jsonl:2")


def test_file_ids_are_stems_and_walk_is_sorted(tmp_path: Path):
    for name in ("b.txt", "a.txt"):
        (tmp_path / name).write_text(f"Ανακοίνωση {name} του Δήμου Χανίων για τα έργα", encoding="utf-8")
    docs, _ = _load(tmp_path)
    assert [d.id for d in docs] == ["a", "b"]


@pytest.mark.slow  # all 1,453 real decisions through ingestion
@needs_data
def test_real_decisions_every_record_accounted_for():
    source = DATA / "diavgeia-decisions.jsonl"
    records = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]
    docs, report = _load(source)
    assert len(records) == 1453
    assert report.read == 1453
    assert report.documents + report.duplicates + sum(report.skipped.values()) == 1453
    garbled = {d.id for d in docs if "garbled" in d.flags}
    # The data README speaks of 4 garbled bodies; the file marks (and holds) 2 with U+03A2.
    expected = {r["id"] for r in records if r["meta"].get("text_garbled")}
    assert garbled == expected and len(expected) >= 2
    assert all(not d.municipalities and not d.officials for d in docs if d.id in garbled)


@needs_data
def test_gazetteer_resolves_case_forms_to_one_value_with_region():
    gazetteer = Gazetteer.load(DATA / "municipalities.csv")
    texts = {
        "a.txt": "ΔΗΜΟΣ ΧΑΝΙΩΝ\n\nΑνακοίνωση για τα έργα στην πόλη και τις υπηρεσίες.",
        "b.txt": "Ανακοίνωση του Δήμου Χανίων\n\nΓια τα έργα στην πόλη και τις υπηρεσίες.",
        "c.txt": "Δήλωση για τα έργα\n\nΟ δήμαρχος Χανίων μίλησε για τις υπηρεσίες της πόλης.",
    }
    for resolved in (gazetteer.resolve("ΧΑΝΙΩΝ"), gazetteer.resolve("Χανίων")):
        assert resolved.name == "Δήμος Χανίων" and resolved.region == "Περιφέρεια Κρήτης"
    assert gazetteer.resolve("Καλαμπάκας").name == "Δήμος Μετεώρων"  # outdated official name
    folder = Path(__import__("tempfile").mkdtemp())
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    docs, _ = _load(folder, gazetteer=gazetteer)
    assert [d.municipalities for d in docs] == [["Δήμος Χανίων"]] * 3
    assert [d.regions for d in docs] == [["Περιφέρεια Κρήτης"]] * 3
    assert docs[0].meta["regional_units"] == ["ΧΑΝΙΩΝ"]


def test_identical_texts_in_two_sources_are_indexed_once(tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "copy.txt").write_bytes((SEEDS / "002_a41b864c727e27df.txt").read_bytes())
    report = IngestReport()
    # The reindex command reads each source separately, sharing one report.
    documents = [d for folder in ("a", "b") for d in load_documents([tmp_path / folder], report)]
    assert len(documents) == 1 and report.duplicates == 1


def _junk_and_folded(docs) -> tuple[list[str], list[set[str]]]:
    """Official values a user would call wrong: digits, amounts, capitals; and spellings of one name."""
    from search.analysis import fold
    values = {o.name for d in docs for o in d.officials}
    junk = sorted(v for v in values if any(c.isdigit() for c in v) or any(c in v for c in "€$£")
                  or not any(c.islower() for c in v[1:]))
    by_fold: dict[str, set[str]] = {}
    for v in values:
        by_fold.setdefault(fold(v), set()).add(v)
    return junk, [vs for vs in by_fold.values() if len(vs) > 1]


def test_a_records_own_officials_are_people_or_kept_aside(tmp_path, caplog):
    """Real labels of moh_diavgeia_annotated_text: amounts, a patronymic, a municipality, two people in one."""
    record = {"id": "moh:1", "title": "Έγκριση δαπάνης", "body": "Εγκρίνουμε τη δαπάνη του προγράμματος.",
              "officials": ["ΒΛΑΣΣΗΣ ΙΩΑΝΝΗΣ", "113,40€", "ΑΝΤΩΝΙΟΥ", "ΔΗΜΟΥ ΠΑΙΟΝΙΑΣ", "Ψ.Ν.Α.",
                            "ΒΕΡΟΝΙΚΗ ΚΟΚΟΤΑ ΑΘΑΝΑΣΙΟΣ Γ. ΓΙΑΝΝΑΡΗΣ"]}
    (tmp_path / "moh.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    with caplog.at_level("INFO", logger="search.ingest"):
        [doc], report = _load(tmp_path / "moh.jsonl")
    assert [o.name for o in doc.officials] == ["Ιωάννης Βλασσης", "Βερονίκη Κοκοτα", "Αθανάσιος Γιανναρης"]
    assert doc.meta["officials_dropped"] == ["113,40€", "ΑΝΤΩΝΙΟΥ", "ΔΗΜΟΥ ΠΑΙΟΝΙΑΣ", "Ψ.Ν.Α."]
    logged = " ".join(r.getMessage() for r in caplog.records)
    for reason in ("a number or an amount", "a single word", "a place", "an abbreviation"):
        assert reason in logged
    assert report.documents == 1 and not report.skipped


def test_one_person_one_spelling_from_the_first_document(tmp_path):
    """«Ε. ΚΑΡΑΤΖΑΦΕΡΗ» (moh_doccano:171) is shown as «Ε. Καρατζαφέρη», as a later record writes it."""
    records = [
        {"id": "171", "title": "Απόφαση", "body": "Αθήνα 9-12-2020", "officials": ["Ε. ΚΑΡΑΤΖΑΦΕΡΗ"]},
        {"id": "175", "title": "Απόφαση άλλη", "body": "α.α Ε. Καρατζαφέρη", "officials": ["Ε. Καρατζαφέρη"]},
    ]
    (tmp_path / "moh.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                                        encoding="utf-8")
    docs, _ = _load(tmp_path / "moh.jsonl")
    assert [[o.name for o in d.officials] for d in docs] == [["Ε. Καρατζαφέρη"], ["Ε. Καρατζαφέρη"]]


@needs_data
def test_real_decisions_official_values_are_clean_names():
    """All 1,453 real decisions: no value with a digit, an amount or in capitals; one spelling per name."""
    docs, _ = _load(DATA / "diavgeia-decisions.jsonl")
    junk, folded = _junk_and_folded(docs)
    assert junk == [] and folded == []
    assert len({o.name for d in docs for o in d.officials}) > 50  # the facet is not emptied to get there


def test_an_initial_is_the_one_full_name_the_sources_write(tmp_path):
    """«Π. ΣΚΟΥΡΛΕΤΗΣ» (a ypes funding decision) is «Παναγιώτης Σκουρλετης», whom other decisions sign in full;
    «Γ. Παπαδόπουλος» stays an initial when the sources name a Γεώργιος and a Γρηγόριος Παπαδόπουλος."""
    records = [
        {"id": "1", "title": "Κατανομή", "body": "Ο ΥΠΟΥΡΓΟΣ ΕΣΩΤΕΡΙΚΩΝ\n\nΠ. ΣΚΟΥΡΛΕΤΗΣ"},
        {"id": "2", "title": "Κατανομή άλλη", "body": "Ο ΥΠΟΥΡΓΟΣ ΕΣΩΤΕΡΙΚΩΝ\n\nΠΑΝΑΓΙΩΤΗΣ ΣΚΟΥΡΛΕΤΗΣ"},
        {"id": "3", "title": "Ορισμός", "body": "Ο δήμαρχος Χανίων, Γ. Παπαδόπουλος, μίλησε."},
        {"id": "4", "title": "Λίστα", "body": "Παρόντες: Γεώργιος Παπαδόπουλος και Γρηγόριος Παπαδόπουλος."},
    ]
    (tmp_path / "d.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                                      encoding="utf-8")
    docs, _ = _load(tmp_path / "d.jsonl")
    names = {d.id: [o.name for o in d.officials] for d in docs}
    assert names["1"] == names["2"] == ["Παναγιώτης Σκουρλετης"]
    assert names["3"] == ["Γ. Παπαδόπουλος"]


def test_a_bad_line_is_logged_once_though_the_sources_are_read_twice(tmp_path, caplog):
    """The pass that learns names' accents reads the same lines: the operator's log names the bad one once."""
    good = {"id": "d1", "title": "Ανακοίνωση του Δήμου Χανίων", "body": "Ο δήμαρχος Χανίων ενημερώνει τους δημότες."}
    (tmp_path / "export.jsonl").write_text(json.dumps(good, ensure_ascii=False) + "\n{\"id\": \n", encoding="utf-8")
    with caplog.at_level("WARNING", logger="search.sources"):
        docs, report = _load(tmp_path / "export.jsonl")
    assert [d.id for d in docs] == ["d1"] and report.skipped == {"invalid json": 1}
    assert [r.getMessage() for r in caplog.records].count(
        f"skipped {tmp_path / 'export.jsonl'}:2: {report.details[0][1]}") == 1
