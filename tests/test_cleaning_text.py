"""Clean text to read (issue 14, part 4): markup, letter spacing, titles, letterheads; on real decisions."""
from __future__ import annotations

import re

import pytest

from search.cleaning import boilerplate_spans, html_to_text, join_letter_spaced, tidy_title
from search.ingest import IngestReport, load_documents
from tests.conftest import shared_data

UNREADABLE = re.compile(r"<br|&lt;|&nbsp;|&amp;|(?<![^\W\d_])[^\W\d_](?: [^\W\d_]){4,}(?![^\W\d_])")


def test_markup_and_entities_become_text():
    assert html_to_text("ΤΑ ΟΧΗΜΑΤΑ ΤΟΥ <br>ΠΡΟΓΡΑΜΜΑΤΟΣ") == "ΤΑ ΟΧΗΜΑΤΑ ΤΟΥ \nΠΡΟΓΡΑΜΜΑΤΟΣ"
    assert html_to_text("ποσό&nbsp;100 &lt;δαπάνη&gt; <b>Θέμα</b>") == "ποσό 100 <δαπάνη> Θέμα"
    assert html_to_text("τιμή <5 και <<Κ>>") == "τιμή <5 και <<Κ>>"  # not markup


@pytest.mark.parametrize("spaced, joined", [
    ("Α Π Ο Φ Α Σ Η", "ΑΠΟΦΑΣΗ"),
    ("Α π ο φ α σ ί ζ ο υ μ ε:", "Αποφασίζουμε:"),
    ("Χ Ρ Η Μ Α Τ Ι Κ Ο Ε Ν Τ Α Λ Μ Α", "ΧΡΗΜΑΤΙΚΟ ΕΝΤΑΛΜΑ"),  # two words whose gap was lost
    ("ο Α. Β. Γεωργίου", "ο Α. Β. Γεωργίου"),  # initials are not letter spacing
    ("η ή ο", "η ή ο"),
])
def test_letter_spaced_words_are_joined(spaced, joined):
    assert join_letter_spaced(spaced) == joined


@pytest.mark.parametrize("title, tidy", [
    ("«Ανάκληση ποσού 197.463,70 ευρώ από την απόφαση ανάληψης και δέσμευσης πίστωσης απ",
     "«Ανάκληση ποσού 197.463,70 ευρώ από την απόφαση ανάληψης και δέσμευσης πίστωσης…»"),
    ("Ανάληψη και δέσμευση πίστωσης ποσού 1.950.000,00 € οικονομικού έτους 2021»",
     "Ανάληψη και δέσμευση πίστωσης ποσού 1.950.000,00 € οικονομικού έτους 2021"),
    ("Ανάκληση απόφασης τοποθέτησης ιατρού και επαναφορά σε ισχύ της αίτησής του",
     "Ανάκληση απόφασης τοποθέτησης ιατρού και επαναφορά σε ισχύ της αίτησής του"),
    ('Έγκριση της μελέτης "Συντήρηση οδών', 'Έγκριση της μελέτης "Συντήρηση οδών"'),
])
def test_titles_end_at_a_word_with_balanced_quotes(title, tidy):
    assert tidy_title(title) == tidy


def test_a_long_title_ends_at_a_word_boundary_with_an_ellipsis():
    title = tidy_title("Έγκριση δαπάνης " * 30, limit=100)
    assert len(title) <= 101 and title.endswith("δαπάνης…")


def test_a_letterhead_is_boilerplate_and_the_subject_is_not():
    body = ("ΕΛΛΗΝΙΚΗ ΔΗΜΟΚΡΑΤΙΑ Αθήνα 11-12-2020 Αριθμ. Πρωτ: Β3γ/οικ. 89605 Ταχ. Δ/νση: Αριστοτέλους 17 "
            "Πληροφορίες: Δ. Μπακάλη Τηλέφωνο : 213 2161016 E-mail : oiko.a@moh.gov.gr ΘΕΜΑ: Ανάληψη και "
            "δέσμευση πίστωσης ποσού 80,00 €.\n\nΟ Υπουργός αποφασίζει την ανάληψη υποχρέωσης.")
    spans = boilerplate_spans(body)
    assert len(spans) == 1
    start, end = spans[0]
    assert start == 0 and body[:end].endswith("oiko.a@moh.gov.gr")


@pytest.fixture(scope="module")
def decisions():
    return list(load_documents([shared_data("diavgeia-decisions.jsonl")], IngestReport()))


def test_no_real_decision_keeps_markup_or_letter_spacing(decisions, figure):
    unreadable = [d.id for d in decisions if UNREADABLE.search(f"{d.title}\n{d.body}")]
    assert unreadable == []
    unbalanced = [d.title for d in decisions if d.title.count("«") != d.title.count("»") or d.title.count('"') % 2]
    assert unbalanced == []
    with_body = [d for d in decisions if d.body]
    marked = sum(bool(boilerplate_spans(d.body)) for d in with_body)
    figure(f"cleaning: {len(decisions)} decisions, 0 with <br>/&nbsp;/letter spacing, 0 unbalanced titles; "
           f"{marked} of {len(with_body)} bodies have a letterhead span")
