"""A SearchRequest answered by the cluster, in the shape SearchEngine.search answers.

The query is parsed by search.query.parse_query, as on Whoosh, and each
clause becomes a SphinxQL MATCH expression over the same terms the writer
sent: a word is its stem in title/body OR its folded form in `exact` (the
form Whoosh's `_form_query` matches), a phrase and a prefix* run on `exact`,
OR alternatives are `|` groups, exclusions are `-( ... )`.

Facets are counted as Whoosh counts them: each over the query and every
filter but its own (the filter of the facet being shown is left out), so a
statement is run per distinct set of filters, with FACET over the MVA ids;
ids are named from the slot's names index.  Facet lists come back whole and
are cut to FACET_SIZE here, ties broken by value as on Whoosh.

Not yet on this backend: Greeklish readings and spelling corrections (they
need the index's vocabulary, which Sphinx 2.2 cannot list over SphinxQL), so
`suggestion` is always None and such words are searched as typed.
"""
from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Any

import pymysql

from ..highlight import highlighter as _highlighter
from ..highlight import snippet
from ..querylang import Clause, parse_query
from ..request import FACET_SIZE, MAX_RESULT_WINDOW, SearchRequest
from ..request import selected_year as _selected_year
from . import terms
from .cluster import MAX_MATCHES
from .nodes import ClusterUnavailable, health, session
from .topology import Topology, distributed_index
from .writer import Pointer, _names, read_pointer

# An answer with an agent warning may lack a shard.  After a node dies, Sphinx
# (ha_strategy = nodeads) still sent its first 2-3 queries to the dead mirror and
# answered 140 and 143 of 202 documents, with the warning; the next was whole.
# So such an answer is thrown away and the statement sent again, to the next node,
# up to this many times, RETRY_PAUSE_S x attempt apart (1.4 s in all, beyond the
# 100 ms ha_ping_interval of the nodes' configs), before the cluster is declared unavailable.
ATTEMPTS = 8
RETRY_PAUSE_S = 0.05
FACETS = ("municipality", "official", "year")
# A whole facet list: Diavgeia has 332 municipalities; officials are at most a few thousand.
FACET_LIMIT = 100_000


def _form(folded: str, term: str | None) -> str:
    if term is None:
        return f"@exact {terms.encode(folded)}"
    return f"(@(title,body) {terms.encode(term)} | @exact {terms.encode(folded)})"


def clause_expression(clause: Clause) -> str:
    """One clause (without its negation) as an extended-syntax group."""
    if clause.phrase:
        own = '@exact "' + " ".join(terms.encode(w.folded) for w in clause.words) + '"'
    else:
        parts = [_form(w.folded, w.term) for w in clause.words[:-1] if w.term]
        last = clause.words[-1]
        if clause.prefix:
            parts.append(f"@exact {terms.encode(last.folded)}*")
        elif last.term or len(clause.words) == 1:
            parts.append(_form(last.folded, last.term))
        own = "(" + " ".join(parts) + ")"
    if not clause.alternatives:
        return own
    return "(" + " | ".join([own, *(clause_expression(a) for a in clause.alternatives)]) + ")"


def match_expression(clauses: Sequence[Clause]) -> str | None:
    """The MATCH() text of a parsed query; None matches every document."""
    positive = [clause_expression(c) for c in clauses if not c.negated]
    negative = [clause_expression(c) for c in clauses if c.negated]
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
        self._names: dict[str, dict[int, str]] = {}

    def health(self) -> dict:
        return health(self.topology)

    def search(self, request: SearchRequest) -> dict[str, Any]:
        started = time.perf_counter()
        pointer = read_pointer(self.topology)
        if pointer is None:
            raise LookupError("the cluster has no generation yet")
        clauses = parse_query(request.q)
        match = match_expression(clauses)
        filters = self._filters(request)
        rows, total = self._rows(pointer, match, filters, request)
        facets = self._facets(pointer, match, filters, request)
        matches = _highlighter(clauses)
        return {
            "query": request.as_dict(),
            "total": total,
            "pages": min(math.ceil(total / request.per_page), MAX_RESULT_WINDOW // request.per_page),
            "results": [self._result(stored, weight, matches) for stored, weight in rows],
            "facets": facets,
            "suggestion": None,
            "took_ms": round((time.perf_counter() - started) * 1000, 1),
        }

    @staticmethod
    def _filters(request: SearchRequest) -> dict[str, str]:
        filters = {}
        if request.municipality:
            filters["municipality"] = f"municipality IN ({_ids(request.municipality)})"
        if request.official:
            filters["official"] = f"official IN ({_ids(request.official)})"
        if request.date_from or request.date_to:
            low = terms.date_number(request.date_from) if request.date_from else 0
            high = terms.date_number(request.date_to) if request.date_to else 99_999_999
            filters["date"] = f"dated = 1 AND date >= {low} AND date <= {high}"
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
                raise RuntimeError(f"the cluster refused a query: {error}") from error
            if not any("agent" in str(w[2]) for w in warnings):
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

    def _rows(self, pointer: Pointer, match: str | None, filters: dict[str, str],
              request: SearchRequest) -> tuple[list[tuple[str, int | None]], int]:
        where, args = self._where(match, filters)
        ranked = request.effective_sort == "relevance"
        order = {"relevance": "WEIGHT() DESC, id ASC", "newest": "dated DESC, date DESC, id ASC",
                 "oldest": "dated DESC, date ASC, id ASC"}[request.effective_sort]
        first = (request.page - 1) * request.per_page
        options = f"max_matches={MAX_MATCHES}"
        if ranked:
            # BM25F with Whoosh's field boost (search.index.TITLE_BOOST = 3; exact forms at half weight).
            options += ", ranker=expr('10000*bm25f(1.2,0.75,{title=6,body=2,exact=1})')"
        sql = (f"SELECT stored, WEIGHT() FROM {distributed_index(pointer.slot)}{where} ORDER BY {order} "
               f"LIMIT {first}, {request.per_page} OPTION {options}")
        found, meta = self._query(sql, args)
        total = int(dict(meta[0])["total_found"])
        return [(stored, int(weight) if ranked else None) for stored, weight in found], total

    def _facets(self, pointer: Pointer, match: str | None, filters: dict[str, str],
                request: SearchRequest) -> dict[str, list[dict[str, Any]]]:
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
                counts[name] = {str(key): int(count) for key, count in found if int(key)}
        return {name: _facet_list(name, self._named(pointer, name, counts[name]), request) for name in FACETS}

    def _named(self, pointer: Pointer, name: str, counts: dict[str, int]) -> dict[str, int]:
        if name == "year":
            return counts
        names = self._facet_names(pointer)
        if any(int(k) not in names for k in counts):
            names = self._facet_names(pointer, reload=True)
        return {names.get(int(k), k): c for k, c in counts.items()}

    def _facet_names(self, pointer: Pointer, reload: bool = False) -> dict[int, str]:
        key = f"{pointer.generation}:{pointer.slot}"
        if reload or key not in self._names:
            for node in self.topology.nodes:
                try:
                    self._names = {key: {k: v for k, (_, v) in _names(node, pointer.slot).items()}}
                    break
                except pymysql.OperationalError:
                    continue
        return self._names.get(key, {})

    @staticmethod
    def _result(stored: str, weight: int | None, matches) -> dict[str, Any]:
        document = terms.load(stored)
        return {
            "id": document.id,
            "title": document.title,
            "date": document.date.isoformat() if document.date else None,
            "municipality": document.municipalities,
            "officials": [{"name": o.name, "role": o.role} for o in document.officials],
            "doc_type": document.doc_type,
            "url": document.url,
            "snippet": snippet(document.body or document.title, matches),
            "score": weight,
        }


def _facet_list(name: str, counts: dict[str, int], request: SearchRequest) -> list[dict[str, Any]]:
    """Ordered and cut as SearchEngine._facets does."""
    if name == "year":
        selected = {_selected_year(request)} - {None}
        ordered = sorted(counts.items(), key=lambda item: item[0], reverse=True)
    else:
        selected = set(getattr(request, name))
        ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    shown = ordered[:FACET_SIZE]
    shown += [(v, counts.get(v, 0)) for v in sorted(selected) if v not in dict(shown)]
    return [{"value": v, "count": c, "selected": v in selected} for v, c in shown]
