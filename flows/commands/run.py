"""`zhibiao run`: the nightly flow once.

Settings, options and folders are checked and the writer lock is taken before Prefect is
imported, so a mistake or a busy state folder ends in about a second, in one line. Expected
failures print one line and exit 1 (exit codes in the README); the traceback only with
--debug.
"""

from __future__ import annotations

import json
import logging
import os
import time
import traceback
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from flows.settings import SettingsError, run_settings
from transforms.errors import TerminalError
from warehouse.store import WarehouseBusy, WarehouseSchemaMismatch

console = Console()
errors = Console(stderr=True, soft_wrap=True)  # paths in messages are never folded

EXIT_OK, EXIT_FAILURE, EXIT_HELD_BACK = 0, 1, 2
WATCHED_STAGES = ("startup", "scan_ahead", "ingest", "batches_wall", "load", "publish", "report")
"""The stages the summary shows beside the wall time (`run --json` has them all)."""


def run(
    inbox: Annotated[Path, typer.Option(help="Folder of raw documents.")] = Path("data/inbox"),
    var: Annotated[Path, typer.Option(help="State folder: warehouse, extracts, reports.")] = Path(
        "var"
    ),
    quiet: Annotated[bool, typer.Option("--quiet", help="Print nothing but errors.")] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the run summary as one JSON object (last line).")
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", help="Show Prefect's run logs.")] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="On failure, print the traceback (and Prefect's).")
    ] = False,
    full_refresh: Annotated[
        bool,
        typer.Option(
            "--full-refresh",
            help="Read and extract every inbox file again, not only new and changed ones.",
        ),
    ] = False,
    reextract: Annotated[
        bool,
        typer.Option(
            "--reextract",
            help="Extract every current document again from the text stored when it was read "
            "(after an extractor or catalogue change); the inbox files are not read again.",
        ),
    ] = False,
    wait: Annotated[
        float,
        typer.Option(
            "--wait",
            metavar="SECONDS",
            help="If another run is writing to VAR, wait up to this long for it to finish; "
            "0: exit 1 at once.",
        ),
    ] = 0.0,
    dask_address: Annotated[
        str | None,
        typer.Option(
            "--dask-address",
            metavar="tcp://HOST:PORT",
            help="Run the extraction batches on this Dask cluster (its workers see the same "
            "inbox and VAR paths) instead of local processes.",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers", min=1, help="Local processes for the batches (default: every core)."
        ),
    ] = None,
) -> None:
    """Run the nightly flow once: ingest, extract, validate, load and publish.

    Only new or changed files are read (by content hash); running it again is always safe.

    Facts of changed or removed files are retired: kept, marked, out of the analyst views.

    One run writes at a time: another waits (--wait) or exits 1 naming the run it met.

    Exit status: 0 loaded and published, 1 failed, 2 held back by the quality gate.

    A failure is one line (bad setting or folder, busy VAR, full disk); --debug: traceback.
    """
    from flows.preflight import prepare_run
    from flows.run_log import console_handler, route_to, run_log_path
    from flows.run_summary import new_load_id
    from flows.stages import reached

    _quiet_libraries(verbose or debug)
    options = {
        "inbox": inbox, "var": var, "full_refresh": full_refresh, "reextract": reextract,
        "wait_seconds": wait, "dask_address": dask_address, "workers": workers,
    }  # fmt: skip
    try:
        settings = run_settings(**options)
        lock = prepare_run(settings, holder={"command": "zhibiao run"})
    except (SettingsError, WarehouseBusy, WarehouseSchemaMismatch) as error:
        _fail(error, debug)
    load_id = new_load_id()
    log_file = run_log_path(settings.var, load_id)
    if not (quiet or as_json):
        # The first line, before Prefect's import and its server (seconds): what runs, where.
        # On stdout, as the summary: stderr is for the one line of a failure.
        console.print(
            escape(f"zhibiao run {load_id}: {settings.inbox} -> {settings.var} "
                   f"({_mode_of(full_refresh, reextract)}); log {log_file}"),
            highlight=False, soft_wrap=True,
        )  # fmt: skip
    # Library records reach the terminal through one handler (none with --quiet), above
    # the progress bars; the run's file gets them all (flows.run_log).
    level = logging.INFO if verbose else logging.WARNING
    terminal = None if quiet else console_handler(errors, level)
    if terminal is not None and not debug:
        terminal.addFilter(_is_not_a_failure)
    route_to(terminal)
    reached(settings, "run:locked")
    with lock:
        from flows.temporary_server import start_in_background

        # Prefect's server boots in its own process while this one imports the pipeline
        # and scans the inbox.
        booting = start_in_background()
        from flows import progress
        from flows.ingest import scan_ahead
        from flows.nightly import nightly
        from flows.run_log import adopt_library_loggers

        adopt_library_loggers()
        # Bars on stderr, for a person at a terminal: never with --quiet or --json, nor in logs.
        show_progress = not (quiet or as_json) and errors.is_terminal
        try:
            with progress.bars(errors, enabled=show_progress):
                if booting is not None:
                    scan_ahead(settings)
                    booting.join()
                summary = nightly(**{key: str(v) if isinstance(v, Path) else v
                                     for key, v in options.items()}, load_id=load_id)  # fmt: skip
        except (TerminalError, WarehouseBusy) as error:
            # A bad setting, a full disk, a publish that failed (PublishFailed names the load
            # analysts are on), another writer: each carries its own sentence.
            _fail(error, debug)
        except Exception as error:
            _fail(error, debug, unexpected=True)
    _add_wall_time(summary)
    if as_json:
        print(json.dumps(summary, ensure_ascii=False))
    elif not quiet:
        _print_summary(summary)
    raise typer.Exit(EXIT_HELD_BACK if summary["status"] == "held_back" else EXIT_OK)


def _mode_of(full_refresh: bool, reextract: bool) -> str:
    if full_refresh:
        return "full refresh"
    return "extract again from stored texts" if reextract else "new and changed files"


def _add_wall_time(summary: dict) -> None:
    """`seconds`: the wall time of this command, from its process's start (Python's start,
    Prefect's import and its temporary server included); the flow's own beside it."""
    import psutil

    wall = time.time() - psutil.Process().create_time()
    flow = summary["seconds"]
    scanned_ahead = summary["stage_seconds"].get("scan_ahead", 0.0)
    summary["flow_seconds"] = flow
    summary["seconds"] = round(wall, 3)
    summary["stage_seconds"]["startup"] = round(max(wall - flow - scanned_ahead, 0.0), 3)


def _fail(error: BaseException, debug: bool, *, unexpected: bool = False) -> None:
    """One line on stderr (the traceback first with --debug), then exit 1."""
    if debug:
        errors.print(escape("".join(traceback.format_exception(error))), end="")
    message = " ".join(str(error).split()) or type(error).__name__
    if unexpected:
        message = (
            f"unexpected {type(error).__name__}: {message} (a defect: "
            "`zhibiao run --debug` prints the traceback)"
        )
    elif isinstance(error, WarehouseBusy):
        message += "; one run writes at a time: try again when it ends, or pass --wait SECONDS"
    errors.print(f"[red]error:[/] {escape(message)}")
    raise typer.Exit(EXIT_FAILURE) from None


def _quiet_libraries(verbose: bool) -> None:
    """Telemetry off and library logs down to warnings before Prefect/GX are imported."""
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
    if not verbose:
        # Read by worker processes too, whose records do not reach this process's handler.
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


def _is_not_a_failure(record: logging.LogRecord) -> bool:
    if record.exc_info:
        return False
    return not str(record.msg).startswith(("Finished in state Failed", "Finished in state Crashed"))


def _print_summary(summary: dict) -> None:
    table = Table(
        title=f"zhibiao run: {summary['status']}", caption=summary["load_id"], show_header=False
    )
    table.add_column(style="bold")
    table.add_column(justify="right")
    for key in (
        "documents_seen", "documents_new", "documents_changed", "documents_unchanged",
        "documents_removed", "documents_read", "documents_reextracted", "documents_loaded",
        "documents_rejected", "documents_retired", "facts_loaded", "facts_quarantined",
    ):  # fmt: skip
        table.add_row(key.replace("_", " "), str(summary.get(key, "")))
    table.add_row("seconds", f"{summary['seconds']:.1f}")
    stages = summary.get("stage_seconds", {})
    shown = [(name, stages[name]) for name in WATCHED_STAGES if name in stages]
    table.add_row("  of which", ", ".join(f"{name} {seconds:.1f}" for name, seconds in shown))
    console.print(table)
    for rejected in summary["rejected"]:
        console.print(
            escape(f"  rejected {rejected['path']}: {rejected['reason']} ({rejected['message']})")
        )
    for name, count in summary.get("failed_expectations", {}).items():
        console.print(f"  quarantined by {name}: {count}")
    console.print(escape(f"warehouse  {summary['warehouse']}"))
    if summary["exports"]:
        console.print(escape(f"extracts   {summary['exports']}"))
        console.print(escape(f"analysts   {summary['analyst_db']}  (zhibiao sql)"))
        console.print(f"published  load {summary['published_load_id']}")
    if summary.get("data_docs"):
        console.print(escape(f"quality    {summary['data_docs']}"))
    if summary.get("report"):
        console.print(escape(f"report     {summary['report']}"))
    if summary.get("log"):
        console.print(escape(f"log        {summary['log']}"))
    if summary.get("report_error"):
        console.print(f"[yellow]The report was not written ({escape(summary['report_error'])}); "
                      "the run's load stands.[/]")  # fmt: skip
    if summary["status"] == "held_back":
        console.print("[red]The quality gate held this run back: nothing was loaded.[/]")
