"""Entity pages: a person (/officials/<slug>) and a municipality (/municipalities/<slug>), HTML and JSON.

Each page has a JSON twin under /api/ with the same answer (search/answers.py's OfficialProfile and
MunicipalityProfile), made by search/entities.py from searches filtered by the entity.  A slug is the
name in Latin letters (search.entities.entity_slug); the generation's directory of slugs is built on the
first entity request of a generation and kept with its engine.  The only parameter is `page` (of the
latest documents); any other is a 400, an unknown slug a 404.  Pages and twins carry the generation's
ETag and Last-Modified and answer 304 until a reindex or a rollback, as the search API does.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any
from weakref import WeakKeyDictionary

from flask import Blueprint, Response, abort, g, jsonify, make_response, render_template, request, url_for

from search.answers import EntityLinks, MunicipalityProfile, OfficialProfile
from search.backend.whoosh.engine import SearchEngine
from search.entities import ENTITY_PAGE_SIZE, EntityDirectory, municipality_profile, official_profile
from search.gazetteer import Gazetteer
from search.request import InvalidRequest, SearchRequest, check_parameter_names, parse_request

from .errors import error_response
from .caching import Validators, allow_any_origin, not_modified_response, validators
from .links import SearchLinks
from .state import get_engine

bp = Blueprint("entities", __name__)

_directories: WeakKeyDictionary[SearchEngine, EntityDirectory] = WeakKeyDictionary()
_directories_lock = threading.Lock()


def directory(engine: SearchEngine) -> EntityDirectory:
    """The slugs of `engine`'s generation, built once per engine: 6 ms for the 332 municipalities and the
    20 signers of the laws in ../shared/data, so ~17 ms per 1,000 names."""
    with _directories_lock:
        found = _directories.get(engine)
        if found is None:
            found = _directories[engine] = EntityDirectory(engine.facet_values("municipality"),
                                                           engine.facet_values("official"))
        return found


def _page() -> int:
    """The page of latest documents asked for, validated as a search's page is."""
    check_parameter_names(request.args, {"page"})
    return parse_request({"page": request.args.getlist("page")}).page


def _links(kind: str, slug: str, search: SearchRequest) -> EntityLinks:
    search_links = SearchLinks(search)
    return EntityLinks(page=url_for(f"entities.{kind}_page", slug=slug),
                       json_url=url_for(f"entities.{kind}_json", slug=slug),
                       search=search_links.url(), feed=search_links.feed())


def _municipality_profile(engine: SearchEngine, variants: list[str], slug: str, page: int,
                          links: EntityLinks) -> MunicipalityProfile:
    return municipality_profile(engine, Gazetteer.default(), variants, slug, page, links)


@dataclass(frozen=True)
class EntityKind:
    """What tells a person's pages from a municipality's; the rest is one code path for both.

    `facet` is at once the search field that filters by the entity, the directory's kind and the
    prefix of the endpoints (`entities.official_page`, `entities.official_json`) that templates
    and web/links.py link to, so that the three cannot drift apart."""

    facet: str
    path: str
    template: str
    noun: str
    noun_el: str
    build: Callable[[SearchEngine, list[str], str, int, EntityLinks], OfficialProfile | MunicipalityProfile]

    def search(self, variants: Iterable[str]) -> SearchRequest:
        """The search over the documents of the entity spelled as `variants`."""
        return SearchRequest(**{self.facet: tuple(variants)})

    def profile(self, slug: str) -> OfficialProfile | MunicipalityProfile | None:
        """The entity with `slug` in the answering generation, or None if it has no such entity."""
        engine = get_engine()
        variants = directory(engine).values(self.facet, slug)
        if not variants:
            return None
        return self.build(engine, variants, slug, _page(), _links(self.facet, slug, self.search(variants)))


KINDS = (EntityKind("official", "officials", "official.html", "person", "πρόσωπο", official_profile),
         EntityKind("municipality", "municipalities", "municipality.html", "municipality", "δήμος",
                    _municipality_profile))


def _cached() -> Validators:
    """The validators of this answer: it changes only when the index generation does (web/caching.py)."""
    get_engine()  # names the answering generation
    return validators(g.index_generation, request.full_path)


def _respond(kind: EntityKind, slug: str, render: Callable[[Any], Response],
             invalid: Callable[[InvalidRequest], Any], missing: Callable[[], Any]) -> Any:
    """The one path of a page and its JSON twin, which differ only in how they render the profile and
    say a 400 or a 404: 304 while the generation is unchanged, else the profile with its validators."""
    tags = _cached()
    if tags.not_modified():
        return not_modified_response(tags)
    try:
        profile = kind.profile(slug)
    except InvalidRequest as error:
        return invalid(error)
    if profile is None:
        return missing()
    return tags.apply(render(profile))


def _json(kind: EntityKind, slug: str) -> Any:
    return _respond(
        kind, slug, lambda profile: jsonify(profile.as_json()),
        invalid=lambda error: error_response(400, "invalid_parameter", error.message, error.message_el,
                                             error.parameter),
        missing=lambda: error_response(404, "not_found", f"No {kind.noun} has the slug '{slug}'.",
                                       f"Δεν υπάρχει {kind.noun_el} με διεύθυνση '{slug}'.", "slug"))


def _html(kind: EntityKind, slug: str) -> Any:
    def page(profile: OfficialProfile | MunicipalityProfile) -> Response:
        # Each year's count links to the entity's search over that year.
        entity_search = SearchLinks(kind.search(profile.variants))
        return make_response(render_template(kind.template, profile=profile, documents=profile.documents,
                                              entity_search=entity_search, entity_page_size=ENTITY_PAGE_SIZE))

    return _respond(kind, slug, page,
                    invalid=lambda error: (render_template("error.html", status=400, message=error.message_el), 400),
                    missing=lambda: abort(404))


@bp.after_request
def cors(response: Response) -> Response:
    """The JSON twins are public and read-only, as the rest of the API."""
    return allow_any_origin(response) if request.path.startswith("/api/") else response


def _add_routes(kind: EntityKind) -> None:
    """The page and its JSON twin of one kind of entity, under the endpoints `{facet}_page` and `{facet}_json`."""
    bp.add_url_rule(f"/{kind.path}/<slug>", endpoint=f"{kind.facet}_page", view_func=partial(_html, kind),
                    methods=["GET"])
    bp.add_url_rule(f"/api/{kind.path}/<slug>", endpoint=f"{kind.facet}_json", view_func=partial(_json, kind),
                    methods=["GET"])


for _kind in KINDS:
    _add_routes(_kind)
