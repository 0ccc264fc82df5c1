"""Shared fixtures: the real data beside the project, indexes of the seeds and of real documents, a Flask
client of the seeds, a Sphinx cluster, and figures.  Tests that need the real index or a real server are
marked `slow`."""
from __future__ import annotations

import datetime as dt
import json
import re
import socket
from pathlib import Path

import pytest

from search.documents import Document
from search.ingest import IngestReport, load_documents
from search.sphinx.cluster import PORT_STEP, LocalCluster
from search.sphinx.writer import build_generation, repair
from search.store import IndexStore

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SEEDS = PROJECT_ROOT / "seeds"
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"

WATER = "water-cut"
LAW_ARTICLES = 2500  # with the 1,453 decisions: ~4,000 documents, built once (2 cores: ~1 minute)

_FIGURES: list[str] = []


def marked(result: dict) -> list[str]:
    """The words a JSON result highlights: its `highlights` spans cut out of its plain-text `snippet`."""
    return [result["snippet"][start:end] for start, end in result["highlights"]]


def shared_data(name: str) -> Path:
    """A file of ../shared/data, or a skip: a user's fresh clone has no ../shared."""
    path = SHARED_DATA / name
    if not path.exists():
        pytest.skip(f"real reference data {path} is absent (it lives beside the project, not in it)")
    return path


def seed_documents() -> list[Document]:
    """The two seeds, through real ingestion."""
    return list(load_documents([SEEDS], IngestReport()))


@pytest.fixture(scope="session")
def seed_store(tmp_path_factory) -> IndexStore:
    """An index of the two seeds, shared read-only by the whole run."""
    store = IndexStore(tmp_path_factory.mktemp("seed-index"))
    store.build(seed_documents())
    return store


def decision_documents() -> list[Document]:
    documents = []
    with open(shared_data("diavgeia-decisions.jsonl"), encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            documents.append(Document(
                id=f"d:{record['id']}", title=record["title"] or "", body=record["body"] or "",
                date=dt.date.fromisoformat(record["date"]) if record["date"] else None,
                municipalities=[record["municipality"]] if record["municipality"] else [],
            ))
    return documents


_ARTICLE_RE = re.compile(r"\n\s*(?=Άρθρο\s+\d+\s*\n)")


def law_articles(limit: int) -> list[Document]:
    """Laws split into articles ("Άρθρο N"), as the data README suggests."""
    documents: list[Document] = []
    with open(shared_data("greek-laws-2023-2024.jsonl"), encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            for n, article in enumerate(_ARTICLE_RE.split(record["body"] or "")):
                heading = article.strip().split("\n", 1)[0][:120]
                documents.append(Document(
                    id=f"l:{record['id']}:{n}", title=f"{record['title']} — {heading}", body=article,
                    date=dt.date.fromisoformat(record["date"]) if record["date"] else None, doc_type="ΝΟΜΟΣ",
                ))
                if len(documents) >= limit:
                    return documents
    return documents


def water_cut() -> Document:
    return Document(id=WATER, title="Διακοπή νερού στο Νέο Κόσμο",
                    body="Προγραμματισμένη διακοπή υδροδότησης λόγω εργασιών του Δήμου.",
                    municipalities=["Δήμος Αθηναίων"], date=dt.date(2024, 3, 5))


@pytest.fixture(scope="session")
def real_store(tmp_path_factory) -> IndexStore:
    """~4,000 real documents, shared read-only by the whole run: seeds, a water cut, decisions, law articles."""
    documents = seed_documents() + [water_cut()] + decision_documents() + law_articles(LAW_ARTICLES)
    store = IndexStore(tmp_path_factory.mktemp("real-index"))
    store.build(documents)
    return store


@pytest.fixture
def figure():
    """Record a measured figure; all of them are printed at the end of the run."""
    def record(line: str) -> None:
        _FIGURES.append(line)
    return record


@pytest.fixture(scope="module")
def client(seed_store):
    """A Flask test client of the seed index (module-scoped, so Hypothesis tests may use it too)."""
    from web import create_app

    return create_app({"INDEX_DIR": seed_store.root, "TESTING": True}).test_client()


@pytest.fixture
def server(seed_store):
    """`dimos-search serve` on the seed index, a real subprocess on a free port: its base URL."""
    from tests.browser import running_server

    with running_server(seed_store.root) as base:
        yield base


# The cluster of the tests/test_cluster*.py modules: each shard on 2 of the 3 nodes,
# so one node can die with every shard still answered.
NODES = 3


def free_base_port(nodes: int) -> int:
    """A base port whose node ports (SphinxQL and agent) are all free on loopback now."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        ports = [base + k * PORT_STEP + offset for k in range(nodes) for offset in (0, 1)]
        if max(ports) < 65536 and all(_free(p) for p in ports):
            return base
    raise RuntimeError("no free loopback ports")


def _free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.fixture(scope="module")
def cluster(documents, tmp_path_factory):
    """NODES `searchd` processes on free loopback ports holding the module's `documents` (a fixture each
    cluster module defines), one cluster a module; its modules skip where searchd is not installed."""
    local = LocalCluster.layout(tmp_path_factory.mktemp("cluster"), NODES, free_base_port(NODES))
    try:
        local.start()
        build_generation(local.topology, documents)
        yield local
    finally:
        local.stop()


@pytest.fixture(scope="module")
def whoosh_store(documents, tmp_path_factory) -> IndexStore:
    """The module's `documents` in an embedded Whoosh index: what a cluster module compares its cluster to."""
    store = IndexStore(tmp_path_factory.mktemp("whoosh"))
    store.build(documents)
    return store


@pytest.fixture(scope="module")
def whoosh_engine(whoosh_store):
    """The engine over `whoosh_store`, as the service serves it: what a cluster module's searcher answers beside."""
    from search.service import SearchService

    return SearchService(whoosh_store).engine()


@pytest.fixture(scope="module")
def whoosh_client(whoosh_store):
    """A test client of the web app on `whoosh_store` alone: what `on_cluster` must answer as."""
    from web import create_app

    return create_app({"INDEX_DIR": whoosh_store.root, "BACKEND": None, "TESTING": True}).test_client()


@pytest.fixture(scope="module")
def on_cluster(cluster, tmp_path_factory):
    """A test client of the web app on the module's cluster (DIMOS_BACKEND=sphinx://...)."""
    from web import create_app

    url = "sphinx://" + ",".join(str(n) for n in cluster.topology.nodes)
    app = create_app({"INDEX_DIR": tmp_path_factory.mktemp("unused"), "BACKEND": url, "TESTING": True})
    return app.test_client()


@pytest.fixture
def healed(cluster):
    """Every node running again after a test that killed some (and repaired, for the live generation)."""
    yield cluster
    stopped = [k for k in range(NODES) if cluster.pid(k) is None]
    for k in stopped:
        cluster.start_node(k)
    for k in stopped:
        repair(cluster.topology, cluster.topology.nodes[k])


# Fixtures whose tests are `slow`: the real index takes about a minute to build on two cores,
# and the vocabularies and engines over it need it; servers are real subprocesses.
SLOW_FIXTURES = frozenset({"real_store", "real_engine", "real_vocab", "real_client", "server", "hostile_server"})


def pytest_collection_modifyitems(items):
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


def pytest_terminal_summary(terminalreporter):
    if _FIGURES:
        terminalreporter.section("dimos-search measured figures")
        for line in _FIGURES:
            terminalreporter.write_line(line)
