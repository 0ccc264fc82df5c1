"""A facet's all-values listing from its counts: which values, in which order, with which regions.

Backend-free, so that every backend lists alike: a backend counts each value of the facet over the
search's documents (Datasette's rule: the query and every filter but the facet's own) and hands the
counts here; the Whoosh engine counts over its columns (search.backend.whoosh.facets), the cluster
with one FACET statement (search.sphinx.searcher).  The order rules are those of a search answer's
facets (`ordered_values`), without their FACET_SIZE cut.
"""
from __future__ import annotations

from collections.abc import Mapping

from .analysis import fold
from .answers import ListedValue
from .facet_values import find
from .gazetteer import Gazetteer
from .request import UNDATED, FacetListingRequest, SearchRequest, selected_year


def listed_values(name: str, counts: dict[str, int], listing: FacetListingRequest) -> list[ListedValue]:
    """Every value of one facet (`counts`: value -> documents), found by the listing's filter text, in order.

    Selected values are listed even at count 0.  The filter text finds values by any
    written form (search.facet_values.find); municipalities are then grouped under
    their regions (`_by_region`), so that a person scanning for her δήμος finds it
    beside its neighbours.  Regions come from the packaged gazetteer: a municipality
    only an overriding `--gazetteer` knows is listed last, without a region.
    """
    counts = dict(counts)
    selected = selected_values(name, listing.search)
    for value in selected:
        counts.setdefault(value, 0)
    ordered = [value for value, _ in ordered_values(name, counts)]
    if listing.filter:
        ordered = _found(name, listing.filter, ordered)
    regions: dict[str, str | None] = {}
    if name == "municipality":
        gazetteer = Gazetteer.default()
        regions = {v: (m.region if (m := gazetteer.resolve(v)) else None) for v in counts}
        ordered = _by_region(ordered, counts, regions)
    return [ListedValue(value=v, count=counts[v], selected=v in selected, region=regions.get(v)) for v in ordered]


def selected_values(name: str, request: SearchRequest) -> set[str]:
    """The facet's values the request filters by (for the year: its year, or UNDATED)."""
    if name == "year":
        return {selected_year(request), UNDATED if request.undated else None} - {None}
    return set(getattr(request, name))


def ordered_values(name: str, counts: Mapping[str, int]) -> list[tuple[str, int]]:
    """Years newest first with UNDATED last; other values by count, most first, ties by name."""
    if name == "year":
        years = sorted(((v, c) for v, c in counts.items() if v != UNDATED), reverse=True)
        return years + ([(UNDATED, counts[UNDATED])] if UNDATED in counts else [])
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def _found(name: str, text: str, ordered: list[str]) -> list[str]:
    """The values the filter box's text finds: years (and UNDATED) by the beginning of a word, the others
    by any written form (search.facet_values.find)."""
    if name != "year":
        return find(name, text, ordered)
    typed = fold(text)
    return [v for v in ordered if any(word.startswith(typed) for word in fold(v).split())]


def _by_region(ordered: list[str], counts: Mapping[str, int], regions: Mapping[str, str | None]) -> list[str]:
    """Municipalities grouped under their regions: regions by their municipalities' documents, most first
    (ties by name), unplaced ones last; within a region the given order."""
    weight: dict[str | None, int] = {}
    for value, region in regions.items():
        weight[region] = weight.get(region, 0) + counts[value]
    rank = {region: n for n, region in enumerate(sorted(
        weight, key=lambda r: (r is None, -weight[r], fold(r or ""))))}
    position = {value: n for n, value in enumerate(ordered)}
    return sorted(ordered, key=lambda v: (rank[regions[v]], position[v]))
