"""A SearchRequest answered by the cluster, in the shape SearchEngine.search answers.

The query is parsed by search.querylang.parse_query, as on Whoosh, and each
clause becomes a SphinxQL MATCH expression over the same terms the writer
sent: a word is its stem in title/body OR its folded form in `exact` (the
form Whoosh's `_form_query` matches), a phrase and a prefix* run on `exact`,
OR alternatives are `|` groups, exclusions are `-( ... )`.

Facets are counted as Whoosh counts them: each over the query and every
filter but its own (the filter of the facet being shown is left out), so a
statement is run per distinct set of filters, with FACET over the MVA ids;
ids are named from the slot's names index.  Facet lists come back whole and
are cut to FACET_SIZE here, ties broken by value as on Whoosh.

Greeklish readings and spelling corrections are those of Whoosh: the same
plan (search.corrections.correction_plan) from what the cluster answers (a
word's documents, its exact form's document frequency) and the generation's
vocabulary, which the writer keeps in the slot's vocabulary index (Sphinx 2.2
cannot list an index's words over SphinxQL) and which is read once per
generation in a thread of its own (`vocabulary`); an expanded word matches and
scores as the Or of its forms (search.querylang.word_forms), as on Whoosh.

Near-duplicates are collapsed as on Whoosh (search.sphinx.collapse): each group once, as its best-ranked
member of the scored pool by relevance and its first member by date (Sphinx's GROUP BY group_key),
`distinct` the groups, each hit's `similar` its group's other documents.  A group's listing (`group=`) is a
filter on the `group_key` attribute, every member listed, as on Whoosh.
"""
from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future

import pymysql

from ..analysis import Word
from ..answers import FacetListing, Facets, FacetValue, Hit, Query, SearchAnswer
from ..corrections import FEW_HITS, SPELLING_DOCUMENTS, CorrectionPlan, answer_corrections, correction_plan, speller
from ..documents import Document
from ..facet_listing import listed_values, ordered_values, selected_values
from ..greeklish import GreekVocabulary
from ..highlight import SNIPPET_READ_CHARS, WordMatcher, highlighter, snippet
from ..querylang import Clause, Expansions, parse_query, word_forms
from ..request import MAX_RESULT_WINDOW, UNDATED, FacetListingRequest, SearchRequest
from . import ranking, terms
from .cluster import MAX_MATCHES
from .collapse import DATE_GROUPING, collapse_pool, distinct_statement, larger_pool, matches_limit, sizes_statement
from .nodes import ClusterUnavailable, health, session
from .topology import Topology, distributed_index
from .writer import Pointer, _names, read_pointer, read_words

# An answer with an agent warning may lack a shard.  After a node dies, Sphinx
# (ha_strategy = nodeads) still sent its first 2-3 queries to the dead mirror and
# answered 140 and 143 of 202 documents, with the warning; the next was whole.
# So such an answer is thrown away and the statement sent again, to the next node,
# up to this many times, RETRY_PAUSE_S x attempt apart (1.4 s in all, beyond the
# 100 ms ha_ping_interval of the nodes' configs), before the cluster is declared unavailable.
ATTEMPTS = 8
RETRY_PAUSE_S = 0.05
# How Sphinx names a shard it could not ask, in a warning or, when every mirror failed, an error.
AGENT_FAILURE = "agent "
FACETS = ("municipality", "region", "official", "year")
# Candidates scored as Whoosh scores (search.sphinx.ranking) beyond the page asked for, picked by
# ranking.pool_ranker.  At 200, 1 of the 335 requests of benchmarks/cluster.py (3,956 real documents)
# lost a document of Whoosh's top 10 to rank 221+ ("Ενσωμάτωσης Άρθρου", 467 matches); at 500, none.
POOL_MARGIN = 500
# (field, term) document frequencies kept per generation: a few words per query.
FREQUENCY_CACHE = 100_000
# A whole facet list: Diavgeia has 332 municipalities; officials are at most a few thousand.
FACET_LIMIT = 100_000
# Vocabularies kept: the live generation's and the one before (requests still answering from it).
VOCABULARIES_KEPT = 2


def _form(folded: str, term: str | None) -> str:
    if term is None:
        return f"@exact {terms.encode(folded)}"
    return f"(@(title,body) {terms.encode(term)} | @exact {terms.encode(folded)})"


def _word(word: Word, expansions: Expansions | None) -> str:
    """A word, or the `|` group of its forms when it is expanded (querylang.word_forms)."""
    forms = word_forms(word, expansions)
    if len(forms) == 1:
        return _form(word.folded, word.term)
    return "(" + " | ".join(_form(folded, term) for folded, term, _ in forms) + ")"


def clause_expression(clause: Clause, expansions: Expansions | None = None) -> str:
    """One clause (without its negation) as an extended-syntax group, its words' readings in
    (a quoted clause is matched as typed, as on Whoosh)."""
    own_expansions = None if clause.quoted else expansions
    if clause.phrase:
        own = '@exact "' + " ".join(terms.encode(w.folded) for w in clause.words) + '"'
    else:
        parts = [_word(w, own_expansions) for w in clause.words[:-1] if w.term]
        last = clause.words[-1]
        if clause.prefix:
            parts.append(f"@exact {terms.encode(last.folded)}*")
        elif last.term or len(clause.words) == 1:
            parts.append(_word(last, own_expansions))
        own = "(" + " ".join(parts) + ")"
    if not clause.alternatives:
        return own
    return "(" + " | ".join([own, *(clause_expression(a, expansions) for a in clause.alternatives)]) + ")"


def match_expression(clauses: Sequence[Clause], expansions: Expansions | None = None) -> str | None:
    """The MATCH() text of a parsed query; None matches every document."""
    positive = [clause_expression(c, expansions) for c in clauses if not c.negated]
    negative = [clause_expression(c, expansions) for c in clauses if c.negated]
    if not positive and not negative:
        return None
    if not positive:
        positive = [f"@every {terms.EVERY_TERM}"]
    return " ".join(positive + [f"-{n}" for n in negative])


def _ids(values: Sequence[str]) -> str:
    return ", ".join(str(terms.value_id(v)) for v in values)


class ClusterSearcher:
    """Searches the live generation of a cluster; one per process, safe to share between threads."""

    def __init__(self, topology: Topology):
        self.topology = topology
        self._names: dict[str, dict[int, tuple[int, str]]] = {}
        self._lock = threading.Lock()
        self._df_key: tuple | None = None
        self._df: dict[tuple[str, str], int] = {}
        self._vocabularies: dict[Pointer, Future[GreekVocabulary]] = {}

    def health(self) -> dict:
        return health(self.topology)

    def document_count(self, pointer: Pointer) -> int:
        return self._statistics(pointer).documents

    def get_document(self, pointer: Pointer, doc_id: str) -> Document | None:
        """The whole document with this id in `pointer`'s generation, or None."""
        found, _ = self._query(f"SELECT stored FROM {distributed_index(pointer.slot)} WHERE id = %s LIMIT 1",
                               (terms.doc_key(doc_id),))
        document = terms.load(found[0][0]) if found else None
        return document if document is not None and document.id == doc_id else None

    def facet_values(self, pointer: Pointer, facet: str) -> dict[str, int]:
        """Every value of a facet (municipality, official) in the generation, with its documents."""
        sets = self._query(f"SELECT id FROM {distributed_index(pointer.slot)} LIMIT 1 OPTION "
                           f"max_matches={MAX_MATCHES} FACET {facet} ORDER BY COUNT(*) DESC LIMIT {FACET_LIMIT}", ())
        return self._named(pointer, facet, _counted(facet, sets[1]))

    def facet_listing(self, pointer: Pointer, listing: FacetListingRequest) -> FacetListing:
        """Every value of one facet over a search's documents, as SearchEngine.facet_listing lists them:
        counted by one FACET statement over the query (its words read as on Whoosh) and every filter
        but the facet's own, the whole list named, then found, ordered and paged by search.facet_listing."""
        started = time.perf_counter()
        name = listing.facet
        clauses = parse_query(listing.search.q)
        match = match_expression(clauses, self.expansions(pointer, clauses))
        where, args = self._where(match, self._filters(listing.search), "date" if name == "year" else name)
        sets = self._query(f"SELECT id FROM {distributed_index(pointer.slot)}{where} LIMIT 1 OPTION "
                           f"max_matches={MAX_MATCHES} FACET {name} ORDER BY COUNT(*) DESC LIMIT {FACET_LIMIT}", args)
        counts = self._named(pointer, name, _counted(name, sets[1]))
        return FacetListing.of(listing, listed_values(name, counts, listing),
                               took_ms=round((time.perf_counter() - started) * 1000, 1))

    def known_values(self, pointer: Pointer, facet: str) -> tuple[str, ...]:
        """Every value of a filtering facet (municipality, region, official) in the generation, sorted."""
        kind = terms.FACET_KINDS[facet]
        return tuple(sorted(v for k, v in self._facet_names(pointer).values() if k == kind))

    def vocabulary(self, pointer: Pointer) -> Future[GreekVocabulary]:
        """The generation's vocabulary (each folded word with its documents), read once per pointer
        in a thread of its own, which the first call starts: the service calls it when it opens a
        generation, and only a Latin or misspelled query word waits for the result."""
        with self._lock:
            future = self._vocabularies.get(pointer)
            if future is None:
                future = self._vocabularies[pointer] = Future()
                for older in list(self._vocabularies)[:-VOCABULARIES_KEPT]:
                    del self._vocabularies[older]
                threading.Thread(target=self._read_vocabulary, args=(pointer, future), name="cluster vocabulary",
                                 daemon=True).start()
        return future

    def _read_vocabulary(self, pointer: Pointer, future: Future[GreekVocabulary]) -> None:
        try:
            future.set_result(GreekVocabulary(self._words(pointer)).warm())
        except BaseException as error:  # handed to the query that needs the vocabulary
            future.set_exception(error)

    def _words(self, pointer: Pointer) -> dict[str, int]:
        """The slot's vocabulary index, from the first node that answers it whole (every node holds it)."""
        for node in self.topology.nodes:
            try:
                return read_words(node, pointer.slot)
            except pymysql.MySQLError:
                continue
        raise ClusterUnavailable(self.health())

    def search(self, request: SearchRequest) -> SearchAnswer:
        return self.search_generation(request)[1]

    def search_generation(self, request: SearchRequest, at: Pointer | None = None) -> tuple[Pointer, SearchAnswer]:
        """The answer and the generation that gave it (the live one, or `at` while its slot
        still holds it): every statement of one search runs on that generation's slot."""
        started = time.perf_counter()
        pointer = at or read_pointer(self.topology)
        if pointer is None:
            raise LookupError("the cluster has no generation yet")
        clauses = parse_query(request.q)
        statistics = self._statistics(pointer)
        plan = self._plan(pointer, statistics, clauses, request.as_typed)
        expansions = plan.applied  # only the corrections the page announces change the query
        match = match_expression(clauses, expansions)
        filters = self._filters(request)
        rows, total, distinct = self._rows(pointer, statistics, clauses, expansions, match, filters, request)
        facets = self._facets(pointer, match, filters, request)
        matches = highlighter(clauses, expansions)
        sizes = self._group_sizes(pointer, {group for _, _, group in rows})
        correction, suggestion = answer_corrections(request.q, plan, self._speller(pointer),
                                                    lambda text: self._finds(pointer, text, filters))
        return pointer, SearchAnswer(
            query=Query.of(request),
            total=total,
            pages=min(math.ceil(distinct / request.per_page), MAX_RESULT_WINDOW // request.per_page),
            results=[self._result(stored, weight, matches, sizes.get(group, 1) - 1)  # 1: deleted since
                     for stored, weight, group in rows],
            distinct=distinct,
            facets=facets,
            suggestion=suggestion,
            correction=correction,
            took_ms=round((time.perf_counter() - started) * 1000, 1),
        )

    def correction_plan(self, pointer: Pointer, clauses: Sequence[Clause], as_typed: bool = False) -> CorrectionPlan:
        """Which words of a query are corrected, only suggested, or searched as typed (search.corrections)."""
        return self._plan(pointer, self._statistics(pointer), clauses, as_typed)

    def _plan(self, pointer: Pointer, statistics: ranking.Statistics, clauses: Sequence[Clause],
              as_typed: bool) -> CorrectionPlan:
        """search.corrections' plan from the cluster's answers, as SearchEngine.correction_plan gathers them
        from Whoosh's: a word's exact form's documents (cached per generation) and, below FEW_HITS, the
        documents the word finds by itself."""
        def exact(folded: str) -> int:
            term = ranking.Term("exact", terms.encode(folded))
            return self._frequencies(pointer, statistics, {term})[(term.field, term.keyword)]

        def hits(word: Word) -> int:
            found = exact(word.folded)
            return found if found >= FEW_HITS else self._total(pointer, match_expression([Clause([word])]), {})

        return correction_plan(clauses, hits, lambda folded: exact(folded) > 0,
                               lambda: self.vocabulary(pointer).result(), as_typed)

    def _total(self, pointer: Pointer, match: str | None, filters: dict[str, str]) -> int:
        """Documents a MATCH text finds under the filters."""
        where, args = self._where(match, filters)
        _, meta = self._query(f"SELECT id FROM {distributed_index(pointer.slot)}{where} LIMIT 1", args)
        return int(dict(meta[0])["total_found"])

    def _finds(self, pointer: Pointer, text: str, filters: dict[str, str]) -> bool:
        """Whether a query, as typed, finds a document the request's filters let through."""
        return self._total(pointer, match_expression(parse_query(text)), filters) > 0

    def _speller(self, pointer: Pointer) -> Callable[[str], str]:
        """How the generation's documents spell a folded word: the first SPELLING_DOCUMENTS holding it in
        writing order (Whoosh's postings order), their bodies cut to the head Whoosh stores."""
        def holding(folded: str) -> list[tuple[str, str]]:
            found, _ = self._query(f"SELECT stored FROM {distributed_index(pointer.slot)} WHERE MATCH(%s) "
                                   f"ORDER BY seq ASC LIMIT {SPELLING_DOCUMENTS}", (f"@exact {terms.encode(folded)}",))
            documents = [terms.load(stored) for stored, in found]
            return [(d.title, d.body[:SNIPPET_READ_CHARS]) for d in documents]

        return speller(holding)

    def expansions(self, pointer: Pointer, clauses: Sequence[Clause]) -> Expansions:
        """The Greeklish readings and corrections a query runs with (the plan's applied ones)."""
        return self.correction_plan(pointer, clauses).applied

    @staticmethod
    def _filters(request: SearchRequest) -> dict[str, str]:
        filters = {}
        if request.municipality:
            filters["municipality"] = f"municipality IN ({_ids(request.municipality)})"
        if request.region:
            filters["region"] = f"region IN ({_ids(request.region)})"
        if request.official:
            filters["official"] = f"official IN ({_ids(request.official)})"
        if request.date_from or request.date_to:
            low = terms.date_number(request.date_from) if request.date_from else 0
            high = terms.date_number(request.date_to) if request.date_to else 99_999_999
            filters["date"] = f"dated = 1 AND date >= {low} AND date <= {high}"
        if request.undated:
            filters["date"] = "dated = 0"
        if request.group:
            filters["group"] = f"group_key = {terms.doc_key(request.group)}"
        return filters

    def _query(self, sql: str, args: tuple) -> list[list[tuple]]:
        """Every result set of one statement (SHOW META's last), from an answer known whole.

        A node that refuses the connection is skipped; an answer carrying an agent
        warning is incomplete and asked for again (ATTEMPTS).  With both copies of
        a shard down, or no whole answer after ATTEMPTS, ClusterUnavailable: never
        a partial answer presented as complete.
        """
        nodes = self.topology.nodes
        for attempt in range(ATTEMPTS):
            node = nodes[attempt % len(nodes)]
            try:
                sets, warnings = self._run(node, sql, args)
            except pymysql.OperationalError:
                continue
            except pymysql.MySQLError as error:
                self._require_every_shard()
                if AGENT_FAILURE in str(error):
                    # Every agent of a shard failed on this node (e.g. "agent …: connect() timed out"
                    # with all nodes up, 8 clients on a loaded machine): ask again, as for a warning.
                    time.sleep(RETRY_PAUSE_S * attempt)
                    continue
                raise RuntimeError(f"the cluster refused a query: {error}") from error
            if not any(AGENT_FAILURE in str(w[2]) for w in warnings):
                return sets
            self._require_every_shard()
            time.sleep(RETRY_PAUSE_S * attempt)
        self._require_every_shard()
        raise ClusterUnavailable(self.health())

    @staticmethod
    def _run(node, sql: str, args: tuple) -> tuple[list[list[tuple]], list[tuple]]:
        with session(node) as cursor:
            cursor.execute(sql, args)
            sets = [list(cursor.fetchall())]
            while cursor.nextset():
                sets.append(list(cursor.fetchall()))
            cursor.execute("SHOW META")
            sets.append([tuple(cursor.fetchall())])
            cursor.execute("SHOW WARNINGS")
            return sets, list(cursor.fetchall())

    def _require_every_shard(self) -> None:
        state = self.health()
        if state["status"] == "down":
            raise ClusterUnavailable(state)

    @staticmethod
    def _where(match: str | None, filters: dict[str, str], leave_out: str | None = None) -> tuple[str, tuple]:
        parts = [f for name, f in filters.items() if name != leave_out]
        args: tuple = ()
        if match is not None:
            parts.insert(0, "MATCH(%s)")
            args = (match,)
        return (" WHERE " + " AND ".join(parts) if parts else ""), args

    def _rows(self, pointer: Pointer, statistics: ranking.Statistics, clauses: Sequence[Clause],
              expansions: Expansions, match: str | None, filters: dict[str, str],
              request: SearchRequest) -> tuple[list[tuple[str, float | None, int]], int, int]:
        """The page's rows (stored document, score, group key), the documents found and the results they
        make (`distinct`: each group once, unless a group is listed)."""
        if request.effective_sort == "relevance":
            scorer = ranking.query_scorer(clauses, clause_expression, expansions)
            return self._ranked(pointer, statistics, scorer, ranking.nears(clauses, expansions), match, filters,
                                request)
        where, args = self._where(match, filters)
        # Undated documents last either way, ties in writing order: as Whoosh sorts.
        order = f"dated DESC, date {'DESC' if request.effective_sort == 'newest' else 'ASC'}, seq ASC"
        first = (request.page - 1) * request.per_page
        collapse = request.group is None
        total = self._total(pointer, match, filters) if collapse else None
        grouping = DATE_GROUPING.format(order=order) if collapse else f"ORDER BY {order}"
        found, meta = self._query(f"SELECT stored, group_key FROM {distributed_index(pointer.slot)}{where} "
                                  f"{grouping} LIMIT {first}, {request.per_page} "
                                  f"OPTION max_matches={matches_limit(total or 0)}", args)
        found_rows = int(dict(meta[0])["total_found"])  # groups when collapsed, else documents
        rows = [(stored, None, int(group)) for stored, group in found]
        return rows, found_rows if total is None else total, found_rows

    def _ranked(self, pointer: Pointer, statistics: ranking.Statistics, scorer, pairs: list[ranking.Near],
                match: str | None, filters: dict[str, str], request: SearchRequest,
                size: int | None = None) -> tuple[list[tuple[str, float | None, int]], int, int]:
        """The page by Whoosh's scores (`scorer`: ranking.query_scorer, with the proximity bonus of `pairs`)
        over the pool Sphinx's expression ranks first (search.sphinx.ranking), collapsed
        (search.sphinx.collapse) unless a group is listed."""
        where, args = self._where(match, filters)
        first = (request.page - 1) * request.per_page
        size = size or min(MAX_MATCHES, first + request.per_page + POOL_MARGIN)
        needed, expressions = ranking.probes(scorer)
        found, meta = self._query(
            f"SELECT id, seq, len_title, len_body, len_exact, group_key FROM {distributed_index(pointer.slot)}{where} "
            f"ORDER BY WEIGHT() DESC, seq ASC LIMIT 0, {size} OPTION max_matches={MAX_MATCHES}, "
            f"ranker=expr('{ranking.pool_ranker(needed, statistics)}'), idf='plain,tfidf_unnormalized', "
            f"field_weights=({', '.join(f'{f}={n}' for f, n in ranking.FIELD_NUMBERS.items())})", args)
        total = int(dict(meta[0])["total_found"])
        seq = {int(d): int(s) for d, s, *_ in found}
        groups = {int(row[0]): int(row[-1]) for row in found}
        lengths = {int(d): dict(zip(ranking.FIELDS, map(int, rest[:-1]))) for d, _, *rest in found}
        counted = needed | {term for pair in pairs for term in (pair.first, pair.second)}
        counts, matched = self._counts(pointer, counted, expressions | {pair.expression for pair in pairs},
                                       list(lengths))
        frequencies = self._frequencies(pointer, statistics, counted)
        evidence = ranking.Evidence(statistics, frequencies, counts, matched, lengths)
        scores = ranking.with_proximity({d: scorer.score(d, evidence) for d in seq}, seq, pairs, evidence)
        if request.group is not None:  # a group's listing: every member
            page = sorted(seq, key=lambda d: (-scores[d], seq[d]))[first:first + request.per_page]
            distinct = total
        else:
            ranked = collapse_pool(scores, seq, groups, first + request.per_page)
            larger = larger_pool(size, len(ranked), first + request.per_page, total)
            if larger is not None:
                return self._ranked(pointer, statistics, scorer, pairs, match, filters, request, larger)
            page, distinct = ranked[first:], self._distinct(pointer, where, args, total, size, groups)
        stored = self._stored(pointer, page)
        return [(stored[d], round(scores[d], 3), groups[d]) for d in page], total, distinct

    def _distinct(self, pointer: Pointer, where: str, args: tuple, total: int, size: int,
                  groups: dict[int, int]) -> int:
        """The groups the found documents belong to: counted in the pool when it holds them all."""
        if total <= size:
            return len(set(groups.values()))
        _, meta = self._query(distinct_statement(distributed_index(pointer.slot), where, total), args)
        return int(dict(meta[0])["total_found"])

    def _group_sizes(self, pointer: Pointer, keys: set[int]) -> dict[int, int]:
        """Each group's live documents, for the groups of a page's hits (a hit's `similar` is one less)."""
        if not keys:
            return {}
        found, _ = self._query(sizes_statement(distributed_index(pointer.slot), keys), ())
        return {int(key): int(count) for key, count in found}

    def _counts(self, pointer: Pointer, needed: set[ranking.Term], expressions: set[str],
                candidates: list[int]) -> tuple[dict, dict]:
        """Among the candidates: each term's frequency per field, and which match each expression."""
        index = distributed_index(pointer.slot)
        within = ", ".join(map(str, candidates)) or "0"
        limit = f"LIMIT {max(len(candidates), 1)} OPTION max_matches={max(len(candidates), 1)}"
        counts, matched = {}, {}
        for field, keyword in {(term.field, term.keyword) for term in needed}:
            found, _ = self._query(f"SELECT id, WEIGHT() FROM {index} WHERE MATCH(%s) AND id IN ({within}) "
                                   f"{limit}, ranker=expr('sum(hit_count)')", (f"@{field} {keyword}",))
            counts[(field, keyword)] = {int(d): int(w) for d, w in found}
        for expression in expressions:
            found, _ = self._query(f"SELECT id FROM {index} WHERE MATCH(%s) AND id IN ({within}) {limit}",
                                   (expression,))
            matched[expression] = {int(d) for d, in found}
        return counts, matched

    def _statistics(self, pointer: Pointer) -> ranking.Statistics:
        found, _ = self._query(f"SELECT COUNT(*), SUM(len_title), SUM(len_body), SUM(len_exact) "
                               f"FROM {distributed_index(pointer.slot)}", ())
        documents, *sums = (int(v) for v in found[0])
        return ranking.Statistics(documents, dict(zip(ranking.FIELDS, sums)))

    def _frequencies(self, pointer: Pointer, statistics: ranking.Statistics,
                     needed: set[ranking.Term]) -> dict[tuple[str, str], int]:
        """Documents holding each term per field, over the whole cluster; kept while the
        generation and its statistics stay the same (an incremental update changes them)."""
        key = (pointer, statistics.documents, tuple(sorted(statistics.lengths.items())))
        with self._lock:
            if self._df_key != key:
                self._df_key, self._df = key, {}
            known = dict(self._df)
        for term in needed:
            probe = (term.field, term.keyword)
            if probe not in known:
                _, meta = self._query(f"SELECT id FROM {distributed_index(pointer.slot)} WHERE MATCH(%s) "
                                      f"LIMIT 1", (f"@{term.field} {term.keyword}",))
                known[probe] = int(dict(meta[0])["total_found"])
        with self._lock:
            if self._df_key == key and len(self._df) < FREQUENCY_CACHE:
                self._df.update(known)
        return known

    def _stored(self, pointer: Pointer, docs: list[int]) -> dict[int, str]:
        if not docs:
            return {}
        found, _ = self._query(f"SELECT id, stored FROM {distributed_index(pointer.slot)} "
                               f"WHERE id IN ({', '.join(map(str, docs))}) LIMIT {len(docs)}", ())
        return {int(d): stored for d, stored in found}

    def _facets(self, pointer: Pointer, match: str | None, filters: dict[str, str],
                request: SearchRequest) -> Facets:
        """Facets sharing a set of filters share one statement: all three in one when none is filtered."""
        by_filters: dict[str | None, list[str]] = {}
        for name in FACETS:
            own = "date" if name == "year" else name
            by_filters.setdefault(own if own in filters else None, []).append(name)
        counts: dict[str, dict[str, int]] = {}
        for leave_out, names in by_filters.items():
            where, args = self._where(match, filters, leave_out)
            facets = " ".join(f"FACET {n} ORDER BY COUNT(*) DESC LIMIT {FACET_LIMIT}" for n in names)
            sets = self._query(f"SELECT id FROM {distributed_index(pointer.slot)}{where} LIMIT 1 "
                               f"OPTION max_matches={MAX_MATCHES} {facets}", args)
            for name, found in zip(names, sets[1:-1]):
                counts[name] = _counted(name, found)
        return Facets(**{name: _facet_list(name, self._named(pointer, name, counts[name]), request)
                         for name in FACETS})

    def _named(self, pointer: Pointer, name: str, counts: dict[str, int]) -> dict[str, int]:
        if name == "year":
            return counts
        names = self._facet_names(pointer)
        if any(int(k) not in names for k in counts):
            names = self._facet_names(pointer, reload=True)
        return {names[int(k)][1] if int(k) in names else k: c for k, c in counts.items()}

    def _facet_names(self, pointer: Pointer, reload: bool = False) -> dict[int, tuple[int, str]]:
        key = f"{pointer.generation}:{pointer.slot}"
        if reload or key not in self._names:
            for node in self.topology.nodes:
                try:
                    self._names = {key: _names(node, pointer.slot)}
                    break
                except pymysql.OperationalError:
                    continue
        return self._names.get(key, {})

    @staticmethod
    def _result(stored: str, score: float | None, matches: WordMatcher, similar: int) -> Hit:
        document = terms.load(stored)
        document.group = terms.group_key(document)  # a document alone answers its own id, as on Whoosh
        return Hit.of(document, snippet(document.body or document.title, matches), score, similar)


def _counted(name: str, found: Sequence[tuple]) -> dict[str, int]:
    """One FACET result set as value -> documents: id 0 is "no value", which for the year is UNDATED
    (a document has one year at most), as search.backend.whoosh.facets counts it."""
    counts = {str(key): int(count) for key, count in found if int(key)}
    undated = sum(int(count) for key, count in found if not int(key))
    if name == "year" and undated:
        counts[UNDATED] = undated
    return counts


def _facet_list(name: str, counts: dict[str, int], request: SearchRequest) -> list[FacetValue]:
    """Ordered and cut as search.backend.whoosh.facets.facet_counts does (years newest first, UNDATED last)."""
    selected = selected_values(name, request)
    shown = ordered_values(name, counts)[:request.facet_size]
    shown += [(v, counts.get(v, 0)) for v in sorted(selected) if v not in dict(shown)]
    return [FacetValue(value=v, count=c, selected=v in selected) for v, c in shown]
