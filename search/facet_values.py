"""Forgiving facet values: what a person types, matched to the values an index holds.

A facet value is canonical («Δήμος Ρόδου», «Περιφέρεια Κρήτης», «Ιωάννης
Βλάσσης»), but people type «ΔΗΜΟΣ ΡΟΔΟΥ», «Ρόδος», «rodos», «rod», «Κρήτη»,
«ΒΛΑΣΣΗΣ ΙΩΑΝΝΗΣ» or «vlassis».  This module maps such input to the canonical
values, knowing nothing of engines or the web: the caller passes the known
values of the index (any iterable of canonical strings, e.g. the facet's
counts' keys).

How to call it (request validation and the facets' filter box):

    from search.facet_values import UnknownValue, find, resolve

    try:
        value = resolve("municipality", request_value, index_values)   # -> "Δήμος Ρόδου"
    except UnknownValue as error:
        return 400, {"error": str(error), "closest": error.closest}

    matches = find("municipality", "rod", index_values)   # -> ["Δήμος Ρόδου"] for the filter box

`resolve` is for a filter (`municipality=`, `official=`, `region=`): the typed
value must name one known value whole, in any case, accent, grammatical case or
Greeklish; a lone surname or an initial is accepted when only one known person
fits.  `find` is for the filter box of an all-values list: every known value
whose words the typed words begin, best match first.

Municipalities go through the gazetteer (its genitive, nominative, accusative,
former names and Greeklish forms); regions through their genitive and
nominative; people through the name grammar (`search.names`: «Ιωάννη Βλάσση»
is Ιωάννης Βλάσσης, «ΒΛΑΣΣΗΣ ΙΩΑΝΝΗΣ» too) and the Greeklish spelling rules
of `search.greeklish`.  The closest values of an error come from rapidfuzz on
folded text (Greek input) or on the values transliterated by Unidecode (Latin
input), so «Ροδος» -> «Δήμος Ρόδου» and «rhodes» -> «Δήμος Ρόδου» are offered.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from unidecode import unidecode

from .analysis import fold
from .gazetteer import Gazetteer, municipality_key
from .greeklish import is_latin_word, spelling_cost
from .names import first_name_forms, parse_person, surname_forms

FIELDS = ("municipality", "official", "region")
# How many near values an error names: enough to spot the one meant, short enough to read in a message.
CLOSEST = 3
# rapidfuzz WRatio below this is noise: «Χανιά» scores 90 against «Δήμος Χανίων», «Βόλος» 36.
MIN_SIMILARITY = 60

# Nominatives of the 13 regions (the sources give the genitive only); checked by hand.
REGION_NOMINATIVES = {
    "Ανατολικής Μακεδονίας και Θράκης": "Ανατολική Μακεδονία και Θράκη",
    "Κεντρικής Μακεδονίας": "Κεντρική Μακεδονία", "Δυτικής Μακεδονίας": "Δυτική Μακεδονία",
    "Ηπείρου": "Ήπειρος", "Θεσσαλίας": "Θεσσαλία", "Ιονίων Νήσων": "Ιόνια Νησιά",
    "Δυτικής Ελλάδας": "Δυτική Ελλάδα", "Στερεάς Ελλάδας": "Στερεά Ελλάδα", "Αττικής": "Αττική",
    "Πελοποννήσου": "Πελοπόννησος", "Βορείου Αιγαίου": "Βόρειο Αιγαίο", "Νοτίου Αιγαίου": "Νότιο Αιγαίο",
    "Κρήτης": "Κρήτη",
}
_PREFIXES = {
    "municipality": r"(?:δημοσ|δημου|δημο|dimos|dimou|dhmos|dhmou)",
    "region": r"(?:περιφερεια|περιφερειασ|perifereia|perifereias|periferia)",
    "official": r"(?:κ|κοσ|κα|κυριοσ|κυρια)\.?",
}


class UnknownValue(ValueError):
    """A typed value that names no known value (or several equally): `closest` are the ones to offer."""

    def __init__(self, field: str, value: str, closest: list[str], ambiguous: bool = False):
        self.field, self.value, self.closest, self.ambiguous = field, value, closest, ambiguous
        what = "matches several values" if ambiguous else "matches no value"
        hint = f"; closest: {', '.join(closest)}" if closest else ""
        super().__init__(f"{field} «{value}» {what}{hint}")


@dataclass(frozen=True)
class _Candidate:
    """A known value and the word tuples it may be typed as (folded Greek words)."""

    value: str
    forms: tuple[tuple[frozenset[str], ...], ...]  # per form, per word: the folded spellings of that word


def resolve(field: str, value: str, known: Iterable[str], gazetteer: Gazetteer | None = None) -> str:
    """The one known canonical value that `value` names, in any written form; else UnknownValue.

    An exact canonical value is returned as is.  Otherwise every word typed
    must match a word of the value whole (any case form, accent or Greeklish).
    """
    known = _known(known)
    if value in known:
        return value
    matches = _matches(field, value, known, gazetteer, prefix=False)
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise UnknownValue(field, value, matches[:CLOSEST], ambiguous=True)
    raise UnknownValue(field, value, closest(value, known))


def find(field: str, text: str, known: Iterable[str], gazetteer: Gazetteer | None = None) -> list[str]:
    """Known values for the filter box: those whose words the typed words begin («rod» -> «Δήμος Ρόδου»).

    Empty text gives every known value.  The order is the facet's own (the
    order of `known`), exact whole-word matches first.
    """
    known = _known(known)
    if not text.strip():
        return known
    whole = _matches(field, text, known, gazetteer, prefix=False)
    begun = _matches(field, text, known, gazetteer, prefix=True)
    return whole + [v for v in begun if v not in whole]


def closest(value: str, known: Iterable[str]) -> list[str]:
    """The CLOSEST known values most like `value` (rapidfuzz WRatio), best first."""
    known = _known(known)
    latin = all(is_latin_word(w) for w in _words(value))
    bare = {v: re.sub(r"^(?:Δήμος|Περιφέρεια) ", "", v) for v in known}  # the prefix all values share
    choices = {v: (unidecode(b).lower() if latin else fold(b)) for v, b in bare.items()}
    query = value.lower() if latin else fold(value)
    found = process.extract(query, choices, scorer=fuzz.WRatio, limit=CLOSEST, score_cutoff=MIN_SIMILARITY)
    return [key for _, _, key in found]


# ---------------------------------------------------------------- matching


def _known(known: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(known))


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[\s,.-]+", text) if w]


def _typed_words(field: str, text: str) -> list[str]:
    """Folded (or lower-case Latin) words typed, without «Δήμος»/«Περιφέρεια»/«κ.» before them."""
    words = [w.lower() if is_latin_word(w) else fold(w) for w in _words(text)]
    if field not in FIELDS:
        raise ValueError(f"unknown facet field {field!r}; one of {', '.join(FIELDS)}")
    if len(words) > 1 and re.fullmatch(_PREFIXES[field], words[0].rstrip(".")):
        words = words[1:]
    return words


def _matches(field: str, text: str, known: list[str], gazetteer: Gazetteer | None, prefix: bool) -> list[str]:
    words = _typed_words(field, text)
    if not words:
        return []
    if field == "municipality" and not prefix:
        found = (gazetteer or Gazetteer.default()).find(text)
        if found is not None and found.name in known:
            return [found.name]
    if field == "official" and not prefix:
        exact = _same_person(text, known)
        if exact:
            return exact
    candidates = [_candidate(field, v, gazetteer) for v in known]
    return [c.value for c in candidates if any(_form_matches(words, form, prefix) for form in c.forms)]


def _same_person(text: str, known: list[str]) -> list[str]:
    """Known people with the typed full name's key («ΒΛΑΣΣΗΣ ΙΩΑΝΝΗΣ», «Ιωάννη Βλάσση»)."""
    typed = parse_person(text)
    if typed is None or "." in typed.first:
        return []
    keys = {v: parse_person(v) for v in known}
    return [v for v, person in keys.items() if person is not None and person.key == typed.key]


def _form_matches(typed: list[str], form: tuple[frozenset[str], ...], prefix: bool) -> bool:
    """Each typed word matches a distinct word of the form, in any order; with `prefix`, each may be begun
    («ag dim» for Αγίου Δημητρίου)."""
    if len(typed) > len(form):
        return False
    free = list(range(len(form)))
    for word in typed:
        hit = next((k for k in free if _word_matches(word, form[k], prefix)), None)
        if hit is None:
            return False
        free.remove(hit)
    return True


def _word_matches(typed: str, spellings: frozenset[str], begun: bool) -> bool:
    """A typed word against the folded spellings of one word: equal, an initial, begun, or Greeklish for it."""
    latin = is_latin_word(typed)
    for greek in spellings:
        if not latin:
            if typed == greek or (begun and greek.startswith(typed)):
                return True
            if len(typed) == 1 and greek.startswith(typed):  # «Ι. Βλάσσης»: an initial
                return True
        elif spelling_cost(typed, greek) is not None or (
            # a Latin letter spells at most two Greek ones («b» is μπ): longer Greek prefixes cannot match
            begun and any(spelling_cost(typed, greek[:k]) is not None
                          for k in range(1, min(len(greek), 2 * len(typed) + 1)))
        ):
            return True
    return False


def _candidate(field: str, value: str, gazetteer: Gazetteer | None) -> _Candidate:
    if field == "municipality":
        return _municipality(value, gazetteer or Gazetteer.default())
    if field == "region":
        genitive = value.removeprefix("Περιφέρεια ")
        return _Candidate(value, tuple(_plain_form(f) for f in (genitive, REGION_NOMINATIVES.get(genitive, genitive))))
    return _Candidate(value, (tuple(_person_word(w) for w in _words(value)),))


def _plain_form(text: str) -> tuple[frozenset[str], ...]:
    return tuple(frozenset({fold(w)}) for w in _words(text) if fold(w) != "και")


def _municipality(value: str, gazetteer: Gazetteer) -> _Candidate:
    """A municipality's forms: genitive, nominative, accusative (what the gazetteer knows of it)."""
    found = gazetteer.resolve(value)
    if found is None:
        return _Candidate(value, (_plain_form(value.removeprefix("Δήμος ")),))
    spellings = {found.genitive, found.nominative, found.accusative} - {""}
    return _Candidate(value, tuple(_plain_form(municipality_key(s)) for s in sorted(spellings)))


def _person_word(word: str) -> frozenset[str]:
    """The folded case forms of one word of a name: «Βλάσσης» -> βλασσησ, βλασση; «Ιωάννης» -> ιωαννη, ιωαννου…"""
    return frozenset(f.rstrip(".") for f in surname_forms(word) | first_name_forms(word))
