"""A search's results as a file: CSV for a spreadsheet, JSON for a script.

`GET /export/search.csv` and `GET /export/search.json` take the search page's parameters and
answer every result in the page's order, up to MAX_RESULT_WINDOW (the deepest the API serves),
streamed: the engine is asked for one page of MAX_PER_PAGE results at a time and each page is
written before the next is asked for, so memory stays at one page whatever the total.  All the
pages come from the one index generation that answered the first (named by X-Index-Generation).

The CSV is UTF-8 with a byte-order mark, so Excel opens Greek as Greek rather than mojibake.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from flask import Blueprint, Response, abort, request, stream_with_context, url_for

from search.answers import Hit, Query
from search.backend import Backend
from search.request import MAX_PER_PAGE, MAX_RESULT_WINDOW, SearchRequest

from .caching import Validators, conditional_get
from .links import parse_args

bp = Blueprint("export", __name__)

CSV_COLUMNS = ("id", "title", "date", "municipality", "officials", "doc_type", "url", "page", "snippet")
FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8"}


def all_results(engine: Backend, search: SearchRequest) -> Iterator[Hit]:
    """Every result of `search` in its order, page by page, up to the result window."""
    for page in range(1, MAX_RESULT_WINDOW // MAX_PER_PAGE + 1):
        answer = engine.search(replace(search, page=page, per_page=MAX_PER_PAGE))
        yield from answer.results
        if page >= answer.pages:
            return


def csv_row(hit: Hit) -> list[str]:
    officials = "; ".join(f"{o.name} ({o.role})" if o.role else o.name for o in hit.officials)
    return [hit.id, hit.title, hit.date.isoformat() if hit.date else "", "; ".join(hit.municipality), officials,
            hit.doc_type or "", hit.url or "", url_for("pages.document", doc_id=hit.id, _external=True), hit.snippet]


def csv_lines(results: Iterator[Hit]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    yield "\ufeff" + buffer.getvalue()
    for result in results:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(csv_row(result))
        yield buffer.getvalue()


def json_chunks(search: SearchRequest, results: Iterator[Hit]) -> Iterator[str]:
    """{"query": ..., "results": [...]}: the API's result objects, written one by one."""
    yield '{"query": ' + json.dumps(Query.of(search).as_json(), ensure_ascii=False) + ', "results": ['
    for number, hit in enumerate(results):
        yield ("," if number else "") + "\n" + json.dumps(hit.as_json(), ensure_ascii=False)
    yield "\n]}\n"


@bp.get("/export/search.<file_format>")
def search_export(file_format: str) -> Any:
    if file_format not in FORMATS:
        abort(404)

    def export(engine: Backend, search: SearchRequest, _: Validators) -> Response:
        results = all_results(engine, search)
        chunks = csv_lines(results) if file_format == "csv" else json_chunks(search, results)
        response = Response(stream_with_context(chunks), content_type=FORMATS[file_format])
        response.headers["Content-Disposition"] = f'attachment; filename="dimos-search.{file_format}"'
        return response

    return conditional_get(lambda: parse_args(request.args), export)
