"""Index generations on disk, the switch between them, and the reindex lock.

    <index dir>/
      CURRENT                 name of the live generation (replaced with an atomic rename)
      LOCK                    flock'ed by the running reindex; names its holder
      gen-<utc time>-<rand>/  a complete Whoosh index, its BUILD.json and SOURCES.json
      .building-<...>/        a generation being written (removed if its writer died)
      .removing-<...>/        an old generation being deleted

A reindex writes a new generation beside the live one, verifies it and only
then points CURRENT at it, so searches never see a half-built index and a run
killed at any moment leaves the last good generation live.  The generation
that was live before is kept for rollback; older ones are removed.
"""
from __future__ import annotations

import ctypes
import datetime as dt
import errno
import fcntl
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import sys
import threading
import time
from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .documents import Document
from .backend.whoosh.posting_arrays import FILE_PATTERNS as FLAT_POSTINGS_FILES
from .backend.whoosh.writer import count_documents, write_documents, write_flat_postings

POINTER = "CURRENT"
POINTER_TEMP = "CURRENT.tmp"
LOCK_FILE = "LOCK"
BUILD_INFO = "BUILD.json"
SOURCES_INFO = "SOURCES.json"
GENERATION_PREFIX = "gen-"
BUILDING_PREFIX = ".building-"
REMOVING_PREFIX = ".removing-"
LOCK_POLL_SECONDS = 0.1
CHECKSUM_CHUNK = 1 << 20  # bytes read at a time while hashing a generation's files


# Reindex locks this process holds.  A forked child (Whoosh's writer processes
# in a large reindex) inherits the flock; were the reindex killed, the orphaned
# children would keep its directory locked while they waited for work forever.
_HELD_LOCKS: set[int] = set()
_PR_SET_PDEATHSIG = 1
_fork_hook_installed = False


def _release_inherited_locks() -> None:
    """In a forked child: drop the parent's lock and die with the parent (Linux)."""
    if not _HELD_LOCKS:
        return
    for fd in _HELD_LOCKS:
        os.close(fd)  # the parent's descriptor keeps the lock
    _HELD_LOCKS.clear()
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _install_fork_hook() -> None:
    """Installed by the first lock this process takes, not at import: a process
    that only reads an index (a server that never reindexes, a test) forks without it."""
    global _fork_hook_installed
    if not _fork_hook_installed:
        os.register_at_fork(after_in_child=_release_inherited_locks)
        _fork_hook_installed = True


class IndexUnavailable(RuntimeError):
    """There is no usable index yet (never built, or damaged)."""


class VerificationFailed(RuntimeError):
    """A new generation does not hold what was written into it; it was not switched to."""


class DiskFull(RuntimeError):
    """The disk ran out of space during a reindex; its partial generation was removed."""


def is_disk_full(error: BaseException | None) -> bool:
    """Whether `error`, or what caused it, is ENOSPC/EDQUOT (copytree wraps its errors in shutil.Error)."""
    full = (errno.ENOSPC, errno.EDQUOT)
    while error is not None:
        if isinstance(error, OSError) and error.errno in full:
            return True
        if isinstance(error, shutil.Error) and any(os.strerror(code) in str(error) for code in full):
            return True
        error = error.__cause__ or error.__context__
    return False


def _megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


class ReindexLocked(RuntimeError):
    """Another reindex holds the lock of this index directory."""


@dataclass(frozen=True)
class BuildInfo:
    generation: str
    documents: int
    built_at: str


@dataclass(frozen=True)
class LockHolder:
    """Who holds (or held) the lock, as written in the LOCK file."""

    pid: int
    host: str
    started: str

    def __str__(self) -> str:
        return f"pid {self.pid} on {self.host}, started {self.started}"


def _read_holder(path: Path) -> LockHolder | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "null")
        return LockHolder(int(data["pid"]), str(data["host"]), str(data["started"]))
    except (OSError, ValueError, TypeError, KeyError):
        return None


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def file_checksums(generation: Path) -> dict[str, dict[str, Any]]:
    """Size and SHA-256 of every file of a generation directory but BUILD.json, by relative path."""
    record: dict[str, dict[str, Any]] = {}
    for path in sorted(generation.rglob("*")):
        if path.is_file() and path.name != BUILD_INFO:
            digest = hashlib.sha256()
            with open(path, "rb") as handle:
                for chunk in iter(lambda: handle.read(CHECKSUM_CHUNK), b""):
                    digest.update(chunk)
            record[path.relative_to(generation).as_posix()] = {"size": path.stat().st_size,
                                                                "sha256": digest.hexdigest()}
    return record


def directory_size(path: Path) -> int:
    """Bytes of the files under `path`."""
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _signature(generation: Path) -> tuple[tuple[str, int, int], ...]:
    """Name, size and mtime of each file of a generation: what changes when one is damaged.

    Taken on every request (IndexStore.checked): os.scandir, where Path.rglob and a stat of each
    path took 0.69 ms for the 27 files of a generation with its postings arrays, takes 0.19 ms.
    """
    found: list[tuple[str, int, int]] = []

    def walk(directory: str, prefix: str) -> None:
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    walk(entry.path, f"{prefix}{entry.name}/")
                elif entry.is_file():
                    stat = entry.stat()
                    found.append((prefix + entry.name, stat.st_size, stat.st_mtime_ns))

    try:
        walk(str(generation), "")
    except OSError:
        return ()
    return tuple(sorted(found))


def _file_problem(name: str, want: Mapping[str, Any], have: Mapping[str, Any] | None) -> str | None:
    if have is None:
        return f"{name} is missing"
    if have["size"] != want.get("size"):
        return f"{name} has {have['size']} bytes, {want.get('size')} were written"
    if have["sha256"] != want.get("sha256"):
        return f"{name} does not match its checksum"
    return None


class IndexStore:
    """The generations of an index directory, which one is live, and the reindex lock.

    It knows files and generations, never a search engine: search.service opens
    the engine of the generation `serving()` names.  Readers never lock: they
    read CURRENT per request.  Writers (`reindex`) hold LOCK for the whole run.
    """

    def __init__(self, root: Path):
        self.root = Path(root)
        self._verified_lock = threading.Lock()
        self._verified: dict[str, tuple[tuple[tuple[str, int, int], ...], list[str]]] = {}
        self._lock_fd: int | None = None
        self.stale_lock: LockHolder | None = None

    # --- reading ----------------------------------------------------------------

    def pointer(self) -> str | None:
        """The generation CURRENT names; None when it is missing, empty, unreadable or not a file."""
        try:
            name = (self.root / POINTER).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):  # missing, a directory, unreadable bytes or permissions
            return None
        return name or None

    def current_generation(self) -> str | None:
        """The live generation: the one CURRENT names, else the newest that verifies.

        A CURRENT that is lost or damaged (deleted, non-UTF-8 bytes, a directory in
        its place) must not make an intact generation beside it invisible: the next
        reindex would otherwise rebuild from the default sources and prune it.  The
        next switch rewrites CURRENT.
        """
        return self.pointer() or self.newest_verified()

    def generations(self) -> list[str]:
        """Complete generations on disk, oldest first (names sort by build time)."""
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.is_dir() and p.name.startswith(GENERATION_PREFIX))

    def verify(self, generation: str) -> list[str]:
        """What is wrong with `generation` (empty: it is intact); never raises.

        Checks every file BUILD.json records (present, its size, its SHA-256), then
        that the index opens and holds the documents BUILD.json names, so a
        truncated or overwritten segment is found before a search trips on it.
        A generation built before checksums were recorded gets the second check only.
        The problems name files of the generation, never a path on the server.
        """
        path = self.root / generation
        if not generation.startswith(GENERATION_PREFIX) or not path.is_dir():
            return [f"generation {generation} is missing"]
        try:
            data = json.loads((path / BUILD_INFO).read_text(encoding="utf-8"))
            expected_documents = int(data["documents"])
            recorded = dict(data.get("files") or {})
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as error:
            return [f"{BUILD_INFO} of {generation} is missing or unreadable ({type(error).__name__})"]
        try:
            actual = file_checksums(path)
        except OSError as error:
            return [f"files of {generation} cannot be read ({type(error).__name__})"]
        problems = [_file_problem(name, want, actual.get(name)) for name, want in sorted(recorded.items())]
        problems = [f"{generation}: {problem}" for problem in problems if problem]
        if problems:
            return problems
        try:
            found = count_documents(path)
        except Exception as error:  # Whoosh raises many kinds on damaged files
            return [f"generation {generation} cannot be opened ({type(error).__name__})"]
        if found != expected_documents:
            return [f"generation {generation} holds {found} documents, its {BUILD_INFO} says {expected_documents}"]
        return []

    def newest_verified(self, unusable: Mapping[str, str] | None = None) -> str | None:
        """The newest generation on disk that verifies (and is not one of `unusable`), or None."""
        return next((name for name in reversed(self.generations())
                     if name not in (unusable or {}) and not self.checked(name)), None)

    def build_info(self, generation: str) -> BuildInfo:
        data = json.loads((self.root / generation / BUILD_INFO).read_text(encoding="utf-8"))
        return BuildInfo(generation, data["documents"], data["built_at"])

    def origins(self, generation: str) -> dict[str, list[str]]:
        """Ids indexed from each source given to the reindex that built `generation`."""
        try:
            return json.loads((self.root / generation / SOURCES_INFO).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}

    def serving(self, unusable: Mapping[str, str] | None = None) -> tuple[str, str]:
        """(live generation, generation that answers searches), read together (CURRENT once).

        The one answering is the live generation, or, when it fails verification (or is
        one of `unusable`: generation -> what a reader found wrong with it, e.g. a probe
        search that failed), the newest generation that verifies: a damaged segment is
        never searched.  Raises IndexUnavailable when none can answer.
        """
        generation = self.current_generation()
        if generation is None:
            raise IndexUnavailable("no index has been built yet")
        unusable = unusable or {}
        problems = self.checked(generation) or ([unusable[generation]] if generation in unusable else [])
        serving = generation if not problems else self.newest_verified(unusable)
        if serving is None:
            raise IndexUnavailable(f"index generation {generation} is damaged: {problems[0]}")
        return generation, serving

    def live_documents(self) -> int | None:
        """Documents of the live generation if it verifies (as its BUILD.json records them), else None."""
        generation = self.current_generation()
        if generation is None or self.checked(generation):
            return None
        return self.build_info(generation).documents

    def checked(self, generation: str) -> list[str]:
        """`verify(generation)`, hashed again only when a file's size or mtime changed.

        Hashing every file per request would cost a read of the whole index; a stat
        of each file is what a request can afford, and truncating or rewriting a file
        changes its size or mtime.
        """
        signature = _signature(self.root / generation)
        with self._verified_lock:
            cached = self._verified.get(generation)
        if cached is None or cached[0] != signature:
            cached = (signature, self.verify(generation))
            with self._verified_lock:
                self._verified[generation] = cached
        return cached[1]

    def _serving_documents(self) -> int:
        """Documents of the generation answering searches (0 when none can)."""
        try:
            return self.build_info(self.serving()[1]).documents
        except (IndexUnavailable, OSError, ValueError, KeyError):
            return 0

    # --- the lock -----------------------------------------------------------------

    @contextmanager
    def locked(self, wait: float = 0) -> Iterator[IndexStore]:
        """Hold the reindex lock, waiting up to `wait` seconds for a running reindex.

        The lock is an flock on LOCK: the kernel drops it when its holder dies,
        even by SIGKILL, so a killed run can never leave the directory locked
        and no PID has to be trusted.  The holder's pid, host and start time are
        written into LOCK for the message a second reindex prints; a LOCK that
        still names a holder when the flock is free is a stale lock from a killed
        run, which is reported (`stale_lock`) and cleared with its leftovers.
        Re-entrant for the same store.
        """
        if self._lock_fd is not None:
            yield self
            return
        _install_fork_hook()
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / LOCK_FILE
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            deadline = time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError as error:
                    if error.errno not in (errno.EWOULDBLOCK, errno.EACCES):
                        raise
                    if time.monotonic() >= deadline:
                        holder = _read_holder(path)
                        raise ReindexLocked(
                            f"another reindex is running on {self.root} ({holder or 'holder unknown'}); "
                            f"this one did nothing. Retry later or pass --wait SECONDS."
                        ) from None
                    time.sleep(LOCK_POLL_SECONDS)
            self.stale_lock = _read_holder(path)
            # Leftovers go first: on a full disk, a killed run's .building-* is what
            # leaves no room to write LOCK.
            self._remove_leftovers()
            self._write_holder(fd, path)
            self._lock_fd = fd
            _HELD_LOCKS.add(fd)
            try:
                yield self
            finally:
                # An empty LOCK means "released cleanly"; the file stays so that a
                # waiting run and a new one always flock the same inode.
                os.ftruncate(fd, 0)
                self._lock_fd = None
                _HELD_LOCKS.discard(fd)
        finally:
            os.close(fd)

    def _write_holder(self, fd: int, path: Path) -> None:
        holder = {"pid": os.getpid(), "host": socket.gethostname(),
                  "started": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
        data = json.dumps(holder).encode("utf-8")
        os.ftruncate(fd, 0)
        try:
            os.pwrite(fd, data, 0)
            os.fsync(fd)
        except OSError as error:
            if not is_disk_full(error):
                raise
            raise DiskFull(f"the disk holding {path} is full: writing it needs {len(data)} bytes and "
                           f"{shutil.disk_usage(self.root).free} are free; free space and run again") from error

    @contextmanager
    def space_guard(self) -> Iterator[None]:
        """Turn a disk that fills up while generations are written into DiskFull.

        Everything staged is removed before the error leaves (under the lock all
        .building-* are this run's or a dead run's), so the disk is no fuller than
        before the run and the next run has the room it had.  The message names the
        directory, what the run had written when the disk filled (a new generation
        needs more than that, and about as much as the live one) and what was free
        when it started: the free space right after the failure is no measure, as the
        writer's open files keep their blocks until the error is released.
        """
        self._require_lock()
        live = self.pointer()
        live_bytes = directory_size(self.root / live) if live and (self.root / live).is_dir() else 0
        free_at_start = shutil.disk_usage(self.root).free
        try:
            yield
        except BaseException as error:
            if not is_disk_full(error):
                raise
            staged = [p for p in self.root.iterdir() if p.name.startswith(BUILDING_PREFIX)]
            written = sum(directory_size(p) for p in staged)
            for path in staged:
                self.discard(path)
            raise DiskFull(
                f"the disk holding {self.root} is full: the new generation needs more than the "
                f"{_megabytes(written)} written when it filled (the live one takes {_megabytes(live_bytes)}), "
                f"and {_megabytes(free_at_start)} was free when the run started. The partial generation was "
                f"removed and {live or 'no generation'} stays live; free space there and run again.") from error

    def _require_lock(self) -> None:
        if self._lock_fd is None:
            raise RuntimeError("writing generations needs the reindex lock (IndexStore.locked)")

    def _remove_leftovers(self) -> None:
        """What killed runs left: temporary directories and pointer files, and
        generations newer than the live one (verified, but never switched to),
        which must not pass for the rollback generation."""
        for path in self.root.iterdir():
            if path.name.startswith((BUILDING_PREFIX, REMOVING_PREFIX)):
                shutil.rmtree(path, ignore_errors=True)
        (self.root / POINTER_TEMP).unlink(missing_ok=True)
        current = self.pointer()  # never the fallback: a generation newer than it may be the damaged live one
        if current is not None and (self.root / current).is_dir():
            for name in self.generations():
                if name > current:
                    self._remove_generation(name)

    # --- writing ------------------------------------------------------------------

    def stage(self, base: str | None = None) -> Path:
        """A new temporary generation directory: empty, or a copy of generation `base`."""
        self._require_lock()
        path = self.root / f"{BUILDING_PREFIX}{secrets.token_hex(4)}"
        if base is None:
            path.mkdir()
        else:
            shutil.copytree(self.root / base, path, ignore=shutil.ignore_patterns(BUILD_INFO, SOURCES_INFO, *FLAT_POSTINGS_FILES))
        return path

    def publish(self, staging: Path, documents: int,
                origins: Mapping[str, Collection[str]] | None = None) -> BuildInfo:
        """Verify a staged generation holds `documents`, write its flat postings, make it live, prune old ones."""
        self._require_lock()
        try:
            self._verify(staging, documents)
            write_flat_postings(staging, documents)
        except BaseException:
            self.discard(staging)
            raise
        now = dt.datetime.now(dt.timezone.utc)
        generation = f"{GENERATION_PREFIX}{now:%Y%m%dT%H%M%S%f}-{secrets.token_hex(3)}"
        info = BuildInfo(generation, documents, now.isoformat(timespec="seconds"))
        (staging / SOURCES_INFO).write_text(
            json.dumps({k: sorted(v) for k, v in (origins or {}).items()}, ensure_ascii=False), encoding="utf-8")
        (staging / BUILD_INFO).write_text(json.dumps({**info.__dict__, "files": file_checksums(staging)}),
                                          encoding="utf-8")
        os.rename(staging, self.root / generation)
        self._point_to(generation)
        self._prune()
        return info

    def _verify(self, staging: Path, documents: int) -> None:
        live = self._serving_documents()
        if documents == 0 and live:
            # Most likely sources that are missing or unmounted, not a wish to empty the index.
            raise VerificationFailed(f"no documents to index: the live generation ({live} documents) "
                                     f"was left in place; check the sources")
        found = count_documents(staging)
        if found != documents:
            raise VerificationFailed(f"the new index holds {found} documents, expected "
                                     f"{documents}; the live generation was left in place")

    def build(self, documents: Iterable[Document], *, wait: float = 0,
              origins: Mapping[str, Collection[str]] | None = None) -> BuildInfo:
        """Index `documents` into a new generation, verify it, then make it live.

        `origins` (source -> ids) is read after `documents` is exhausted, so a
        generator may fill it as it yields.
        """
        with self.locked(wait):
            staging = self.stage()
            count = write_documents(staging, documents)
            return self.publish(staging, count, origins)

    def discard(self, staging: Path) -> None:
        shutil.rmtree(staging, ignore_errors=True)

    def _point_to(self, generation: str) -> None:
        temporary = self.root / POINTER_TEMP
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(generation)
            handle.flush()
            os.fsync(handle.fileno())
        pointer = self.root / POINTER
        if pointer.is_dir() and not pointer.is_symlink():  # a directory in its place: nothing to keep
            shutil.rmtree(pointer)
        os.replace(temporary, pointer)
        _fsync_dir(self.root)

    def _prune(self) -> None:
        """Keep the live generation and the newest one before it that verifies (for rollback); remove the rest.

        A damaged generation is never kept as the rollback target in place of an intact older one.
        """
        current = self.current_generation()
        generations = self.generations()
        older = [g for g in generations if current is not None and g < current and not self.checked(g)]
        keep = {current, *older[-1:]}
        for name in generations:
            if name not in keep:
                self._remove_generation(name)

    def _remove_generation(self, name: str) -> None:
        """Rename first, so a run killed while deleting leaves a temporary name, never half a generation."""
        doomed = self.root / f"{REMOVING_PREFIX}{name}"
        os.rename(self.root / name, doomed)
        shutil.rmtree(doomed, ignore_errors=True)

    # --- rollback -----------------------------------------------------------------

    def rollback(self, wait: float = 0) -> tuple[str, str]:
        """Make the generation before the live one live again; (from, to) generation names.

        Under the reindex lock, so it is refused (ReindexLocked) while a reindex runs and
        no reindex can start halfway through.  The previous generation is checked before
        the switch: it opens and holds the documents its BUILD.json names, else
        VerificationFailed and the live generation stays.  The switch is the same atomic,
        fsynced rename of CURRENT a reindex makes.  The generation rolled back from stays on
        disk until the next reindex clears it (a generation newer than the live one is never
        a rollback target), so a mistaken rollback can be undone by hand.
        """
        with self.locked(wait):
            current = self.current_generation()
            older = [name for name in self.generations() if current is not None and name < current]
            if current is None or not older:
                raise NoEarlierGeneration(f"{self.root} has no generation before "
                                          f"{current or 'the live one'} to roll back to")
            target = older[-1]
            expected = self.build_info(target).documents
            try:
                found = count_documents(self.root / target)
            except Exception as error:  # Whoosh raises many kinds on damaged files
                raise VerificationFailed(f"generation {target} cannot be opened ({type(error).__name__}); "
                                         f"{current} stays live") from error
            if found != expected:
                raise VerificationFailed(f"generation {target} holds {found} documents, its {BUILD_INFO} says "
                                         f"{expected}; {current} stays live")
            self._point_to(target)
            return current, target


class NoEarlierGeneration(RuntimeError):
    """A rollback was asked for with no generation before the live one."""
