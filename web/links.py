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

from search.request import DEFAULT_PER_PAGE, SearchRequest, parse_request

# Pages shown around the current one; the first and last are always shown.
PAGE_WINDOW = 2


def parse_args(args: MultiDict[str, str]) -> SearchRequest:
    """Validate a query string (raises InvalidRequest with a message for a person)."""
    return parse_request({name: args.getlist(name) for name in args})


def to_params(search: SearchRequest) -> list[tuple[str, str]]:
    """The shortest query string that means `search` (defaults left out)."""
    params: list[tuple[str, str]] = []
    if search.q.strip():
        params.append(("q", search.q))
    params += [("municipality", value) for value in search.municipality]
    params += [("official", value) for value in search.official]
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
    if search.group:
        params.append(("group", search.group))
    return params


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


class SearchLinks:
    """URLs of the search page for `search` and for the searches one click away from it."""

    def __init__(self, search: SearchRequest):
        self.search = search

    def url(self, search: SearchRequest | None = None) -> str:
        return with_query_string("pages.search", to_params(search or self.search))

    def toggle(self, facet: str, value: str, selected: bool) -> str:
        """Add or remove one facet value; a year is the date range of that whole year."""
        if facet == "year":
            year = int(value)
            dates = (None, None) if selected else (dt.date(year, 1, 1), dt.date(year, 12, 31))
            return self.url(replace(self.search, date_from=dates[0], date_to=dates[1], page=1))
        current: tuple[str, ...] = getattr(self.search, facet)
        changed = tuple(v for v in current if v != value) if selected else (*current, value)
        return self.url(replace(self.search, page=1, **{facet: changed}))

    def active_filters(self) -> list[tuple[str, str]]:
        """(label, URL without it) for each filter in force, to show and remove."""
        chips = [(value, self.toggle("municipality", value, True)) for value in self.search.municipality]
        chips += [(value, self.toggle("official", value, True)) for value in self.search.official]
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

    def group(self, key: str) -> str:
        """The whole near-duplicate group `key`, every member, newest first: the «+N παρόμοιες» link.

        Only the group and the page size are kept: the words and filters of the search narrowed the
        results the link stands for, and the link promises the group itself.
        """
        return self.url(SearchRequest(group=key, per_page=self.search.per_page))

    def document(self, doc_id: str) -> str:
        """A document's page, carrying this search so its back link returns here."""
        return with_query_string("pages.document", to_params(self.search), doc_id=doc_id)
