"""From what a citizen types to ranked, faceted, highlighted results.

The query language needs no manual: words (all must match), "exact phrases",
-word to exclude, OR between alternatives, prefix*.  Any input is accepted:
whatever does not parse as an operator is searched as plain words.
"""
from __future__ import annotations

import datetime as dt
import heapq
import html
import math
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import chain, islice
from dataclasses import dataclass, field
from typing import Any

from whoosh import query as wq
from whoosh.index import Index
from whoosh.matching import ListMatcher, Matcher, NullMatcher
from whoosh.query.compound import PreloadedOr
from whoosh.searching import Results, Searcher
from whoosh.sorting import FieldFacet, MultiFacet

from . import analysis
from .analysis import Word
from .documents import Document
from .greeklish import Expansion, GreekVocabulary, expand, final_sigma
from .index import from_stored

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
# A prefix* stands for at most this many of its commonest completions in the index
# (Elasticsearch's max_expansions is 50): "αρ*" has hundreds, and ORing them all
# took seconds on 7,658 real documents.
MAX_PREFIX_TERMS = 50
# No result past the 10,000th is served (Elasticsearch's max_result_window): page x per_page <= 10,000.
MAX_RESULT_WINDOW = 10_000
FACET_SIZE = 30
SNIPPET_CHARS = 240
# A word typed in its exact (folded) form earns a little more than its stem alone.
EXACT_FORM_BOOST = 0.5
# Query words read as Greeklish or corrected, per query.
MAX_EXPANDED_WORDS = 8
MIN_PREFIX_CHARS = 2
FACET_FIELDS = {"municipality": "municipality", "official": "official"}


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
    return SearchRequest(
        q=q,
        municipality=many("municipality"),
        official=many("official"),
        date_from=date_from,
        date_to=date_to,
        sort=sort,
        page=page,
        per_page=per_page,
    )


# --- the query language -------------------------------------------------------

@dataclass
class Clause:
    """One operand of the query: words that must all match, or an exact phrase."""

    words: list[Word]
    phrase: bool = False
    prefix: bool = False  # the last word is a prefix
    negated: bool = False
    alternatives: list["Clause"] = field(default_factory=list)  # joined by OR


_TOKEN_RE = re.compile(r'(?P<neg>-?)"(?P<phrase>[^"]*)"|(?P<chunk>[^\s"]+)|"')


def parse_query(text: str) -> list[Clause]:
    """Split a typed query into clauses.  Never raises: stray syntax becomes words.

    Only the first MAX_QUERY_WORDS words are read, so any text parses in time
    proportional to that, not to its length.
    """
    clauses: list[Clause] = []
    join_next = False
    budget = MAX_QUERY_WORDS
    for match in _TOKEN_RE.finditer(text):
        if budget <= 0:
            break
        if match.group("phrase") is not None:
            words = list(islice(analysis.words(match.group("phrase")), budget))
            clause = Clause(words, phrase=len(words) > 1, negated=bool(match.group("neg")))
        elif match.group("chunk") is not None:
            chunk = match.group("chunk")
            if chunk in ("OR", "|"):
                join_next = bool(clauses)
                continue
            negated = chunk.startswith("-") and len(chunk) > 1
            words = list(islice(analysis.words(chunk), budget + 1))
            # A chunk cut short by the budget does not end in its prefix word.
            prefix = (chunk.endswith("*") and 0 < len(words) <= budget
                      and len(words[-1].folded) >= MIN_PREFIX_CHARS)
            words = words[:budget]
            clause = Clause(words, prefix=prefix, negated=negated)
        else:
            continue
        budget -= len(clause.words)
        if not clause.words or not (clause.phrase or clause.prefix or any(w.term for w in clause.words)):
            continue
        if join_next and not clause.negated and not clauses[-1].negated:
            clauses[-1].alternatives.append(clause)
        else:
            clauses.append(clause)
        join_next = False
    return clauses


# Query word (folded) -> the index words it stands for: Greeklish readings of a
# Latin word, corrections of a misspelled Greek one (search.greeklish.expand).
Expansions = Mapping[str, Expansion]


class Union(wq.Or):
    """Whoosh's Or, adding up its parts' scores in arrays whatever the size of the index.

    Whoosh does so up to 5,000 documents only, and above that builds a binary tree
    of union matchers, several times slower in Python: 32 common words ORed took
    4.1 s instead of 1.7 s on 7,658 real documents.  Where a caller needs each
    document's current sub-match, Whoosh's own choice stands.
    """

    def _matcher(self, subs, searcher, context):
        if context is None or context.needs_current or self.scale:
            return super()._matcher(subs, searcher, context)
        return PreloadedOr(subs, boost=self.boost).matcher(searcher, context)


class CommonPrefix(wq.Prefix):
    """prefix*: documents with any of its MAX_PREFIX_TERMS commonest completions, at one score.

    A longer prefix ("αντιδημ*") rarely has more than a few dozen completions;
    the rare ones a two-letter prefix drops would not change its answer much.
    The documents are gathered once into a sorted list, as Lucene's
    constant-score rewrite does: Whoosh's own tree of union matchers took 2 to
    12 s for "αρ*" on 7,658 real documents.
    """

    # (reader, its sorted documents): a search asks to count, to size and to rank.
    _found: tuple[Any, list[int]] | None = None

    def _btexts(self, ixreader):
        completions = ixreader.iter_prefix(self.fieldname, self.text)
        return [text for text, _ in heapq.nlargest(MAX_PREFIX_TERMS, completions,
                                                   key=lambda item: item[1].doc_frequency())]

    def _docs(self, reader) -> list[int]:
        if self._found is None or self._found[0] is not reader:
            docs: set[int] = set()
            for text in self._btexts(reader):
                docs.update(reader.postings(self.fieldname, text).all_ids())
            self._found = (reader, sorted(docs))
        return self._found[1]

    def estimate_size(self, ixreader) -> int:
        return len(self._docs(ixreader))

    estimate_min_size = estimate_size

    def matcher(self, searcher: Searcher, context=None) -> Matcher:
        docs = self._docs(searcher.reader())
        return ListMatcher(docs, all_weights=self.boost) if docs else NullMatcher()


def _form_query(folded: str, term: str | None, boost: float = 1.0) -> wq.Query:
    if term is None:
        return wq.Term("exact", folded, boost=boost)
    return Union([
        wq.Term("title", term, boost=boost),
        wq.Term("body", term, boost=boost),
        wq.Term("exact", folded, boost=boost * EXACT_FORM_BOOST),
    ])


def _word_query(word: Word, expansions: Expansions | None = None) -> wq.Query:
    own = _form_query(word.folded, word.term)
    expansion = expansions.get(word.folded) if expansions else None
    if expansion is None:
        return own
    # Alternatives that share a stem are one term: keep the highest weight.
    stems: dict[str | None, tuple[str, float]] = {}
    for folded, weight in expansion.alternatives:
        term = None if folded in analysis.GREEK_STOPWORDS else analysis.stem(folded)
        if term is not None and term == word.term:
            continue  # the typed word's own stem already matches these, at full weight
        if term not in stems or weight > stems[term][1]:
            stems[term] = (folded, weight)
    return Union([own, *(_form_query(folded, term, weight) for term, (folded, weight) in stems.items())])


def _clause_query(clause: Clause, expansions: Expansions | None = None) -> wq.Query:
    if clause.phrase:
        own: wq.Query = wq.Phrase("exact", [w.folded for w in clause.words])
    else:
        parts = [_word_query(w, expansions) for w in clause.words[:-1] if w.term]
        last = clause.words[-1]
        if clause.prefix:
            parts.append(CommonPrefix("exact", last.folded))
        elif last.term or len(clause.words) == 1:
            parts.append(_word_query(last, expansions))
        own = parts[0] if len(parts) == 1 else wq.And(parts)
    if not clause.alternatives:
        return own
    return Union([own, *(_clause_query(alt, expansions) for alt in clause.alternatives)])


def build_query(clauses: Sequence[Clause], expansions: Expansions | None = None) -> wq.Query:
    positive = [_clause_query(c, expansions) for c in clauses if not c.negated]
    negative = [_clause_query(c, expansions) for c in clauses if c.negated]
    matched: wq.Query = wq.And(positive) if positive else wq.Every()
    if negative:
        matched = wq.AndNot(matched, Union(negative))
    return matched


def _highlighter(clauses: Sequence[Clause], expansions: Expansions | None = None) -> Callable[[Word], bool]:
    """Which words of a text the query matched, whatever form the query used."""
    stems: set[str] = set()
    exact: set[str] = set()
    for expansion in (expansions or {}).values():
        for folded in expansion.words:
            if folded in analysis.GREEK_STOPWORDS:
                exact.add(folded)
            else:
                stems.add(analysis.stem(folded))
    prefixes: list[str] = []
    pending = [c for c in clauses if not c.negated]
    while pending:
        clause = pending.pop()
        pending.extend(clause.alternatives)
        for i, word in enumerate(clause.words):
            if clause.prefix and i == len(clause.words) - 1:
                prefixes.append(word.folded)
            elif clause.phrase or word.term is None:
                exact.add(word.folded)
            else:
                stems.add(word.term)
    prefix_tuple = tuple(prefixes)

    def matches(word: Word) -> bool:
        return word.term in stems or word.folded in exact or (bool(prefix_tuple) and word.folded.startswith(prefix_tuple))

    return matches


def snippet(text: str, matches: Callable[[Word], bool], width: int = SNIPPET_CHARS) -> str:
    """An HTML-escaped excerpt around the run of text that matches most query terms, each in <mark>."""
    all_words = list(analysis.words(text))
    hits = [w for w in all_words if matches(w)]
    if not hits:
        cut = text[:width]
        return html.escape(cut) + ("…" if len(text) > width else "")
    # Slide a window of `width` characters over the hits; keep the one with most distinct terms.
    best, best_count = hits[0], 0
    in_window: Counter[str] = Counter()
    last = 0
    for first, hit in enumerate(hits):
        while last < len(hits) and hits[last].end <= hit.start + width:
            in_window[hits[last].term or hits[last].folded] += 1
            last += 1
        if len(in_window) > best_count:
            best, best_count = hit, len(in_window)
        key = hit.term or hit.folded
        in_window[key] -= 1
        if not in_window[key]:
            del in_window[key]
    # Start a few words before the first hit, on a word boundary.
    start = next(w.start for w in all_words if w.start >= best.start - width // 4)
    end = max((w.end for w in all_words if w.end <= start + width), default=best.end)
    out, cursor = [], start
    for hit in hits:
        if start <= hit.start and hit.end <= end:
            out.append(html.escape(text[cursor:hit.start]))
            out.append(f"<mark>{html.escape(text[hit.start:hit.end])}</mark>")
            cursor = hit.end
    out.append(html.escape(text[cursor:end]))
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text.rstrip()) else ""
    return prefix + " ".join("".join(out).split()) + suffix


# --- the engine ----------------------------------------------------------------

def _date_filter(request: SearchRequest) -> wq.Query | None:
    if not (request.date_from or request.date_to):
        return None
    return wq.TermRange(
        "date",
        request.date_from.isoformat() if request.date_from else "0000",
        request.date_to.isoformat() if request.date_to else "9999",
    )


def _any_of(fieldname: str, values: Iterable[str]) -> wq.Query | None:
    terms = [wq.Term(fieldname, v) for v in values]
    return Union(terms) if terms else None


def _selected_year(request: SearchRequest) -> str | None:
    """The year whose facet value is selected: `from`/`to` are its January 1 and December 31."""
    start, end = request.date_from, request.date_to
    if start and end and start.year == end.year and (start.month, start.day, end.month, end.day) == (1, 1, 12, 31):
        return str(start.year)
    return None


class SearchEngine:
    """Searches one index generation; safe to share between threads.

    Each call opens its own searcher.  What is built once per generation (the
    facet maps, the vocabulary) is built under a lock; a reindex makes a new
    generation, and IndexStore a new engine for it.
    """

    def __init__(self, ix: Index):
        self.ix = ix
        self._build_lock = threading.Lock()
        self._facet_maps: dict[str, list[tuple[str, ...]]] = {}
        self._vocabulary: GreekVocabulary | None = None

    def document_count(self) -> int:
        with self.ix.searcher() as searcher:
            return searcher.doc_count()

    def get_document(self, doc_id: str) -> Document | None:
        with self.ix.searcher() as searcher:
            stored = searcher.document(id=doc_id)
        return from_stored(stored) if stored else None

    def search(self, request: SearchRequest) -> dict[str, Any]:
        started = time.perf_counter()
        clauses = parse_query(request.q)
        filters = {
            "municipality": _any_of("municipality", request.municipality),
            "official": _any_of("official", request.official),
            "date": _date_filter(request),
        }
        with self.ix.searcher() as searcher:
            expansions = self.expansions(searcher, clauses)
            matched = build_query(clauses, expansions)
            # The query runs once, for its documents (and their scores when ranked
            # by relevance); totals and facet counts are set intersections with
            # each filter's documents.
            filter_docs = {name: set(searcher.docs_for_query(f)) for name, f in filters.items() if f is not None}
            if request.effective_sort == "relevance":
                scored = searcher.search(matched, limit=None)
                matched_docs = scored.docs()
                allowed = matched_docs.intersection(*filter_docs.values())
                hits = self._by_relevance(searcher, scored, allowed, request)
            else:
                matched_docs = set(searcher.docs_for_query(matched))
                allowed = matched_docs.intersection(*filter_docs.values())
                hits = self._by_date(searcher, allowed, request)
            matches = _highlighter(clauses, expansions)
            results = [self._result(hit, score, matches, request) for hit, score in hits]
            facets = self._facets(searcher, matched_docs, filter_docs, request)
            suggestion = self._suggest(searcher, request.q, expansions)
        total = len(allowed)
        return {
            "query": request.as_dict(),
            "total": total,
            # Pages that can be asked for: none past the result window.
            "pages": min(math.ceil(total / request.per_page), MAX_RESULT_WINDOW // request.per_page),
            "results": results,
            "facets": facets,
            "suggestion": suggestion,
            "took_ms": round((time.perf_counter() - started) * 1000, 1),
        }

    def vocabulary(self, searcher: Searcher) -> GreekVocabulary:
        """The folded words of the index with their document frequencies, built once."""
        with self._build_lock:
            if self._vocabulary is None:
                self._vocabulary = GreekVocabulary.from_reader(searcher.reader(), "exact")
            return self._vocabulary

    def expansions(self, searcher: Searcher, clauses: Sequence[Clause]) -> dict[str, Expansion]:
        """Greeklish readings and misspelling corrections for the plain words of the query.

        At most MAX_EXPANDED_WORDS words are looked up: a pasted paragraph is
        searched as typed, not read word by word as Greeklish.
        """
        pending = [c for c in clauses if not c.phrase]
        out: dict[str, Expansion] = {}
        looked_up: set[str] = set()
        while pending and len(looked_up) < MAX_EXPANDED_WORDS:
            clause = pending.pop()
            pending.extend(a for a in clause.alternatives if not a.phrase)
            plain = clause.words[:-1] if clause.prefix else clause.words
            for word in plain:
                if word.folded in looked_up or (word.term is None and not word.folded.isascii()):
                    continue
                looked_up.add(word.folded)
                if analysis.is_greek(word.folded) and searcher.reader().doc_frequency("exact", word.folded):
                    continue  # a known Greek word: no vocabulary needed
                expansion = expand(word.folded, self.vocabulary(searcher))
                if expansion is not None:
                    out[word.folded] = expansion
        return out

    def query_for(self, searcher: Searcher, text: str) -> wq.Query:
        """The Whoosh query for a typed query, Greeklish and misspellings expanded."""
        clauses = parse_query(text)
        return build_query(clauses, self.expansions(searcher, clauses))

    def _by_relevance(self, searcher: Searcher, scored: Results, allowed: set[int],
                      request: SearchRequest) -> list[tuple[dict, float | None]]:
        """The requested page of the scored documents that pass the filters."""
        first = (request.page - 1) * request.per_page
        page = islice(((docnum, score) for docnum, score in scored.items() if docnum in allowed),
                      first, first + request.per_page)
        return [(searcher.stored_fields(docnum), score) for docnum, score in page]

    def _by_date(self, searcher: Searcher, allowed: set[int],
                 request: SearchRequest) -> list[tuple[dict, float | None]]:
        """The requested page, newest or oldest first, among the `allowed` documents."""
        first = (request.page - 1) * request.per_page
        if first >= len(allowed):
            return []  # a page past the last one (and Whoosh reads an empty filter as none)
        # Undated documents go last either way.  Dates need no scores: the query is not run again.
        sortedby = MultiFacet([FieldFacet("dated", reverse=True),
                               FieldFacet("date", reverse=request.effective_sort == "newest")])
        limit = request.page * request.per_page
        results = searcher.search(wq.Every(), filter=allowed, limit=limit, sortedby=sortedby)
        return [(results[i].fields(), None) for i in range(first, min(limit, results.scored_length()))]

    def _result(self, stored: dict, score: float | None, matches: Callable[[Word], bool],
                request: SearchRequest) -> dict[str, Any]:
        document = from_stored(stored)
        return {
            "id": document.id,
            "title": document.title,
            "date": document.date.isoformat() if document.date else None,
            "municipality": document.municipalities,
            "officials": [{"name": o.name, "role": o.role} for o in document.officials],
            "doc_type": document.doc_type,
            "url": document.url,
            "snippet": snippet(document.body or document.title, matches),
            "score": round(score, 3) if score is not None else None,
        }

    def _facet_map(self, searcher: Searcher, fieldname: str) -> list[tuple[str, ...]]:
        """The field's values of every document, by docnum, built once."""
        with self._build_lock:
            if fieldname not in self._facet_maps:
                reader = searcher.reader()
                by_doc: list[list[str]] = [[] for _ in range(reader.doc_count_all())]
                for value in reader.lexicon(fieldname):
                    text = value.decode("utf-8") if isinstance(value, bytes) else value
                    for docnum in reader.postings(fieldname, text).all_ids():
                        by_doc[docnum].append(text)
                self._facet_maps[fieldname] = [tuple(values) for values in by_doc]
            return self._facet_maps[fieldname]

    def _facets(self, searcher: Searcher, matched_docs: set[int], filter_docs: dict[str, set[int]],
                request: SearchRequest) -> dict[str, list[dict[str, Any]]]:
        """Counts over the current query and every other facet's filter (Datasette-style)."""
        facets = {}
        for name, fieldname in (*FACET_FIELDS.items(), ("year", "year")):
            excluded = "date" if name == "year" else name
            docs = matched_docs.intersection(*(d for key, d in filter_docs.items() if key != excluded))
            by_doc = self._facet_map(searcher, fieldname)
            counts = Counter(chain.from_iterable(map(by_doc.__getitem__, docs)))
            if name == "year":
                selected = {_selected_year(request)} - {None}
                ordered = sorted(counts.items(), key=lambda item: item[0], reverse=True)
            else:
                selected = set(getattr(request, name))
                ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
            shown = ordered[:FACET_SIZE]
            shown += [(v, counts.get(v, 0)) for v in sorted(selected) if v not in dict(shown)]
            facets[name] = [{"value": v, "count": c, "selected": v in selected} for v, c in shown]
        return facets

    def _suggest(self, searcher: Searcher, q: str, expansions: Expansions) -> str | None:
        """The query as typed, with each word read as Greeklish or corrected in the Greek
        spelling the documents use ("dimarxos xanion" -> "δήμαρχος Χανίων")."""
        if not expansions:
            return None
        pieces, cursor = [], 0
        for word in analysis.words(q):
            expansion = expansions.get(word.folded)
            if expansion is not None:
                pieces += [q[cursor:word.start], _surface_form(searcher, expansion.best)]
                cursor = word.end
        return "".join(pieces) + q[cursor:] if pieces else None


def _surface_form(searcher: Searcher, folded: str) -> str:
    """How the index's documents actually spell a folded word (accents and all)."""
    for docnum in searcher.reader().postings("exact", folded).all_ids():
        stored = searcher.stored_fields(docnum)
        for text in (stored.get("title", ""), stored.get("body", "")):
            for word in analysis.words(text):
                if word.folded == folded:
                    surface = text[word.start:word.end]
                    return final_sigma(surface.lower() if surface.isupper() else surface)
        break
    return final_sigma(folded)
