"""What a search backend answers: the interface the service and the web layer rely on.

search/backend/whoosh/ implements it over one Whoosh index generation, and
search.sphinx.service.ClusterGeneration over one generation of a Sphinx/Manticore
cluster (chosen by DIMOS_BACKEND: search.service.open_service).  Requests reach a
backend validated (search.request) and its query already readable as clauses
(search.querylang), so a backend only matches, counts, ranks and fetches.
"""
from __future__ import annotations

from typing import Protocol

from ..answers import FacetListing, SearchAnswer
from ..documents import Document
from ..request import FacetListingRequest, SearchRequest


class Backend(Protocol):
    """One searchable collection of documents (for Whoosh: one index generation)."""

    def document_count(self) -> int:
        """Documents it holds."""
        ...

    def get_document(self, doc_id: str) -> Document | None:
        """The whole document with this id, or None."""
        ...

    def search(self, request: SearchRequest) -> SearchAnswer:
        """One page of ranked, highlighted results with facet counts and a suggestion."""
        ...

    def probe(self) -> None:
        """Run a cheap real search; raise (anything) when the collection cannot answer one."""

    def facet_listing(self, listing: FacetListingRequest) -> FacetListing:
        """Every value of one facet over a search's documents, with counts, found by a typed text, paged."""
        ...

    def known_values(self, facet: str) -> tuple[str, ...]:
        """Every value held for a filtering facet (municipality, region, official): what a typed
        filter value is normalized to (search.request.resolve_filters)."""
        ...
