"""One bad item never stops a reindex (issue 12): each is skipped with its place and reason, the rest goes on.

Every case here used to abort the whole run with a traceback (or, for a numeric `url`, serve a 500),
so the nightly reindex failed until someone edited the input.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from search.ingest import IngestReport, load_documents
from search.service import SearchService
from search.store import IndexStore
from tests.conftest import SEEDS
from web import create_app
from web.cli import main

GOOD = {"id": "good-1", "title": "Διακοπή νερού στα Χανιά",
        "body": "Ο Δήμος Χανίων ανακοινώνει διακοπή υδροδότησης την Τρίτη λόγω εργασιών στο δίκτυο."}


def record(**fields) -> dict:
    return {**GOOD, "id": fields.pop("id", "r"), "title": fields.pop("title", "Ανακοίνωση του Δήμου Χανίων"),
            **fields}


def folder_with(tmp_path: Path, name: str, content: bytes) -> Path:
    """A source folder holding one good announcement and the hostile file `name`."""
    source = tmp_path / "src"
    source.mkdir()
    (source / "good.json").write_text(json.dumps(GOOD, ensure_ascii=False), encoding="utf-8")
    with open(os.path.join(os.fsencode(source), os.fsencode(name) if isinstance(name, str) else name), "wb") as out:
        out.write(content)
    return source


def run_reindex(source: Path, index: Path, *extra: str):
    result = CliRunner().invoke(main, ["reindex", str(source), "--index", str(index), *extra])
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


HOSTILE = {
    "non-UTF-8 file name": (b"bad\xff\xfe.txt", "Ο Δήμος Χανίων ανακοινώνει την έναρξη των εργασιών.".encode()),
    "lone surrogate in a title": ("surrogate.json", b'{"id": "s1", "title": "\\ud800 \\u0394\\u03ae\\u03bc\\u03bf\\u03c2",'
                                                    b' "body": "\\u0394\\u03ae\\u03bc\\u03bf\\u03c2 \\u03a7\\u03b1\\u03bd\\u03af\\u03c9\\u03bd"}'),
    "lone surrogate in an id": ("surrogate-id.json", b'{"id": "\\udcff", "title": "\\u0394\\u03ae\\u03bc\\u03bf\\u03c2",'
                                                     b' "body": "\\u03a7\\u03b1\\u03bd\\u03af\\u03c9\\u03bd"}'),
    "object for doc_type": ("type.json", json.dumps(record(doc_type={"k": "v"})).encode()),
    "a line of 100,000 [": ("brackets.jsonl", b"[" * 100_000 + b"\n" + json.dumps(record(id="ok")).encode() + b"\n"),
    "nested 5,000 deep": ("deep.json", b'{"id": "d", "title": "t", "body": "b", "meta": ' + b"[" * 5000 + b"]" * 5000 + b"}"),
    "a 5,000-digit integer": ("digits.jsonl", b'{"id": 1' + b"0" * 5000 + b', "title": "t", "body": "b"}\n'),
}


@pytest.mark.parametrize("case", HOSTILE)
@pytest.mark.parametrize("incremental", [False, True])
def test_a_hostile_item_is_skipped_or_handled_and_the_reindex_goes_on(tmp_path, case, incremental):
    name, content = HOSTILE[case]
    source = folder_with(tmp_path, name, content)
    index = tmp_path / "index"
    if incremental:  # the same files reach an incremental run over a healthy live index
        run_reindex(SEEDS, index)
    output = run_reindex(source, index, *(["--incremental"] if incremental else []))
    store = IndexStore(index)
    assert SearchService(store).health().as_json()["status"] == "ok"
    with SearchService(store).engine().ix.searcher() as searcher:
        ids = {fields["id"] for fields in searcher.all_stored_fields()}
    assert "good-1" in ids, output
    report = IngestReport()
    documents = list(load_documents([source], report))
    assert report.read == report.documents + report.duplicates + sum(report.skipped.values())
    for place, reason in report.details:  # every skip names its place and what was wrong, printably
        place.encode("utf-8") and reason.encode("utf-8")
        assert "/src/" in place or place.startswith("src/") and reason
        assert place.split("/src/")[-1].split("#")[0].split(":")[0] in output
    for document in documents:  # what is indexed is valid UTF-8 everywhere
        json.dumps([document.id, document.title, document.body, document.source], ensure_ascii=False).encode()


@pytest.mark.parametrize("field, value, reason", [
    ("doc_type", {"k": "v"}, "doc_type: an object where a string goes"),
    ("title", ["a"], "title: a list where a string goes"),
    ("officials", "Γιώργος Παπαδόπουλος", "officials: a string where a list goes"),
    ("municipality", 7, "municipality: a number where a string goes"),
    ("date", 20240305, "date: a number where a string goes"),
    ("url", 12345, "url: a number where a string goes"),
    ("meta", [1], "meta: a list where an object goes"),
])
def test_a_field_of_the_wrong_type_is_a_reason(tmp_path, field, value, reason):
    path = tmp_path / "records.jsonl"
    path.write_text(json.dumps(record(**{field: value})) + "\n" + json.dumps(GOOD) + "\n", encoding="utf-8")
    report = IngestReport()
    assert [d.id for d in load_documents([path], report)] == ["good-1"]
    assert report.details == [(f"{path}:1", f"invalid record: {reason}")]


def test_a_number_id_is_converted_to_its_decimal_text(tmp_path):
    path = tmp_path / "records.jsonl"
    path.write_text(json.dumps(record(id=1234)) + "\n", encoding="utf-8")
    assert [d.id for d in load_documents([path], IngestReport())] == ["1234"]


def test_a_record_with_a_numeric_url_never_gives_a_500(tmp_path):
    path = tmp_path / "records.jsonl"
    path.write_text(json.dumps(record(id="n", url=12345)) + "\n" + json.dumps(GOOD) + "\n", encoding="utf-8")
    index = tmp_path / "index"
    run_reindex(path, index)
    client = create_app({"INDEX_DIR": index, "TESTING": True}).test_client()
    assert client.get("/api/documents/good-1").status_code == 200
    assert client.get("/api/documents/n").status_code == 404  # skipped with its reason, not served broken


# --- ids -----------------------------------------------------------------------------------------

def two_towns(tmp_path: Path) -> Path:
    source = tmp_path / "towns"
    for town, text in [("chania", "Ο Δήμος Χανίων ανακοινώνει διακοπή υδροδότησης στη Νέα Χώρα."),
                       ("pylos", "Ο Δήμος Πύλου ανακοινώνει τον καθαρισμό των παραλιών της Πύλου.")]:
        (source / town).mkdir(parents=True)
        (source / town / "index.txt").write_text(text, encoding="utf-8")
    return source


def test_files_of_one_name_in_different_folders_are_different_documents(tmp_path):
    report = IngestReport()
    documents = list(load_documents([two_towns(tmp_path)], report))
    assert sorted(d.id for d in documents) == ["chania/index", "pylos/index"]
    assert sorted(d.source for d in documents) == ["towns/chania/index.txt", "towns/pylos/index.txt"]


def test_the_same_files_by_an_absolute_or_a_relative_path_are_unchanged(tmp_path, monkeypatch):
    source = two_towns(tmp_path)
    (source / "records.jsonl").write_text(json.dumps({"title": "Χωρίς αριθμό", "body": GOOD["body"]}) + "\n",
                                          encoding="utf-8")
    index = tmp_path / "index"
    monkeypatch.chdir(tmp_path)
    run_reindex(Path("towns"), index)
    generation = IndexStore(index).current_generation()
    output = run_reindex(source.resolve(), index, "--incremental")
    assert "added 0, updated 0, removed 0, unchanged 3" in output, output
    assert IndexStore(index).current_generation() == generation


def test_a_true_id_clash_is_reported_with_both_places(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    for name, body in [("a.jsonl", "Ο Δήμος Χανίων ανακοινώνει διακοπή υδροδότησης."),
                       ("b.jsonl", "Ο Δήμος Πύλου ανακοινώνει καθαρισμό παραλιών.")]:
        (source / name).write_text(json.dumps(record(id="same", body=body), ensure_ascii=False) + "\n",
                                   encoding="utf-8")
    output = run_reindex(source, tmp_path / "index")
    assert "same: src/a.jsonl (kept) and src/b.jsonl" in output, output


def test_the_content_hash_covers_content_fields_only(tmp_path):
    document = next(load_documents([two_towns(tmp_path) / "chania" / "index.txt"], IngestReport()))
    moved = next(load_documents([two_towns(tmp_path / "elsewhere")], IngestReport()))
    assert (document.id, moved.id) == ("index", "chania/index")
    assert document.content_hash == moved.content_hash


def test_no_server_path_in_a_document_answer(tmp_path):
    index = tmp_path / "index"
    run_reindex(two_towns(tmp_path).resolve(), index)
    client = create_app({"INDEX_DIR": index, "TESTING": True}).test_client()
    answer = client.get("/api/documents/chania/index")
    if answer.status_code == 404:  # ids with a slash are served quoted
        answer = client.get("/api/documents/chania%2Findex")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    text = answer.get_data(as_text=True)
    assert answer.get_json()["source"] == "towns/chania/index.txt" and str(tmp_path) not in text
