"""Greek name inflection: one person, one facet value, whatever the case form."""
from search.extract import extract_entities
from search.names import parse_person, person


def test_accusative_to_nominative():
    assert person("Γρηγόρη", "Ζαριφόπουλο").display == "Γρηγόρης Ζαριφόπουλος"
    assert person("Αγγελο", "Χαριστέα").display == "Άγγελος Χαριστέας"
    assert person("Τάσου", "Αλόγλου").display == "Τάσος Αλόγλου"  # -όγλου never inflects
    assert person("Βασιλικής", "Παπανότη").display == "Βασιλική Παπανότη"  # women's surnames stay


def test_upper_case_signature_surname_first():
    assert parse_person("ΠΑΝΑΓΟΠΟΥΛΟΣ ΓΕΩΡΓΙΟΣ").display == "Γεώργιος Παναγόπουλος"
    assert parse_person("ΠΑΝΑΓΟΠΟΥΛΟΣ ΓΕΩΡΓΙΟΣ").key == parse_person("Γεώργιος Παναγόπουλος").key
    assert parse_person("ΕΥΘΥΜΙΟΥ ΑΛΕΞΑΝΔΡΟΣ").display == "Αλέξανδρος Ευθυμίου"


def test_initial_resolves_to_full_name_in_same_document():
    entities = extract_entities(
        "Συνάντηση με τον Γ. Ζαριφόπουλο",
        "Ο υφυπουργός Ψηφιακής Διακυβέρνησης, Γρηγόρης Ζαριφόπουλος, μίλησε. Ο κ. Ζαριφόπουλος είπε.",
    )
    assert [o.name for o in entities.officials] == ["Γρηγόρης Ζαριφόπουλος"]


def test_initial_alone_becomes_nominative_with_initial():
    entities = extract_entities("Δήλωση", "Συναντήθηκε με τον Β. Κικίλια, υπουργό Υγείας, στην Αθήνα.")
    assert [(o.name, o.role) for o in entities.officials] == [("Β. Κικίλιας", "υπουργός Υγείας")]


def test_compound_first_name_is_one_first_name():
    assert parse_person("ΣΠΥΡΙΔΩΝ - ΑΔΩΝΙΣ ΓΕΩΡΓΙΑΔΗΣ").display == "Σπυρίδων-Άδωνις Γεωργιάδης"
    assert parse_person("ΝΙΚΟΛΑΟΣ-ΓΕΩΡΓΙΟΣ ΔΕΝΔΙΑΣ").key == parse_person("Νικόλαος - Γεώργιος Δένδιας").key


def test_surname_first_in_mixed_case_lists_and_signatures():
    """Real: a committee's attendance list (diavgeia:6Α0ΒΩΞ9-0ΑΝ) and a Region of Crete signature (6Α0Β7ΛΚ-8ΓΚ)."""
    body = ("Παρόντες:\n\n4. Αντωνίου Ελένη, Αντιδήμαρχος – μέλος Ο.Ε.\n\n6. Αντωνίου Μιλτιάδης δημοτικός σύμβουλος"
            " – μέλος Ο.Ε.\n\nΗ Προϊσταμένη Οικονομικής Υπηρεσίας\n\nΡαπτάκη Μαρία\n\nΠΡΩΤΟΤΥΠΟ")
    names = [o.name for o in extract_entities("Απόφαση", body).officials]
    assert names == ["Ελένη Αντωνίου", "Μιλτιάδης Αντωνίου", "Μαρία Ραπτάκη"]
