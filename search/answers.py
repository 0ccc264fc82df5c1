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
import math
from dataclasses import asdict
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from .documents import Document
from .highlight import Snippet
from .request import (MAX_FACET_PAGE_SIZE, MAX_FACET_SIZE, MAX_PER_PAGE, MAX_RESULT_WINDOW, FacetListingRequest,
                      SearchRequest)

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
    region: list[str]
    undated: bool = Field(description="Only documents without a date (the year facet's «Χωρίς ημερομηνία»).")
    facet_size: int = Field(ge=0, le=MAX_FACET_SIZE, description="Values listed per facet (selected ones always).")
    as_typed: bool = Field(default=False, description="true: q was searched exactly as typed, nothing corrected "
                                                      "or read as Greeklish (the `as_typed` parameter).")
    group: str | None = Field(description="The near-duplicate group listed (every member, none collapsed), or null.")

    @classmethod
    def of(cls, request: SearchRequest) -> Query:
        return cls(q=request.q, municipality=list(request.municipality), official=list(request.official),
                   date_from=request.date_from, date_to=request.date_to, sort=request.effective_sort,
                   page=request.page, per_page=request.per_page, region=list(request.region),
                   undated=request.undated,
                   facet_size=request.facet_size,
                   as_typed=request.as_typed,
                   group=request.group)


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

    @classmethod
    def of(cls, document: Document, excerpt: Snippet, score: float | None, similar: int = 0) -> Hit:
        """A document as a result with its excerpt: how every backend builds its hits."""
        return cls(
            id=document.id,
            title=document.title,
            date=document.date,
            municipality=document.municipalities,
            officials=[Official(name=o.name, role=o.role) for o in document.officials],
            doc_type=document.doc_type,
            url=document.url,
            snippet=excerpt.text,
            highlights=list(excerpt.spans),
            score=round(score, 3) if score is not None else None,
            group=document.group,
            similar=similar,
        )


class FacetValue(Answer):
    value: str = Field(description="Pass it back as the facet's parameter (a year: from=YYYY-01-01&to=YYYY-12-31; "
                                   "«Χωρίς ημερομηνία»: undated=1).")
    count: int = Field(ge=0)
    selected: bool


class Facets(Answer):
    """Counts over the current query and the other facets' filters (a facet's own selection does not
    narrow its counts). Selected values are always listed, even at count 0."""

    municipality: list[FacetValue]
    official: list[FacetValue]
    year: list[FacetValue]
    region: list[FacetValue] = Field(description="The 13 regions (Περιφέρειες) of the documents' municipalities.")

    def named(self) -> list[tuple[str, list[FacetValue]]]:
        """(facet name, its values) in the order the page shows them."""
        return [("municipality", self.municipality), ("region", self.region), ("official", self.official),
                ("year", self.year)]


class Correction(Answer):
    """What was done to the words of q: corrected (the results are for `query`), or only suggested.

    A client must tell the two apart, as the page does: an applied correction is announced above the
    results («Εμφανίζονται αποτελέσματα για «δήμαρχος» · Αναζήτηση μόνο για «δημαχρος»»), a suggestion
    is an offer («Μήπως εννοείτε»).  The policy is search.corrections (docs/greeklish.md).
    """

    applied: bool = Field(description="true: the results are for `query`, q with its misspelled words corrected "
                                      "or its Greeklish read as Greek; say so, and offer `as_typed_url`. "
                                      "false: the results are for q as typed; `query` is only a suggestion "
                                      "(also in `suggestion`), which finds documents itself.")
    query: str = Field(description="q with the corrected or suggested words as the documents spell them.",
                       examples=["δήμαρχος Χανίων"])
    as_typed_url: str | None = Field(default=None, description="When applied: this search exactly as typed "
                                                               "(as_typed=1), which corrects nothing.")


class SearchAnswer(Answer):
    """One page of results, the facets and a spelling suggestion."""

    query: Query
    total: int = Field(ge=0, description="Matching documents in all.")
    pages: int = Field(ge=0, description=f"Pages that can be asked for (none past result {MAX_RESULT_WINDOW}).")
    results: list[Hit]
    distinct: int = Field(ge=0, description="Results the pages hold: `total` with each near-duplicate group "
                                            "counted once (equal to `total` when a group is listed).")
    facets: Facets
    suggestion: str | None = Field(description="«Μήπως εννοείτε»: a q that finds documents, offered when a word of q "
                                               "finds few; the results are not for it. null otherwise, and "
                                               "whenever every word of q has good hits.")
    correction: Correction | None = Field(default=None, description="The correction applied to q (the results are "
                                                                    "for it), else the suggestion; null when "
                                                                    "neither.")
    took_ms: float = Field(ge=0)


class ListedValue(Answer):
    """One value of an all-values listing."""

    value: str = Field(description="Pass it back as the facet's parameter, as a FacetValue's.")
    count: int = Field(ge=0, description="Documents of the search holding it.")
    selected: bool
    region: str | None = Field(description="A municipality's region (the listing groups municipalities under "
                                           "it); null for other facets and for a municipality the gazetteer "
                                           "does not place.")


class FacetListing(Answer):
    """Every value of one facet over a search's documents, paged, optionally found by a typed text.

    Counts follow the facets' rule (the query and the other facets' filters, not this
    facet's own).  Municipalities come grouped under their regions (regions by their
    documents, most first; within one, most documents first); other facets by count
    (years newest first, «Χωρίς ημερομηνία» last).
    """

    facet: Literal["municipality", "region", "official", "year"]
    query: Query
    filter: str = Field(description="The typed text that found the values (any case, accent, grammatical case, "
                                    "Greeklish or beginning of a word); empty: all values.")
    total: int = Field(ge=0, description="Values found, on all pages.")
    page: int = Field(ge=1)
    size: int = Field(ge=1, le=MAX_FACET_PAGE_SIZE)
    pages: int = Field(ge=0)
    values: list[ListedValue]
    took_ms: float = Field(ge=0)

    @classmethod
    def of(cls, request: FacetListingRequest, found: list[ListedValue], took_ms: float) -> FacetListing:
        """This page of the values `found` for `request`."""
        first = (request.page - 1) * request.size
        return cls(facet=request.facet, query=Query.of(request.search), filter=request.filter, total=len(found),
                   page=request.page, size=request.size, pages=math.ceil(len(found) / request.size),
                   values=found[first:first + request.size], took_ms=took_ms)

    def groups(self) -> list[tuple[str | None, list[ListedValue]]]:
        """This page's values as runs of one region (municipalities; None for the other facets), in order."""
        runs: list[tuple[str | None, list[ListedValue]]] = []
        for value in self.values:
            if not runs or runs[-1][0] != value.region:
                runs.append((value.region, []))
            runs[-1][1].append(value)
        return runs


class DocumentAnswer(Answer):
    """One whole document with all its fields."""

    id: str
    title: str
    body: str = Field(description="Plain text (not HTML).")
    date: IsoDate | None
    url: str | None
    municipality: list[str] = Field(description="Values of the `municipality` facet, as in a search result "
                                                "(one name for one field: `municipality` everywhere).")
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
        fields = asdict(document)
        fields["municipality"] = fields.pop("municipalities")
        return cls(**fields)


class NodeHealth(Answer):
    """One searchd node of a cluster backend."""

    node: str = Field(examples=["127.0.0.1:9306"])
    status: Literal["ok", "down"]


class ShardHealth(Answer):
    """One shard of a cluster backend: ok (every copy answers), degraded (answered from a mirror), down."""

    shard: int = Field(ge=0)
    status: Literal["ok", "degraded", "down"]
    nodes: list[str] = Field(description="The nodes holding a copy of the shard.")
    answering: list[str] = Field(description="Those of `nodes` answering now.")


class Health(Answer):
    """Whether the index can answer searches."""

    status: Literal["ok", "degraded", "error"] = Field(description="degraded (cluster backend only): every shard "
                                                                   "answers, some only from a mirror; answers "
                                                                   "are complete. error: no complete answer "
                                                                   "(HTTP 503).")
    documents: int = Field(ge=0)
    generation: str | None = Field(description="The live generation (named by CURRENT, else the newest that "
                                               "verifies).")
    serving: str | None = Field(description="The generation answering searches: the live one, or the newest "
                                            "that verifies when the live one is damaged.")
    built_at: str | None
    message: str | None = Field(description="What is wrong and what to do, when status is error.")
    nodes: list[NodeHealth] | None = Field(default=None, description="Cluster backend: each node; null on the "
                                                                     "embedded index.")
    shards: list[ShardHealth] | None = Field(default=None, description="Cluster backend: each shard; null on the "
                                                                       "embedded index.")

    @property
    def ok(self) -> bool:
        """Searches get complete answers (a degraded cluster still gives them)."""
        return self.status != "error"


class ErrorDetail(Answer):
    code: str = Field(examples=["invalid_parameter", "not_found", "index_unavailable"])
    message: str = Field(description="What to change, in English.")
    message_el: str = Field(description="The same, in Greek.")
    parameter: str | None = Field(description="The parameter at fault, if one.")


class ErrorAnswer(Answer):
    """The one error shape of every route."""

    error: ErrorDetail


class Entity(Answer):
    """A municipality or a person one link away, with how many of the documents in view name it."""

    name: str
    slug: str = Field(description="Its page: /municipalities/{slug} or /officials/{slug} (and /api/... for JSON).")
    documents: int = Field(ge=0)


class RoleSeen(Answer):
    """A role the texts give a person (or a mayor a municipality's texts name), with when it was seen."""

    name: str = Field(description="The person (on a person's page: the spelling the role was seen with).")
    role: str
    first: IsoDate | None = Field(description="Date of the earliest document with it (null: only undated ones).")
    last: IsoDate | None
    documents: int = Field(ge=1)


class YearCount(Answer):
    year: int
    documents: int = Field(ge=0)


class EntityLinks(Answer):
    """Where to go from an entity's page (paths on this service)."""

    page: str = Field(description="The HTML page.")
    json_url: str = Field(alias="json", description="This answer.")
    search: str = Field(description="The search page filtered by the entity.")
    feed: str = Field(description="Atom feed of its newest documents.")


class EntityDocuments(Answer):
    """What every entity page has: its documents by year, and one page of them, newest first."""

    documents: int = Field(ge=0, description="Documents naming it.")
    years: list[YearCount] = Field(description="Documents by year, newest first.")
    page: int = Field(ge=1)
    pages: int = Field(ge=0)
    latest: list[Hit] = Field(description="This page of its documents, newest first.")
    scanned: int = Field(ge=0, description="Documents read (newest first) for the roles seen: all of them up "
                                           "to a bound, which the HTML page states when it is reached.")
    links: EntityLinks


class OfficialProfile(Answer):
    """A person: the spellings merged into one page, the roles seen, where, and the documents."""

    name: str = Field(description="The commonest spelling.")
    slug: str
    variants: list[str] = Field(description="Every facet value merged here (spellings that share the slug).")
    roles: list[RoleSeen] = Field(description="Most documents first.")
    municipality: list[Entity] = Field(description="Municipalities of the person's documents, most first.")
    documents: EntityDocuments


class MunicipalityProfile(Answer):
    """A municipality: where it is, its mayors and people seen, and its documents."""

    name: str = Field(description="The spelling with most documents.")
    slug: str
    variants: list[str] = Field(description="Every facet value merged here (spellings that share the slug).")
    region: str | None = Field(description="From the gazetteer; null for a name the gazetteer lacks.")
    regional_unit: str | None
    mayor_elected_2023: str | None = Field(description="The gazetteer's mayor of the 2023 local elections.")
    mayors: list[RoleSeen] = Field(description="People the municipality's documents call its mayor (δήμαρχος).")
    official: list[Entity] = Field(description="People named in its documents, most first.")
    documents: EntityDocuments


class Completion(Answer):
    """One suggestion for what is being typed."""

    text: str = Field(description="The completed word or name, as the documents spell it.")
    kind: Literal["word", "municipality", "official"]
    documents: int = Field(ge=0, description="Documents holding it.")
    url: str | None = Field(description="The entity's page, for a municipality or a person.")


class CompletionAnswer(Answer):
    """Completions of the last (partly typed) word of `q`, commonest first."""

    q: str
    completions: list[Completion]
