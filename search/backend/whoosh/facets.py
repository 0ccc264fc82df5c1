"""Facet columns (each document's values of a facet field) and the counts over them.

A column is read once per generation from the field's postings: a generation never
changes, so its columns never go stale.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from itertools import chain

from whoosh.reading import IndexReader

from ...answers import Facets, FacetValue
from ...request import FACET_SIZE, SearchRequest, selected_year

# Facet name (as requested and answered) -> the index field that holds its values.
FACET_FIELDS = {"municipality": "municipality", "official": "official"}
# Every field a facet is counted over: the year facet reads the `year` field.
COUNTED_FIELDS = (*FACET_FIELDS.items(), ("year", "year"))

Column = list[tuple[str, ...]]


def read_column(reader: IndexReader, fieldname: str) -> Column:
    """The field's values of every document, by docnum."""
    by_doc: list[list[str]] = [[] for _ in range(reader.doc_count_all())]
    for value in reader.lexicon(fieldname):
        text = value.decode("utf-8") if isinstance(value, bytes) else value
        for docnum in reader.postings(fieldname, text).all_ids():
            by_doc[docnum].append(text)
    return [tuple(values) for values in by_doc]


def facet_counts(column: Callable[[str], Column], matched_docs: set[int], filter_docs: dict[str, set[int]],
                 request: SearchRequest) -> Facets:
    """Counts over the current query and every other facet's filter (Datasette-style).

    `column(fieldname)` gives the field's column; `filter_docs` each filter's documents.
    """
    facets: dict[str, list[FacetValue]] = {}
    for name, fieldname in COUNTED_FIELDS:
        excluded = "date" if name == "year" else name
        docs = matched_docs.intersection(*(d for key, d in filter_docs.items() if key != excluded))
        by_doc = column(fieldname)
        counts = Counter(chain.from_iterable(map(by_doc.__getitem__, docs)))
        if name == "year":
            selected = {selected_year(request)} - {None}
            ordered = sorted(counts.items(), key=lambda item: item[0], reverse=True)
        else:
            selected = set(getattr(request, name))
            ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        shown = ordered[:FACET_SIZE]
        shown += [(v, counts.get(v, 0)) for v in sorted(selected) if v not in dict(shown)]
        facets[name] = [FacetValue(value=v, count=c, selected=v in selected) for v, c in shown]
    return Facets(**facets)
