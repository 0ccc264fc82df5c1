"""Greek person names: a first-name lexicon and the grammar that brings names to the nominative.

A facet value must be one per person whatever the case form in the text, so
"Γρηγόρη Ζαριφόπουλο" (accusative), "Γρηγόρης Ζαριφόπουλος" and the signature
form "ΖΑΡΙΦΟΠΟΥΛΟΣ ΓΡΗΓΟΡΙΟΣ" must all reduce to one key and one display form.
First names are a closed, well-known set, so they come from a lexicon (which
also tells gender and case); surnames are open, so they are inflected by rule,
the case and gender being those of the first name next to them.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .analysis import fold

# Nominative forms, official and everyday (Γεώργιος and Γιώργος stay distinct:
# the text decides which one a person goes by).
_MALE = """
Αβραάμ Άγγελος Αδάμ Άδωνις Αθανάσιος Άκης Αλέξανδρος Αλέξης Αλκιβιάδης Ανάργυρος Ανδρέας Άνθιμος
Αντρέας Αντώνης Αντώνιος Απόστολος Αργύρης Αργύριος Άρης Αριστείδης Αριστοτέλης Αρμόδιος
Αχιλλέας Βαγγέλης Βασίλειος Βασίλης Βλάσης Βλάσσιος Γαβριήλ Γεράσιμος Γεώργιος Γιάννης
Γιώργος Γρηγόρης Γρηγόριος Δημήτρης Δημήτριος Δημοσθένης Διονύσης Διονύσιος Εμμανουήλ
Επαμεινώνδας Ευάγγελος Ευθύμιος Ευκλείδης Ευστάθιος Ευστράτιος Ευτύχης Ευτύχιος Ζαχαρίας
Ζήσης Ηλίας Ηρακλής Θανάσης Θεμιστοκλής Θεόδωρος Θεοφάνης Θεόφιλος Θεοχάρης Θοδωρής Θωμάς
Ιάκωβος Ιγνάτιος Ιορδάνης Ιωάννης Ισίδωρος Καλλίνικος Κλεάνθης Κυριάκος Κωνσταντίνος Κώστας
Κωστής Λάζαρος Λάκης Λάμπρος Λεωνίδας Λευτέρης Ελευθέριος Λουκάς Μάκης Μανόλης Μανώλης Μάριος
Μάρκος Ματθαίος Μαυροειδής Μελέτιος Μενέλαος Μηνάς Μιλτιάδης Μιχάλης Μιχαήλ Μπάμπης Νεκτάριος Νικηφόρος
Νικήτας Νίκος Νικόλαος Οδυσσέας Ορέστης Παναγής Παναγιώτης Πάνος Παντελής Παντελεήμων
Παρασκευάς Πασχάλης Παύλος Περικλής Πέτρος Πλάτων Πολυχρόνης Προκόπης Προκόπιος Ραφαήλ
Σάββας Σάκης Σεραφείμ Σπύρος Σπυρίδων Στάθης Σταμάτης Σταμάτιος Σταύρος Στέλιος Στέφανος
Στρατής Στυλιανός Συμεών Σωκράτης Σωτήρης Σωτήριος Τάκης Τάσος Ταξιάρχης Τιμόθεος Φίλιππος
Φώτης Φώτιος Χαράλαμπος Χάρης Χρήστος Χρίστος Χρύσανθος Χρυσόστομος Αναστάσιος Ευάγγελος
"""
_FEMALE = """
Αγγελική Αθανασία Αθηνά Αικατερίνη Αλεξάνδρα Αλεξία Αλίκη Αμαλία Αναστασία Άννα Αντιγόνη Αντωνία
Αργυρώ Αρετή Αριάδνη Αφροδίτη Βαρβάρα Βασιλική Βάσω Βέρα Βερονίκη Βούλα Γαρυφαλλιά Γεωργία
Δάφνη Δέσποινα Δήμητρα Διονυσία Δώρα Ειρήνη Ελένη Ελευθερία Ελισάβετ Έλλη Ευαγγελία Ευανθία
Ευγενία Ευδοκία Ευθυμία Ευσταθία Ευτυχία Ευφροσύνη Ζωή Ηλέκτρα Θεοδώρα Θεοδοσία Ιουλία
Ιφιγένεια Ιωάννα Καλλιόπη Κατερίνα Κυριακή Κωνσταντίνα Κωστούλα Λαμπρινή Λίνα Λουκία Λυδία
Μαγδαληνή Μαρία Μαριάννα Μαργαρίτα Μάρθα Ματίνα Μελίνα Μπέλα Μυρτώ Νεφέλη Νίκη Νικολέτα Ξανθή
Όλγα Ουρανία Παναγιώτα Παρασκευή Πηνελόπη Πολυξένη Πόπη Ροδάνθη Σόνια Σοφία Σταματία
Σταυρούλα Στέλλα Στυλιανή Σωτηρία Τατιάνα Φιλίτσα Φωτεινή Χαρά Χαρίκλεια Χριστίνα Χρυσάνθη
Χρυσούλα
"""

# Surname endings whose stress is predictable, to restore the accent of an
# upper-case signature name ("ΠΑΝΑΓΟΠΟΥΛΟΣ" -> "Παναγόπουλος").  Longest first.
_SURNAME_STRESS = sorted(
    {
        "οπουλος": "όπουλος", "οπουλου": "οπούλου", "ακης": "άκης", "ακη": "άκη",
        "ιαδης": "ιάδης", "ιαδη": "ιάδη", "ιαδου": "ιάδου", "ιδης": "ίδης", "ιδη": "ίδη",
        "ιδου": "ίδου", "αδης": "άδης", "αδη": "άδη", "αδου": "άδου", "ουδης": "ούδης",
        "ελλης": "έλλης", "ελλη": "έλλη", "ατος": "άτος", "ατου": "άτου", "ακος": "άκος",
        "ακου": "άκου", "αιος": "αίος", "ιωτης": "ιώτης", "ιωτη": "ιώτη", "ογλου": "όγλου",
        "ουλης": "ούλης", "ουλη": "ούλη", "ιτσης": "ίτσης", "ιτση": "ίτση", "ιου": "ίου",
        "εας": "έας", "ιδας": "ίδας",
    }.items(),
    key=lambda item: -len(item[0]),
)

# Folded surname endings that mark a surname on their own (used when the first
# name is not in the lexicon).
STRONG_SURNAME_ENDINGS = (
    "οπουλοσ", "οπουλου", "οπουλο", "ακησ", "ακη", "ιδησ", "ιδη", "ιδου", "αδησ", "αδη",
    "ογλου", "ελλησ", "ελλη", "ουλησ", "ιτσησ", "ακοσ", "ακο", "ιωτησ", "ιωτη",
)


@dataclass(frozen=True)
class FirstName:
    nominative: str
    male: bool
    nominative_case: bool  # the surface form is the nominative


def _first_name_forms(name: str, male: bool) -> dict[str, bool]:
    """Inflected surface forms of a nominative first name -> is it the nominative."""
    forms = {name: True}
    if male:
        for nom, oblique in (("ος", ("ου", "ο", "ε")), ("ης", ("η",)), ("ής", ("ή",)),
                             ("ας", ("α",)), ("άς", ("ά",)), ("ων", ("ωνα", "ωνος"))):
            if name.endswith(nom):
                for ending in oblique:
                    forms.setdefault(name[: -len(nom)] + ending, False)
                break
    else:
        for nom, oblique in (("α", ("ας",)), ("ά", ("άς",)), ("η", ("ης",)), ("ή", ("ής",))):
            if name.endswith(nom):
                for ending in oblique:
                    forms.setdefault(name[: -len(nom)] + ending, False)
                break
    return forms


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, FirstName]:
    lexicon: dict[str, FirstName] = {}
    for text, male in ((_MALE, True), (_FEMALE, False)):
        for name in text.split():
            for form, is_nominative in _first_name_forms(name, male).items():
                lexicon.setdefault(fold(form), FirstName(name, male, is_nominative))
    return lexicon


def first_name_forms(word: str) -> set[str]:
    """Folded case forms of a first name in the lexicon («Ιωάννης» -> ιωαννησ, ιωαννη); empty if it is none."""
    entry = first_name(word)
    return {fold(form) for form in _first_name_forms(entry.nominative, entry.male)} if entry else set()


def first_name(word: str) -> FirstName | None:
    """The lexicon entry of a first name in any case form, accent or letter case.

    A compound first name («ΣΠΥΡΙΔΩΝ-ΑΔΩΝΙΣ», «Νικόλαος - Γεώργιος») is one when
    every part is one; it is in the nominative only when every part is, so a
    compound never passes for a surname in a signature table.
    """
    parts = [part for part in re.split(r"\s*[-‐]\s*", word) if part]
    if len(parts) < 2:
        return _lexicon().get(fold(word))
    entries = [_lexicon().get(fold(part)) for part in parts]
    if any(entry is None for entry in entries):
        return None
    return FirstName("-".join(e.nominative for e in entries), entries[0].male,
                     all(e.nominative_case for e in entries))


def _proper_case(word: str) -> str:
    """"ΠΑΝΑΓΟΠΟΥΛΟΣ" -> "Παναγόπουλος" where the ending tells the stress."""
    if not word.isupper():
        return word
    parts = []
    for part in word.split("-"):
        lower = part.lower()  # str.lower applies the final-sigma rule
        if "\u0301" not in unicodedata.normalize("NFD", lower):  # no stress mark yet
            for plain, stressed in _SURNAME_STRESS:
                if lower.endswith(plain):
                    lower = lower[: -len(plain)] + stressed
                    break
        parts.append(lower[:1].upper() + lower[1:])
    return "-".join(parts)


def _is_patronymic(surname: str) -> bool:
    """Surnames that are a first name's genitive (Δημητρίου) or Turkish -όγλου never inflect."""
    folded = fold(surname)
    if folded.endswith("ογλου"):
        return True
    entry = _lexicon().get(folded)
    return entry is not None and entry.male and not entry.nominative_case and folded.endswith("ου")


def surname_nominative(surname: str, male: bool, nominative: bool) -> str:
    """The nominative of a surname met next to a first name of the given gender and case.

    Women's surnames are genitives already (Παπαδοπούλου, Παπανότη) and do not
    inflect; men's do: -ο/-ου -> -ος, -α -> -ας, -η -> -ης.
    """
    if nominative or not male or _is_patronymic(surname):
        return surname
    upper = surname.isupper()
    rules = (("οπούλου", "όπουλος"), ("ου", "ος"), ("ού", "ός"), ("ο", "ος"), ("ό", "ός"),
             ("α", "ας"), ("ά", "άς"), ("η", "ης"), ("ή", "ής"))
    for old, new in rules:
        if surname.lower().endswith(old):
            stem = surname[: -len(old)]
            return stem + (new.upper() if upper else new)
    return surname


@dataclass(frozen=True)
class PersonName:
    """A person's nominative display name and the key that identifies them."""

    first: str  # nominative first name, or an initial such as "Γ."
    surname: str  # nominative surname

    @property
    def display(self) -> str:
        return f"{self.first} {self.surname}"

    @property
    def key(self) -> str:
        return f"{fold(self.first).rstrip('.')}|{fold(self.surname)}"


def person(first: str, surname: str, male: bool | None = None, nominative: bool | None = None) -> PersonName:
    """Build the nominative name of a person from the words the text gives.

    `male` and `nominative` come from the first name when it is in the lexicon;
    otherwise from the caller (e.g. the article before the name), defaulting to
    a man named in the nominative.
    """
    entry = first_name(first)
    if entry is not None:
        male, nominative = entry.male, entry.nominative_case
        first_display = entry.nominative
    else:
        male = True if male is None else male
        nominative = True if nominative is None else nominative
        first_display = _proper_case(surname_nominative(first, male, nominative)) if not first.endswith(".") else first[:1].upper() + "."
    return PersonName(first_display, _proper_case(surname_nominative(surname, male, nominative)))


def surname_forms(surname: str) -> set[str]:
    """Folded case forms of a nominative surname, to recognise "Γ. Ζαριφόπουλο" as Ζαριφόπουλος."""
    folded = fold(surname)
    forms = {folded}
    for nom, oblique in (("οσ", ("ου", "ο", "ε")), ("ησ", ("η",)), ("ασ", ("α",))):
        if folded.endswith(nom):
            forms.update(folded[: -len(nom)] + ending for ending in oblique)
    return forms


def parse_person(text: str) -> PersonName | None:
    """A name written on its own ("ΠΑΝΑΓΟΠΟΥΛΟΣ ΓΕΩΡΓΙΟΣ", "Γ. Ζαριφόπουλος", "Βασίλης Κικίλιας").

    The word found in the first-name lexicon is the first name, whatever its
    position; upper-case signatures put the surname first, so with two lexicon
    words the second is taken as the first name.
    """
    words = [w for w in re.sub(r"\s*[-‐]\s*", "-", text).replace(".", ". ").split() if w]
    if len(words) < 2:
        return None
    if len(words) == 2 and words[0].endswith(".") and len(words[0]) <= 3:
        return person(words[0], words[1])
    plain = [w for w in words if not w.endswith(".")]
    if len(plain) != 2:
        return None
    a, b = plain
    fa, fb = first_name(a), first_name(b)
    if fa is not None and fb is not None and fa.nominative_case != fb.nominative_case:
        # "ΠΑΡΑΣΚΕΥΗ ΘΕΟΦΙΛΟΥ": the nominative is the first name, the genitive a patronymic surname.
        return person(a, b) if fa.nominative_case else person(b, a)
    if fb is not None and (fa is None or text.isupper()):
        return person(b, a)
    if fa is not None:
        return person(a, b)
    return None
