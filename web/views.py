"""The search page and the document page: server-rendered, in Greek, usable without JavaScript."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from markupsafe import Markup, escape

from search.answers import Hit
from search.request import DEFAULT_PER_PAGE, InvalidRequest, SearchRequest

from .document_view import DocumentText
from .state import get_engine
from .links import SearchLinks, entity_url, json_twin, municipality_url, official_url, parse_args, to_params

bp = Blueprint("pages", __name__)

FACET_LABELS = {"municipality": "Δήμος", "region": "Περιφέρεια", "official": "Πρόσωπα", "year": "Έτος"}
# "" (the default) is relevance when there are words and newest first without: one choice, «Συνάφεια»,
# explained under the menu, rather than an unexplained «Αυτόματη» beside an explicit «Συνάφεια».
SORT_LABELS = {"": "Συνάφεια", "newest": "Νεότερα πρώτα", "oldest": "Παλαιότερα πρώτα"}
PER_PAGE_CHOICES = (10, 20, 50, 100)
# The browser checks the Greek date fields (dd/mm/yyyy) before sending; the server parses them anyway.
DATE_PATTERN = r"\s*[0-9]{1,2}[\/.\-][0-9]{1,2}[\/.\-][0-9]{4}\s*|\s*[0-9]{4}-[0-9]{2}-[0-9]{2}\s*"


@bp.app_template_filter("snippet")
def marked_snippet(hit: Hit) -> Markup:
    """The hit's snippet as HTML: every character of the text escaped, each matched word in <mark>."""
    return Markup("").join(Markup("<mark>%s</mark>") % text if matched else escape(text)
                           for text, matched in hit.marked())


@bp.app_template_test("web_address")
def is_web_address(url: str | None) -> bool:
    """Only http(s) source addresses become links (never javascript: or data:)."""
    return bool(url) and url.lower().startswith(("http://", "https://"))


@bp.app_context_processor
def page_helpers() -> dict[str, Any]:
    return {"json_twin": json_twin, "facet_labels": FACET_LABELS, "sort_labels": SORT_LABELS,
            "default_per_page": DEFAULT_PER_PAGE, "per_page_choices": PER_PAGE_CHOICES, "date_pattern": DATE_PATTERN,
            "entity_url": entity_url, "official_url": official_url, "municipality_url": municipality_url}


@bp.get("/")
def search() -> Any:
    try:
        search_request = parse_args(request.args)
    except InvalidRequest as error:
        fallback = SearchRequest(q=request.args.get("q", ""))
        return render_template("search.html", search=fallback, links=SearchLinks(fallback),
                               answer=None, error=error), 400
    links = SearchLinks(search_request)
    if sorted(to_params(search_request)) != sorted(request.args.items(multi=True)):
        # The form sends its empty fields, default choices and Greek dates (10/01/2021) too;
        # bookmarks get the short URL that means the same, dates in ISO.
        return redirect(links.url())
    answer = get_engine().search(search_request)
    return render_template("search.html", search=search_request, links=links, answer=answer, error=None)


@bp.get("/documents/<path:doc_id>")
def document(doc_id: str) -> Any:
    """A whole document; reached from a search (its parameters carried on), the search's words are marked."""
    try:
        search_request = parse_args(request.args)
    except InvalidRequest as error:
        return render_template("error.html", status=400, message=error.message_el), 400
    engine = get_engine()
    found = engine.get_document(doc_id)
    if found is None:
        abort(404)
    query = request.query_string.decode("utf-8", "replace")
    return render_template("document.html", document=found, text=DocumentText.of(found, engine, search_request.q),
                           search=search_request, links=SearchLinks(SearchRequest()),
                           back_url=url_for("pages.search") + (f"?{query}" if query else ""))
