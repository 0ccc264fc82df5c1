"""Clean text to read (issue 14, part 4): markup, letter spacing, titles, letterheads; on real decisions."""
from __future__ import annotations

import re

import pytest

from search.analysis import fold, stem, words
from search.cleaning import boilerplate_spans, html_to_text, join_letter_spaced, passage, tidy_title
from search.ingest import IngestReport, load_documents
from tests.conftest import shared_data

# Tests on the 1,094 real decisions: ingesting them takes ~3 s, so they are left out of the inner loop.
ON_REAL_DECISIONS = pytest.mark.slow

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


@ON_REAL_DECISIONS
def test_no_real_decision_keeps_markup_or_letter_spacing(decisions, figure):
    unreadable = [d.id for d in decisions if UNREADABLE.search(f"{d.title}\n{d.body}")]
    assert unreadable == []
    unbalanced = [d.title for d in decisions if d.title.count("«") != d.title.count("»") or d.title.count('"') % 2]
    assert unbalanced == []
    with_body = [d for d in decisions if d.body]
    marked = sum(bool(boilerplate_spans(d.body)) for d in with_body)
    figure(f"cleaning: {len(decisions)} decisions, 0 with <br>/&nbsp;/letter spacing, 0 unbalanced titles; "
           f"{marked} of {len(with_body)} bodies have a letterhead span")


def matches_of(text: str, word: str) -> list[tuple[int, int]]:
    """Where the text holds the word in any inflection (its stem), as the highlighter finds it."""
    term = stem(fold(word))
    return [(w.start, w.end) for w in words(text) if w.term == term]


def in_spans(position: int, spans: list[tuple[int, int]]) -> bool:
    return any(begin <= position < end for begin, end in spans)


HEADER_FIELD = re.compile(r"@|Αρ(?:ιθ)?μ?\.\s*Πρωτ|Ταχ\.|Τηλ", re.I)


@pytest.mark.parametrize("doc_id, word", [
    ("moh_doccano:162", "μισθοδοσίας"),  # «ΤΜΗΜΑ ΜΙΣΘΟΔΟΣΙΑΣ Ταχ. Δ/νση» in the letterhead, «Τμήμα Μισθοδοσίας» at the end
    ("moh_doccano:103", "υγείας"),  # «ΥΠΟΥΡΓΕΙΟ ΥΓΕΙΑΣ … Αριθ. Πρωτ.» first, «του Υπουργείου Υγείας» in sentences
])
@ON_REAL_DECISIONS
def test_a_passage_shows_the_sentence_not_the_letterhead(decisions, doc_id, word):
    body = next(d.body for d in decisions if d.id == doc_id)
    found, spans = matches_of(body, word), boilerplate_spans(body)
    assert spans and found[0][0] < spans[0][1] < found[-1][0]  # the word is in both
    start, end = passage(body, found, spans)
    shown = body[start:end]
    assert any(start <= s and e <= end for s, e in found) and not HEADER_FIELD.search(shown)
    assert body[start - 1].isspace() and (end == len(body) or body[end].isspace())  # whole words
    head_start, _ = passage(body, found, [])
    assert HEADER_FIELD.search(body[head_start:head_start + 240])  # without the spans, the letterhead shows


@ON_REAL_DECISIONS
def test_a_match_only_in_the_letterhead_still_shows_it(decisions):
    body = next(d.body for d in decisions if d.id == "moh_doccano:162")
    found = matches_of(body, "Πληροφορίες")
    assert found and all(in_spans(s, boilerplate_spans(body)) for s, _ in found)
    start, end = passage(body, found, boilerplate_spans(body))
    assert start <= found[0][0] and found[0][1] <= end


@ON_REAL_DECISIONS
def test_passages_leave_letterheads_on_real_decisions(decisions, figure):
    """Every (decision, word) where the word is matched both in a letterhead and in a sentence: the
    passage starts in the letterhead without the spans (the old choice), never with them."""
    before = after = cases = 0
    for doc in decisions:
        spans = boilerplate_spans(doc.body) if doc.body else []
        for word in ("υγείας", "μισθοδοσίας", "πίστωσης", "δαπάνης", "οικονομικών"):
            found = matches_of(doc.body, word) if spans else []
            inside = [in_spans(s, spans) for s, _ in found]
            if not any(inside) or all(inside):
                continue
            cases += 1
            before += in_spans(passage(doc.body, found, [])[0], spans)
            after += in_spans(passage(doc.body, found, spans)[0], spans)
    assert cases > 50 and after == 0
    figure(f"passages: {cases} (decision, word) pairs matched in a letterhead and in sentences; "
           f"a passage in the letterhead {before} times without the spans, {after} with them")
