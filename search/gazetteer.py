"""The municipalities gazetteer: validates names, gives the region, knows the 2023 mayors.

Reads the CSV of `shared/data/municipalities.csv`.  Every spelling a source may
use (official name, ELSTAT's and EETAA's current names, the 2011 Kallikratis
name) points at one municipality; a spelling shared by two municipalities
(e.g. "Κέρκυρας") is dropped rather than guessed, unless it is one's official name.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from .analysis import fold
from .names import parse_person


def municipality_key(genitive: str) -> str:
    """Folded genitive with one spelling of hyphens and "&": the identity of a municipality."""
    key = fold(genitive).replace("&", " και ")
    key = re.sub(r"\s*[-‐–]\s*", "-", key)
    return re.sub(r"\s+", " ", key).strip(" .")


@dataclass(frozen=True)
class Municipality:
    name: str  # "Δήμος Χανίων"
    regional_unit: str
    region: str
    mayor_2023: str | None  # nominative display name, "Παναγιώτης Σημανδηράκης"

    @property
    def genitive(self) -> str:
        return self.name.removeprefix("Δήμος ")


def _current_name(row: dict[str, str]) -> str:
    """The official name, or EETAA's form where ELSTAT says the official one is outdated."""
    official = row["official_name"].removeprefix("Δήμος ")
    current = re.sub(r"\s*-\s*", "-", row["eetaa_ota_name"].removeprefix("Δ. "))
    if municipality_key(current) == municipality_key(row["elstat_name"]) != municipality_key(official):
        return f"Δήμος {current}"
    return row["official_name"]


class Gazetteer:
    """Look-up of municipalities by any case or spelling of their genitive name."""

    def __init__(self, municipalities: dict[str, Municipality]):
        self._by_key = municipalities

    @classmethod
    def load(cls, path: Path | str) -> "Gazetteer":
        primary: dict[str, Municipality] = {}
        secondary: dict[str, Municipality | None] = {}
        with open(path, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                mayor = parse_person(row["mayor_2023"]) if row.get("mayor_2023") else None
                municipality = Municipality(
                    name=_current_name(row),
                    regional_unit=row["regional_unit"],
                    region=row["region"],
                    mayor_2023=mayor.display if mayor else None,
                )
                for spelling in (row["official_name"].removeprefix("Δήμος "), municipality.genitive):
                    primary[municipality_key(spelling)] = municipality
                for spelling in (row["elstat_name"], row["eetaa_ota_name"].removeprefix("Δ. "),
                                 row["kallikratis_name_2011"], row["name_genitive"]):
                    key = municipality_key(spelling)
                    if key in secondary and secondary[key] != municipality:
                        secondary[key] = None  # shared by two municipalities: ambiguous
                    else:
                        secondary[key] = municipality
        # An official name always wins ("Ηρακλείου" is Heraklion, Crete, not Ηρακλείου Αττικής).
        return cls({**{k: m for k, m in secondary.items() if m is not None}, **primary})

    def resolve(self, genitive: str) -> Municipality | None:
        """The municipality whose genitive name this is, in any case, accent or hyphen spacing."""
        return self._by_key.get(municipality_key(genitive))

    def __len__(self) -> int:
        return len({m.name for m in self._by_key.values()})
