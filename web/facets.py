"""A facet's every value: the all-values view (/facets/<name>) and its JSON twin (/api/facets/<name>).

The search page lists each facet's FACET_SIZE commonest values; these routes list
all of them with counts over the same search (Datasette's rule), a page at a time,
and find values by what a person types in the filter box («rod», «Ρόδος», «ΡΟΔΟΥ»
all find «Δήμος Ρόδου»).  The box is a plain GET form: the page needs no script.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, jsonify, render_template, request

from search.request import FACETS, InvalidRequest, SearchRequest

from .caching import allow_any_origin, conditional_get
from .errors import error_response
from .links import ListingLinks, SearchLinks, parse_listing
from .state import get_engine

bp = Blueprint("facets", __name__)

# Each facet's listing, named as a person asks for it: the link under the facet and the listing's heading.
LISTING_TITLES = {"municipality": "Όλοι οι δήμοι", "region": "Όλες οι περιφέρειες", "official": "Όλα τα πρόσωπα",
                  "year": "Όλα τα έτη"}
# What the filter box finds, by facet, as its placeholder shows it.
FILTER_EXAMPLES = {"municipality": "π.χ. Ρόδος, ΡΟΔΟΥ, rodos, ροδ", "region": "π.χ. Κρήτη, kriti",
                   "official": "π.χ. Βλάσσης, vlassis", "year": "π.χ. 2021"}


@bp.app_context_processor
def listing_helpers() -> dict[str, Any]:
    return {"listing_titles": LISTING_TITLES, "filter_examples": FILTER_EXAMPLES}


@bp.after_request
def cors(response: Response) -> Response:
    """The JSON listing is public and read-only like /api/search; the page is not shared."""
    return allow_any_origin(response) if request.path.startswith("/api/") else response


@bp.get("/api/facets/<facet>")
def facet_listing(facet: str) -> Any:
    if facet not in FACETS:
        return error_response(404, "not_found", f"No facet is named '{facet}'; one of {', '.join(FACETS)}.",
                              f"Δεν υπάρχει φίλτρο '{facet}'· ένα από: {', '.join(FACETS)}.", "facet")
    return conditional_get(lambda: parse_listing(facet, request.args),
                           lambda engine, listing, _: jsonify(engine.facet_listing(listing).as_json()), weak=True)


@bp.get("/facets/<facet>")
def facet_page(facet: str) -> Any:
    if facet not in FACETS:
        abort(404)
    try:
        listing = parse_listing(facet, request.args)
    except InvalidRequest as error:
        fallback = SearchRequest(q=request.args.get("q", ""))
        return render_template("facet_values.html", facet=facet, listing=None, answer=None, error=error,
                               links=SearchLinks(fallback)), 400
    answer = get_engine().facet_listing(listing)
    return render_template("facet_values.html", facet=facet, listing=listing, answer=answer, error=None,
                           links=ListingLinks(listing))
