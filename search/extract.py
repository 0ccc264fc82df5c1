"""Extraction from clean text: title, date, municipalities, officials with their roles.

Everything is read from a token stream (words with their case, punctuation) so
that the same rules serve news prose ("ο δήμαρχος Χανίων, Παναγιώτης
Σημανδηράκης") and upper-case signature blocks ("Ο ΔΗΜΑΡΧΟΣ ... ΠΑΝΑΓΟΠΟΥΛΟΣ
ΓΕΩΡΓΙΟΣ").  Comparisons go through `fold`, so case and accents never split a
facet value.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import NamedTuple

from .analysis import GREEK_STOPWORDS, fold
from .documents import Official
from .gazetteer import Gazetteer, municipality_key
from .names import STRONG_SURNAME_ENDINGS, PersonName, first_name, parse_person, person, surname_forms

# ---------------------------------------------------------------- dates

_MONTHS = {
    "ιανουαρι": 1, "φεβρουαρι": 2, "μαρτι": 3, "απριλι": 4, "μαι": 5, "ιουνι": 6,
    "ιουλι": 7, "αυγουστ": 8, "σεπτεμβρι": 9, "οκτωβρι": 10, "νοεμβρι": 11, "δεκεμβρι": 12,
}
_WEEKDAYS = r"(?:δευτερα|τριτη|τεταρτη|πεμπτη|παρασκευη|σαββατο|κυριακη)"
_TEXT_DATE = re.compile(
    r"(?<!\d)(\d{1,2})(?:η|ησ)?\s+(" + "|".join(_MONTHS) + r")(?:ου|οσ)\s*,?\s+(\d{4})(?!\d)"
)
_NUMERIC_DATE = re.compile(r"(?<![\d/.])(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})(?![\d/])")
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")


def _dates(text: str) -> list[tuple[int, dt.date, re.Match]]:
    folded = fold(text)
    found = []
    for pattern, order in ((_TEXT_DATE, "dmy"), (_NUMERIC_DATE, "dmy"), (_ISO_DATE, "ymd")):
        for match in pattern.finditer(folded):
            a, b, c = match.groups()
            month = _MONTHS[b] if b in _MONTHS else int(b)
            day, year = (int(a), int(c)) if order == "dmy" else (int(c), int(a))
            try:
                date = dt.date(year, month, day)
            except ValueError:
                continue
            if 1980 <= year <= 2100:
                found.append((match.start(), date, match))
    return sorted(found, key=lambda item: item[0])


def extract_date(text: str) -> dt.date | None:
    """The first date written in the text: "10 Ιανουαρίου 2021", "Τετάρτη, 20 Νοεμβρίου, 2024",
    "10/01/2021", "2021-01-10"."""
    dates = _dates(text)
    return dates[0][1] if dates else None


def parse_date(value: str) -> dt.date | None:
    """A date field of a record (ISO or any form `extract_date` reads)."""
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return extract_date(value)


def is_date_line(line: str) -> bool:
    """A line that is only a date (a page's date line), optionally with its weekday."""
    dates = _dates(line)
    if not dates:
        return False
    rest = fold(line)
    for _, _, match in dates:
        rest = rest.replace(match.group(0), " ")
    return re.fullmatch(rf"[\s,.|-]*(?:{_WEEKDAYS})?[\s,.|-]*", rest) is not None


def choose_title(lines: list[str]) -> tuple[str, list[str]]:
    """The headline: the first line that reads like one (3+ words, not a date, not a sentence run-on)."""
    for index, line in enumerate(lines):
        words = line.split()
        letters = sum(c.isalpha() for c in line)
        if 3 <= len(words) <= 40 and letters >= 0.6 * len(line.replace(" ", "")) and not line.endswith(":"):
            return line, lines[:index] + lines[index + 1 :]
    if lines:
        first = lines[0]
        return (first if len(first) <= 150 else first[:150].rsplit(" ", 1)[0] + "…"), lines
    return "", lines


# ---------------------------------------------------------------- tokens


class Token(NamedTuple):
    """A word, number or punctuation mark (a tuple: a document makes thousands).

    Whether a word is capitalised or all capitals is asked three and two times a token on
    average, so it is read once, when the token is made (`_token`): as properties, the two
    were 1.6 of 25 s of a profile of ingestion.
    """

    text: str
    folded: str
    word: bool
    cap: bool  # a word that begins with a capital
    upper: bool  # a word of two or more letters, all capitals


def _token(text: str) -> Token:
    word = text[:1].isalpha()
    return Token(text, fold(text), word, word and text[:1].isupper(), word and len(text) > 1 and text.isupper())


# Letters with any combining mark ("ΑΧΑΪ́ΑΣ", as str.upper writes "Αχαΐας"), hyphenated compounds.
_LETTERS = r"(?:[^\W\d_][\u0300-\u036f]*)+"
_TOKEN = re.compile(rf"{_LETTERS}(?:[-‐]{_LETTERS})*|\d+|[^\w\s]")


def tokenize(text: str) -> list[Token]:
    tokens = [_token(surface) for surface in _TOKEN.findall(text)]
    return _join_compound_first_names(tokens)


def _join_compound_first_names(tokens: list[Token]) -> list[Token]:
    """«ΝΙΚΟΛΑΟΣ - ΓΕΩΡΓΙΟΣ» (laws write the hyphen spaced) is one first name, as «ΣΠΥΡΙΔΩΝ-ΑΔΩΝΙΣ» is.

    Only two lexicon first names are joined: a spaced hyphen between places
    («ΠΥΛΟΥ - ΝΕΣΤΟΡΟΣ») stays three tokens for the gazetteer to read.
    """
    joined: list[Token] = []
    i = 0
    while i < len(tokens):
        if i + 2 < len(tokens) and tokens[i + 1].text in "-‐" and tokens[i].word and tokens[i + 2].word \
                and first_name(tokens[i].text) and first_name(tokens[i + 2].text):
            text = f"{tokens[i].text}-{tokens[i + 2].text}"
            joined.append(_token(text))
            i += 3
            continue
        joined.append(tokens[i])
        i += 1
    return joined


# ---------------------------------------------------------------- roles


def _forms(lemma: str) -> dict[str, bool]:
    """Folded case forms of a role noun -> is the form plural."""
    folded = fold(lemma)
    classes = {
        "οσ": (("οσ", "ου", "ο", "ε"), ("οι", "ων", "ουσ")),
        "ησ": (("ησ", "η"), ("εσ", "ων")),
        "ασ": (("ασ", "α"), ("εισ", "εων")),
        "α": (("α", "ασ"), ("εσ", "ων")),
        "η": (("η", "ησ"), ("εσ", "ων")),
    }
    for ending, (singular, plural) in classes.items():
        if folded.endswith(ending):
            stem = folded[: -len(ending)]
            forms = {stem + e: True for e in plural}
            forms.update({stem + e: False for e in singular})
            return forms
    return {folded: False}


_ROLE_NOUNS = (
    "δήμαρχος αντιδήμαρχος περιφερειάρχης αντιπεριφερειάρχης υπουργός υφυπουργός πρωθυπουργός "
    "πρόεδρος αντιπρόεδρος βουλευτής διοικητής υποδιοικητής διευθυντής διευθύντρια προϊστάμενος "
    "προϊσταμένη αναπληρωτής"
).split()
# Nouns that are a role only with their modifier ("γενικός γραμματέας", "δημοτικός σύμβουλος").
_MODIFIED_NOUNS = ("γραμματέας", "σύμβουλος")
_MODIFIERS = {
    form: lemma
    for lemma in ("γενικός", "ειδικός", "δημοτικός", "περιφερειακός", "εντεταλμένος", "αναπληρωτής", "υπηρεσιακός")
    for form in list(_forms(lemma)) + [fold(lemma)[:-2] + "η", fold(lemma)[:-2] + "ησ"]
}
_ROLE_FORMS: dict[str, tuple[str, bool, bool]] = {}  # form -> (lemma, plural, needs modifier)
for _lemma in _ROLE_NOUNS:
    for _form, _plural in _forms(_lemma).items():
        _ROLE_FORMS.setdefault(_form, (_lemma, _plural, False))
for _lemma in _MODIFIED_NOUNS:
    for _form, _plural in _forms(_lemma).items():
        _ROLE_FORMS.setdefault(_form, (_lemma, _plural, True))
_MUNICIPAL_ROLES = {"δήμαρχος", "πρόεδρος δημοτικού συμβουλίου"}  # a deputy mayor's qualifier is a portfolio
_COUNCIL = ({"δημοτικου"}, {"συμβουλιου"})

_MUNICIPALITY_WORDS = {"δημοσ", "δημου", "δημο", "δημε", "δημοι", "δημων", "δημουσ"}
_ARTICLES = {"ο", "η", "οι", "του", "τησ", "των", "τον", "την", "το", "τουσ", "τισ", "τα"}
_HONORIFICS = {"κ", "κα", "κοσ", "κκ", "κυρια", "κυριοσ", "κυριου", "κυριο"}
# Capitalised words that never start or end a person's name.
_NOT_NAMES = (
    set(GREEK_STOPWORDS) | set(_ROLE_FORMS) | _MUNICIPALITY_WORDS | set(_MODIFIERS) | _HONORIFICS
    | {fold(w) for w in """Ελληνική Δημοκρατία Δημοκρατίας Υπουργείο Υπουργείου Περιφέρεια Περιφέρειας
       Περιφερειακής Ενότητας Δημοτικό Δημοτικού Δημοτική Δημοτικής Συμβούλιο Συμβουλίου Επιτροπή
       Επιτροπής Διεύθυνση Διεύθυνσης Υπηρεσία Υπηρεσίας Κατάσταση Κατάστασης Εσωτερική Εσωτερικής Αποδέκτες Πρωτότυπο Αντίγραφο Αρ Γρ Τμήμα Τμήματος Γραφείο Γραφείου Αθήνα Θέμα Απόφαση Αποφασίζουμε
       Σχετ Αριθμ Πρωτ Ταχ Οδός Οδού Νομός Νομού Κοινότητα Κοινότητας Ευρώ Ελληνικής Ελληνικό
       Ελληνικού Σώματος Δίκαιης Αναπτυξιακής Αρμοδιότητες Εξωτερικού Εσωτερικού Άρθρο Άρθρου
       Πρωτοβάθμιο Υπηρεσιακό Υπηρεσιακού Ολυμπιακής Ακτοφυλακής Θράκης Μακεδονίας Ηπείρου
       Θεσσαλίας Πελοποννήσου Αιγαίου Κρήτης Αττικής Ελλάδας Ελλάδος Στερεάς Ιονίων Νήσων
       Υγείας Οικονομικών Εσωτερικών Εξωτερικών Παιδείας Εργασίας Πολιτισμού Δικαιοσύνης Τουρισμού
       Ανάπτυξης Επικρατείας Ναυτιλίας Άμυνας Υπόψη Νσης Νση Γενικής Γενική Ειδικής Πίνακας
       Πίνακα Διανομής Διανομή Κοινοποίηση Κοινοποίησης""".split()}
)


# Tokens between a role noun and its name: «Ο Υπουργός Παιδείας, Θρησκευμάτων και Αθλητισμού
# ΚΥΡΙΑΚΟΣ ΠΙΕΡΡΑΚΑΚΗΣ» is 8; a plural role («Οι Υπουργοί») reaches that far past each name it gives.
_ROLE_REACH = 14


# A signature heading and its name, which a PDF's columns can push apart: in the 50 hand-checked
# MOH decisions the farthest is 31 tokens («Ο ΥΠΗΡΕΣΙΑΚΟΣ ΓΡΑΜΜΑΤΕΑΣ ΥΠΟΥΡΓΕΙΟΥ ΥΓΕΙΑΣ ( ΑΡ. … ΙΩΑΝΝΗΣ ΒΛΑΣΣΗΣ»).
_SIGNATURE_REACH = 40
# Abbreviations whose period does not end the phrase («Η ΠΡΟΙΣΤΑΜΕΝΗ ΤΗΣ ΓΕΝ. Δ/ΝΣΗΣ …», «ΔΗΜ. ΥΓΕΙΑΣ»).
_ABBREVIATIONS = {"γεν", "νσησ", "δνσησ", "δημ", "αναπλ", "αν", "υπ", "υπηρ", "διοικ", "τεχν", "οικ", "ειδ",
                  "τμ", "προιστ", "περιφ", "ενοτ", "αριθμ", "πρωτ", "σχετ"}
# «α.α.» / «αα» (αντί αυτού): the name that follows signs for the role.
_ON_BEHALF = {"α", "αα"}
_OPENING_QUOTES = {"«", "\"", "“", "'", "‘"}
_CLOSING_QUOTES = {"»", "\"", "”", "'", "’"}


@dataclass
class _Place:
    key: str
    display: str
    position: int


@dataclass
class _Mention:
    start: int
    end: int
    name: PersonName | None  # None for a bare surname after "κ."
    surname: str
    initial: str | None = None


def _article_gender(tokens: list[Token], i: int) -> tuple[bool | None, bool | None]:
    """Gender and nominative-ness from the article before a name ("τον" -> man, not nominative)."""
    before = tokens[i - 1].folded if i > 0 else ""
    return {
        "ο": (True, True), "η": (False, True), "τον": (True, False), "του": (True, False),
        "την": (False, False), "τησ": (False, False),
    }.get(before, (None, None))


def _name_word(token: Token) -> bool:
    return token.cap and len(token.text) >= 3 and token.folded not in _NOT_NAMES


def _initial_at(tokens: list[Token], i: int) -> bool:
    return (
        i + 1 < len(tokens) and tokens[i].cap and len(tokens[i].text) <= 2
        and tokens[i].folded not in _NOT_NAMES and tokens[i + 1].text == "."
    )


def _upper_run_end(tokens: list[Token], i: int) -> int:
    """End of the run of upper-case name words from i ("ΚΩΝΣΤΑΝΤΙΝΟΣ ΣΤΥΛΙΑΝΗ ΧΑΤΖΗΔΑΚΗΣ ΜΕΝΔΩΝΗ").

    A first name followed by an initial («ΑΘΑΝΑΣΙΟΣ Γ. ΓΙΑΝΝΑΡΗΣ», the father's
    initial) starts a name of its own, so the run ends before it.
    """
    while i < len(tokens) and tokens[i].upper and _name_word(tokens[i]):
        if _initial_at(tokens, i + 1) and first_name(tokens[i].text):
            break
        i += 1
    return i


def _ordered_pair(a: Token, b: Token) -> tuple[Token, Token] | None:
    """(first name, surname) of two upper-case words, whichever order they come in, or None.

    The first name is the lexicon word in the nominative; a lexicon word in an
    oblique case is a patronymic surname ("ΔΗΜΗΤΡΙΟΥ").  Two nominative first
    names are two people's (a signature table flattened), not one person.
    """
    fa, fb = first_name(a.text), first_name(b.text)
    a_first = fa is not None and fa.nominative_case
    b_first = fb is not None and fb.nominative_case
    if a_first == b_first:
        return None
    first, surname = (a, b) if a_first else (b, a)
    if not _surname_like(surname.folded):
        return None
    return first, surname


def _surname_like(folded: str) -> bool:
    """A Greek surname ends in a vowel or -ς/-ν, and is not a genitive plural ("ΟΙΚΟΝΟΜΙΚΩΝ")."""
    return folded[-1:] in "αεηιουωσν" and not folded.endswith("ων") and folded not in _NOT_NAMES


def _pair_upper_run(tokens: list[Token], start: int, end: int) -> list[_Mention]:
    """People in a run of upper-case name words, read in the alignment that makes most of them.

    Decisions sign "ΠΑΝΑΓΟΠΟΥΛΟΣ ΓΕΩΡΓΙΟΣ", laws "ΚΩΝΣΤΑΝΤΙΝΟΣ ΤΣΙΑΡΑΣ"; a law's
    signature table, flattened to one line, gives "ΜΑΥΡΟΥΔΗΣ ΒΟΡΙΔΗΣ ΣΤΥΛΙΑΝΟΣ
    ΠΕΤΣΑΣ" (consecutive pairs) or "ΚΩΝΣΤΑΝΤΙΝΟΣ ΣΤΥΛΙΑΝΗ ΧΑΤΖΗΔΑΚΗΣ ΜΕΝΔΩΝΗ"
    (first names row, then surnames row).
    """
    n = end - start
    readings = [[(start + k, start + k + 1) for k in range(offset, n - 1, 2)] for offset in (0, 1)]
    scored = [[pair for pair in reading if _ordered_pair(tokens[pair[0]], tokens[pair[1]])] for reading in readings]
    halves = [(start + k, start + k + n // 2) for k in range(n // 2)]
    if n % 2 == 0 and n >= 4 and all(_ordered_pair(tokens[a], tokens[b]) for a, b in halves):
        scored.append(halves)  # only when every column pairs up
    best = max(scored, key=len)  # most people; on a tie, the plain reading from the run's first word
    found = []
    for a, b in best:
        first, surname = _ordered_pair(tokens[a], tokens[b])
        found.append(_Mention(min(a, b), max(a, b) + 1 if b == a + 1 else a + 1, person(first.text, surname.text),
                              surname.text))
    return found


def _item_number_at(tokens: list[Token], k: int) -> bool:
    """«4. Αντωνίου Ελένη»: a list item's number starts another item, so a role stops before it."""
    return tokens[k].text.isdigit() and k + 2 < len(tokens) and tokens[k + 1].text in ".)" and tokens[k + 2].cap


def _surname_first(a: Token, b: Token) -> bool:
    """Lists and signatures in mixed case put the surname first: «Ραπτάκη Μαρία», «Αντωνίου Ελένη».

    The second word must be a first name in the nominative and the first a
    surname: a typical surname ending, or a first name's genitive (a patronymic
    surname, «Αντωνίου»).  Two nominatives («Θανάσης Σταύρος») are left to the
    first-name-first reading.
    """
    fb = first_name(b.text)
    if fb is None or not fb.nominative_case:
        return False
    fa = first_name(a.text)
    if fa is not None:
        return not fa.nominative_case and a.folded.endswith("ου")
    return a.folded.endswith(STRONG_SURNAME_ENDINGS)


def _mentions(tokens: list[Token]) -> list[_Mention]:
    """Person mentions: "Γρηγόρη Ζαριφόπουλο", "ΠΑΝΑΓΟΠΟΥΛΟΣ ΓΕΩΡΓΙΟΣ", "Γ. Ζαριφόπουλο", "κ. Καϊτεζίδης"."""
    found: list[_Mention] = []
    i, n = 0, len(tokens)
    while i < n:
        t = tokens[i]
        nxt = tokens[i + 1] if i + 1 < n else None
        if t.word and t.folded in _HONORIFICS and nxt is not None:
            j = i + 2 if nxt.text == "." else i + 1
            if j < n and _name_word(tokens[j]) and not (j + 1 < n and _name_word(tokens[j + 1])):
                found.append(_Mention(j, j + 1, None, tokens[j].text))
                i = j + 1
                continue
            i += 1
            continue
        if _initial_at(tokens, i) and i + 2 < n and _name_word(tokens[i + 2]):
            male, nominative = _article_gender(tokens, i)
            name = person(t.text + ".", tokens[i + 2].text, male, nominative)
            found.append(_Mention(i, i + 3, name, tokens[i + 2].text, t.text))
            i += 3
            continue
        if t.upper and _name_word(t):
            end = _upper_run_end(tokens, i)
            if end - i >= 2:
                found.extend(_pair_upper_run(tokens, i, end))
                i = end
                continue
        if nxt is not None and not t.upper and _name_word(t) and _name_word(nxt) and _surname_first(t, nxt):
            found.append(_Mention(i, i + 2, person(nxt.text, t.text), t.text))  # «Ραπτάκη Μαρία»
            i += 2
            continue
        if nxt is not None and _name_word(t):
            if first_name(t.text):
                j = i + 3 if _initial_at(tokens, i + 1) else i + 1  # middle initial
                if j < n and _name_word(tokens[j]):
                    found.append(_Mention(i, j + 1, person(t.text, tokens[j].text), tokens[j].text))
                    i = j + 1
                    continue
            elif (
                not t.upper and _name_word(nxt) and not nxt.upper
                and nxt.folded.endswith(STRONG_SURNAME_ENDINGS)
                and re.search(r"(?:οσ|ησ|ασ|ο|η|α|ου)$", t.folded)
            ):
                male, nominative = _article_gender(tokens, i)
                found.append(_Mention(i, i + 2, person(t.text, nxt.text, male, nominative), nxt.text))
                i += 2
                continue
        i += 1
    return found


def _capitalized_run(tokens: list[Token], j: int, stops: set[int]) -> tuple[list[Token], int]:
    """Capitalised words from j ("Παιδείας και Θρησκευμάτων", "ΠΥΛΟΥ - ΝΕΣΤΟΡΟΣ"), up to a name."""
    run: list[Token] = []
    k = j
    while k < len(tokens) and k not in stops:
        t = tokens[k]
        if t.cap and t.folded not in _ARTICLES and t.folded not in _HONORIFICS:
            run.append(t)
            k += 1
        elif run and (t.folded == "και" or t.text in "&-–") and k + 1 < len(tokens) and tokens[k + 1].cap and k + 1 not in stops:
            run.append(t)
            k += 1
        else:
            break
    while run and not run[-1].cap:
        run.pop()
        k -= 1
    return run, k


def _join(run: list[Token]) -> str:
    text = " ".join("και" if t.text == "&" else t.text for t in run)
    return re.sub(r"\s*[-–]\s*", "-", text)


# ---------------------------------------------------------------- municipalities

# Prepositions + article before a place in the nominative/accusative: "στη Ρόδο", "στα Χανιά".
_PLACE_PREPOSITIONS = {"στην", "στη", "στο", "στον", "στα", "στισ", "στουσ", "στοι"}


def _place(run: list[Token], gazetteer: Gazetteer) -> tuple[str, str, int] | None:
    """(key, canonical "Δήμος <genitive>", tokens used) for the longest leading part of a run that the gazetteer knows.

    Only the gazetteer makes a municipality: a run it does not know ("Δήμος
    Ελλάδας", "Δήμος Και") is no municipality at all.
    """
    for size in range(min(len(run), gazetteer.longest + 2), 0, -1):
        found = gazetteer.resolve(_join(run[:size]))
        if found is not None:
            return municipality_key(found.genitive), found.name, size
    return None


def canonical_municipality(label: str, gazetteer: Gazetteer | None = None) -> str | None:
    """A source's municipality label ("ΔΗΜΟΣ ΠΥΛΟΥ - ΝΕΣΤΟΡΟΣ") as its canonical facet value, or None."""
    gazetteer = gazetteer or Gazetteer.default()
    tokens = tokenize(label)
    while tokens and (tokens[0].folded in _MUNICIPALITY_WORDS or tokens[0].folded in {"δ", "."}):
        tokens = tokens[1:]
    run, _ = _capitalized_run(tokens, 0, set())
    found = _place(run, gazetteer)
    return found[1] if found else None


# ---------------------------------------------------------------- officials as values

_CURRENCY = re.compile(r"[€$£]|ευρω", re.IGNORECASE)
# A name's characters: Greek letters (precomposed, as NFC text has them), Latin ones for a foreign
# name, the acute and diaeresis marks, hyphen, apostrophe, the initial's dot and spaces.
_NAME_LETTERS = re.compile(r"(?:[\u0386-\u03ce\u1f00-\u1ffeA-Za-z\u00c0-\u024f\u0301\u0308.'’ -])+")


def is_person_value(display: str, gazetteer: Gazetteer | None = None) -> bool:
    """Whether a facet value reads as a person's name: first name + surname, no digit,
    no amount, no abbreviation, not a municipality («ΔΗΜΟΥ ΠΑΙΟΝΙΑΣ»)."""
    words = display.split()
    if len(words) < 2 or re.search(r"\d", display) or _CURRENCY.search(fold(display)):
        return False
    if not _NAME_LETTERS.fullmatch(display):
        return False  # «Σαραµ̟ασίνας»: a legacy font's µ and a stray combining mark, not letters
    if any(len(w.rstrip(".")) > 1 and not any(c.islower() for c in w[1:]) for w in words):
        return False  # "Ψ.Ν.Α.", "ΑΝΤΩΝΙΟΥ": an abbreviation or an unparsed capital
    if not any(len(w) >= 4 and not w.endswith(".") for w in words):
        return False  # "Γ. Γεν": no full word
    if fold(words[0]) in _NOT_NAMES or not _surname_like(fold(words[-1])):
        return False
    gazetteer = gazetteer or Gazetteer.default()
    if words[0].endswith(".") and gazetteer.resolve(words[-1]) is not None:
        return False  # "Ν. Αγρινίου": a prefecture, not a person
    return gazetteer.resolve(display) is None


def field_people(value: str, gazetteer: Gazetteer | None = None) -> tuple[list[PersonName], str | None]:
    """The people a record's own `officials` entry names, or none and the reason it names no one.

    Sources label names by hand or by a parser, and their labels hold amounts
    («113,40€»), a lone first name or patronymic («ΑΝΤΩΝΙΟΥ»), an abbreviation
    («Ψ.Ν.Α.»), a place («ΔΗΜΟΥ ΠΑΙΟΝΙΑΣ»), a body («ΤΟ ΥΠΟΥΡΓΙΚΟ ΣΥΜΒΟΥΛΙΟ») or
    two people run together («ΒΕΡΟΝΙΚΗ ΚΟΚΟΤΑ ΑΘΑΝΑΣΙΟΣ Γ. ΓΙΑΝΝΑΡΗΣ»).  A value
    is read as one name first, then by the same mention rules as running text,
    which split two people; it counts only if every word of it is part of a
    name that reads as a person.  Nothing is guessed: a value that is not read
    whole is no person, and the caller keeps it aside with the reason.
    """
    gazetteer = gazetteer or Gazetteer.default()
    words = value.split()
    if re.search(r"\d", value) or _CURRENCY.search(fold(value)):
        return [], "a number or an amount"
    parsed = parse_person(value)
    if parsed is not None and is_person_value(parsed.display, gazetteer):
        return [parsed], None
    tokens = tokenize(value)
    mentions = [m for m in _mentions(tokens) if m.name is not None]
    covered = {k for m in mentions for k in range(m.start, m.end)}
    if mentions and all(k in covered for k, t in enumerate(tokens) if t.word and len(t.text) > 1) \
            and all(is_person_value(m.name.display, gazetteer) for m in mentions):
        return [m.name for m in mentions], None
    if gazetteer.resolve(value) is not None or canonical_municipality(value, gazetteer):
        return [], "a place"
    if all(len(part) <= 2 for part in re.split(r"[.\s]+", value) if part):
        return [], "an abbreviation"
    if len(words) == 1:
        return [], "a single word, not a full name"
    return [], "not read as a person's name"


# ---------------------------------------------------------------- putting it together


@dataclass
class Entities:
    municipalities: list[str] = field(default_factory=list)
    officials: list[Official] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    regional_units: list[str] = field(default_factory=list)


def _tonos(text: str) -> int:
    return unicodedata.normalize("NFD", text).count("\u0301")


# A capitalised word in mixed case with a stress mark: how the corpus itself accents a name.
_ACCENTED_WORD = re.compile(r"(?<![\w-])[^\W\d_a-zA-Z]{4,}(?![\w-])")


class DisplayForms:
    """Best display form for each key, shared across one reindex.

    An upper-case source gives "Καρατζαφερη" (a stress the ending does not
    tell) where another document wrote "Καρατζαφέρη": both have one key.
    Documents are streamed, so a form seen later cannot mend one already
    yielded; hence `learn` is fed the sources' text before ingestion and
    `best` writes each unaccented word of a name as the corpus accents it
    (the most frequent accented spelling of that folded word), so the first
    document already carries the accented form.
    """

    def __init__(self) -> None:
        self._best: dict[str, str] = {}
        self._accents: dict[str, dict[str, int]] = {}
        self._first_names: dict[tuple[str, str], set[str]] = {}  # (initial, folded surname) -> first names

    def learn(self, text: str) -> None:
        """Count the accented capitalised words of a source's text («Καρατζαφέρη»), and the full
        first names it writes before each surname («Παναγιώτης Σκουρλέτης», «ΒΛΑΣΣΗΣ ΙΩΑΝΝΗΣ»)."""
        previous, previous_end = "", -1
        for match in _ACCENTED_WORD.finditer(text):
            word = match.group()
            if word[0].isupper() and word[1:].islower() and _tonos(word):
                counts = self._accents.setdefault(fold(word), {})
                counts[word] = counts.get(word, 0) + 1
            if previous and word[0].isupper() and previous[0].isupper() \
                    and text[previous_end:match.start()].strip(" \t") == "":
                self._learn_name(previous, word)
            previous, previous_end = word, match.end()

    def merge(self, other: DisplayForms) -> None:
        """Take in what `other` learned, as if this one had learned it next: counts add up, and a
        spelling first met in `other` comes after those met before (ties go to the first met)."""
        for folded, counts in other._accents.items():
            mine = self._accents.setdefault(folded, {})
            for word, count in counts.items():
                mine[word] = mine.get(word, 0) + count
        for key, names in other._first_names.items():
            self._first_names.setdefault(key, set()).update(names)

    def _learn_name(self, a: str, b: str) -> None:
        """One of two capitalised words a nominative lexicon first name, the other no first name: a person."""
        for first, surname in ((a, b), (b, a)):
            entry = first_name(first)
            if entry is not None and entry.nominative_case and first_name(surname) is None \
                    and _surname_like(fold(surname)):
                name = person(first, surname)
                self._first_names.setdefault((fold(name.first)[:1], fold(name.surname)), set()).add(name.first)
                return

    def full_name(self, display: str) -> str:
        """«Π. Σκουρλετης» as «Παναγιώτης Σκουρλετης» when the sources write exactly one first name with
        that initial before that surname; else as it is («Γ. Παπαδόπουλος» with a Γεώργιος and a Γρηγόριος)."""
        initial, _, surname = display.partition(" ")
        if not (len(initial) == 2 and initial.endswith(".")) or " " in surname:
            return display
        found = self._first_names.get((fold(initial[0]), fold(surname)), set())
        return f"{next(iter(found))} {surname}" if len(found) == 1 else display

    def accented(self, display: str) -> str:
        """`display` with each unaccented word of 4+ letters as the corpus accents it, if it does."""
        words = []
        for word in display.split(" "):
            counts = self._accents.get(fold(word)) if len(word) >= 4 and not _tonos(word) else None
            words.append(max(counts, key=counts.__getitem__) if counts else word)
        return " ".join(words)

    def best(self, key: str, display: str) -> str:
        display = self.accented(self.full_name(display))
        current = self._best.get(key)
        if current is None or _tonos(display) > _tonos(current):
            self._best[key] = display
        return self._best[key]


@dataclass
class _Role:
    """A role noun met at `position`: its lemma with modifier, and whether it is plural."""

    lemma: str
    plural: bool
    position: int
    modified: bool


class EntityReader:
    """Reads one document's token stream once: person mentions, places and roles are its state.

    Each rule is a method that can be called (and tested) on its own:
    `place_at` (a municipality after «Δήμος»/«στη»), `role_at` (a role noun and
    its modifier), `qualify` (the role's qualifier, «δήμαρχος Χανίων»), `give_forward`
    / `give_backward` (the names a role belongs to), and `people` (mentions joined
    into one entry per person).
    """

    def __init__(self, text: str, gazetteer: Gazetteer | None = None) -> None:
        self.gazetteer = gazetteer or Gazetteer.default()
        self.tokens = tokenize(text)
        self.mentions = [m for m in _mentions(self.tokens) if not self._quoted(m)]
        self.by_start = {m.start: m for m in self.mentions}
        self.places: list[_Place] = []
        self.roles: dict[int, str] = {}  # mention start -> role

    def _quoted(self, mention: _Mention) -> bool:
        """A name alone in quotes names a thing after a person: the Museum «Φοίβος Ανωγειανάκης»."""
        before = self.tokens[mention.start - 1].text if mention.start > 0 else ""
        after = self.tokens[mention.end].text if mention.end < len(self.tokens) else ""
        return before in _OPENING_QUOTES and after in _CLOSING_QUOTES

    def read(self) -> "EntityReader":
        """Apply every rule at every token."""
        for i, token in enumerate(self.tokens):
            if token.folded in _MUNICIPALITY_WORDS or token.folded in _PLACE_PREPOSITIONS:
                self.place_at(i)
                continue
            role = self.role_at(i)
            if role is not None:
                text, j = self.qualify(role, self.role_end(role))
                if not self.give_forward(j, text, role) \
                        and not self.give_backward(i - (1 if role.modified else 0), text):
                    self.give_to_signature(role, j, text)
        return self

    def place_at(self, i: int) -> _Place | None:
        """The municipality named by the capitalised words after token i, through the gazetteer."""
        run, _ = _capitalized_run(self.tokens, i + 1, set())
        found = _place(run, self.gazetteer) if run else None
        if found is None:
            return None
        place = _Place(found[0], found[1], i)
        self.places.append(place)
        self._drop_mentions(i + 1, i + 1 + found[2])
        return place

    def _drop_mentions(self, start: int, end: int) -> None:
        """A "person" inside a place name («Αγίου Ιωάννη Ρέντη») is no person."""
        inside = [m for m in self.mentions if start <= m.start < end]
        for m in inside:
            self.mentions.remove(m)
            del self.by_start[m.start]

    def role_at(self, i: int) -> _Role | None:
        """A role noun at i, with the modifier before it ("γενικός γραμματέας"), or None."""
        token = self.tokens[i]
        entry = _ROLE_FORMS.get(token.folded)
        if entry is None or not token.word:
            return None
        lemma, plural, needs_modifier = entry
        modifier = _MODIFIERS.get(self.tokens[i - 1].folded) if i > 0 else None
        if needs_modifier and modifier is None:
            return None
        if modifier == "αναπληρωτής" and lemma not in {"υπουργός", "γραμματέας"}:
            modifier = None
        return _Role(f"{modifier} {lemma}" if modifier else lemma, plural, i, modifier is not None)

    def role_end(self, role: _Role) -> int:
        """Where the role's noun phrase ends, folding in "του Δημοτικού Συμβουλίου" and "αναπληρωτής υπουργός"."""
        tokens, j = self.tokens, role.position + 1
        if role.lemma == "πρόεδρος":
            k = j + 1 if j < len(tokens) and tokens[j].folded == "του" else j
            if k + 1 < len(tokens) and tokens[k].folded in _COUNCIL[0] and tokens[k + 1].folded in _COUNCIL[1]:
                role.lemma = "πρόεδρος δημοτικού συμβουλίου"
                return k + 2
        if role.lemma == "αναπληρωτής" and j < len(tokens) and _ROLE_FORMS.get(tokens[j].folded, ("",))[0] == "υπουργός":
            role.lemma = "αναπληρωτής υπουργός"
            return j + 1
        return j

    def qualify(self, role: _Role, j: int) -> tuple[str, int]:
        """The role with its qualifier: "δήμαρχος Χανίων", "γενικός γραμματέας Δήμου Χανίων"."""
        tokens, k = self.tokens, j
        if k + 1 < len(tokens) and tokens[k].folded in {"του", "τησ", "των"} and tokens[k + 1].cap \
                and tokens[k + 1].folded not in _ROLE_FORMS:
            k += 1
        if role.lemma in _MUNICIPAL_ROLES and k == j:
            # A municipality may be named after a person («δήμαρχος Παύλου Μελά»): the gazetteer first.
            run, _ = _capitalized_run(tokens, k, set())
            found = _place(run, self.gazetteer) if run else None
            if found:
                self.places.append(_Place(found[0], found[1], role.position))
                self._drop_mentions(k, k + found[2])
                return f"{role.lemma} {found[1].removeprefix('Δήμος ')}", k + found[2]
        run, end = _capitalized_run(tokens, k, set(self.by_start))
        if not run or any(t.folded in _ROLE_FORMS for t in run):
            return role.lemma, j
        if all(t.upper or not t.cap for t in run):
            return role.lemma, end  # an upper-case qualifier cannot be given its accents back
        return f"{role.lemma} {_join(run)}", end

    def give_forward(self, j: int, text: str, role: _Role) -> bool:
        """Give the role to the name(s) that follow within the same phrase (all of them if plural)."""
        tokens, assigned = self.tokens, False
        k, limit = j, min(len(tokens), j + _ROLE_REACH)
        while k < limit:
            t = tokens[k]
            if k in self.by_start:
                self.roles.setdefault(k, text)
                assigned = True
                k = self.by_start[k].end
                if not role.plural:
                    return True
                limit = min(len(tokens), k + _ROLE_REACH)  # «Οι Υπουργοί»: a list of 14 ministers
                continue
            if t.text in ".;" and k > 0 and len(tokens[k - 1].text) > 2 \
                    and tokens[k - 1].folded not in _ABBREVIATIONS or t.text in "!?":
                break
            if t.word and not t.cap and t.folded not in _ARTICLES | {"και"} | _HONORIFICS | _ON_BEHALF:
                break
            if t.folded in _ROLE_FORMS or _item_number_at(tokens, k):
                break
            if role.plural and assigned and t.cap:  # "υφυπουργούς Α, Όνομα ... και Παιδείας, Όνομα"
                new_text, end = self.qualify(role, k)
                if end > k:
                    text, k = new_text, end
                    continue
            k += 1
        return assigned

    def give_backward(self, i: int, text: str) -> bool:
        """Apposition: "Παναγιώτης Σημανδηράκης, δήμαρχος Χανίων"."""
        k = i - 1
        while k >= 0 and (self.tokens[k].text == "," or self.tokens[k].folded in {"ο", "η"}):
            k -= 1
        found = [m for m in self.mentions if m.end - 1 == k]
        for m in found:
            self.roles.setdefault(m.start, text)
        return bool(found)

    def give_to_signature(self, role: _Role, j: int, text: str) -> bool:
        """A signature heading («Ο ΥΠΗΡΕΣΙΑΚΟΣ ΓΡΑΜΜΑΤΕΑΣ») whose name a PDF's layout put further on.

        Decisions print the role, then amounts or codes from the next column
        («ΑΛΕ 2120201001: 3731,05€ (ΑΡ. ΚΑΤΑΣΤΑΣΗΣ …)»), then «ΙΩΑΝΝΗΣ ΒΛΑΣΣΗΣ».
        Only an upper-case heading with its article is read so, and it goes to
        the first upper-case name within _SIGNATURE_REACH tokens that has no role
        yet; running text (three lower-case words in a row) or another role
        ends the search, so a beneficiary named in the decision's text is not taken.
        """
        tokens, i = self.tokens, role.position - (1 if role.modified else 0)
        if role.plural or not tokens[role.position].upper or i == 0 \
                or tokens[i - 1].text not in {"Ο", "Η", "O"}:  # a Latin O typed for Ο, as in moh_doccano:207
            return False
        lower_run = 0
        for k in range(j, min(len(tokens), j + _SIGNATURE_REACH)):
            t = tokens[k]
            if k in self.by_start and t.upper and k not in self.roles:
                self.roles[k] = text
                return True
            lower_run = lower_run + 1 if t.word and not t.cap else 0
            if lower_run >= 3 or t.folded in _ROLE_FORMS:
                return False
        return False

    def people(self) -> list[tuple[PersonName, str | None]]:
        """One entry per person, in order of first mention: initials and bare surnames join
        the one full name they abbreviate (left alone when two could fit)."""
        people: dict[str, list] = {}  # key -> [name, role, first position]
        for m in self.mentions:
            if m.name is not None and m.initial is None:
                entry = people.setdefault(m.name.key, [m.name, None, m.start])
                entry[1] = entry[1] or self.roles.get(m.start)
        for m in sorted(self.mentions, key=lambda m: m.start):
            if m.name is not None and m.initial is None:
                continue
            surface = fold(m.surname)
            matches = [
                key for key, (name, _, _) in people.items()
                if "." not in name.first and surface in surname_forms(name.surname)
                and (m.initial is None or fold(name.first).startswith(fold(m.initial)))
            ]
            if len(matches) == 1:
                entry = people[matches[0]]
                entry[1] = entry[1] or self.roles.get(m.start)
                entry[2] = min(entry[2], m.start)
            elif m.name is not None:
                entry = people.setdefault(m.name.key, [m.name, None, m.start])
                entry[1] = entry[1] or self.roles.get(m.start)
        ordered = sorted(people.values(), key=lambda entry: entry[2])
        return [(name, role) for name, role, _ in ordered]

    def municipalities(self, title_end: int, issuing: str | None, forms: DisplayForms) -> list[str]:
        """Canonical municipality names, the issuing one first (the source's, the title's,
        the letterhead's, else the most mentioned)."""
        places, tokens = self.places, self.tokens
        if not places and not issuing:
            return []
        display: dict[str, str] = {}
        count: dict[str, int] = {}
        first: dict[str, int] = {}
        for place in places:
            display[place.key] = forms.best(place.key, place.display)
            count[place.key] = count.get(place.key, 0) + 1
            first.setdefault(place.key, place.position)
        head = [p.key for p in places if p.position < title_end] or [
            p.key for p in places if p.position < 60 and tokens[p.position].upper
        ]
        if issuing:
            lead = municipality_key(issuing.removeprefix("Δήμος "))
            display[lead] = forms.best(lead, issuing)
        elif head:
            lead = head[0]
        else:
            lead = max(count, key=lambda k: (count[k], -first[k]))
        rest = sorted((k for k in display if k != lead), key=lambda k: first.get(k, 0))
        return [display[lead]] + [display[k] for k in rest]

    def mayors(self, officials: list[Official], persons, municipalities: list[str]) -> list[Official]:
        """A person without a role who is the 2023 mayor of a municipality in the text is its δήμαρχος."""
        have = {fold(o.name) for o in officials}
        for name, role in persons:
            if role is not None or fold(name.display) in have:
                continue
            for municipality in municipalities:
                found = self.gazetteer.resolve(municipality)
                if found and found.mayor_2023 and fold(found.mayor_2023) == fold(name.display):
                    officials.append(Official(name.display, f"δήμαρχος {found.genitive}"))
                    break
        return officials


def extract_entities(
    title: str,
    body: str,
    gazetteer: Gazetteer | None = None,
    issuing: str | None = None,
    forms: DisplayForms | None = None,
) -> Entities:
    """Municipalities (issuing first) and officials with roles, from title and body.

    `gazetteer` defaults to the packaged one.  `issuing` is a canonical
    municipality the source states (a record's field); otherwise the
    letterhead ("ΔΗΜΟΣ ..." in the first lines), then the title, then the most
    mentioned municipality is taken as the issuing one.
    """
    forms = forms or DisplayForms()
    reader = EntityReader(f"{title}\n\n{body}", gazetteer).read()
    persons = reader.people()
    municipalities = reader.municipalities(len(tokenize(title)), issuing, forms)
    officials = [
        Official(forms.best(name.key, name.display), role) for name, role in persons
        if role is not None and is_person_value(name.display, reader.gazetteer)
    ]
    officials = reader.mayors(officials, persons, municipalities)
    if municipalities:
        issuing_name = municipalities[0].removeprefix("Δήμος ")
        officials.sort(key=lambda o: o.role != f"δήμαρχος {issuing_name}")
    entities = Entities(municipalities, officials)
    for name in municipalities:
        found = reader.gazetteer.resolve(name)
        if found:
            for target, value in ((entities.regions, found.region), (entities.regional_units, found.regional_unit)):
                if value not in target:
                    target.append(value)
    return entities
