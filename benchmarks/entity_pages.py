"""Time of the entity pages' JSON (/api/officials/<slug>, /api/municipalities/<slug>) on the real decisions.

    python benchmarks/entity_pages.py [--repeat 5]

Ingests ../shared/data/diavgeia-decisions.jsonl with the real pipeline, indexes it, and prints for the
commonest municipality and person the median time of their entity answer and, as the peer measured in
the same run, of the search filtered by them (/api/search?official=...), with the ratio: an entity page
is that search plus its newest documents read for roles (search/entities.py).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import median_ms  # noqa: E402
from search.entities import entity_slug  # noqa: E402
from search.ingest import IngestReport, load_documents  # noqa: E402
from search.store import IndexStore  # noqa: E402
from tests.conftest import SHARED_DATA  # noqa: E402
from web import create_app  # noqa: E402


def fetch(client, url: str) -> None:
    """One request of the timed page; a failing answer stops the benchmark rather than time an error page."""
    assert client.get(url).status_code == 200, url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    store = IndexStore(Path(tempfile.mkdtemp(prefix="entity-bench-")))
    documents = list(load_documents([SHARED_DATA / "diavgeia-decisions.jsonl"], IngestReport()))
    store.build(documents)
    client = create_app({"INDEX_DIR": store.root, "TESTING": True}).test_client()
    facets = client.get("/api/search?facet_size=1").get_json()["facets"]
    print(f"{len(documents):,} decisions indexed")
    print(f"{'entity':<40} {'documents':>9} {'page ms':>8} {'search ms':>9} {'ratio':>6}")
    for facet, path in (("municipality", "municipalities"), ("official", "officials")):
        top = facets[facet][0]
        page_url = f"/api/{path}/{entity_slug(top['value'])}"
        page = median_ms(lambda: fetch(client, page_url), args.repeat)
        search_url = "/api/search?" + urlencode({facet: top["value"]})
        search = median_ms(lambda: fetch(client, search_url), args.repeat)
        print(f"{top['value']:<40} {top['count']:>9} {page:>8.1f} {search:>9.1f} {page / search:>6.1f}")


if __name__ == "__main__":
    main()
