"""A search request: its parameters, their limits, and their validation.

Everything a caller may ask is checked here, before any backend sees it: a
request that reaches an engine is valid, and a bad parameter is an
InvalidRequest naming it, in English and in Greek (a 400, never a 500).
"""
from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from .facet_values import UnknownValue, closest, resolve
from .gazetteer import Gazetteer

SORTS = ("relevance", "newest", "oldest")
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20
# Limits on what one request may ask (docs/api.md).  A query is a few words: 500
# characters hold a pasted title or sentence ten times over, and bound the work a
# single request can cause.
MAX_QUERY_CHARS = 500
# Words of a query that are searched (as Google does, 32); the rest are ignored.
# Each is a Whoosh clause, and thousands of them exhaust the recursion limit.
MAX_QUERY_WORDS = 32
# No result past the 10,000th is served (Elasticsearch's max_result_window): page x per_page <= 10,000.
MAX_RESULT_WINDOW = 10_000
# Values listed per facet: the 30 commonest (and any selected one beyond them).
FACET_SIZE = 30
# The request parameter (API and page) that searches exactly as typed: «Αναζήτηση μόνο για …».
AS_TYPED_PARAMETER = "as_typed"
# The facets a search answer counts and an all-values listing (/facets/<name>) pages through.
FACETS = ("municipality", "region", "official", "year")
# Filters whose values a person may type in any form (search.facet_values), normalized to the index's.
FORGIVING_FILTERS = ("municipality", "region", "official")
# The year facet's value for documents without a date (selected by `undated=1`): 123 of the
# 1,096 decisions ingested from ../shared/data have none.
UNDATED = "Χωρίς ημερομηνία"
# Values per page of an all-values listing: 50 fit a screen's scroll; at most 500, so that an API
# client can take all 332 municipalities in one answer.
DEFAULT_FACET_PAGE_SIZE = 50
MAX_FACET_PAGE_SIZE = 500
# A filter value or the filter box's text is a name: the longest municipality, «Δήμος Λουτρακίου-Περαχώρας-
# Αγίων Θεοδώρων», is 47 characters.  200 hold any name, and bound the work of reading one typed word as
# Greeklish (one recursion level per letter: 3,000 letters exhausted Python's stack).
MAX_FILTER_CHARS = 200
# Values of one filter parameter: more than a person selects (a whole region is one `region` value).  A value
# not written as the index writes it is matched against every known value (~1 ms per 100 people).
MAX_FILTER_VALUES = 50
# Greek labels of the forgiving filters, for the messages that name their closest values.
_FILTER_LABELS_EL = {"municipality": "δήμος", "region": "περιφέρεια", "official": "πρόσωπο"}
# `facet_size` may ask for up to 100 values a facet: a facet answer stays a few KiB (100 names of ~30
# characters), and the long tail of a facet is a page of its own, not part of every search.
MAX_FACET_SIZE = 100
# Every parameter a search URL may carry: any other name is a 400 that lists these, so a typo
# («municipalty») is never a silently unfiltered search.  One name a line: a feature adds its own.
PARAMETERS = frozenset({
    "q",
    "municipality",
    "official",
    "from",
    "to",
    "sort",
    "page",
    "per_page",
    "facet_size",
    "region",
    "undated",
    AS_TYPED_PARAMETER,
    "group",
})
# A group key is a document id (search/neardup.py); the longest id of the real sources is under 100.
MAX_GROUP_CHARS = 500


class InvalidRequest(ValueError):
    """A search parameter a person must correct; carries an English and a Greek message."""

    def __init__(self, parameter: str, message: str, message_el: str, suggestions: Sequence[str] = ()):
        super().__init__(f"{message} / {message_el}")
        self.parameter = parameter
        self.message = message
        self.message_el = message_el
        self.suggestions = tuple(suggestions)  # values that could be meant (a filter value matching none)


@dataclass(frozen=True)
class SearchRequest:
    q: str = ""
    municipality: tuple[str, ...] = ()
    official: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sort: str | None = None
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    region: tuple[str, ...] = ()
    undated: bool = False  # only documents without a date (the year facet's UNDATED value)
    facet_size: int = FACET_SIZE
    as_typed: bool = False  # «Αναζήτηση μόνο για …»: no word corrected or read as Greeklish (search.corrections)
    group: str | None = None  # list this near-duplicate group (search/neardup.py), uncollapsed

    @property
    def effective_sort(self) -> str:
        return self.sort or ("relevance" if self.q.strip() else "newest")


_SURROGATE = re.compile("[\ud800-\udfff]")


def _valid_text(value: str) -> str:
    """The value with each lone surrogate (not Unicode text: e.g. a command-line byte that was
    not UTF-8) as U+FFFD, so that every answer can be written as UTF-8."""
    return _SURROGATE.sub("\ufffd", value)


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# The page's date fields are text inputs in the Greek order (ηη/μμ/εεεε, whatever the browser's
# locale); a day and month of one or two digits, separated by / . or -, as Greeks write them.
_GREEK_DATE = re.compile(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})")
_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")


def _parse_date(name: str, value: str) -> dt.date:
    """An ISO date (2021-01-10, the API's form) or a Greek one (10/01/2021, the page's form)."""
    text = value.strip()
    try:
        if _ISO_DATE.fullmatch(text):
            return dt.date.fromisoformat(text)
        if greek := _GREEK_DATE.fullmatch(text):
            day, month, year = (int(part) for part in greek.groups())
            return dt.date(year, month, day)
        raise ValueError(value)
    except ValueError:
        raise InvalidRequest(
            name,
            f"'{name}' must be a date as DD/MM/YYYY or YYYY-MM-DD, e.g. 10/01/2021 or 2021-01-10; got '{value}'.",
            f"Το '{name}' πρέπει να είναι ημερομηνία της μορφής ΗΗ/ΜΜ/ΕΕΕΕ, π.χ. 10/01/2021· δόθηκε '{value}'.",
        ) from None


def _parse_int(name: str, value: str, low: int, high: int) -> int:
    number = int(value.strip()) if _WHOLE_NUMBER.fullmatch(value.strip()) else None
    if number is None or not low <= number <= high:
        raise InvalidRequest(
            name,
            f"'{name}' must be a whole number from {low} to {high}; got '{value}'.",
            f"Το '{name}' πρέπει να είναι ακέραιος από {low} έως {high}· δόθηκε '{value}'.",
        )
    return number


# The values of a yes/no parameter (as_typed): what a link writes (1) and what a person or a script may.
_YES, _NO = ("1", "true", "yes"), ("0", "false", "no")


def _parse_flag(name: str, value: str) -> bool:
    text = value.strip().lower()
    if text not in _YES + _NO:
        raise InvalidRequest(
            name,
            f"'{name}' must be 1 or 0 (or true/false); got '{value}'.",
            f"Το '{name}' πρέπει να είναι 1 ή 0 (ή true/false)· δόθηκε '{value}'.",
        )
    return text in _YES


def check_parameter_names(names: Iterable[str], known: Iterable[str] = PARAMETERS) -> None:
    """An InvalidRequest naming the first unknown parameter, the known ones, and the closest of them."""
    known = sorted(known)
    for name in sorted(set(names) - set(known)):
        close = difflib.get_close_matches(name, known, n=1)
        hint, hint_el = (f" Did you mean '{close[0]}'?", f" Μήπως εννοείτε '{close[0]}';") if close else ("", "")
        raise InvalidRequest(
            name,
            f"Unknown parameter '{name}'; the known ones are {', '.join(known)}.{hint}",
            f"Άγνωστη παράμετρος '{name}'· οι γνωστές είναι {', '.join(known)}.{hint_el}",
        )


class _Parameters:
    """A request's parameters as the API reads them: blank values ignored, the first value of a single
    one, every distinct value of a repeated one, each typed parameter parsed or refused by name."""

    def __init__(self, params: Mapping[str, Sequence[str]]):
        self._params = params

    def first(self, name: str) -> str | None:
        values = [v for v in self._params.get(name, ()) if v.strip()]
        return _valid_text(values[0]) if values else None

    def many(self, name: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(_valid_text(v.strip()) for v in self._params.get(name, ()) if v.strip()))

    def date(self, name: str) -> dt.date | None:
        return _parse_date(name, value) if (value := self.first(name)) else None

    def flag(self, name: str) -> bool:
        return _parse_flag(name, value) if (value := self.first(name)) else False

    def integer(self, name: str, low: int, high: int, default: int) -> int:
        return _parse_int(name, value, low, high) if (value := self.first(name)) else default


def parse_request(params: Mapping[str, Sequence[str]]) -> SearchRequest:
    """Validate request parameters (each name mapped to its list of values); a name outside PARAMETERS is an error.

    Checked in a fixed order (the query, the sort, the dates, the page, the filters, the group), so a
    request with several faults is always refused for the same one."""
    check_parameter_names(params)
    read = _Parameters(params)
    q = _query(read)
    sort = _sort(read)
    date_from, date_to, undated = _dates(read)
    page, per_page = _page(read)
    facet_size = read.integer("facet_size", 0, MAX_FACET_SIZE, FACET_SIZE)
    _check_window(page, per_page)
    for name in FORGIVING_FILTERS:
        _check_filter_values(name, read.many(name))
    group = _group(read)
    return SearchRequest(
        q=q,
        municipality=read.many("municipality"),
        official=read.many("official"),
        date_from=date_from,
        date_to=date_to,
        sort=sort,
        page=page,
        per_page=per_page,
        region=read.many("region"),
        undated=undated,
        facet_size=facet_size,
        as_typed=read.flag(AS_TYPED_PARAMETER),
        group=group,
    )


def _query(read: _Parameters) -> str:
    q = read.first("q") or ""
    if len(q) > MAX_QUERY_CHARS:
        raise InvalidRequest(
            "q",
            f"'q' is {len(q)} characters long; at most {MAX_QUERY_CHARS} are accepted. "
            "Keep the words that matter.",
            f"Το 'q' έχει {len(q)} χαρακτήρες· επιτρέπονται έως {MAX_QUERY_CHARS}. "
            "Κρατήστε τις λέξεις που έχουν σημασία.",
        )
    return q


def _sort(read: _Parameters) -> str | None:
    sort = read.first("sort")
    if sort is not None and sort not in SORTS:
        raise InvalidRequest(
            "sort",
            f"'sort' must be one of {', '.join(SORTS)}; got '{sort}'.",
            f"Το 'sort' πρέπει να είναι ένα από: {', '.join(SORTS)}· δόθηκε '{sort}'.",
        )
    return sort


def _dates(read: _Parameters) -> tuple[dt.date | None, dt.date | None, bool]:
    """`from`, `to` and `undated`: a range in order, or documents without a date, not both."""
    date_from, date_to = read.date("from"), read.date("to")
    if date_from and date_to and date_from > date_to:
        raise InvalidRequest(
            "from",
            f"'from' ({date_from}) is after 'to' ({date_to}).",
            f"Το 'from' ({date_from}) είναι μετά το 'to' ({date_to}).",
        )
    undated = read.flag("undated")
    if undated and (date_from or date_to):
        raise InvalidRequest(
            "undated",
            "'undated' asks for documents without a date; it cannot be combined with 'from' or 'to'.",
            "Το 'undated' ζητά έγγραφα χωρίς ημερομηνία· δεν συνδυάζεται με 'from' ή 'to'.",
        )
    return date_from, date_to, undated


def _page(read: _Parameters) -> tuple[int, int]:
    return (read.integer("page", 1, MAX_RESULT_WINDOW, 1),
            read.integer("per_page", 1, MAX_PER_PAGE, DEFAULT_PER_PAGE))


def _check_window(page: int, per_page: int) -> None:
    """Refuse a page past the deepest result served (MAX_RESULT_WINDOW), naming the deepest page there is."""
    if page * per_page > MAX_RESULT_WINDOW:
        deepest = MAX_RESULT_WINDOW // per_page
        window_el = f"{MAX_RESULT_WINDOW:,}".replace(",", ".")
        raise InvalidRequest(
            "page",
            f"Page {page} of {per_page} results reaches past result {MAX_RESULT_WINDOW:,}, the deepest served; "
            f"ask for page {deepest} at most, or narrow the search with more words or filters.",
            f"Η σελίδα {page} των {per_page} αποτελεσμάτων φτάνει πέρα από το αποτέλεσμα {window_el}, "
            f"το βαθύτερο που δίνεται· ζητήστε έως τη σελίδα {deepest} "
            "ή περιορίστε την αναζήτηση με περισσότερες λέξεις ή φίλτρα.",
        )


def _group(read: _Parameters) -> str | None:
    group = read.first("group")
    if group is not None and len(group) > MAX_GROUP_CHARS:
        raise InvalidRequest(
            "group",
            f"'group' is a document id, at most {MAX_GROUP_CHARS} characters; got {len(group)}.",
            f"Το 'group' είναι αναγνωριστικό εγγράφου, έως {MAX_GROUP_CHARS} χαρακτήρες· δόθηκαν {len(group)}.",
        )
    return group.strip() if group else None


def _check_filter_values(name: str, values: tuple[str, ...]) -> None:
    if len(values) > MAX_FILTER_VALUES:
        raise InvalidRequest(
            name, f"{len(values)} values of '{name}'; at most {MAX_FILTER_VALUES} are accepted.",
            f"{len(values)} τιμές του '{name}'· επιτρέπονται έως {MAX_FILTER_VALUES}.")
    longest = max(values, key=len, default="")
    if len(longest) > MAX_FILTER_CHARS:
        raise InvalidRequest(
            name, f"A value of '{name}' is {len(longest)} characters long; at most {MAX_FILTER_CHARS} are accepted.",
            f"Μια τιμή του '{name}' έχει {len(longest)} χαρακτήρες· επιτρέπονται έως {MAX_FILTER_CHARS}.")


def selected_year(request: SearchRequest) -> str | None:
    """The year whose facet value is selected: `from`/`to` are its January 1 and December 31."""
    start, end = request.date_from, request.date_to
    if start and end and start.year == end.year and (start.month, start.day, end.month, end.day) == (1, 1, 12, 31):
        return str(start.year)
    return None


# The unknown-value message's subject, per forgiving filter: «Κανένας δήμος δεν αντιστοιχεί στο …».
_NO_VALUE_EL = {"municipality": "Κανένας δήμος", "region": "Καμία περιφέρεια", "official": "Κανένα πρόσωπο"}


def resolve_filters(request: SearchRequest, known: Callable[[str], Sequence[str]]) -> SearchRequest:
    """The request with each municipality, region and official value as the index's canonical value.

    `known(field)` gives the values the index holds.  A value may be typed in any
    form search.facet_values reads («ΔΗΜΟΣ ΡΟΔΟΥ», «Ρόδου», «rodos» -> «Δήμος
    Ρόδου»).  A municipality or region of the gazetteer is a valid filter even when
    no document of this index names it: its answer is empty, as an honest count,
    not an error.  A value naming nothing (or several values equally) is an
    InvalidRequest that names the closest values of the index.
    """
    changes = {}
    for field in FORGIVING_FILTERS:
        values: tuple[str, ...] = getattr(request, field)
        if values:
            held = known(field)
            changes[field] = tuple(dict.fromkeys(_canonical(field, value, held) for value in values))
    return replace(request, **changes) if changes else request


def _canonical(field: str, value: str, held: Sequence[str]) -> str:
    if value in held:  # a canonical value, as the page's own links send: 0.4 ms a value less than the lists below
        return value
    gazetteer = Gazetteer.default()
    valid = {"municipality": [m.name for m in gazetteer.municipalities()], "region": gazetteer.regions()}
    try:
        return resolve(field, value, [*held, *valid.get(field, ())])
    except UnknownValue as error:
        offered = error.closest if error.ambiguous else (closest(value, held) or error.closest)
        raise _unknown_value(field, value, offered, error.ambiguous) from None


def _unknown_value(field: str, value: str, offered: Sequence[str], ambiguous: bool) -> InvalidRequest:
    listed, listed_el = ", ".join(offered), ", ".join(f"«{v}»" for v in offered)
    if ambiguous:
        return InvalidRequest(
            field, f"'{field}' '{value}' matches several values: {listed}; choose one.",
            f"Το «{value}» ταιριάζει σε περισσότερες από μία τιμές: {listed_el}· διαλέξτε μία.", offered)
    hint = f" Closest: {listed}." if offered else ""
    hint_el = f" Μήπως εννοείτε: {listed_el};" if offered else ""
    return InvalidRequest(
        field, f"No {field} value matches '{value}'.{hint}",
        f"{_NO_VALUE_EL[field]} δεν αντιστοιχεί στο «{value}».{hint_el}", offered)


@dataclass(frozen=True)
class FacetListingRequest:
    """All values of one facet over a search's documents: which page of them, found by what typed text.

    The search's own `page` is the results' page and plays no part; `page` here
    pages the values.
    """

    facet: str
    search: SearchRequest
    filter: str = ""  # the filter box: a value in any form, or its beginning («rod» for «Δήμος Ρόδου»)
    page: int = 1
    size: int = DEFAULT_FACET_PAGE_SIZE


# A listing's own parameters, beside the search's: `page` there pages the values, not the results.
LISTING_PARAMETERS = frozenset({"filter", "page", "size"})


def parse_facet_listing(facet: str, params: Mapping[str, Sequence[str]]) -> FacetListingRequest:
    """Validate an all-values listing: the facet, the search it counts over, the filter text and the page."""
    if facet not in FACETS:
        raise InvalidRequest("facet", f"Unknown facet '{facet}'; one of {', '.join(FACETS)}.",
                             f"Άγνωστο φίλτρο '{facet}'· ένα από: {', '.join(FACETS)}.")
    check_parameter_names(params, PARAMETERS | LISTING_PARAMETERS)
    search = parse_request({name: values for name, values in params.items() if name not in LISTING_PARAMETERS})
    typed = next((v.strip() for v in params.get("filter", ()) if v.strip()), "")
    if len(typed) > MAX_FILTER_CHARS:
        raise InvalidRequest(
            "filter", f"'filter' is {len(typed)} characters long; at most {MAX_FILTER_CHARS} are accepted.",
            f"Το 'filter' έχει {len(typed)} χαρακτήρες· επιτρέπονται έως {MAX_FILTER_CHARS}.")
    read = _Parameters(params)
    page = read.integer("page", 1, MAX_RESULT_WINDOW, 1)
    size = read.integer("size", 1, MAX_FACET_PAGE_SIZE, DEFAULT_FACET_PAGE_SIZE)
    return FacetListingRequest(facet=facet, search=search, filter=_valid_text(typed), page=page, size=size)
