"""Typed answers: what a backend returns, and what every renderer renders.

The core never returns HTML nor loose dictionaries: a search is a SearchAnswer of
Hits, each with its snippet as plain text and the character spans of the matched
words in it.  Renderers mark the spans themselves (the page wraps them in <mark>,
the terminal in bold, the JSON API passes text and spans on).  These models are
also the API's contract: web/openapi.py generates its schemas from them (pydantic's
JSON Schema), so the published document cannot drift from what is answered.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from .documents import Document
from .request import MAX_PER_PAGE, MAX_RESULT_WINDOW, SearchRequest

# A date in the answers is ISO 8601 (YYYY-MM-DD); the pattern makes a validator refuse any other form
# (JSON Schema's "format" alone is only an annotation).
IsoDate = Annotated[dt.date, WithJsonSchema({"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$",
                                             "examples": ["2021-01-10"]})]
# [start, end) of a matched word in the snippet text, in characters (Unicode code points).
Span = tuple[int, int]


class Answer(BaseModel):
    """Every answer: immutable, no field beyond those declared, each field always present in JSON."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True,
                              json_schema_serialization_defaults_required=True)

    def as_json(self) -> dict[str, Any]:
        """The answer as the JSON API sends it (dates as ISO text, `from`/`to` by name)."""
        return self.model_dump(mode="json", by_alias=True)


class Query(Answer):
    """The request as understood, after defaults."""

    q: str
    municipality: list[str]
    official: list[str]
    date_from: IsoDate | None = Field(alias="from")
    date_to: IsoDate | None = Field(alias="to")
    sort: Literal["relevance", "newest", "oldest"]
    page: int = Field(ge=1, le=MAX_RESULT_WINDOW)
    per_page: int = Field(ge=1, le=MAX_PER_PAGE)
    group: str | None = Field(description="The near-duplicate group listed (every member, none collapsed), or null.")

    @classmethod
    def of(cls, request: SearchRequest) -> Query:
        return cls(q=request.q, municipality=list(request.municipality), official=list(request.official),
                   date_from=request.date_from, date_to=request.date_to, sort=request.effective_sort,
                   page=request.page, per_page=request.per_page, group=request.group)


class Official(Answer):
    name: str
    role: str | None


class Hit(Answer):
    """One result: the document's headline fields and an excerpt with its matched words."""

    id: str
    title: str
    date: IsoDate | None
    municipality: list[str]
    officials: list[Official]
    doc_type: str | None
    url: str | None
    snippet: str = Field(description="Plain text (not HTML): an excerpt around the words that matched.")
    highlights: list[Span] = Field(description="[start, end) of each matched word in `snippet`, in characters "
                                               "(Unicode code points), in order and never overlapping.")
    score: float | None = Field(description="Relevance; null when sorted by date.")
    group: str | None = Field(description="Key of the document's near-duplicate group (the id of its first "
                                          "indexed member; its own id when it has no near-duplicate); "
                                          "`/api/search?group=<key>` lists the whole group. Null for an index "
                                          "built before groups existed.")
    similar: int = Field(ge=0, description="Other documents in the hit's group: the same announcement up to "
                                           "numbers, dates and codes. A page shows each group once (its "
                                           "best-ranked member) unless `group` is requested.")

    def marked(self) -> list[tuple[str, bool]]:
        """The snippet as consecutive pieces, each with whether it is a matched word: what a renderer marks."""
        pieces: list[tuple[str, bool]] = []
        cursor = 0
        for start, end in self.highlights:
            pieces += [(self.snippet[cursor:start], False), (self.snippet[start:end], True)]
            cursor = end
        pieces.append((self.snippet[cursor:], False))
        return [(text, matched) for text, matched in pieces if text]


class FacetValue(Answer):
    value: str = Field(description="Pass it back as the facet's parameter (a year: from=YYYY-01-01&to=YYYY-12-31).")
    count: int = Field(ge=0)
    selected: bool


class Facets(Answer):
    """Counts over the current query and the other facets' filters (a facet's own selection does not
    narrow its counts). Selected values are always listed, even at count 0."""

    municipality: list[FacetValue]
    official: list[FacetValue]
    year: list[FacetValue]

    def named(self) -> list[tuple[str, list[FacetValue]]]:
        """(facet name, its values) in the order the page shows them."""
        return [("municipality", self.municipality), ("official", self.official), ("year", self.year)]


class SearchAnswer(Answer):
    """One page of results, the facets and a spelling suggestion."""

    query: Query
    total: int = Field(ge=0, description="Matching documents in all.")
    pages: int = Field(ge=0, description=f"Pages that can be asked for (none past result {MAX_RESULT_WINDOW}).")
    results: list[Hit]
    distinct: int = Field(ge=0, description="Results the pages hold: `total` with each near-duplicate group "
                                            "counted once (equal to `total` when a group is listed).")
    facets: Facets
    suggestion: str | None = Field(description="A better-spelled q that finds more, or null.")
    took_ms: float = Field(ge=0)


class DocumentAnswer(Answer):
    """One whole document with all its fields."""

    id: str
    title: str
    body: str = Field(description="Plain text (not HTML).")
    date: IsoDate | None
    url: str | None
    municipalities: list[str] = Field(description="Values of the `municipality` facet.")
    officials: list[Official]
    regions: list[str]
    doc_type: str | None
    source: str | None
    flags: list[str]
    meta: dict[str, Any]
    group: str | None = Field(description="Key of the document's near-duplicate group (the id of its first "
                                          "indexed member; its own id when it has no near-duplicate).")

    @classmethod
    def of(cls, document: Document) -> DocumentAnswer:
        return cls(**asdict(document))


class Health(Answer):
    """Whether the index can answer searches."""

    status: Literal["ok", "error"]
    documents: int = Field(ge=0)
    generation: str | None = Field(description="The live generation (named by CURRENT, else the newest that "
                                               "verifies).")
    serving: str | None = Field(description="The generation answering searches: the live one, or the newest "
                                            "that verifies when the live one is damaged.")
    built_at: str | None
    message: str | None = Field(description="What is wrong and what to do, when status is error.")

    @property
    def ok(self) -> bool:
        return self.status == "ok"


class ErrorDetail(Answer):
    code: str = Field(examples=["invalid_parameter", "not_found", "index_unavailable"])
    message: str = Field(description="What to change, in English.")
    message_el: str = Field(description="The same, in Greek.")
    parameter: str | None = Field(description="The parameter at fault, if one.")


class ErrorAnswer(Answer):
    """The one error shape of every route."""

    error: ErrorDetail
