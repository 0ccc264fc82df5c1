"""Reindex never loses the index: generations, switch under load, SIGKILL, lock, incremental, output."""
from __future__ import annotations

import errno
import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from whoosh.writing import SegmentWriter

from search.analysis import terms
from search.request import SearchRequest
from search.reindex import Progress, reindex, summary
from search.service import SearchService
from search.store import (BUILD_INFO, BUILDING_PREFIX, LOCK_FILE, POINTER, DiskFull, IndexStore, IndexUnavailable,
                          ReindexLocked, VerificationFailed)
from tests.conftest import PROJECT_ROOT, shared_data
from tests.reindex_child import announcements


def quiet() -> Progress:
    return Progress(io.StringIO())


def build(store: IndexStore, count: int, tag: str = "", **kwargs):
    return reindex(store, {"announcements": announcements(count, tag)}, progress=quiet(), **kwargs)


def leftovers(root: Path) -> list[str]:
    return [p.name for p in root.iterdir() if p.name.startswith(".") or p.name.endswith(".tmp")]


@pytest.fixture
def store(tmp_path: Path) -> IndexStore:
    return IndexStore(tmp_path / "index")


# --- generations and the switch -------------------------------------------------------

def test_full_rebuild_switches_keeps_the_previous_generation_and_removes_older(store):
    first = build(store, 10).generation
    second = build(store, 12).generation
    third = build(store, 14).generation
    assert store.current_generation() == third
    assert store.generations() == [second, third]
    assert not (store.root / first).exists()
    assert SearchService(store).health().as_json()["documents"] == 14
    assert leftovers(store.root) == []


def test_a_new_generation_is_picked_up_without_restart_and_running_requests_finish_on_the_old(store):
    build(store, 10)
    reader = SearchService(IndexStore(store.root))  # the server's own service, as in another process
    old_engine = reader.engine()
    build(store, 15)
    assert old_engine.search(SearchRequest()).total == 10
    assert reader.engine().search(SearchRequest()).total == 15


def mentioning_the_mayor(count: int) -> int:
    """How many of `count` announcements a search for "δήμαρχος" finds."""
    term = terms("δήμαρχος")[0]
    return sum(1 for d in announcements(count) if term in terms(f"{d.title} {d.body}"))


@pytest.mark.slow  # searching threads across repeated reindexes, ~1.6 s
def test_searches_during_switches_see_no_error_and_only_whole_generations(store):
    counts = [30, 35, 40, 45, 50, 55, 60]
    build(store, counts[0])
    reader = SearchService(IndexStore(store.root))
    everything: list[int] = []
    mayor: list[int] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    searched = threading.Condition()

    def search_in_a_loop() -> None:
        while not stop.is_set():
            try:
                everything.append(reader.engine().search(SearchRequest()).total)
                mayor.append(reader.engine().search(SearchRequest(q="δήμαρχος", per_page=5)).total)
            except BaseException as error:  # the test is that nothing at all is raised
                errors.append(error)
            with searched:
                searched.notify_all()

    def one_more_search() -> None:
        """Until the thread has finished a search begun after this call (a deadline only for a hung run)."""
        with searched:
            searched.wait_for(lambda: len(everything) + len(errors) >= seen + 2, timeout=60)

    thread = threading.Thread(target=search_in_a_loop)
    seen = 0
    thread.start()
    try:
        one_more_search()  # the first generation searched before any switch
        for count in counts[1:]:
            build(store, count)
        seen = len(everything) + len(errors)
        one_more_search()  # and the last one after all of them
    finally:
        stop.set()
        thread.join()
    assert errors == []
    assert set(everything) <= set(counts) and set(mayor) <= {mentioning_the_mayor(c) for c in counts}
    assert len(set(everything)) > 1, "the searching thread never saw a switch"


# --- a missing or damaged index ------------------------------------------------------------

def test_health_reports_a_missing_index_then_reindex_repairs_it(store):
    health = SearchService(store).health().as_json()
    assert health == {"status": "error", "documents": 0, "generation": None, "serving": None, "built_at": None,
                      "message": health["message"], "nodes": None, "shards": None}
    assert "no index has been built" in health["message"] and "reindex" in health["message"]
    with pytest.raises(IndexUnavailable):
        SearchService(store).engine()
    build(store, 5)
    health = SearchService(store).health().as_json()
    assert health["status"] == "ok" and health["documents"] == 5 and health["message"] is None
    assert health["generation"] == store.current_generation() and health["built_at"]


def test_health_reports_a_pointer_to_a_missing_generation(store):
    build(store, 5)
    (store.root / POINTER).write_text("gen-gone", encoding="utf-8")
    health = SearchService(IndexStore(store.root)).health().as_json()
    assert health["status"] == "error" and health["generation"] == "gen-gone"
    assert "gen-gone" in health["message"] and "missing" in health["message"]


@pytest.mark.parametrize("damage", ["garbage segments", "no table of contents", "wrong count"])
def test_a_corrupt_generation_is_an_error_state_and_reindex_repairs_it(store, damage):
    live = store.root / build(store, 8).generation
    if damage == "garbage segments":
        for path in [*live.glob("*.trm"), *live.glob("*.pst")]:
            path.write_bytes(b"\x00garbage" * 64)
    elif damage == "no table of contents":
        for path in live.glob("*.toc"):
            path.unlink()
    else:
        (live / BUILD_INFO).write_text(json.dumps({"documents": 99, "built_at": "x"}), encoding="utf-8")
    health = SearchService(IndexStore(store.root)).health().as_json()
    assert health["status"] == "error" and health["documents"] == 0
    assert live.name in health["message"] and "reindex" in health["message"]
    result = build(store, 8, incremental=True)
    assert not result.incremental and "full rebuild" in " ".join(result.notes)
    assert SearchService(IndexStore(store.root)).health().as_json()["status"] == "ok"


# --- generations that prove themselves --------------------------------------------------------

def test_build_records_the_size_and_checksum_of_every_file_and_an_intact_generation_verifies(store):
    live = store.root / build(store, 6).generation
    files = json.loads((live / BUILD_INFO).read_text(encoding="utf-8"))["files"]
    assert any(name.endswith(".toc") or name.endswith(".pst") for name in files) and "SOURCES.json" in files
    for name, record in files.items():
        assert record["size"] == (live / name).stat().st_size and len(record["sha256"]) == 64
    assert store.verify(live.name) == [] and store.newest_verified() == live.name


@pytest.mark.parametrize("pattern", ["*.pst", "*._stored.col", "*.trm", "*.toc"])
def test_a_truncated_file_of_a_generation_fails_verification_by_name(store, pattern):
    older = build(store, 4, "α").generation
    live = store.root / build(store, 6, "β").generation
    damaged = sorted(live.glob(pattern))
    if not damaged:
        pytest.skip(f"this Whoosh build writes no {pattern} file")
    with open(damaged[0], "r+b") as handle:
        handle.truncate(max(damaged[0].stat().st_size // 2, 1) - 1)
    problems = store.verify(live.name)
    assert problems and damaged[0].name in problems[0] and live.name in problems[0]
    assert str(store.root) not in " ".join(problems)
    assert store.newest_verified() == older


def test_verify_reports_a_missing_generation_or_build_info_and_never_raises(store):
    live = store.root / build(store, 3).generation
    assert "missing" in store.verify("gen-gone")[0] and "missing" in store.verify("../etc")[0]
    (live / BUILD_INFO).write_bytes(b"\xff\xfe")
    assert BUILD_INFO in store.verify(live.name)[0]
    assert store.newest_verified() is None


def truncate(path: Path) -> None:
    with open(path, "r+b") as handle:
        handle.truncate(path.stat().st_size // 2)


@pytest.mark.parametrize("pattern", ["*.pst", "*._stored.col"])
def test_a_damaged_live_generation_is_503_and_searches_come_from_the_newest_that_verifies(store, pattern):
    from web import create_app

    older = build(store, 4, "α").generation
    live = store.root / build(store, 6, "β").generation
    client = create_app({"INDEX_DIR": store.root, "TESTING": True}).test_client()
    assert client.get("/api/search?q=δήμαρχος").get_json()["total"] > 0
    damaged = next(iter(sorted(live.glob(pattern))))
    truncate(damaged)
    response = client.get("/health")
    health = response.get_json()
    assert response.status_code == 503 and health["status"] == "error"
    assert (health["generation"], health["serving"], health["documents"]) == (live.name, older, 4)
    assert damaged.name in health["message"] and older in health["message"]
    assert str(store.root) not in health["message"]
    answer = client.get("/api/search?q=δήμαρχος&per_page=100")
    assert answer.status_code == 200 and answer.headers["X-Index-Generation"] == older
    assert answer.get_json()["total"] == mentioning_the_mayor(4)
    assert all("α" in hit["title"] for hit in answer.get_json()["results"])


def test_with_no_generation_that_verifies_every_page_is_503_not_500(store):
    from web import create_app

    live = store.root / build(store, 6).generation
    client = create_app({"INDEX_DIR": store.root, "TESTING": True}).test_client()
    doc_id = client.get("/api/search?q=δήμαρχος").get_json()["results"][0]["id"]
    for pattern in ("*.pst", "*._stored.col"):
        truncate(next(iter(sorted(live.glob(pattern)))))
    for url in ["/health", "/api/search?q=δήμαρχος", "/?q=δήμαρχος", f"/api/documents/{doc_id}",
                f"/documents/{doc_id}"]:
        assert client.get(url).status_code == 503, url
    assert client.get("/health").get_json()["serving"] is None


def test_an_incremental_reindex_on_a_damaged_base_rebuilds_it_instead_of_unchanged(store):
    live = store.root / build(store, 6, "β").generation
    truncate(next(iter(sorted(live.glob("*._stored.col")))))
    result = build(store, 6, "β", incremental=True)
    assert result.switched and not result.incremental and "full rebuild" in " ".join(result.notes)
    assert result.generation != live.name and store.verify(result.generation) == []
    assert SearchService(IndexStore(store.root)).health().as_json()["status"] == "ok"


def test_a_reindex_after_damage_keeps_the_intact_generation_for_rollback_not_the_damaged_one(store):
    intact = build(store, 4, "α").generation
    damaged = store.root / build(store, 6, "β").generation
    truncate(next(iter(sorted(damaged.glob("*.pst")))))
    result = build(store, 6, "γ")
    assert store.generations() == [intact, result.generation]
    assert store.rollback() == (result.generation, intact)


@pytest.mark.parametrize("damage", ["deleted", "non-UTF-8 bytes", "a directory"])
def test_a_lost_or_damaged_pointer_makes_the_newest_verified_generation_live(store, damage):
    build(store, 4, "α")
    live = build(store, 7, "β").generation
    pointer = store.root / POINTER
    pointer.unlink()
    if damage == "non-UTF-8 bytes":
        pointer.write_bytes(b"\xff\xfe")
    elif damage == "a directory":
        pointer.mkdir()
    fresh = IndexStore(store.root)
    assert fresh.current_generation() == live
    assert SearchService(fresh).health().as_json()["status"] == "ok" and SearchService(fresh).health().as_json()["documents"] == 7
    assert SearchService(fresh).engine().search(SearchRequest(q="δήμαρχος")).total > 0
    result = build(fresh, 7, "γ", incremental=True)
    assert result.documents == 7 and pointer.is_file()
    assert pointer.read_text(encoding="utf-8") == result.generation == fresh.current_generation()


# --- a full disk --------------------------------------------------------------------------------

def fill_the_disk_at_the_write(monkeypatch, root: Path, after_bytes: int) -> None:
    """Whoosh's writes into a staged generation raise ENOSPC once `after_bytes` were written there."""
    from whoosh.filedb.structfile import StructFile

    written = {"bytes": 0}
    original = StructFile.write

    def write(self, data):
        if BUILDING_PREFIX in str(getattr(self.file, "name", "")):
            written["bytes"] += len(data)
            if written["bytes"] > after_bytes:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return original(self, data)

    monkeypatch.setattr(StructFile, "write", write)


@pytest.mark.parametrize("incremental", [False, True])
def test_a_full_disk_removes_the_partial_generation_names_the_path_and_the_next_run_works(
        store, monkeypatch, incremental):
    live = build(store, 30, "α").generation
    fill_the_disk_at_the_write(monkeypatch, store.root, after_bytes=2_000)
    with pytest.raises(DiskFull) as failure:
        build(store, 40, "β", incremental=incremental)
    message = str(failure.value)
    assert str(store.root) in message and "MB" in message and "free" in message and live in message
    assert leftovers(store.root) == [] and store.generations() == [live] and store.current_generation() == live
    assert SearchService(IndexStore(store.root)).health().as_json()["status"] == "ok"
    monkeypatch.undo()  # space freed
    result = build(store, 40, "β", incremental=incremental)
    assert result.documents == 40 and store.current_generation() == result.generation


@pytest.fixture
def small_disk(tmp_path: Path):
    """A real 3 MB tmpfs (root only; skipped where mounting is not allowed)."""
    mountpoint = tmp_path / "small"
    mountpoint.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mountpoint)],
                             capture_output=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.decode(errors='replace').strip()}")
    yield mountpoint
    subprocess.run(["umount", str(mountpoint)], check=True)


@pytest.mark.slow  # three reindex subprocesses, one of 1,094 real decisions
def test_a_real_full_disk_leaves_the_live_index_and_room_for_the_next_run(small_disk):
    """1,094 real decisions do not fit in 3 MB; the seeds do, before and after."""
    decisions = shared_data("diavgeia-decisions.jsonl")
    index = small_disk / "index"

    def run(*sources: Path) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "web.cli", "reindex", "--index", str(index),
                               *map(str, sources)], cwd=PROJECT_ROOT, capture_output=True, text=True, check=False)

    assert run(PROJECT_ROOT / "seeds").returncode == 0
    live = IndexStore(index).current_generation()
    full = run(decisions)
    assert full.returncode == 74, full.stderr
    assert f"the disk holding {index} is full" in full.stderr and "MB" in full.stderr and live in full.stderr
    assert leftovers(index) == [] and health_of(index)["documents"] == 2
    dead = index / f"{BUILDING_PREFIX}dead"  # a killed run's leftovers fill the disk to the last block
    dead.mkdir()
    with open(dead / "MAIN_x.pst", "wb", buffering=0) as handle, pytest.raises(OSError):
        while True:
            handle.write(b"\0" * 65536)
    again = run(PROJECT_ROOT / "seeds")
    assert again.returncode == 0, again.stderr
    assert leftovers(index) == [] and health_of(index)["status"] == "ok"


def health_of(index: Path) -> dict:
    """The index's health, its engine closed after (the disk it is on is unmounted when the test ends)."""
    service = SearchService(IndexStore(index))
    try:
        return service.health().as_json()
    finally:
        service.close()


def test_leftovers_are_removed_before_lock_is_written_so_a_full_disk_frees_itself(store, monkeypatch):
    live = build(store, 5).generation
    partial = store.root / f"{BUILDING_PREFIX}dead"
    partial.mkdir()
    (partial / "MAIN_x.pst").write_bytes(b"\0" * 4096)
    original = os.pwrite

    def pwrite(fd, data, offset):  # the disk is full for as long as the dead run's leftovers take it
        if partial.exists():
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return original(fd, data, offset)

    monkeypatch.setattr(os, "pwrite", pwrite)
    result = build(store, 6)
    assert result.documents == 6 and not partial.exists() and store.generations()[-2:] == [live, result.generation]


def test_the_cli_reports_a_full_disk_with_its_exit_status(tmp_path, monkeypatch):
    from click.testing import CliRunner
    from web.cli import EXIT_DISK_FULL, main

    index = tmp_path / "index"
    fill_the_disk_at_the_write(monkeypatch, index, after_bytes=100)
    result = CliRunner().invoke(main, ["reindex", "--index", str(index), str(PROJECT_ROOT / "seeds")])
    assert result.exit_code == EXIT_DISK_FULL, result.output
    assert "is full" in result.output and str(index) in result.output and "Traceback" not in result.output
    assert not [p for p in index.iterdir() if p.name.startswith(BUILDING_PREFIX)]


def test_a_run_that_reads_no_documents_does_not_replace_a_live_index(store):
    live = build(store, 9).generation
    with pytest.raises(VerificationFailed, match="no documents to index"):
        reindex(store, {"unmounted/": []}, progress=quiet())
    assert store.current_generation() == live and SearchService(store).health().as_json()["documents"] == 9
    assert leftovers(store.root) == []


# --- SIGKILL at several points ---------------------------------------------------------------

@pytest.mark.slow  # a reindex subprocess killed and a second one run, ~1 s each of six phases
@pytest.mark.parametrize("phase", ["parsing", "parallel", "writing", "switch", "prune", "incremental"])
def test_sigkill_keeps_the_last_good_generation_and_the_next_reindex_succeeds(store, phase):
    build(store, 20)
    good = build(store, 25).generation  # two generations on disk, as in steady state
    count = "130" if phase == "parallel" else "30"
    child = subprocess.Popen([sys.executable, "-m", "tests.reindex_child", phase, str(store.root), count],
                             cwd=PROJECT_ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        line = child.stdout.readline().strip()
        assert line == f"PHASE {phase}", f"the child never reached {phase}: {line!r}"
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait()
    survivor = IndexStore(store.root)
    health = SearchService(survivor).health().as_json()
    assert health["status"] == "ok", health
    if phase == "prune":  # killed after the switch: the new, verified generation is live
        assert health["generation"] != good and health["documents"] == 30
    else:
        assert health["generation"] == good and health["documents"] == 25
    assert SearchService(survivor).engine().search(SearchRequest(q="συμβούλιο")).total > 0

    result = build(store, 33)
    assert result.stale_lock is not None and result.stale_lock.pid == child.pid
    assert "stale lock" in summary(result)
    assert leftovers(store.root) == []
    assert store.generations() == [health["generation"], result.generation]  # the previous live one, for rollback
    assert SearchService(IndexStore(store.root)).health().as_json()["documents"] == 33


# --- the lock -------------------------------------------------------------------------------------

def test_a_second_reindex_exits_with_a_clear_message_while_the_first_holds_the_lock(store):
    build(store, 5)
    with IndexStore(store.root).locked():
        with pytest.raises(ReindexLocked) as raised:
            build(store, 6)
    message = str(raised.value)
    assert "another reindex is running" in message
    assert f"pid {os.getpid()} on {socket.gethostname()}" in message and "--wait" in message
    assert SearchService(store).health().as_json()["documents"] == 5
    assert build(store, 6).documents == 6  # released: the next run goes ahead


def test_a_second_reindex_with_wait_runs_once_the_first_finishes(store):
    """Order, not a sleep's length: the waiting run is still waiting, with nothing written, for as long
    as the lock is held; it finishes only after the release."""
    outcome: dict[str, object] = {}

    def waiting_run() -> None:
        outcome["started"] = time.monotonic()
        outcome["result"] = build(store, 7, wait=60)
        outcome["waited"] = time.monotonic() - outcome["started"]

    waiter = threading.Thread(target=waiting_run)
    with IndexStore(store.root).locked():
        waiter.start()
        waiter.join(0.5)
        still_waiting, written = waiter.is_alive(), store.generations()
        released = time.monotonic()
    waiter.join(60)
    result = outcome["result"]
    assert still_waiting and written == [] and result.documents == 7
    # Its own elapsed time leaves the wait out: it began no earlier than the release.
    assert result.elapsed <= outcome["waited"] - (released - outcome["started"])
    assert result.stale_lock is None


def test_a_stale_lock_from_a_dead_process_is_cleared_with_its_leftovers(store):
    build(store, 5)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    pid = int(dead.stdout)
    (store.root / LOCK_FILE).write_text(json.dumps({"pid": pid, "host": socket.gethostname(),
                                                    "started": "2024-01-01T03:00:00+00:00"}))
    (store.root / ".building-deadbeef").mkdir()
    (store.root / ".building-deadbeef" / "_MAIN_1.toc").write_bytes(b"half")
    result = build(store, 6)
    assert result.stale_lock.pid == pid
    assert f"pid {pid}" in summary(result)
    assert leftovers(store.root) == []
    assert (store.root / LOCK_FILE).read_text() == ""  # released cleanly: no holder named


# --- incremental -------------------------------------------------------------------------------

def test_incremental_counts_and_unchanged_documents_are_not_rewritten(store, monkeypatch):
    notices = announcements(12, source="notices.jsonl")
    decisions = [d for d in announcements(20) if int(d.id.split(":")[1]) >= 12]
    for d in decisions:
        d.id = d.id.replace("ann:", "dec:")
    kept_alone = announcements(3, source="other")
    for d in kept_alone:
        d.id = d.id.replace("ann:", "other:")
    reindex(store, {"notices.jsonl": notices, "decisions/": decisions, "other/": kept_alone}, progress=quiet())

    changed = announcements(12, tag=" (διόρθωση)")
    notices_now = notices[:8] + changed[8:10] + announcements(14)[12:]  # 10, 11 gone; 8, 9 changed; 12, 13 new
    writes = []
    add_document = SegmentWriter.add_document
    monkeypatch.setattr(SegmentWriter, "add_document",
                        lambda self, **fields: (writes.append(fields["id"]), add_document(self, **fields))[1])
    # The decisions folder is gone: its source gives nothing now; "other/" is not reindexed.
    result = reindex(store, {"notices.jsonl": notices_now, "decisions/": []}, incremental=True, progress=quiet())

    assert (result.added, result.updated, result.removed, result.unchanged) == (2, 2, 2 + 8, 8)
    assert sorted(writes) == ["ann:12", "ann:13", "ann:8", "ann:9"]
    assert result.documents == 12 - 2 + 2 + 0 + 3 == SearchService(store).health().as_json()["documents"]
    engine = SearchService(store).engine()
    assert engine.get_document("other:0") is not None and engine.get_document("dec:12") is None
    assert "διόρθωση" in engine.get_document("ann:8").title and engine.get_document("ann:10") is None
    assert "added 2, updated 2, removed 10, unchanged 8, skipped 0" in summary(result)

    # Nothing changed: no new generation, nothing written.
    writes.clear()
    again = reindex(store, {"notices.jsonl": notices_now}, incremental=True, progress=quiet())
    assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, 12)
    assert not again.switched and again.generation == result.generation and writes == []


@pytest.mark.slow  # 600 real law articles, built twice
def test_incremental_on_real_law_articles(store, figure):
    from benchmarks.corpus import law_articles

    articles = list(law_articles(shared_data("greek-laws-2023-2024.jsonl")))[:600]
    full = reindex(store, {"laws.jsonl": articles}, progress=quiet())
    figure(f"reindex throughput (full, 600 real law articles): {full.processed / full.elapsed:.0f} docs/s")
    articles[0].body += " Η παρούσα ισχύει από τη δημοσίευσή της."
    result = reindex(store, {"laws.jsonl": articles[:-5]}, incremental=True, progress=quiet())
    assert (result.added, result.updated, result.removed, result.unchanged) == (0, 1, 5, 594)
    assert SearchService(store).health().as_json()["documents"] == 595
    figure(f"reindex throughput (incremental, 1 change in 600): {result.processed / result.elapsed:.0f} docs/s")


# --- progress and summary ----------------------------------------------------------------------

class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_not_a_terminal_gets_plain_log_lines_and_a_summary(store):
    build(store, 10)
    log = io.StringIO()
    result = reindex(store, {"announcements": announcements(20)}, progress=Progress(log, every=0))
    lines = log.getvalue().splitlines()
    assert lines[0] == "reindex: started (about 10 expected, as many as the live index holds)"
    assert len(lines) == 23 and lines[-2] == "reindex: 20 documents read, writing the index"
    assert lines[-1].startswith("reindex: 20 documents, ")
    assert "docs/s" in lines[-1] and "\r" not in log.getvalue() and "\x1b" not in log.getvalue()

    class Report:
        duplicates = 3
        skipped = {"empty body": 2, "unreadable": 1}

    text = summary(result, Report())
    assert "Full reindex: indexed 20 documents, skipped 3." in text
    assert "Skipped by reason: empty body 2, unreadable 1." in text
    assert "Duplicates: 3." in text and "Elapsed: " in text and " s (" in text
    assert "Index: 20 documents, " in text and "KB" in text and result.generation in text


def test_a_terminal_gets_a_progress_bar_with_rate_and_eta(store):
    build(store, 40)
    screen = FakeTerminal()
    progress = Progress(screen, every=0)
    progress.start(40)
    for _ in range(10):
        progress.advance()
    bar = screen.getvalue().split("\r")[-1]
    assert bar.startswith("[######") and "10/~40 documents" in bar and "docs/s" in bar and "ETA 0:" in bar
    result = reindex(store, {"announcements": announcements(40) + announcements(2)}, progress=Progress(screen))
    assert "writing the index" in screen.getvalue() and screen.getvalue().endswith("\n")
    assert result.duplicate_ids == 2
    assert "repeated id 2" in summary(result)


def test_the_cli_reports_a_held_lock_with_its_exit_status(tmp_path):
    pytest.importorskip("search.ingest", reason="the CLI reads sources through search.ingest (ingest branch)")
    from click.testing import CliRunner

    from web.cli import EXIT_LOCKED, main

    index = tmp_path / "index"
    runner = CliRunner()
    first = runner.invoke(main, ["reindex", str(PROJECT_ROOT / "seeds"), "--index", str(index)])
    assert first.exit_code == 0, first.output
    assert "Full reindex: indexed" in first.output and "Elapsed" in first.output
    with IndexStore(index).locked():
        second = runner.invoke(main, ["reindex", "--incremental", str(PROJECT_ROOT / "seeds"), "--index", str(index)])
    assert second.exit_code == EXIT_LOCKED and "another reindex is running" in second.output
