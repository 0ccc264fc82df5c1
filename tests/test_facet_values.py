"""Forgiving facet values (issue 15, part 3): what a person types -> the index's canonical values."""
from __future__ import annotations

import pytest

from search.facet_values import UnknownValue, closest, find, resolve
from search.gazetteer import Gazetteer

GAZETTEER = Gazetteer.default()
MUNICIPALITIES = [m.name for m in GAZETTEER.municipalities()]  # all 332, as an index of everything holds them
REGIONS = GAZETTEER.regions()
# Real officials' facet values from the shared Diavgeia decisions and laws (ingested).
OFFICIALS = ["Ιωάννης Βλασσης", "Ε. Καρατζαφέρη", "Παρασκευή Θεοφιλου", "Γεώργιος Φλωρίδης",
             "Κατερίνα Σακελλαροπούλου", "Βασίλειος Κικίλιας", "Σπυρίδων-Άδωνις Γεωργιάδης",
             "Γεώργιος Γεραπετριτης", "Κωνσταντίνος Χατζηδάκης", "Μαυροειδής Χριστοφιλόπουλος"]


@pytest.mark.parametrize("typed", ["ΔΗΜΟΣ ΡΟΔΟΥ", "Δήμος Ρόδου", "Ρόδου", "Ρόδος", "ροδος", "Ρόδο", "rodos",
                                   "dimos rodou"])
def test_every_form_of_a_municipality_resolves_to_its_canonical_value(typed):
    assert resolve("municipality", typed, MUNICIPALITIES) == "Δήμος Ρόδου"


@pytest.mark.parametrize("typed, expected", [
    ("Χανιά", "Δήμος Χανίων"), ("chania", "Δήμος Χανίων"), ("ΝΑΞΟΥ ΚΑΙ ΜΙΚΡΩΝ ΚΥΚΛΑΔΩΝ", "Δήμος Νάξου και Μικρών Κυκλάδων"),
    ("Καλαμπάκας", "Δήμος Μετεώρων"),  # a former official name
    ("Νίκαιας - Αγίου Ιωάννη Ρέντη", "Δήμος Νίκαιας-Αγίου Ιωάννη Ρέντη"),
])
def test_other_municipalities_resolve(typed, expected):
    assert resolve("municipality", typed, MUNICIPALITIES) == expected


def test_a_municipality_not_in_the_index_is_an_error_naming_the_closest_values():
    indexed = ["Δήμος Χανίων", "Δήμος Ρόδου", "Δήμος Πυλαίας-Χορτιάτη"]
    with pytest.raises(UnknownValue) as error:
        resolve("municipality", "Χανιων Κρήτης", indexed)
    assert error.value.closest[0] == "Δήμος Χανίων" and "Δήμος Χανίων" in str(error.value)
    with pytest.raises(UnknownValue) as error:
        resolve("municipality", "Ρόδος", ["Δήμος Χανίων"])  # a real municipality the index does not hold
    assert error.value.field == "municipality" and not error.value.ambiguous


def test_filter_box_finds_by_prefix_greeklish_and_any_form():
    assert find("municipality", "rod", MUNICIPALITIES) == ["Δήμος Ρόδου"]
    assert find("municipality", "Ρόδ", MUNICIPALITIES) == ["Δήμος Ρόδου"]
    assert find("municipality", "ag dim", MUNICIPALITIES) == ["Δήμος Αγίου Δημητρίου"]
    assert "Δήμος Θεσσαλονίκης" in find("municipality", "thes", MUNICIPALITIES)
    assert find("municipality", "ηρακλ", MUNICIPALITIES) == [
        "Δήμος Ηράκλειας", "Δήμος Ηρακλείου", "Δήμος Ηρακλείου Αττικής"]
    assert find("municipality", "Χανιά", MUNICIPALITIES)[0] == "Δήμος Χανίων"  # the whole word first
    assert find("municipality", "  ", MUNICIPALITIES) == MUNICIPALITIES
    assert find("municipality", "qqq", MUNICIPALITIES) == []


@pytest.mark.parametrize("typed", ["Κρήτη", "Κρήτης", "ΠΕΡΙΦΕΡΕΙΑ ΚΡΗΤΗΣ", "kriti", "Περιφέρεια Κρήτης"])
def test_region_forms(typed):
    assert resolve("region", typed, REGIONS) == "Περιφέρεια Κρήτης"


def test_region_filter_box_and_nominatives():
    assert len(REGIONS) == 13
    assert resolve("region", "Ήπειρος", REGIONS) == "Περιφέρεια Ηπείρου"
    assert resolve("region", "Ιόνια Νησιά", REGIONS) == "Περιφέρεια Ιονίων Νήσων"
    assert find("region", "mak", REGIONS) == [
        "Περιφέρεια Ανατολικής Μακεδονίας και Θράκης", "Περιφέρεια Δυτικής Μακεδονίας",
        "Περιφέρεια Κεντρικής Μακεδονίας"]


@pytest.mark.parametrize("typed, expected", [
    ("ΒΛΑΣΣΗΣ ΙΩΑΝΝΗΣ", "Ιωάννης Βλασσης"),  # the signature form, surname first
    ("Ιωάννη Βλάσση", "Ιωάννης Βλασσης"),  # accusative
    ("vlassis", "Ιωάννης Βλασσης"),
    ("Ι. Βλάσσης", "Ιωάννης Βλασσης"),
    ("Καρατζαφερη", "Ε. Καρατζαφέρη"),
    ("sakellaropoulou", "Κατερίνα Σακελλαροπούλου"),
    ("Κικίλια", "Βασίλειος Κικίλιας"),
    ("Άδωνις Γεωργιάδης", "Σπυρίδων-Άδωνις Γεωργιάδης"),
])
def test_an_official_in_any_form_resolves_to_the_facet_value(typed, expected):
    assert resolve("official", typed, OFFICIALS) == expected


def test_an_official_that_fits_two_people_or_none_is_an_error():
    with pytest.raises(UnknownValue) as error:
        resolve("official", "Γεώργιος", OFFICIALS)
    assert error.value.ambiguous and set(error.value.closest) == {"Γεώργιος Φλωρίδης", "Γεώργιος Γεραπετριτης"}
    with pytest.raises(UnknownValue) as error:
        resolve("official", "Γεώργιος Παπαδόπουλος", OFFICIALS)
    assert not error.value.ambiguous


def test_official_filter_box():
    assert find("official", "kik", OFFICIALS) == ["Βασίλειος Κικίλιας"]
    assert find("official", "χατζ", OFFICIALS) == ["Κωνσταντίνος Χατζηδάκης"]


def test_closest_values_for_a_typo():
    assert closest("Χανίον", MUNICIPALITIES)[0] == "Δήμος Χανίων"
    assert closest("Θεσαλονικη", MUNICIPALITIES)[0] == "Δήμος Θεσσαλονίκης"


def test_unknown_field_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown facet field"):
        find("doc_type", "x", ["x"])
