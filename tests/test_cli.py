"""The operators' command line, as an operator runs it on the seeds."""
from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request

import pytest
from click.testing import CliRunner

from search.store import IndexStore
from tests.browser import running_server
from tests.conftest import PROJECT_ROOT, marked
from web.cli import EXIT_LOCKED, main


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("cli-index")
    result = CliRunner().invoke(main, ["reindex", "--index", str(directory)])
    assert result.exit_code == 0, result.output
    return directory


def run(index_dir, *args: str):
    result = CliRunner().invoke(main, ["search", *args, "--index", str(index_dir)])
    assert result.exit_code == 0, result.output
    return result.output


def test_reindex_defaults_to_the_seeds(index_dir):
    answer = json.loads(run(index_dir, "", "--json"))
    assert sorted(r["id"] for r in answer["results"]) == ["000_1fe309cce7ba6396", "002_a41b864c727e27df"]


def test_accentless_surname_finds_pylaia(index_dir):
    output = run(index_dir, "καιτεζιδης")
    assert output.startswith("1 result (") and "Πυλαίας-Χορτιάτη" in output


def test_upper_case_role_finds_chania(index_dir):
    output = run(index_dir, "ΥΦΥΠΟΥΡΓΟΣ")
    assert "Συνάντηση δημάρχου Χανίων" in output


def test_json_has_results_highlights_and_facet_counts(index_dir):
    answer = json.loads(run(index_dir, "ψηφιακη διακυβερνηση", "--json"))
    assert answer["total"] == 2
    for result in answer["results"]:
        words = {word.lower() for word in marked(result)}
        assert words & {"ψηφιακή", "ψηφιακής", "ψηφιακές"} and words & {"διακυβέρνηση", "διακυβέρνησης"}
    counts = {f["value"]: f["count"] for f in answer["facets"]["municipality"]}
    assert counts == {"Δήμος Πυλαίας-Χορτιάτη": 1, "Δήμος Χανίων": 1}


def test_filters_on_the_command_line(index_dir):
    answer = json.loads(run(index_dir, "διακυβερνηση", "--municipality", "Δήμος Χανίων", "--json"))
    assert [r["municipality"] for r in answer["results"]] == [["Δήμος Χανίων"]]


def test_invalid_parameter_is_a_usage_error(index_dir):
    result = CliRunner().invoke(main, ["search", "x", "--page", "0", "--index", str(index_dir)])
    assert result.exit_code == 2 and "page" in result.output


def test_search_without_an_index_says_how_to_build_it(tmp_path):
    result = CliRunner().invoke(main, ["search", "x", "--index", str(tmp_path / "none")])
    assert result.exit_code == 1 and "dimos-search reindex" in result.output


@pytest.mark.parametrize("typed, expected", [
    ("kaitezidis", ["000_1fe309cce7ba6396"]),
    ("kaitezidhs", ["000_1fe309cce7ba6396"]),
    ("simandirakis", ["002_a41b864c727e27df"]),
    # The seeds only say Χανίων: the stem carries the match, as for a Greek query.
    ("xania", ["002_a41b864c727e27df"]),
    ("chania", ["002_a41b864c727e27df"]),
    ("hania", ["002_a41b864c727e27df"]),
    ("psifiaki diakyvernisi", ["000_1fe309cce7ba6396", "002_a41b864c727e27df"]),
])
def test_greeklish_finds_the_seeds(index_dir, typed, expected):
    answer = json.loads(run(index_dir, typed, "--json"))
    assert sorted(r["id"] for r in answer["results"]) == expected
    assert answer["correction"]["applied"] and re.search("[α-ωά-ώ]", answer["correction"]["query"])


def cli(*args: str):
    return CliRunner().invoke(main, list(args))


def test_version():
    result = cli("--version")
    assert result.exit_code == 0 and re.fullmatch(r"dimos-search \d+\.\d+\.\d+\n", result.output)


def test_reindex_says_1_document_not_1_documents(tmp_path):
    source = tmp_path / "one"
    source.mkdir()
    (source / "a.json").write_text(json.dumps({"id": "a", "title": "Διακοπή νερού στα Χανιά",
                                               "body": "Διακοπή υδροδότησης την Πέμπτη."}), encoding="utf-8")
    result = cli("reindex", str(source), "--index", str(tmp_path / "index"))
    assert result.exit_code == 0, result.output
    assert "indexed 1 document," in result.output and "Index: 1 document, " in result.output
    assert "1 documents" not in result.output
    search = cli("search", "νερό", "--index", str(tmp_path / "index"))
    assert search.output.startswith("1 result (")


def test_status_then_rollback_then_status(tmp_path):
    index = str(tmp_path / "index")
    assert cli("reindex", "--index", index).exit_code == 0  # the two seeds
    only_first = tmp_path / "first"
    only_first.mkdir()
    seed = sorted((PROJECT_ROOT / "seeds").iterdir())[0]
    (only_first / seed.name).write_bytes(seed.read_bytes())
    assert cli("reindex", str(only_first), "--index", index).exit_code == 0  # a reindex that lost a source

    status = cli("status", "--index", index)
    assert status.exit_code == 0, status.output
    live, previous = re.findall(r"(gen-\S+), built \S+, (\d+ documents?), [\d.]+ MB", status.output)
    assert status.output.startswith(f"Index: {index}\nLive generation: {live[0]}")
    assert live[1] == "1 document" and previous[1] == "2 documents"
    assert "Last reindex, finished" in status.output and "Full reindex: indexed 1 document" in status.output

    rollback = cli("rollback", "--index", index)
    assert rollback.exit_code == 0, rollback.output
    assert rollback.output == f"Rolled back: {previous[0]} is live again (was {live[0]}).\n"
    answer = json.loads(run(tmp_path / "index", "", "--json"))
    assert answer["total"] == 2  # the search sees the restored generation at once

    after = cli("status", "--index", index)
    assert f"Live generation: {previous[0]}" in after.output
    assert "Previous generations: none" in after.output and f"Rolled back from: {live[0]}" in after.output
    again = cli("rollback", "--index", index)
    assert again.exit_code == 1 and "no generation before" in again.output


def test_rollback_is_refused_while_a_reindex_runs(tmp_path):
    index = tmp_path / "index"
    assert cli("reindex", "--index", str(index)).exit_code == 0
    assert cli("reindex", "--index", str(index)).exit_code == 0
    before = (index / "CURRENT").read_text()
    with IndexStore(index).locked():  # what a running reindex holds
        result = cli("rollback", "--index", str(index))
    assert result.exit_code == EXIT_LOCKED and "another reindex is running" in result.output
    assert (index / "CURRENT").read_text() == before


def test_status_without_an_index_says_how_to_build_it(tmp_path):
    result = cli("status", "--index", str(tmp_path / "none"))
    assert result.exit_code == 1 and "dimos-search reindex" in result.output


def test_serve_writes_an_access_log_line_per_request(seed_store, tmp_path):
    log = tmp_path / "access.log"
    with running_server(seed_store.root, "--access-log", str(log)) as base:
        body = urllib.request.urlopen(f"{base}/?q=%CE%B4%CE%B9%CE%B1%CE%BA%CF%85%CE%B2%CE%B5%CF%81%CE%BD%CE%B7%CF%83%CE%B7",
                                      timeout=10).read()
        try:
            urllib.request.urlopen(f"{base}/nowhere", timeout=10)
        except urllib.error.HTTPError as error:
            assert error.code == 404
        for _ in range(600):  # a line is written once its answer has been sent, a moment after the client has it
            # The last request's line, not a count of lines: a start-up poll that timed out on a loaded
            # machine is still answered, and logged, later.
            if log.exists() and "GET /nowhere " in log.read_text(encoding="utf-8"):
                break
            time.sleep(0.05)
    lines = log.read_text(encoding="utf-8").splitlines()
    common = re.compile(r'127\.0\.0\.1 - - \[\d{2}/\w{3}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] "(.*?)" (\d{3}) (\d+|-)')
    parsed = [common.fullmatch(line).groups() for line in lines]
    assert ("GET /?q=%CE%B4%CE%B9%CE%B1%CE%BA%CF%85%CE%B2%CE%B5%CF%81%CE%BD%CE%B7%CF%83%CE%B7 HTTP/1.1", "200",
            str(len(body))) in parsed
    assert ("GET /nowhere HTTP/1.1", "404") in [(request, status) for request, status, _ in parsed]
