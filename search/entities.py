"""Entity profiles: a person or a municipality as the indexed documents show them.

Backend-free: a profile is made of ordinary searches filtered by the entity (any
Backend answers them), so an entity page and the search filtered by it always
agree.  The filtered search's facets give the counts (a person's municipalities,
a municipality's people, documents by year: facets are counted over the other
facets' filters, so the entity's own filter narrows them); its newest-first pages
give the latest documents; and the roles come from the officials of the newest
ROLE_SCAN documents, read a page of MAX_PER_PAGE at a time.  Entities are only as
good as extraction (search/extract.py): a name is the facet value it gave.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace

from .analysis import fold_text
from .answers import (Entity, EntityDocuments, EntityLinks, FacetValue, Hit, MunicipalityProfile, OfficialProfile,
                      RoleSeen, SearchAnswer, YearCount)
from .backend import Backend
from .gazetteer import Gazetteer, Municipality
from .request import MAX_FACET_SIZE, MAX_PER_PAGE, SearchRequest

# Latest documents on one entity page.
ENTITY_PAGE_SIZE = 20
# Roles are read from the officials of an entity's newest documents, at most this many: 10 searches of
# 100.  Of the 1,094 decisions ingested from ../shared/data the most named person has 61 documents and
# the most named municipality 6; an entity past it (a big city over years) shows its recent roles, and
# the page says how many documents were read.
ROLE_SCAN = 1_000
_MAYOR = re.compile(r"^\s*δημαρχοσ\b\s*(.*)$")

# ELOT 743 (ISO 843), the transliteration of Greek passports and road signs: readable, and what a
# Greek types for a name in Latin letters («dimos-rodou»).  Unidecode's scholarly table («demos-rodou»,
# χ -> kh) is the one for Latin letters and other scripts, through analysis.fold_text.
_ELOT_LETTERS = dict(zip("αβγδεζηθικλμνξοπρστυφχψω",
                         "a v g d e z i th i k l m n x o p r s t y f ch ps o".split()))
_ELOT_DIGRAPHS = {"ου": "ou", "μπ": "mp", "ντ": "nt", "γγ": "ng", "γκ": "gk", "γξ": "nx", "γχ": "nch"}
_WORD_START = {"μπ": "b", "ντ": "d", "γκ": "g"}
# αυ, ευ, ηυ are af, ef, if before these (and at a word's end), av, ev, iv elsewhere.
_VOICELESS = frozenset("θκξπστφχψ")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def transliterate(text: str) -> str:
    """Greek in Latin letters by ELOT 743, folded (lower case, no accents): «Δήμος Ρόδου» -> "dimos rodou"."""
    folded = fold_text(text)
    out: list[str] = []
    i = 0
    while i < len(folded):
        pair, starts_word = folded[i:i + 2], i == 0 or not folded[i - 1].isalpha()
        if pair in ("αυ", "ευ", "ηυ"):
            after = folded[i + 2:i + 3]
            out.append(_ELOT_LETTERS[pair[0]] + ("f" if not after.isalpha() or after in _VOICELESS else "v"))
        elif pair in _ELOT_DIGRAPHS:
            out.append(_WORD_START[pair] if starts_word and pair in _WORD_START else _ELOT_DIGRAPHS[pair])
        else:
            out.append(_ELOT_LETTERS.get(folded[i], folded[i]))
            i += 1
            continue
        i += 2
    return "".join(out)


def entity_slug(name: str) -> str:
    """A stable, readable URL segment for a municipality or a person: «Δήμος Πυλαίας-Χορτιάτη» ->
    "dimos-pylaias-chortiati".  It depends on the name alone, so a link stays valid across reindexes;
    names differing only in accents, case or diaeresis share it (and are one entity: one page lists them as
    its variants)."""
    slug = _NOT_SLUG.sub("-", transliterate(name)).strip("-")
    # A name of no letters or digits («—») still gets a page: its slug is a digest of the name.
    return slug or "name-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:12]




class EntityDirectory:
    """Which facet values a slug names, for one index generation (built once: a generation never changes)."""

    def __init__(self, municipalities: Mapping[str, int], officials: Mapping[str, int]):
        self._slugs: dict[str, dict[str, list[str]]] = {"municipality": {}, "official": {}}
        # (facet, value, documents, its words folded and in Latin letters), for completion
        self.names: list[tuple[str, str, int, tuple[str, ...]]] = []
        for facet, values in (("municipality", municipalities), ("official", officials)):
            for value, documents in values.items():
                slug = entity_slug(value)
                self._slugs[facet].setdefault(slug, []).append(value)
                words = tuple(fold_text(value).replace("-", " ").split()) + tuple(slug.split("-"))
                self.names.append((facet, value, documents, words))

    def complete(self, prefix: str, limit: int) -> list[tuple[str, str, int]]:
        """(facet, value, documents) of the names with a word starting with `prefix` (folded Greek or Latin)."""
        found = [(facet, value, documents) for facet, value, documents, words in self.names
                 if any(word.startswith(prefix) for word in words)]
        return sorted(found, key=lambda item: (-item[2], item[1]))[:limit]

    def values(self, facet: str, slug: str) -> list[str]:
        """The facet values sharing `slug` (empty for an unknown one)."""
        return self._slugs[facet].get(slug, [])


@dataclass
class _Seen:
    """A role's first and last dates and document count, and its spellings."""

    spellings: Counter[str] = field(default_factory=Counter)
    names: Counter[str] = field(default_factory=Counter)
    dates: list[dt.date] = field(default_factory=list)
    documents: int = 0

    def add(self, name: str, role: str, date: dt.date | None) -> None:
        self.spellings[role] += 1
        self.names[name] += 1
        self.documents += 1
        if date:
            self.dates.append(date)

    def answer(self) -> RoleSeen:
        return RoleSeen(name=self.names.most_common(1)[0][0], role=self.spellings.most_common(1)[0][0],
                        first=min(self.dates, default=None), last=max(self.dates, default=None),
                        documents=self.documents)


def _newest(backend: Backend, search: SearchRequest) -> Iterator[Hit]:
    """The documents of `search`, newest first, up to ROLE_SCAN."""
    for page in range(1, ROLE_SCAN // MAX_PER_PAGE + 1):
        answer = backend.search(replace(search, sort="newest", page=page, per_page=MAX_PER_PAGE, facet_size=0))
        yield from answer.results
        if page >= answer.pages:
            return


def _roles(seen: dict[str, _Seen]) -> list[RoleSeen]:
    """Most documents first; of equals, the most recently seen."""
    return sorted((s.answer() for s in seen.values()),
                  key=lambda r: (-r.documents, -(r.last.toordinal() if r.last else 0)))


def _documents(backend: Backend, search: SearchRequest, page: int, scanned: int, links: EntityLinks,
               answer: SearchAnswer) -> EntityDocuments:
    latest = backend.search(replace(search, sort="newest", page=page, per_page=ENTITY_PAGE_SIZE, facet_size=0))
    return EntityDocuments(documents=answer.total, years=[YearCount(year=int(v.value), documents=v.count)
                                                          for v in answer.facets.year],
                           page=page, pages=latest.pages, latest=latest.results, scanned=scanned, links=links)


def _entities(values: list[FacetValue]) -> list[Entity]:
    return [Entity(name=v.value, slug=entity_slug(v.value), documents=v.count) for v in values if v.count]


def _by_documents(variants: list[str], values: list[FacetValue]) -> list[str]:
    """The spellings, the one with most documents first (the page's name)."""
    counts = {v.value: v.count for v in values}
    return sorted(variants, key=lambda v: (-counts.get(v, 0), v))


def official_profile(backend: Backend, variants: list[str], slug: str, page: int,
                     links: EntityLinks) -> OfficialProfile:
    """A person whose facet values are `variants` (spellings sharing `slug`)."""
    search = SearchRequest(official=tuple(variants), facet_size=MAX_FACET_SIZE)
    answer = backend.search(replace(search, per_page=1))
    seen: dict[str, _Seen] = {}
    scanned = 0
    for hit in _newest(backend, search):
        scanned += 1
        for official in hit.officials:
            if official.name in variants and official.role:
                seen.setdefault(fold_text(official.role), _Seen()).add(official.name, official.role, hit.date)
    ordered = _by_documents(variants, answer.facets.official)
    return OfficialProfile(name=ordered[0], slug=slug, variants=ordered, roles=_roles(seen),
                           municipality=_entities(answer.facets.municipality),
                           documents=_documents(backend, search, page, scanned, links, answer))


def regional_unit_name(municipality: Municipality, gazetteer: Gazetteer) -> str:
    """«ΧΑΝΙΩΝ» as «Χανίων»: the sources write regional units in capitals without accents; most are named
    after a municipality whose genitive has them, the rest are cased without accents («Ροδοπης»)."""
    folded = fold_text(municipality.regional_unit)
    accented = next((m.genitive for m in gazetteer.municipalities() if fold_text(m.genitive) == folded), None)
    return accented or municipality.regional_unit.title()


def _is_mayor_of(role: str, names: set[str], hit: Hit, gazetteer: Gazetteer) -> bool:
    """«δήμαρχος Χανίων» in a Chania document (not «αντιδήμαρχος»); a bare «δήμαρχος» in the issuer's.

    `names` are the municipality's facet values and its gazetteer name."""
    mayor = _MAYOR.match(fold_text(role))
    if mayor is None:
        return False
    if not mayor.group(1).strip():
        return bool(hit.municipality) and hit.municipality[0] in names
    found = gazetteer.find(mayor.group(1))
    return found is not None and found.name in names


def municipality_profile(backend: Backend, gazetteer: Gazetteer, variants: list[str], slug: str, page: int,
                         links: EntityLinks) -> MunicipalityProfile:
    """The municipality whose facet values are `variants` (spellings sharing `slug`), with what the
    gazetteer knows of it."""
    search = SearchRequest(municipality=tuple(variants), facet_size=MAX_FACET_SIZE)
    answer = backend.search(replace(search, per_page=1))
    name = _by_documents(variants, answer.facets.municipality)[0]
    known = next((found for v in variants if (found := gazetteer.resolve(v))), None)
    names = {*variants, *([known.name] if known else [])}
    mayors: dict[str, _Seen] = {}
    scanned = 0
    for hit in _newest(backend, search):
        scanned += 1
        for official in hit.officials:
            if official.role and _is_mayor_of(official.role, names, hit, gazetteer):
                mayors.setdefault(fold_text(official.name), _Seen()).add(official.name, official.role, hit.date)
    return MunicipalityProfile(
        name=name, slug=slug, variants=_by_documents(variants, answer.facets.municipality),
        region=known.region if known else None,
        regional_unit=regional_unit_name(known, gazetteer) if known else None,
        mayor_elected_2023=known.mayor_2023 if known else None, mayors=_roles(mayors),
        official=_entities(answer.facets.official),
        documents=_documents(backend, search, page, scanned, links, answer))
