"""A search request: its parameters, their limits, and their validation.

Everything a caller may ask is checked here, before any backend sees it: a
request that reaches an engine is valid, and a bad parameter is an
InvalidRequest naming it, in English and in Greek (a 400, never a 500).
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

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
# A group key is a document id (search/neardup.py); the longest id of the real sources is under 100.
MAX_GROUP_CHARS = 500


class InvalidRequest(ValueError):
    """A search parameter a person must correct; carries an English and a Greek message."""

    def __init__(self, parameter: str, message: str, message_el: str):
        super().__init__(f"{message} / {message_el}")
        self.parameter = parameter
        self.message = message
        self.message_el = message_el


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
    group: str | None = None  # list this near-duplicate group (search/neardup.py), uncollapsed

    @property
    def effective_sort(self) -> str:
        return self.sort or ("relevance" if self.q.strip() else "newest")

    def as_dict(self) -> dict[str, Any]:
        return {
            "q": self.q,
            "municipality": list(self.municipality),
            "official": list(self.official),
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            "sort": self.effective_sort,
            "page": self.page,
            "per_page": self.per_page,
            "group": self.group,
        }


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


def parse_request(params: Mapping[str, Sequence[str]]) -> SearchRequest:
    """Validate request parameters (each name mapped to its list of values)."""

    def first(name: str) -> str | None:
        values = [v for v in params.get(name, ()) if v.strip()]
        return _valid_text(values[0]) if values else None

    def many(name: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(_valid_text(v.strip()) for v in params.get(name, ()) if v.strip()))

    q = first("q") or ""
    if len(q) > MAX_QUERY_CHARS:
        raise InvalidRequest(
            "q",
            f"'q' is {len(q)} characters long; at most {MAX_QUERY_CHARS} are accepted. "
            "Keep the words that matter.",
            f"Το 'q' έχει {len(q)} χαρακτήρες· επιτρέπονται έως {MAX_QUERY_CHARS}. "
            "Κρατήστε τις λέξεις που έχουν σημασία.",
        )

    sort = first("sort")
    if sort is not None and sort not in SORTS:
        raise InvalidRequest(
            "sort",
            f"'sort' must be one of {', '.join(SORTS)}; got '{sort}'.",
            f"Το 'sort' πρέπει να είναι ένα από: {', '.join(SORTS)}· δόθηκε '{sort}'.",
        )
    date_from = _parse_date("from", v) if (v := first("from")) else None
    date_to = _parse_date("to", v) if (v := first("to")) else None
    if date_from and date_to and date_from > date_to:
        raise InvalidRequest(
            "from",
            f"'from' ({date_from}) is after 'to' ({date_to}).",
            f"Το 'from' ({date_from}) είναι μετά το 'to' ({date_to}).",
        )
    page = _parse_int("page", v, 1, MAX_RESULT_WINDOW) if (v := first("page")) else 1
    per_page = _parse_int("per_page", v, 1, MAX_PER_PAGE) if (v := first("per_page")) else DEFAULT_PER_PAGE
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
    group = first("group")
    if group is not None and len(group) > MAX_GROUP_CHARS:
        raise InvalidRequest(
            "group",
            f"'group' is a document id, at most {MAX_GROUP_CHARS} characters; got {len(group)}.",
            f"Το 'group' είναι αναγνωριστικό εγγράφου, έως {MAX_GROUP_CHARS} χαρακτήρες· δόθηκαν {len(group)}.",
        )
    return SearchRequest(
        q=q,
        municipality=many("municipality"),
        official=many("official"),
        date_from=date_from,
        date_to=date_to,
        sort=sort,
        page=page,
        per_page=per_page,
        group=group.strip() if group else None,
    )


def selected_year(request: SearchRequest) -> str | None:
    """The year whose facet value is selected: `from`/`to` are its January 1 and December 31."""
    start, end = request.date_from, request.date_to
    if start and end and start.year == end.year and (start.month, start.day, end.month, end.day) == (1, 1, 12, 31):
        return str(start.year)
    return None
