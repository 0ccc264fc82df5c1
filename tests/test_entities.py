"""Municipalities and officials from real text (issue 15): the packaged gazetteer, the reader's rules, the figures."""
from __future__ import annotations

import pytest

from search.analysis import fold
from search.extract import EntityReader, extract_entities, is_person_value
from search.gazetteer import PACKAGED, Gazetteer

GAZETTEER = Gazetteer.default()
ALL = GAZETTEER.municipalities()


def _unaccented(text: str) -> str:
    import unicodedata
    return unicodedata.normalize("NFC", "".join(
        c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn"))


def _contexts(m) -> dict[str, str]:
    genitive = m.genitive
    return {
        "Δήμος": f"Ο Δήμος {genitive} ανακοινώνει τα νέα έργα.",
        "Δήμου": f"Ανακοίνωση του Δήμου {genitive} για τα νέα έργα.",
        "δήμαρχος": f"Ο δήμαρχος {genitive} μίλησε για τα νέα έργα.",
        "Δημάρχου": f"Δήλωση του Δημάρχου {genitive} για τα νέα έργα.",
        "capitals": f"ΔΗΜΟΣ {genitive.upper()}\n\nανακοίνωση για τα νέα έργα.",
        "unaccented": f"Ανακοίνωση του Δήμου {_unaccented(genitive)} για τα νέα έργα.",
        "στην": f"Η εκδήλωση έγινε στην {m.nominative} χθες.",
        "στη": f"Η εκδήλωση έγινε στη {m.nominative} χθες.",
        "στο": f"Η εκδήλωση έγινε στο {m.nominative} χθες.",
        "accusative": f"Η εκδήλωση έγινε στη {m.accusative} χθες.",
    }


def test_packaged_gazetteer_has_every_municipality_and_region():
    assert PACKAGED.exists() and len(GAZETTEER) == 332 and len(ALL) == 332
    assert len(GAZETTEER.regions()) == 13 and "Περιφέρεια Κρήτης" in GAZETTEER.regions()
    rhodes = GAZETTEER.resolve("Ρόδου")
    assert (rhodes.nominative, rhodes.accusative, rhodes.region) == ("Ρόδος", "Ρόδο", "Περιφέρεια Νοτίου Αιγαίου")
    assert rhodes.mayor_2023 == "Αλέξανδρος Κολιάδης"
    assert "troboukis/2026_fire_protection" in PACKAGED.read_text(encoding="utf-8").split("\nelstat_code")[0]


def test_every_municipality_resolves_in_running_text(figure):
    """Issue 15's figure: genitive after Δήμος/Δήμου/δήμαρχος/Δημάρχου, capitals, unaccented, nominative."""
    failures: list[str] = []
    total = 0
    for m in ALL:
        for context, text in _contexts(m).items():
            total += 1
            found = extract_entities("", text).municipalities
            if found != [m.name]:
                failures.append(f"{m.name} [{context}]: {found}")
    figure(f"municipalities in running text: {total - len(failures)}/{total} resolve "
           f"({len(ALL)} municipalities x 10 contexts), no --gazetteer")
    assert failures == []


@pytest.mark.parametrize("typed, expected", [
    ("rodos", "Δήμος Ρόδου"), ("chania", "Δήμος Χανίων"), ("hania", "Δήμος Χανίων"),
    ("ΔΗΜΟΣ ΡΟΔΟΥ", "Δήμος Ρόδου"), ("Ρόδου", "Δήμος Ρόδου"), ("ροδος", "Δήμος Ρόδου"),
    ("agios dimitrios", "Δήμος Αγίου Δημητρίου"), ("irakleio", "Δήμος Ηρακλείου"),
    ("Χανιά", "Δήμος Χανίων"), ("dimos athinaion", "Δήμος Αθηναίων"),
    # the four outdated names of the data README, and a Kallikratis 2011 name
    ("Καλαμπάκας", "Δήμος Μετεώρων"), ("Μώλου-Αγίου Κωνσταντίνου", "Δήμος Καμένων Βούρλων"),
    ("Τροιζηνίας", "Δήμος Τροιζηνίας-Μεθάνων"),
    ("Λουτρακίου-Αγίων Θεοδώρων", "Δήμος Λουτρακίου-Περαχώρας-Αγίων Θεοδώρων"),
    ("Ορεστίδος", "Δήμος Άργους Ορεστικού"),
])
def test_find_any_written_form(typed, expected):
    assert GAZETTEER.find(typed).name == expected


def test_ambiguous_and_unknown_forms_resolve_to_nothing():
    assert GAZETTEER.find("Κέρκυρας") is None  # three municipalities share it
    assert GAZETTEER.find("Ελλάδας") is None and GAZETTEER.find("xyzzy") is None


def test_no_municipality_from_the_word_after_dimos():
    """The issue's facet values: a word after «Δήμος» is not a municipality unless the gazetteer knows it."""
    text = ("Δήμος Ελλάδας, Δήμος Νομος, Δήμος Και, Δήμος Έχοντας, Δήμος Προϋπολογισμός. "
            "Ο Δήμος Παλαιού Φαλήρου, ο Δήμος Λίμνης Πλαστήρα, ο Δήμος Νίκαιας-Αγίου Ιωάννη Ρέντη, "
            "ο Δήμος Νάξου και Μικρών Κυκλάδων και ο Δήμος Αμαρίου.")
    assert extract_entities("", text).municipalities == [
        "Δήμος Παλαιού Φαλήρου", "Δήμος Λίμνης Πλαστήρα", "Δήμος Νίκαιας-Αγίου Ιωάννη Ρέντη",
        "Δήμος Νάξου και Μικρών Κυκλάδων", "Δήμος Αμαρίου"]


@pytest.mark.parametrize("value", ["113,40ΕΥΡΩ", "113,40€", "ΑΝΑΣΤΑΣΙΟΥ", "ΑΝΤΩΝΙΟΥ", "Γ. Γεν", "Ψ.Ν.Α.",
                                   "Δήμου Παιονίας", "Ιωάννης"])
def test_not_a_person_value(value):
    assert not is_person_value(value)


@pytest.mark.parametrize("value", ["Ιωάννης Βλάσσης", "Ε. Καρατζαφέρη", "Βασιλική Παπανότη"])
def test_a_person_value(value):
    assert is_person_value(value)


def test_reader_rules_one_by_one():
    reader = EntityReader("Παναγιώτης Σημανδηράκης, δήμαρχος Χανίων, μίλησε στη Ρόδο.")
    ro = [i for i, t in enumerate(reader.tokens) if t.folded == "στη"][0]
    assert reader.place_at(ro).display == "Δήμος Ρόδου"
    role_index = [i for i, t in enumerate(reader.tokens) if t.folded == "δημαρχοσ"][0]
    role = reader.role_at(role_index)
    assert (role.lemma, role.plural) == ("δήμαρχος", False)
    text, _ = reader.qualify(role, reader.role_end(role))
    assert text == "δήμαρχος Χανίων"
    assert not reader.give_forward(reader.role_end(role), text, role)  # a verb follows: nothing forward
    reader.give_backward(role_index, text)
    assert [(n.display, r) for n, r in reader.people()] == [("Παναγιώτης Σημανδηράκης", "δήμαρχος Χανίων")]


def test_upper_case_signature_block_gives_the_signer_with_role():
    text = "Αποφασίζουμε την έγκριση της δαπάνης.\n\nΟ ΔΗΜΑΡΧΟΣ ΡΟΔΟΥ\n\nΚΟΛΙΑΔΗΣ ΑΛΕΞΑΝΔΡΟΣ"
    officials = extract_entities("Απόφαση δαπάνης", text).officials
    assert [(o.name, o.role) for o in officials] == [("Αλέξανδρος Κολιάδης", "δήμαρχος Ρόδου")]
    assert fold(officials[0].name) == fold("Αλέξανδρος Κολιάδης")


def test_gazetteer_is_on_by_default_and_can_be_overridden(tmp_path):
    from search.config import Settings
    assert Settings().gazetteer == PACKAGED and Settings.from_env({}).gazetteer == PACKAGED
    other = tmp_path / "other.csv"
    assert Settings.from_env({"DIMOS_GAZETTEER": str(other)}).gazetteer == other


def _record(path, record_id):
    import json
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if record["id"] == record_id:
                return record
    raise AssertionError(record_id)


def test_real_law_signature_table_gives_its_ministers():
    """Law 5042: the President and a flattened table of twenty ministers, «ΜΑΥΡΟΥΔΗΣ ΒΟΡΙΔΗΣ ΣΤΥΛΙΑΝΟΣ ΠΕΤΣΑΣ»."""
    from tests.conftest import shared_data
    law = _record(shared_data("greek-laws-2023-2024.jsonl"), "law:5042")
    names = {fold(o.name) for o in extract_entities(law["title"], law["body"]).officials}
    for signer in ("Κατερίνα Σακελλαροπούλου", "Κωνσταντίνος Τσιάρας", "Στυλιανός Πέτσας",
                   "Χρήστος Σταϊκούρας", "Μιλτιάδης Βαρβιτσιώτης", "Γεώργιος Καραγιάννης"):
        assert fold(signer) in names, signer
    # the misreadings of a flattened table: a first name paired with the neighbouring column's surname
    for wrong in ("Στυλιανός Βορίδης", "Θεόδωρος Σταϊκούρας", "Μιλτιάδης Παπαθανάσης", "Σπυρίδων Σκυλακάκης"):
        assert fold(wrong) not in names, wrong


def test_real_moh_signature_block_gives_the_signer_with_role():
    """«Η ΠΡΟΪΣΤΑΜΕΝΗ ΤΗΣ ΓΕΝΙΚΗΣ Δ/ΝΣΗΣ … ΠΑΡΑΣΚΕΥΗ ΘΕΟΦΙΛΟΥ»: a patronymic surname, not «Θεόφιλος»."""
    from tests.conftest import shared_data
    record = _record(shared_data("diavgeia-decisions.jsonl"), "moh_doccano:179")
    officials = extract_entities(record["title"], record["body"]).officials
    assert [(fold(o.name), o.role.split()[0]) for o in officials] == [(fold("Παρασκευή Θεοφίλου"), "προϊσταμένη")]


def test_real_law_cabinet_list_gives_every_minister_and_compound_first_names():
    """Law 5050 lists fourteen ministers under one «Οι Υπουργοί», two with a spaced compound first name."""
    from tests.conftest import shared_data
    law = _record(shared_data("greek-laws-2023-2024.jsonl"), "law:5050")
    names = {fold(o.name) for o in extract_entities(law["title"], law["body"]).officials}
    for signer in ("Νικόλαος-Γεώργιος Δένδιας", "Σπυρίδων-Άδωνις Γεωργιάδης", "Κυριάκος Πιερρακάκης",
                   "Βασίλειος Κικίλιας", "Σοφία Ζαχαράκη", "Δημήτριος Παπαστεργίου", "Ιωάννης Οικονόμου"):
        assert fold(signer) in names, signer
    assert fold("Γεώργιος Δένδιας") not in names  # half of a compound first name is not the person


def test_name_in_quotes_names_a_thing_not_a_person():
    """Law 5103: «τον Διευθυντή του Μουσείου … «Φοίβος Ανωγειανάκης»» is the museum's director, not Ανωγειανάκης."""
    body = ("η) τον Διευθυντή του Μουσείου Ελληνικών Λαϊκών Μουσικών Οργάνων «Φοίβος Ανωγειανάκης» - Κέντρου "
            "Εθνομουσικολογίας. Ο δήμαρχος Χανίων, Παναγιώτης Σημανδηράκης, χαιρέτισε.")
    assert [o.name for o in extract_entities("Νόμος", body).officials] == ["Παναγιώτης Σημανδηράκης"]


@pytest.mark.parametrize("record_id, signers", [
    # «Ο ΥΠΗΡΕΣΙΑΚΟΣ ΓΡΑΜΜΑΤΕΑΣ ΑΛΕ 2120202001: 2227,74€ … ΠΙΝΑΚΑΣ ΔΙΑΝΟΜΗΣ: ΙΩΑΝΝΗΣ ΒΛΑΣΣΗΣ»: the PDF's columns
    ("moh_doccano:169", {"Ιωάννης Βλάσσης"}),
    # «ΜΕ ΕΝΤΟΛΗ ΠΡΟΙΣΤΑΜΕΝΟΥ … Αθήνα, 09 - 12 - 2020 α.α Ε. ΚΑΡΑΤΖΑΦΕΡΗ»: signed on behalf, after the date
    ("moh_doccano:177", {"Ιωάννης Βλάσσης", "Ε. Καρατζαφέρη"}),
    # «Η ΠΡΟΙΣΤΑΜΕΝΗ ΤΗΣ ΓΕΝ. Δ/ΝΣΗΣ ΥΠΗΡΕΣΙΩΝ ΥΓΕΙΑΣ ΠΑΡΑΣΚΕΥΗ ΘΕΟΦΙΛΟΥ»: an abbreviation's period
    ("moh_doccano:185", {"Παρασκευή Θεοφίλου"}),
])
def test_real_moh_signature_blocks_give_their_signers(record_id, signers):
    """Rules checked against the hand-read signers of tests/data/moh_signers_50.tsv."""
    from tests.conftest import shared_data
    record = _record(shared_data("diavgeia-decisions.jsonl"), record_id)
    officials = extract_entities(record["title"], record["body"]).officials
    assert {fold(o.name) for o in officials} == {fold(s) for s in signers}


def test_a_heading_far_from_its_name_does_not_take_a_beneficiary():
    """moh_doccano:201: «Ο ΥΠΗΡΕΣΙΑΚΟΣ ΓΡΑΜΜΑΤΕΑΣ 2. Την έγκριση … υπαλλήλων …, ΑΘΑΝΑΣΙΑΔΟΥ ΠΕΛΑΓΙΑ κ.λ.π»."""
    from tests.conftest import shared_data
    record = _record(shared_data("diavgeia-decisions.jsonl"), "moh_doccano:201")
    names = {fold(o.name) for o in extract_entities(record["title"], record["body"]).officials}
    assert fold("Πελαγία Αθανασιάδου") not in names
