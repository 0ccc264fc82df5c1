"""dimos-search and its peers behind one interface, for speed and quality benchmarks.

Every engine indexes the same `BenchDocument`s and answers the same `BenchQuery`s:
all words must match (AND), a quoted query is a phrase, a trailing * a prefix,
optional filters on municipality and official (OR within a facet, AND across),
and optional facet counts.  Facets are counted as dimos-search counts them
(Datasette-style): each facet over the matches filtered by the *other* facet's
filter, so a selected municipality still shows its neighbours; the top
`FACET_SIZE` values by count.

Engines (`ENGINE_NAMES`):

- ``dimos-search``: the product path, `search.store.IndexStore.build` and
  `search.backend.whoosh.engine.SearchEngine.search` on a `parse_request` request, with its
  Greeklish readings, spelling suggestions, snippets and year facet.  Like the
  product it opens a Whoosh searcher per request and always counts its facets,
  whether or not the query asks for them.
- ``sqlite-fts5 ...``: Python's sqlite3; a contentless FTS5 table, the documents
  in a rowid table, a facet table per facet joined to the match, GROUP BY for
  counts; one connection for all queries.
- ``tantivy ...``: PyPI tantivy; facet values in raw-tokenized fast fields,
  filters as term-set queries, counts with a terms aggregation; the writer with
  its default threads (one per core) and a 256 MB heap; one searcher for all queries.
- ``whoosh ...``: stock Whoosh; filters as `filter=`, counts with
  `whoosh.sorting.FieldFacet(allow_overlap=True)` grouped by; one searcher for
  all queries.

Each peer comes in two analyses.  ``native``: the engine's own tokenization
(SQLite ``unicode61 remove_diacritics 2``, which folds Greek case but not Greek
accents; Tantivy's simple tokenizer, lowercase and Snowball Greek stemmer;
Whoosh's English ``StemmingAnalyzer``).  ``dimos-terms``: documents and queries
pre-analyzed by dimos-search's analyzer (`search.analysis.words`: stems for
title and body, folded unstemmed words for phrases and prefixes, as the
dimos-search schema holds them), joined by spaces and split on whitespace only,
so the engine is measured apart from the analysis.  The time that analysis takes
at build time is kept in `analysis_seconds`.

No peer reads Greeklish: "dimarxos" is searched as the Latin word it is.
Every engine stores the original title and body (a product needs them for
result pages and snippets), so index sizes compare like with like.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from search import analysis
from search.documents import Document, Official
from search.backend.whoosh.schema import TITLE_BOOST
from search.backend.whoosh.writer import WRITER_LIMIT_MB
from search.querylang import Clause, parse_query
from search.request import FACET_SIZE, parse_request
from search.service import SearchService
from search.store import IndexStore

FACETS = ("municipality", "official")


@dataclass(frozen=True)
class BenchDocument:
    id: str
    title: str
    body: str
    date: str | None  # YYYY-MM-DD
    municipality: tuple[str, ...]
    officials: tuple[str, ...]


@dataclass(frozen=True)
class BenchQuery:
    text: str  # what a user types: 'δημοτικο συμβουλιο', '"τεχνικο προγραμμα"', 'προσλ*', 'dimarxos'
    kind: str  # 'one-word' | 'two-words' | 'three-words' | 'phrase' | 'prefix' | 'greeklish'
    municipality: tuple[str, ...] = ()
    official: tuple[str, ...] = ()
    facets: bool = False  # also compute municipality + official facet counts over the filtered matches

    def filters(self) -> dict[str, tuple[str, ...]]:
        """Facet name -> the values it is filtered on (facets without a filter left out)."""
        return {name: values for name, values in (("municipality", self.municipality), ("official", self.official))
                if values}


@dataclass
class Answer:
    ids: list[str]  # the top `limit` ids, best first
    total: int  # every match after the filters
    facets: dict[str, dict[str, int]] = field(default_factory=dict)  # facet -> value -> count


class Engine(Protocol):
    name: str

    def build(self, documents: Iterable[BenchDocument], directory: Path) -> None: ...

    def open(self, directory: Path) -> None: ...

    def search(self, query: BenchQuery, limit: int = 10) -> Answer: ...

    def close(self) -> None: ...


def read_documents(path: Path) -> Iterator[BenchDocument]:
    """A generated (or any Diavgeia-schema) JSONL file as BenchDocuments, streamed."""
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            municipality = record.get("municipality")
            yield BenchDocument(
                id=str(record["id"]),
                title=record.get("title") or "",
                body=record.get("body") or "",
                date=record.get("date"),
                municipality=(municipality,) if municipality else (),
                officials=tuple(record.get("officials") or ()),
            )


def save_queries(queries: Iterable[BenchQuery], path: Path) -> None:
    path.write_text(json.dumps([q.__dict__ for q in queries], ensure_ascii=False), encoding="utf-8")


def load_queries(path: Path) -> list[BenchQuery]:
    return [BenchQuery(q["text"], q["kind"], tuple(q["municipality"]), tuple(q["official"]), q["facets"])
            for q in json.loads(path.read_text(encoding="utf-8"))]


def facet_groups(query: BenchQuery) -> list[tuple[tuple[str, ...], dict[str, tuple[str, ...]]]]:
    """The facet counts a query needs: (facets, the filters to count them under), facets
    sharing their filters counted together.  Each facet is counted under every filter but its own."""
    if not query.facets:
        return []
    groups: dict[tuple, list[str]] = {}
    filters = query.filters()
    for name in FACETS:
        others = tuple(sorted((k, v) for k, v in filters.items() if k != name))
        groups.setdefault(others, []).append(name)
    return [(tuple(names), dict(others)) for others, names in groups.items()]


def top_counts(counts: Iterable[tuple[str, int]]) -> dict[str, int]:
    """The FACET_SIZE most frequent values, ordered as dimos-search orders them."""
    return dict(sorted(counts, key=lambda item: (-item[1], item[0]))[:FACET_SIZE])


# --- the query, read once for every peer -----------------------------------------


@dataclass(frozen=True)
class NativeQuery:
    """A typed query as a peer reads it with its own analysis: the raw words, phrase or prefix."""

    words: tuple[str, ...]
    phrase: bool
    prefix: bool  # the last word is a prefix

    @classmethod
    def parse(cls, text: str) -> NativeQuery:
        stripped = text.strip()
        words = tuple(re.findall(r"\w+", stripped))
        phrase = len(words) > 1 and stripped.startswith('"') and stripped.endswith('"')
        return cls(words, phrase, stripped.endswith("*") and bool(words))


@dataclass(frozen=True)
class TermsQuery:
    """A typed query in dimos-search's terms: stems that must match, or folded words for a
    phrase, and a folded prefix (the clause parsing of `search.querylang.parse_query`)."""

    stems: tuple[str, ...]
    phrase: tuple[str, ...]
    prefix: str | None

    @classmethod
    def parse(cls, text: str) -> TermsQuery:
        clauses: list[Clause] = [c for c in parse_query(text) if not c.negated]
        stems: list[str] = []
        phrase: tuple[str, ...] = ()
        prefix = None
        for clause in clauses:
            if clause.phrase:
                phrase = tuple(w.folded for w in clause.words)
                continue
            plain = clause.words[:-1] if clause.prefix else clause.words
            stems += [w.term for w in plain if w.term]
            if clause.prefix:
                prefix = clause.words[-1].folded
        return cls(tuple(dict.fromkeys(stems)), phrase, prefix)


@dataclass(frozen=True)
class AnalyzedDocument:
    """A document in dimos-search's terms, space-joined."""

    title: str  # stems
    body: str  # stems
    exact: str  # folded words of title and body, stopwords kept


def analyze(document: BenchDocument) -> AnalyzedDocument:
    return AnalyzedDocument(
        " ".join(analysis.terms(document.title)),
        " ".join(analysis.terms(document.body)),
        " ".join(w.folded for w in analysis.words(f"{document.title}\n{document.body}")),
    )


class _TimedAnalysis:
    """Analyzes documents as an indexer pulls them, adding up the time the analysis takes."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self, documents: Iterable[BenchDocument]) -> Iterator[tuple[BenchDocument, AnalyzedDocument]]:
        for document in documents:
            started = time.perf_counter()
            analyzed = analyze(document)
            self.seconds += time.perf_counter() - started
            yield document, analyzed


def _fresh(directory: Path) -> Path:
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    return directory


# --- dimos-search --------------------------------------------------------------------


def to_document(document: BenchDocument) -> Document:
    return Document(
        id=document.id,
        title=document.title,
        body=document.body,
        date=dt.date.fromisoformat(document.date) if document.date else None,
        municipalities=list(document.municipality),
        officials=[Official(name) for name in document.officials],
    )


class DimosSearch:
    """The product: an IndexStore generation, searched as the web app and the CLI search it."""

    name = "dimos-search"
    analysis_seconds = 0.0

    def __init__(self) -> None:
        self.service: SearchService | None = None

    def build(self, documents: Iterable[BenchDocument], directory: Path) -> None:
        IndexStore(_fresh(directory)).build(to_document(d) for d in documents)
        self.open(directory)

    def open(self, directory: Path) -> None:
        self.service = SearchService(IndexStore(directory))

    def search(self, query: BenchQuery, limit: int = 10) -> Answer:
        request = parse_request({"q": [query.text], "municipality": list(query.municipality),
                                 "official": list(query.official), "per_page": [str(limit)]})
        answer = self.service.engine().search(request)
        facets = {name: {v.value: v.count for v in getattr(answer.facets, name)} for name in FACETS} \
            if query.facets else {}
        return Answer([hit.id for hit in answer.results], answer.total, facets)

    def close(self) -> None:
        self.service = None


# --- SQLite FTS5 -----------------------------------------------------------------------


def _fts_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


class SqliteFts5:
    """A contentless FTS5 table over rowids, the documents and facet values in plain tables."""

    def __init__(self, terms: bool):
        self.terms = terms
        self.name = f"sqlite-fts5 {'dimos-terms' if terms else 'native'}"
        self.analysis_seconds = 0.0
        self.db: sqlite3.Connection | None = None

    def build(self, documents: Iterable[BenchDocument], directory: Path) -> None:
        db = sqlite3.connect(_fresh(directory) / "index.sqlite")
        # Terms are already folded and split: the ascii tokenizer keeps every non-ASCII
        # character in its token, so it splits them on whitespace only.
        columns, tokenizer = (("title", "body", "exact"), "ascii") if self.terms \
            else (("title", "body"), "unicode61 remove_diacritics 2")
        db.executescript(f"""
            CREATE TABLE docs (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL, title TEXT, body TEXT);
            CREATE VIRTUAL TABLE fts USING fts5({', '.join(columns)}, content='', tokenize='{tokenizer}');
            CREATE TABLE doc_municipality (docid INTEGER NOT NULL, value TEXT NOT NULL);
            CREATE TABLE doc_official (docid INTEGER NOT NULL, value TEXT NOT NULL);
        """)
        timed = _TimedAnalysis()
        with db:
            pairs = timed(documents) if self.terms else ((d, None) for d in documents)
            for rowid, (document, analyzed) in enumerate(pairs, 1):
                db.execute("INSERT INTO docs VALUES (?, ?, ?, ?)", (rowid, document.id, document.title, document.body))
                values = (analyzed.title, analyzed.body, analyzed.exact) if analyzed else (document.title, document.body)
                db.execute(f"INSERT INTO fts(rowid, {', '.join(columns)}) VALUES (?{', ?' * len(columns)})",
                           (rowid, *values))
                db.executemany("INSERT INTO doc_municipality VALUES (?, ?)", ((rowid, v) for v in document.municipality))
                db.executemany("INSERT INTO doc_official VALUES (?, ?)", ((rowid, v) for v in document.officials))
            for facet in FACETS:
                db.execute(f"CREATE INDEX doc_{facet}_value ON doc_{facet} (value, docid)")
                db.execute(f"CREATE INDEX doc_{facet}_docid ON doc_{facet} (docid)")
            db.execute("INSERT INTO fts(fts) VALUES ('optimize')")
        db.close()
        self.analysis_seconds = timed.seconds
        self.open(directory)

    def open(self, directory: Path) -> None:
        self.db = sqlite3.connect(directory / "index.sqlite")

    def match(self, text: str) -> str:
        """The FTS5 MATCH expression for a typed query."""
        if self.terms:
            parsed = TermsQuery.parse(text)
            parts = []
            if parsed.stems:
                parts.append("{title body} : (" + " AND ".join(_fts_string(s) for s in parsed.stems) + ")")
            if parsed.phrase:
                parts.append("exact : " + _fts_string(" ".join(parsed.phrase)))
            if parsed.prefix:
                parts.append("exact : " + _fts_string(parsed.prefix) + " *")
            return " AND ".join(parts) or '""'
        native = NativeQuery.parse(text)
        if native.phrase:
            return _fts_string(" ".join(native.words))
        words = [_fts_string(w) for w in native.words]
        if native.prefix:
            words[-1] += " *"
        return " AND ".join(words) or '""'

    @staticmethod
    def _filters(filters: dict[str, tuple[str, ...]]) -> tuple[str, list[str]]:
        sql, params = "", []
        for facet, values in filters.items():
            sql += f" AND fts.rowid IN (SELECT docid FROM doc_{facet} WHERE value IN ({', '.join('?' * len(values))}))"
            params += values
        return sql, params

    def search(self, query: BenchQuery, limit: int = 10) -> Answer:
        match = self.match(query.text)
        where, params = self._filters(query.filters())
        weights = f"{TITLE_BOOST}, 1.0" + (", 0.0" if self.terms else "")
        ids = [row[0] for row in self.db.execute(
            f"SELECT docs.id FROM fts JOIN docs ON docs.rowid = fts.rowid WHERE fts MATCH ?{where} "
            f"ORDER BY bm25(fts, {weights}) LIMIT ?", (match, *params, limit))]
        total = self.db.execute(f"SELECT count(*) FROM fts WHERE fts MATCH ?{where}", (match, *params)).fetchone()[0]
        facets = {}
        for names, filters in facet_groups(query):
            where, params = self._filters(filters)
            for facet in names:
                facets[facet] = dict(self.db.execute(
                    f"SELECT f.value, count(*) AS n FROM fts JOIN doc_{facet} f ON f.docid = fts.rowid "
                    f"WHERE fts MATCH ?{where} GROUP BY f.value ORDER BY n DESC, f.value LIMIT {FACET_SIZE}",
                    (match, *params)).fetchall())
        return Answer(ids, total, facets)

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None


# --- Tantivy ----------------------------------------------------------------------------


class Tantivy:
    """Title and body (or their dimos-search terms) as text fields, facets as raw fast fields."""

    WRITER_HEAP = 256_000_000  # bytes, as dimos-search's writer gets 256 MB

    def __init__(self, terms: bool):
        import tantivy

        self.tantivy = tantivy
        self.terms = terms
        self.name = f"tantivy {'dimos-terms' if terms else 'native'}"
        self.analysis_seconds = 0.0
        if terms:
            self.analyzer = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()
        else:
            self.analyzer = (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
                             .filter(tantivy.Filter.lowercase()).filter(tantivy.Filter.stemmer("greek")).build())
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("id", stored=True, tokenizer_name="raw")
        if terms:
            for name in ("title", "body", "exact"):
                builder.add_text_field(f"{name}_terms", tokenizer_name="analysis")
            builder.add_bytes_field("title", stored=True, indexed=False)
            builder.add_bytes_field("body", stored=True, indexed=False)
        else:
            builder.add_text_field("title", stored=True, tokenizer_name="analysis")
            builder.add_text_field("body", stored=True, tokenizer_name="analysis")
        for facet in FACETS:
            builder.add_text_field(facet, fast=True, tokenizer_name="raw", index_option="basic")
        self.schema = builder.build()
        self.index = None
        self.searcher = None

    def _open_index(self, directory: Path, create: bool):
        index = self.tantivy.Index(self.schema, path=str(directory), reuse=not create)
        index.register_tokenizer("analysis", self.analyzer)
        return index

    def build(self, documents: Iterable[BenchDocument], directory: Path) -> None:
        index = self._open_index(_fresh(directory), create=True)
        writer = index.writer(heap_size=self.WRITER_HEAP)
        timed = _TimedAnalysis()
        pairs = timed(documents) if self.terms else ((d, None) for d in documents)
        for document, analyzed in pairs:
            doc = self.tantivy.Document()
            doc.add_text("id", document.id)
            if analyzed:
                doc.add_text("title_terms", analyzed.title)
                doc.add_text("body_terms", analyzed.body)
                doc.add_text("exact_terms", analyzed.exact)
                doc.add_bytes("title", document.title.encode("utf-8"))
                doc.add_bytes("body", document.body.encode("utf-8"))
            else:
                doc.add_text("title", document.title)
                doc.add_text("body", document.body)
            for facet, values in (("municipality", document.municipality), ("official", document.officials)):
                for value in values:
                    doc.add_text(facet, value)
            writer.add_document(doc)
        writer.commit()
        writer.wait_merging_threads()
        self.analysis_seconds = timed.seconds
        self.open(directory)

    def open(self, directory: Path) -> None:
        self.index = self._open_index(directory, create=False)
        self.index.reload()
        self.searcher = self.index.searcher()

    def _words(self, fields: tuple[str, str], terms: Iterable[str]):
        """Each term in the title (boosted) or the body; all terms required."""
        q = self.tantivy.Query
        occur = self.tantivy.Occur
        title, body = fields
        return [
            (occur.Must, q.boolean_query([
                (occur.Should, q.boost_query(q.term_query(self.schema, title, t), TITLE_BOOST)),
                (occur.Should, q.term_query(self.schema, body, t)),
            ]))
            for t in terms
        ]

    def _text_query(self, text: str):
        q = self.tantivy.Query
        occur = self.tantivy.Occur
        if self.terms:
            parsed = TermsQuery.parse(text)
            parts = self._words(("title_terms", "body_terms"), parsed.stems)
            if parsed.phrase:
                parts.append((occur.Must, q.phrase_query(self.schema, "exact_terms", list(parsed.phrase))))
            if parsed.prefix:
                parts.append((occur.Must, q.regex_query(self.schema, "exact_terms", re.escape(parsed.prefix) + ".*")))
            return q.boolean_query(parts) if parts else q.empty_query()
        native = NativeQuery.parse(text)
        words = native.words[:-1] if native.prefix else native.words
        tokens = [t for w in words for t in self.analyzer.analyze(w)]
        if native.phrase:
            if len(tokens) < 2:
                return self._words(("title", "body"), tokens)[0][1] if tokens else q.empty_query()
            return q.boolean_query([(occur.Should, q.boost_query(q.phrase_query(self.schema, "title", tokens), TITLE_BOOST)),
                                    (occur.Should, q.phrase_query(self.schema, "body", tokens))])
        parts = self._words(("title", "body"), tokens)
        if native.prefix:
            pattern = re.escape(native.words[-1].lower()) + ".*"
            parts.append((occur.Must, q.boolean_query([(occur.Should, q.regex_query(self.schema, "title", pattern)),
                                                       (occur.Should, q.regex_query(self.schema, "body", pattern))])))
        return q.boolean_query(parts) if parts else q.empty_query()

    def _filtered(self, matched, filters: dict[str, tuple[str, ...]]):
        if not filters:
            return matched
        q = self.tantivy.Query
        occur = self.tantivy.Occur
        return q.boolean_query([(occur.Must, matched)] + [
            (occur.Must, q.const_score_query(q.term_set_query(self.schema, facet, list(values)), 0.0))
            for facet, values in filters.items()])

    def search(self, query: BenchQuery, limit: int = 10) -> Answer:
        matched = self._text_query(query.text)
        result = self.searcher.search(self._filtered(matched, query.filters()), limit, count=True)
        ids = [self.searcher.doc(address)["id"][0] for _, address in result.hits]
        facets = {}
        for names, filters in facet_groups(query):
            aggregation = {facet: {"terms": {"field": facet, "size": FACET_SIZE}} for facet in names}
            counted = self.searcher.aggregate(self._filtered(matched, filters), aggregation)
            for facet in names:
                facets[facet] = top_counts((b["key"], b["doc_count"]) for b in counted[facet]["buckets"])
        return Answer(ids, result.count, facets)

    def close(self) -> None:
        self.searcher = None
        self.index = None


# --- Whoosh -------------------------------------------------------------------------------


class Whoosh:
    """Stock Whoosh: the English StemmingAnalyzer, or dimos-search's terms split on spaces."""

    def __init__(self, terms: bool):
        self.terms = terms
        self.name = f"whoosh {'dimos-terms' if terms else 'StemmingAnalyzer native'}"
        self.analysis_seconds = 0.0
        self.index = None
        self.searcher = None

    def _schema(self):
        from whoosh.analysis import SpaceSeparatedTokenizer, StemmingAnalyzer
        from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

        facets = {facet: KEYWORD(commas=True, scorable=False) for facet in FACETS}
        if self.terms:
            return Schema(id=ID(stored=True), title=STORED, body=STORED,
                          title_terms=TEXT(analyzer=SpaceSeparatedTokenizer(), field_boost=TITLE_BOOST),
                          body_terms=TEXT(analyzer=SpaceSeparatedTokenizer()),
                          exact_terms=TEXT(analyzer=SpaceSeparatedTokenizer(), phrase=True), **facets)
        return Schema(id=ID(stored=True),
                      title=TEXT(analyzer=StemmingAnalyzer(), stored=True, field_boost=TITLE_BOOST),
                      body=TEXT(analyzer=StemmingAnalyzer(), stored=True), **facets)

    def build(self, documents: Iterable[BenchDocument], directory: Path) -> None:
        from whoosh import index

        ix = index.create_in(str(_fresh(directory)), self._schema())
        timed = _TimedAnalysis()
        pairs = timed(documents) if self.terms else ((d, None) for d in documents)
        with ix.writer(limitmb=WRITER_LIMIT_MB) as writer:
            for document, analyzed in pairs:
                record = {"id": document.id, "title": document.title, "body": document.body,
                          "municipality": ",".join(document.municipality), "official": ",".join(document.officials)}
                if analyzed:
                    record.update(title_terms=analyzed.title, body_terms=analyzed.body, exact_terms=analyzed.exact)
                writer.add_document(**record)
        self.analysis_seconds = timed.seconds
        self.open(directory)

    def open(self, directory: Path) -> None:
        from whoosh import index

        self.index = index.open_dir(str(directory))
        self.searcher = self.index.searcher()

    def _text_query(self, text: str):
        from whoosh import query as wq

        def words(fields: tuple[str, str], terms: Iterable[str]) -> list:
            return [wq.Or([wq.Term(fields[0], t), wq.Term(fields[1], t)]) for t in terms]

        if self.terms:
            parsed = TermsQuery.parse(text)
            parts = words(("title_terms", "body_terms"), parsed.stems)
            if parsed.phrase:
                parts.append(wq.Phrase("exact_terms", list(parsed.phrase)))
            if parsed.prefix:
                parts.append(wq.Prefix("exact_terms", parsed.prefix))
            return wq.And(parts) if parts else wq.NullQuery
        native = NativeQuery.parse(text)
        analyzer = self.index.schema["body"].analyzer
        plain = native.words[:-1] if native.prefix else native.words
        tokens = [t.text for w in plain for t in analyzer(w)]
        if native.phrase:
            if len(tokens) < 2:
                return words(("title", "body"), tokens)[0] if tokens else wq.NullQuery
            return wq.Or([wq.Phrase("title", tokens), wq.Phrase("body", tokens)])
        parts = words(("title", "body"), tokens)
        if native.prefix:
            prefix = native.words[-1].lower()
            parts.append(wq.Or([wq.Prefix("title", prefix), wq.Prefix("body", prefix)]))
        return wq.And(parts) if parts else wq.NullQuery

    @staticmethod
    def _filter(filters: dict[str, tuple[str, ...]]):
        from whoosh import query as wq

        if not filters:
            return None
        return wq.And([wq.Or([wq.Term(facet, v) for v in values]) for facet, values in filters.items()])

    def search(self, query: BenchQuery, limit: int = 10) -> Answer:
        from whoosh import sorting

        matched = self._text_query(query.text)
        filters = query.filters()
        groups = facet_groups(query)
        # Facets counted under the same filters as the results come with the ranked search.
        alongside = next((names for names, f in groups if f == filters), ())
        groupedby = {facet: sorting.FieldFacet(facet, allow_overlap=True) for facet in alongside}
        results = self.searcher.search(matched, filter=self._filter(filters), limit=limit,
                                       groupedby=groupedby or None, maptype=sorting.Count)
        facets = {facet: top_counts(results.groups(facet).items()) for facet in alongside}
        for names, other_filters in groups:
            if names == alongside:
                continue
            counted = self.searcher.search(matched, filter=self._filter(other_filters), limit=1,
                                           groupedby={f: sorting.FieldFacet(f, allow_overlap=True) for f in names},
                                           maptype=sorting.Count)
            facets.update({facet: top_counts(counted.groups(facet).items()) for facet in names})
        return Answer([hit["id"] for hit in results], len(results), facets)

    def close(self) -> None:
        if self.searcher is not None:
            self.searcher.close()
        self.searcher = None
        self.index = None


ENGINE_NAMES: tuple[str, ...] = (
    "dimos-search",
    "sqlite-fts5 native",
    "sqlite-fts5 dimos-terms",
    "tantivy native",
    "tantivy dimos-terms",
    "whoosh StemmingAnalyzer native",
    "whoosh dimos-terms",
)


def make_engine(name: str) -> Engine:
    """A new engine by its name in ENGINE_NAMES (build it, or open one built earlier)."""
    if name == "dimos-search":
        return DimosSearch()
    family, _, analysis_name = name.partition(" ")
    terms = analysis_name == "dimos-terms"
    makers = {"sqlite-fts5": SqliteFts5, "tantivy": Tantivy, "whoosh": Whoosh}
    if name not in ENGINE_NAMES or family not in makers:
        raise ValueError(f"unknown engine {name!r}; one of {', '.join(ENGINE_NAMES)}")
    return makers[family](terms)
