"""One search state for every rendering: the query string <-> SearchRequest, and each link one change away.

Views, templates and the API all go through here, so a toggle, a page link and
the JSON twin of a page can never disagree about what a parameter means.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
from urllib.parse import urlencode

from flask import request, url_for
from werkzeug.datastructures import MultiDict

from search.answers import SearchAnswer
from search.entities import entity_slug
from search.request import (AS_TYPED_PARAMETER, DEFAULT_FACET_PAGE_SIZE, DEFAULT_PER_PAGE, FACET_SIZE, UNDATED,
                            FacetListingRequest, SearchRequest, parse_facet_listing, parse_request, resolve_filters)

from .state import get_engine

# Pages shown around the current one; the first and last are always shown.
PAGE_WINDOW = 2


def parse_args(args: MultiDict[str, str]) -> SearchRequest:
    """Validate a query string (raises InvalidRequest with a message for a person); municipality, region and
    official values typed in any form become the live index's canonical ones (search.request.resolve_filters)."""
    return _resolved(parse_request({name: args.getlist(name) for name in args}))


def parse_listing(facet: str, args: MultiDict[str, str]) -> FacetListingRequest:
    """Validate the query string of a facet's all-values listing, its search's filters resolved as parse_args does."""
    listing = parse_facet_listing(facet, {name: args.getlist(name) for name in args})
    return replace(listing, search=_resolved(listing.search))


def _resolved(search: SearchRequest) -> SearchRequest:
    if not (search.municipality or search.region or search.official):
        return search  # no filter value to resolve: no need of the index (a bad parameter is a 400 without it)
    return resolve_filters(search, get_engine().known_values)


def to_params(search: SearchRequest) -> list[tuple[str, str]]:
    """The shortest query string that means `search` (defaults left out)."""
    params: list[tuple[str, str]] = []
    if search.q.strip():
        params.append(("q", search.q))
    params += [("municipality", value) for value in search.municipality]
    params += [("official", value) for value in search.official]
    params += [("region", value) for value in search.region]
    if search.undated:
        params.append(("undated", "1"))
    if search.date_from:
        params.append(("from", search.date_from.isoformat()))
    if search.date_to:
        params.append(("to", search.date_to.isoformat()))
    if search.sort:
        params.append(("sort", search.sort))
    if search.page != 1:
        params.append(("page", str(search.page)))
    if search.per_page != DEFAULT_PER_PAGE:
        params.append(("per_page", str(search.per_page)))
    if search.facet_size != FACET_SIZE:
        params.append(("facet_size", str(search.facet_size)))
    if search.as_typed:
        params.append((AS_TYPED_PARAMETER, "1"))
    if search.group:
        params.append(("group", search.group))
    return params


def as_typed(search: SearchRequest) -> SearchRequest:
    """The same search exactly as typed («Αναζήτηση μόνο για …»), from its first page: its results differ."""
    return replace(search, as_typed=True, page=1)


def with_as_typed_url(answer: SearchAnswer, search: SearchRequest) -> SearchAnswer:
    """The API answer with its applied correction's `as_typed_url` (the core builds no URLs)."""
    if answer.correction is None or not answer.correction.applied:
        return answer
    url = with_query_string("api.search", to_params(as_typed(search)))
    return answer.model_copy(update={"correction": answer.correction.model_copy(update={"as_typed_url": url})})


def with_query_string(endpoint: str, params: list[tuple[str, str]], **values: str) -> str:
    query = urlencode(params)
    return url_for(endpoint, **values) + (f"?{query}" if query else "")


def json_twin() -> str:
    """The API URL answering the current page's exact query string (valid or not)."""
    query = request.query_string.decode("utf-8", "replace")
    return url_for("api.search") + (f"?{query}" if query else "")


def greek_date(day: dt.date | str) -> str:
    """10 Ιανουαρίου 2021, from a date or its ISO text."""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    return f"{day.day} {MONTHS_GENITIVE[day.month - 1]} {day.year}"


MONTHS_GENITIVE = ("Ιανουαρίου", "Φεβρουαρίου", "Μαρτίου", "Απριλίου", "Μαΐου", "Ιουνίου", "Ιουλίου",
                   "Αυγούστου", "Σεπτεμβρίου", "Οκτωβρίου", "Νοεμβρίου", "Δεκεμβρίου")


def official_url(name: str) -> str:
    return url_for("entities.official_page", slug=entity_slug(name))


def municipality_url(name: str) -> str:
    return url_for("entities.municipality_page", slug=entity_slug(name))


def entity_url(facet: str, value: str) -> str | None:
    """The page of a facet value that is an entity (a municipality, a person); None for a year."""
    return {"municipality": municipality_url, "official": official_url}.get(facet, lambda _: None)(value)


class SearchLinks:
    """URLs of the search page for `search` and for the searches one click away from it."""

    def __init__(self, search: SearchRequest):
        self.search = search

    def url(self, search: SearchRequest | None = None) -> str:
        return with_query_string("pages.search", to_params(search or self.search))

    def toggle(self, facet: str, value: str, selected: bool) -> str:
        """Add or remove one facet value; a year is the date range of that whole year, UNDATED `undated`."""
        if facet == "year" and value == UNDATED:
            return self.url(replace(self.search, undated=not selected, date_from=None, date_to=None, page=1))
        if facet == "year":
            year = int(value)
            dates = (None, None) if selected else (dt.date(year, 1, 1), dt.date(year, 12, 31))
            return self.url(replace(self.search, date_from=dates[0], date_to=dates[1], undated=False, page=1))
        current: tuple[str, ...] = getattr(self.search, facet)
        changed = tuple(v for v in current if v != value) if selected else (*current, value)
        return self.url(replace(self.search, page=1, **{facet: changed}))

    def active_filters(self) -> list[tuple[str, str]]:
        """(label, URL without it) for each filter in force, to show and remove."""
        chips = [(value, self.toggle("municipality", value, True)) for value in self.search.municipality]
        chips += [(value, self.toggle("official", value, True)) for value in self.search.official]
        chips += [(value, self.toggle("region", value, True)) for value in self.search.region]
        if self.search.undated:
            chips.append((UNDATED, self.toggle("year", UNDATED, True)))
        if self.search.date_from or self.search.date_to:
            label = " ".join(part for part in (
                f"από {greek_date(self.search.date_from)}" if self.search.date_from else "",
                f"έως {greek_date(self.search.date_to)}" if self.search.date_to else "",
            ) if part)
            chips.append((label, self.url(replace(self.search, date_from=None, date_to=None, page=1))))
        if self.search.group:
            chips.append(("Παρόμοιες ανακοινώσεις", self.url(replace(self.search, group=None, page=1))))
        return chips

    def without_filters(self) -> str:
        return self.url(SearchRequest(q=self.search.q, sort=self.search.sort, per_page=self.search.per_page))

    def with_query(self, q: str) -> str:
        return self.url(replace(self.search, q=q, page=1))

    def as_typed(self) -> str:
        """This search exactly as typed: the «Αναζήτηση μόνο για …» link under an applied correction."""
        return self.url(as_typed(self.search))

    def page(self, number: int) -> str:
        return self.url(replace(self.search, page=number))

    def pages(self, last: int) -> list[int | None]:
        """Page numbers to link, None where a run of them is left out."""
        current = self.search.page
        shown = sorted({1, last, *range(max(1, current - PAGE_WINDOW), min(last, current + PAGE_WINDOW) + 1)})
        numbers: list[int | None] = []
        for number in shown:
            if numbers and number - numbers[-1] > 1:
                numbers.append(None)
            numbers.append(number)
        return numbers

    def feed(self) -> str:
        """The Atom feed of this search: the same filters and words, newest first, no page."""
        return with_query_string("feeds.search_feed", to_params(replace(self.search, sort=None, page=1,
                                                                        per_page=DEFAULT_PER_PAGE)))

    def export(self, file_format: str) -> str:
        """Every result of this search (up to the result window) as a CSV or JSON file, in the page's order."""
        return with_query_string("export.search_export",
                                 to_params(replace(self.search, page=1, per_page=DEFAULT_PER_PAGE)),
                                 file_format=file_format)

    def all_values(self, facet: str) -> str:
        """The facet's all-values listing over this search (its results' page left behind)."""
        return with_query_string("facets.facet_page", to_params(replace(self.search, page=1)), facet=facet)

    def group(self, key: str) -> str:
        """The whole near-duplicate group `key`, every member, newest first: the «+N παρόμοιες» link.

        Only the group and the page size are kept: the words and filters of the search narrowed the
        results the link stands for, and the link promises the group itself.
        """
        return self.url(SearchRequest(group=key, per_page=self.search.per_page))

    def document(self, doc_id: str) -> str:
        """A document's page, carrying this search so its back link returns here."""
        return with_query_string("pages.document", to_params(self.search), doc_id=doc_id)


class ListingLinks:
    """URLs of a facet's all-values listing: its pages, its values' searches, its JSON twin."""

    def __init__(self, listing: FacetListingRequest):
        self.listing = listing
        self.search = SearchLinks(listing.search)

    def params(self, page: int = 1) -> list[tuple[str, str]]:
        """The listing's query string for `page`: the search's, then the filter text, page and size."""
        listing = self.listing
        params = to_params(replace(listing.search, page=1))
        if listing.filter:
            params.append(("filter", listing.filter))
        if page != 1:
            params.append(("page", str(page)))
        if listing.size != DEFAULT_FACET_PAGE_SIZE:
            params.append(("size", str(listing.size)))
        return params

    def form_params(self) -> list[tuple[str, str]]:
        """What the filter box's form sends besides the typed text: the search, and the page size."""
        return [(name, value) for name, value in self.params() if name != "filter"]

    def page(self, number: int) -> str:
        return with_query_string("facets.facet_page", self.params(number), facet=self.listing.facet)

    def json(self) -> str:
        return with_query_string("facets.facet_listing", self.params(self.listing.page), facet=self.listing.facet)

    def value(self, value: str, selected: bool) -> str:
        """The search with this value added (or, when selected, removed): following it filters the results."""
        return self.search.toggle(self.listing.facet, value, selected)

    def unfiltered(self) -> str:
        """The listing without its filter text."""
        return self.search.all_values(self.listing.facet)
