"""Long bodies (whole real laws): results read the stored head, the document and a reindex read it whole."""
from __future__ import annotations

import json

import pytest

from search import highlight
from search.backend.whoosh.engine import SearchEngine
from search.backend.whoosh.writer import IndexUpdate, open_index, write_documents
from search.documents import Document
from search.querylang import parse_query
from search.request import parse_request
from tests.conftest import shared_data
from tests.test_snippet_candidates import every_word_snippet

pytestmark = pytest.mark.slow  # indexing 12 real laws (up to 713,621 characters a body) and updating them takes ~8 s

# Words of the laws' own text, some only deep in a body (past any head a result page reads).
QUERIES = ["άρθρο", "υπουργός οικονομικών", "Έναρξη ισχύος", "κτηματολόγιο", "προϋπολογ*", '"της παρ."']


@pytest.fixture(scope="module")
def laws() -> list[Document]:
    found = []
    with open(shared_data("greek-laws-2023-2024.jsonl"), encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if len(record["body"]) > 20 * highlight.SNIPPET_READ_CHARS:
                found.append(Document(id=record["id"], title=record["title"], body=record["body"]))
            if len(found) == 12:
                break
    return found


@pytest.fixture(scope="module")
def engine(laws, tmp_path_factory):
    directory = tmp_path_factory.mktemp("laws")
    write_documents(directory, laws, procs=1)
    engine = SearchEngine(open_index(directory))
    yield engine
    engine.close()


def test_a_long_document_is_served_whole(engine, laws):
    for law in laws:
        assert engine.get_document(law.id).body == law.body


@pytest.mark.parametrize("query", QUERIES)
def test_result_snippets_of_long_bodies_are_those_of_the_whole_text(engine, laws, query):
    bodies = {law.id: law.body for law in laws}
    answer = engine.search(parse_request({"q": [query], "per_page": ["20"]}))
    assert answer.results, f"{query!r} found none of the laws"
    matches = highlight.highlighter(parse_query(query))
    for hit in answer.results:
        expected = highlight.snippet(bodies[hit.id], matches)
        assert (hit.snippet, tuple(hit.highlights)) == (expected.text, expected.spans)
        assert hit.snippet.endswith(" …")  # the law goes on past the excerpt


@pytest.mark.parametrize("query", QUERIES)
def test_the_bounded_snippet_of_a_law_is_the_snippet_of_testing_every_word(laws, query):
    """Reading only SNIPPET_READ_CHARS gives what the rules give over the whole text (here its first
    20,000 characters, far past anything the rules can reach)."""
    matches = highlight.highlighter(parse_query(query))
    for law in laws[:4]:
        assert highlight.snippet(law.body, matches) == every_word_snippet(law.body[:20_000], matches)


def test_an_incremental_update_keeps_long_bodies_whole(laws, tmp_path):
    write_documents(tmp_path, laws[:3], procs=1)
    update = IndexUpdate(tmp_path)
    update.replace(Document(id=laws[0].id, title=laws[0].title, body=laws[0].body + "\n\nΤέλος."))
    update.commit()
    reread = IndexUpdate(tmp_path)
    kept = {document.id: document.body for document in reread.documents()}
    reread.cancel()
    assert kept == {laws[0].id: laws[0].body + "\n\nΤέλος.", laws[1].id: laws[1].body, laws[2].id: laws[2].body}
