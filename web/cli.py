"""`dimos-search`: the operators' command line (reindex, search, serve, status, rollback).

Its messages are in English, all of them: operators read them beside the store's and the
reindex's own messages (English), paste them into issues and grep logs for them, and the
rest of the operators' documentation is English.  Greek stays in the data it prints
(titles, municipalities) and in the web pages, which are for citizens.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path

import click

from search.answers import Hit, SearchAnswer
from search.config import Settings
from search.gazetteer import Gazetteer
from search.ingest import IngestReport, load_documents
from search.request import InvalidRequest, SearchRequest, parse_request, resolve_filters
from search.reindex import reindex as run_reindex
from search.reindex import plural
from search.reindex import summary as reindex_summary
from search.service import SearchService
from search.store import (DiskFull, IndexStore, IndexUnavailable, NoEarlierGeneration, ReindexLocked,
                          VerificationFailed, directory_size)
from web import create_app
from web.access_log import AccessLog, access_logger
from web.server import serve as run_server
from web.state import open_before_serving

SETTINGS = Settings.from_env()
# The last reindex's summary, kept in the index directory for `status`.
LAST_REINDEX = "LAST_REINDEX.json"
# EX_TEMPFAIL: another reindex is running; cron may simply try again next time.
EXIT_LOCKED = 75
EXIT_DISK_FULL = 74  # sysexits' EX_IOERR: the disk filled up; the run removed what it had written
# waitress for a public service (its defaults in brackets); benchmarks/load.py measures them.
WAITRESS = {
    # [4] Searches are CPU-bound under the GIL, so more threads add no throughput. Measured with
    # benchmarks/load.py (8 clients, 10,000 documents, 60 s each): 8 threads answered no more
    # requests (22.3/s against 25.5/s) and cheap ones sooner (invalid input p50 11 ms against
    # 166 ms, documents 52 against 163 ms) but searches later (p95 0.98 s against 0.62 s), 8
    # searches sharing the GIL instead of 4.  So 8 threads, of which at most 4 search at once
    # (web/admission.py, costly searches one at a time): a request that is no search, or a cheap
    # one, finds a free thread while the costliest request fills the others.
    "threads": 8,
    # Idle keep-alive connections are closed after this long [120 s], so clients that open
    # connections and go quiet hold the connection slots for less time.
    "channel_timeout": 30,
    # [100] open connections.  Waitress has no deadline for reading a request: a client trickling a
    # header line every few seconds holds its slot, and at the limit waitress stopped accepting, so
    # 100 idle connections made /health wait 49 s (issue 12).  Now the limit is where web/server.py
    # starts closing the oldest connections with no request in progress; 1,000 leave room for many
    # keep-alive browsers before it does (benchmarks/slow_clients.py: with 200 idle or trickling,
    # /health median 7-32 ms, max 0.2 s; the old settings, no answer in 65 s).  poll() instead of
    # select(), which stops at 1,024 descriptors.  Production puts a proxy in front that buffers
    # requests (docs/deployment.md).
    "connection_limit": 1000,
    "asyncore_use_poll": True,
    # The request line and headers [256 KB]. The app refuses a query string over 8 KiB itself
    # (414); this bounds what it never sees, such as headers.
    "max_request_header_size": 32 * 1024,
    # [1 GB] The app refuses a body over 1 KiB (413), but only after waitress has read all of it
    # (into a temporary file when large); waitress refuses one declared over this at once.
    "max_request_body_size": 64 * 1024,
}

index_option = click.option(
    "--index", "index_dir", type=click.Path(file_okay=False, path_type=Path), default=SETTINGS.index_dir,
    show_default=True, help="Index directory (setting: DIMOS_INDEX_DIR).",
)


def _terminal_text(hit: Hit) -> str:
    """A hit's snippet for a terminal: matched words in bold (the snippet is one line already)."""
    return "".join(click.style(text, bold=True) if matched else text for text, matched in hit.marked())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dimos-search", prog_name="dimos-search", message="%(prog)s %(version)s")
def main() -> None:
    """dimos-search: full-text search for Greek municipal announcements."""


@main.command()
@click.argument("sources", nargs=-1, type=click.Path(exists=True, path_type=Path))
@index_option
@click.option("--gazetteer", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=SETTINGS.gazetteer, help="Municipalities CSV (setting: DIMOS_GAZETTEER).")
@click.option("--incremental", is_flag=True,
              help="Add new documents, replace changed ones, remove those whose source is gone; "
                   "unchanged documents are not rewritten.")
@click.option("--wait", type=click.FloatRange(min=0), default=0, show_default=True, metavar="SECONDS",
              help=f"Seconds to wait for a running reindex to finish; after that exit with status {EXIT_LOCKED}.")
def reindex(sources: tuple[Path, ...], index_dir: Path, gazetteer: Path | None, incremental: bool,
            wait: float) -> None:
    """Build the index from SOURCES (files or folders; default: DIMOS_SOURCES, else seeds/).

    The new generation goes live only once verified; the service keeps
    searching the previous one until then.  docs/reindex.md tells more.
    """
    try:
        places = Gazetteer.load(gazetteer) if gazetteer else None
    except (OSError, UnicodeDecodeError, KeyError, ValueError) as error:
        raise click.BadParameter(f"{gazetteer} is not a municipalities CSV like municipalities.csv ({error!r})",
                                 param_hint="--gazetteer") from None
    try:
        _reindex(index_dir, sources or SETTINGS.sources, places, incremental=incremental, wait=wait)
    except ReindexLocked as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(EXIT_LOCKED)
    except DiskFull as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(EXIT_DISK_FULL)


def _reindex(index_dir: Path, sources: Iterable[Path], places: Gazetteer | None, *,
             incremental: bool = False, wait: float = 0) -> None:
    """One reindex run, its summary printed: the `reindex` command, and `serve` on a first start."""
    missing = [str(p) for p in sources if not p.exists()]
    if missing:  # configured sources are not checked by click; an unmounted one would empty the index
        raise click.UsageError(f"source not found: {', '.join(missing)} (setting: DIMOS_SOURCES)")
    report = IngestReport()
    # One document stream per source, so an incremental run knows which ids each source gave.
    documents = {str(p.resolve()): load_documents([p], report, places) for p in sources}
    try:
        result = run_reindex(IndexStore(index_dir), documents, incremental=incremental, wait=wait)
    except VerificationFailed as error:
        raise click.ClickException(str(error)) from None
    summary = reindex_summary(result, report)
    _record_last_reindex(index_dir, summary)
    click.echo(summary)


def _record_last_reindex(index_dir: Path, summary: str) -> None:
    """Keep the run's summary for `status`, replaced atomically (a reader never sees half of it)."""
    record = {"finished_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "summary": summary}
    temporary = index_dir / f"{LAST_REINDEX}.tmp"
    temporary.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, index_dir / LAST_REINDEX)


@main.command("search")
@click.argument("q", default="")
@index_option
@click.option("--municipality", multiple=True, help="Only this municipality (repeatable: any of them).")
@click.option("--official", multiple=True, help="Only this official (repeatable: any of them).")
@click.option("--from", "date_from", help="Earliest date, YYYY-MM-DD.")
@click.option("--to", "date_to", help="Latest date, YYYY-MM-DD.")
@click.option("--sort", help="relevance | newest | oldest.")
@click.option("--page", help="Result page, from 1.")
@click.option("--per-page", help="Results per page, 1 to 100.")
@click.option("--json", "as_json", is_flag=True, help="Print the same JSON as GET /api/search.")
def search_command(q: str, index_dir: Path, municipality: tuple[str, ...], official: tuple[str, ...],
                   date_from: str | None, date_to: str | None, sort: str | None, page: str | None,
                   per_page: str | None, as_json: bool) -> None:
    """Search the index for Q and print ranked results with facet counts."""
    params = {
        "q": [q], "municipality": list(municipality), "official": list(official),
        "from": [date_from] if date_from else [], "to": [date_to] if date_to else [],
        "sort": [sort] if sort else [], "page": [page] if page else [],
        "per_page": [per_page] if per_page else [],
    }
    try:
        request = parse_request(params)
    except InvalidRequest as error:
        raise click.UsageError(str(error)) from None
    try:
        engine = SearchService(IndexStore(index_dir)).engine()
    except IndexUnavailable as error:
        raise click.ClickException(f"{error}; run `dimos-search reindex --index {index_dir}` first") from None
    try:  # filter values in any form, as the API reads them (search.request.resolve_filters)
        request = resolve_filters(request, engine.known_values)
    except InvalidRequest as error:
        raise click.UsageError(str(error)) from None
    answer = engine.search(request)
    if as_json:
        json.dump(answer.as_json(), sys.stdout, ensure_ascii=False, indent=2)
        click.echo()
    else:
        _print_answer(request, answer)


def _print_answer(request: SearchRequest, answer: SearchAnswer) -> None:
    """The terminal's rendering of an answer: the total, any correction, each hit with its highlighted
    snippet, then the facet counts."""
    click.echo(f"{plural(answer.total, 'result')} ({answer.took_ms} ms)")
    if answer.correction and answer.correction.applied:
        click.echo(f"Showing results for: {answer.correction.query} (not for: {request.q})")
    if answer.suggestion:
        click.echo(f"Did you mean: {answer.suggestion}")
    for rank, hit in enumerate(answer.results, start=(request.page - 1) * request.per_page + 1):
        click.echo(f"\n{rank}. {hit.title}  [{hit.date.isoformat() if hit.date else 'undated'}]  {hit.id}")
        if hit.municipality:
            click.echo("   " + ", ".join(hit.municipality))
        click.echo("   " + _terminal_text(hit))
    for name, values in answer.facets.named():
        if values:
            click.echo(f"\n{name}: " + "; ".join(f"{v.value} ({v.count})" for v in values))


cluster_dir_option = click.option(
    "--dir", "cluster_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("dimos-cluster"),
    show_default=True, help="Where the local cluster keeps its configs, data, logs and PID files.")
backend_option = click.option(
    "--backend", help="A cluster's sphinx://host:port,... address (default: the local cluster in --dir).")


def _topology(cluster_dir: Path, backend: str | None):
    from search.sphinx.cluster import LocalCluster
    from search.sphinx.topology import Topology

    if backend:
        return Topology.from_url(backend)
    try:
        return LocalCluster.existing(cluster_dir).topology
    except FileNotFoundError:
        raise click.UsageError(f"no cluster in {cluster_dir}: run `dimos-search cluster start --dir "
                               f"{cluster_dir}` or give --backend") from None


@main.group()
def cluster() -> None:
    """A Sphinx cluster: a local one for development and tests, and its data (docs/cluster.md)."""


@cluster.command("start")
@cluster_dir_option
@click.option("--nodes", default=3, show_default=True, type=click.IntRange(2, 16), help="searchd nodes.")
@click.option("--base-port", default=9306, show_default=True, type=click.IntRange(1024, 65000),
              help="SphinxQL port of the first node; node K listens on base + 10 K (and the next port).")
def cluster_start(cluster_dir: Path, nodes: int, base_port: int) -> None:
    """Write the configs and start NODES searchd processes on 127.0.0.1."""
    from search.sphinx.cluster import LocalCluster

    local = LocalCluster.layout(cluster_dir, nodes, base_port)
    local.start()
    click.echo(f"Cluster running: DIMOS_BACKEND={local.topology.url}")


@cluster.command("stop")
@cluster_dir_option
def cluster_stop(cluster_dir: Path) -> None:
    """Stop the nodes this directory's cluster started (by their PID files)."""
    from search.sphinx.cluster import LocalCluster

    LocalCluster(cluster_dir, _topology(cluster_dir, None)).stop()
    click.echo("Cluster stopped.")


@cluster.command("status")
@cluster_dir_option
@backend_option
def cluster_status(cluster_dir: Path, backend: str | None) -> None:
    """Each node and shard: ok, degraded (answering from its mirror) or down."""
    from search.sphinx.nodes import health
    from search.sphinx.writer import read_pointer

    topology = _topology(cluster_dir, backend)
    state = health(topology)
    pointer = read_pointer(topology) if state["status"] != "down" else None
    click.echo(f"cluster: {state['status']}; live generation: "
               + (f"{pointer.generation} (slot {pointer.slot})" if pointer else "none"))
    for node in state["nodes"]:
        click.echo(f"node {node['node']}: {node['status']}")
    for shard in state["shards"]:
        click.echo(f"shard {shard['shard']} on {', '.join(shard['nodes'])}: {shard['status']}")


@cluster.command("reindex")
@click.argument("sources", nargs=-1, type=click.Path(exists=True, path_type=Path))
@cluster_dir_option
@backend_option
def cluster_reindex(sources: tuple[Path, ...], cluster_dir: Path, backend: str | None) -> None:
    """Build a new generation on the cluster from SOURCES and switch to it once every copy is written."""
    from search.sphinx.writer import NodeDown, build_generation

    report = IngestReport()
    try:
        pointer, writer = build_generation(_topology(cluster_dir, backend),
                                           load_documents(list(sources or SETTINGS.sources), report))
    except NodeDown as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"generation {pointer.generation} live (slot {pointer.slot}): {writer.count} documents, "
               f"{writer.skipped} skipped")


@cluster.command("repair")
@click.argument("node")
@cluster_dir_option
@backend_option
def cluster_repair(node: str, cluster_dir: Path, backend: str | None) -> None:
    """Bring NODE (host:port), back after being down, in line with its mirrors."""
    from search.sphinx.writer import repair

    topology = _topology(cluster_dir, backend)
    target = next((n for n in topology.nodes if str(n) == node), None)
    if target is None:
        raise click.BadParameter(f"{node} is not one of {', '.join(map(str, topology.nodes))}", param_hint="NODE")
    for index, count in repair(topology, target).items():
        click.echo(f"{index}: {count} documents copied")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--threads", default=WAITRESS["threads"], show_default=True, type=click.IntRange(1, 64),
              help="Requests answered at once (searches beyond that wait in line).")
@click.option("--connection-limit", default=WAITRESS["connection_limit"], show_default=True,
              type=click.IntRange(10, 100_000),
              help="Open connections; at the limit the oldest with no request in progress are closed.")
@index_option
@click.option("--access-log", type=click.Path(dir_okay=False, writable=True), metavar="FILE",
              help="Append one line per request (Common Log Format) to FILE; default: standard error.")
def serve(host: str, port: int, threads: int, connection_limit: int, index_dir: Path,
          access_log: str | None) -> None:
    """Serve the search page and the JSON API with waitress, a production WSGI server.

    With no generation at all yet, it is first built from DIMOS_SOURCES (default: seeds/), as `reindex`
    would.  A lost CURRENT beside a generation is no reason to: the newest that verifies is served.
    """
    if SETTINGS.backend is None and not IndexStore(index_dir).generations():
        click.echo(f"No index in {index_dir} yet: building it first.")
        try:
            _reindex(index_dir, SETTINGS.sources, Gazetteer.load(SETTINGS.gazetteer) if SETTINGS.gazetteer else None)
        except ReindexLocked:
            click.echo("Another reindex is building it: serving 'index being prepared' until it is live.")
    app = create_app({"INDEX_DIR": index_dir})
    app.wsgi_app = AccessLog(app.wsgi_app, access_logger(access_log))  # type: ignore[method-assign]
    health = open_before_serving(app)
    click.echo(f"Opened generation {health.serving}: {plural(health.documents, 'document')}." if health.ok
               else f"Health: {health.status}: {health.message}")
    click.echo(f"Serving dimos-search on http://{host}:{port}/ (index: {SETTINGS.backend or index_dir})")
    run_server(app, host=host, port=port, **{**WAITRESS, "threads": threads, "connection_limit": connection_limit})


@main.command()
@index_option
def status(index_dir: Path) -> None:
    """Show the live generation, its documents and size, the last reindex and the previous generations."""
    store = IndexStore(index_dir)
    health = SearchService(store).health()
    live = store.current_generation()
    if live is None:
        raise click.ClickException(f"no index in {index_dir} yet; run `dimos-search reindex --index {index_dir}`")
    click.echo(f"Index: {index_dir}")
    click.echo(f"Live generation: {_generation_line(store, live)}")
    if not health.ok:
        click.echo(f"Health: error: {health.message}")
    older = [name for name in store.generations() if name < live]
    newer = [name for name in store.generations() if name > live]
    click.echo("Previous generations: " + ("none (nothing to roll back to)" if not older else ""))
    for name in reversed(older):
        click.echo(f"  {_generation_line(store, name)}")
    for name in newer:
        click.echo(f"Rolled back from: {_generation_line(store, name)} (removed by the next reindex)")
    last = index_dir / LAST_REINDEX
    if last.exists():
        record = json.loads(last.read_text(encoding="utf-8"))
        click.echo(f"Last reindex, finished {record['finished_at']}:")
        for line in record["summary"].splitlines():
            click.echo(f"  {line}")
    else:
        click.echo("Last reindex: no summary recorded")


def _generation_line(store: IndexStore, name: str) -> str:
    info = store.build_info(name)
    return (f"{name}, built {info.built_at}, {plural(info.documents, 'document')}, "
            f"{directory_size(store.root / name) / 1e6:.1f} MB")


@main.command()
@index_option
@click.option("--wait", type=click.FloatRange(min=0), default=0, show_default=True, metavar="SECONDS",
              help=f"Seconds to wait for a running reindex to finish; after that exit with status {EXIT_LOCKED}.")
def rollback(index_dir: Path, wait: float) -> None:
    """Make the previous generation live again (checked first; refused while a reindex runs).

    The service switches at its next request.  The generation rolled back from is kept
    until the next reindex, which removes it.
    """
    try:
        previous, restored = IndexStore(index_dir).rollback(wait=wait)
    except ReindexLocked as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(EXIT_LOCKED)
    except (NoEarlierGeneration, VerificationFailed) as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Rolled back: {restored} is live again (was {previous}).")


if __name__ == "__main__":
    main()
