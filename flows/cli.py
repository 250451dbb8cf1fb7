"""The `zhibiao` command line (stable surface: ../shared/spec/CLI.md).

Commands are thin: each hands its work to a function in flows/, transforms/ or warehouse/.
Prefect and Great Expectations are imported only by the commands that need them.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from flows.commands import docs as docs_command
from flows.commands import gen as gen_command
from flows.commands import quarantine as quarantine_command
from flows.commands import rejected as rejected_command
from flows.commands import report as report_command
from flows.commands import serve as serve_command
from flows.commands import sql as sql_command
from flows.commands.help import PlainHelpGroup, print_version
from flows.ingest import SUPPORTED_FORMATS

app = typer.Typer(
    cls=PlainHelpGroup,
    help="Zhibiao (指标): Chinese economic reports in, a trustworthy indicator warehouse out.",
    no_args_is_help=True,
    rich_markup_mode="markdown",  # docstring paragraphs are reflowed to the terminal's width
)
app.add_typer(rejected_command.app, name="rejected")
app.add_typer(quarantine_command.app, name="quarantine")
app.command("report")(report_command.report)
app.command("serve")(serve_command.serve)
app.command("gen")(gen_command.gen)
app.command("docs")(docs_command.docs)
# A query may start with a comment (`-- 1. ...`): not an option.
app.command("sql", context_settings={"ignore_unknown_options": True})(sql_command.sql)


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=print_version, is_eager=True, help="Print the versions and exit."
        ),
    ] = False,
) -> None:
    """Zhibiao (指标): Chinese economic reports in, a trustworthy indicator warehouse out."""


console = Console()
errors = Console(stderr=True, soft_wrap=True)  # paths in messages are never folded

EXIT_OK, EXIT_FAILURE, EXIT_HELD_BACK = 0, 1, 2


def _quiet_libraries(verbose: bool) -> None:
    """Telemetry off and library logs down to warnings before Prefect/GX are imported."""
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
    if not verbose:
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
        logging.getLogger("great_expectations").setLevel(logging.WARNING)


@app.command()
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

    Exit status: 0 loaded, 1 failed or busy, 2 held back by the quality gate (nothing loaded).
    """
    _quiet_libraries(verbose)
    from flows import progress
    from flows.nightly import nightly
    from warehouse.store import WarehouseBusy, WarehouseSchemaMismatch

    # Bars on stderr, for a person at a terminal: never with --quiet or --json, nor in logs.
    show_progress = not (quiet or as_json) and errors.is_terminal
    try:
        with progress.bars(errors, enabled=show_progress):
            summary = nightly(
                inbox=str(inbox), var=str(var), full_refresh=full_refresh, reextract=reextract,
                wait_seconds=wait, dask_address=dask_address, workers=workers,
            )  # fmt: skip
    except WarehouseBusy as error:
        errors.print(
            f"[red]error:[/] {error}\nOne run writes at a time: try again when it ends, "
            "or pass --wait SECONDS."
        )
        raise typer.Exit(EXIT_FAILURE) from error
    except (NotADirectoryError, FileNotFoundError, WarehouseSchemaMismatch) as error:
        errors.print(f"[red]error:[/] {error}")
        raise typer.Exit(EXIT_FAILURE) from error
    if as_json:
        print(json.dumps(summary, ensure_ascii=False))
    elif not quiet:
        _print_summary(summary)
    raise typer.Exit(EXIT_HELD_BACK if summary["status"] == "held_back" else EXIT_OK)


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
    console.print(table)
    for rejected in summary["rejected"]:
        console.print(
            f"  rejected {rejected['path']}: {rejected['reason']} ({rejected['message']})"
        )
    for name, count in summary.get("failed_expectations", {}).items():
        console.print(f"  quarantined by {name}: {count}")
    console.print(f"warehouse  {summary['warehouse']}")
    if summary["exports"]:
        console.print(f"extracts   {summary['exports']}")
        console.print(f"analysts   {summary['analyst_db']}  (zhibiao sql)")
    if summary.get("data_docs"):
        console.print(f"data docs  {summary['data_docs']}")
    if summary.get("report"):
        console.print(f"report     {summary['report']}")
    if summary.get("report_error"):
        console.print(f"[yellow]The report was not written ({summary['report_error']}); "
                      "the run's load stands.[/]")  # fmt: skip
    if summary["status"] == "held_back":
        console.print("[red]The quality gate held this run back: nothing was loaded.[/]")


class OutputFormat(StrEnum):
    jsonl = "jsonl"


@app.command()
def extract(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Documents to read: " + ", ".join(sorted(SUPPORTED_FORMATS)) + ".", exists=False
        ),
    ],
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="Output format.")
    ] = OutputFormat.jsonl,
) -> None:
    """Print the facts of the given files, one JSON object per line (../shared/spec/FACTS.md).

    Nothing is written anywhere. Unreadable files are reported on stderr (exit 1).
    """
    from flows.ingest import Rejection, inbox_file_for
    from flows.pipeline import read_document
    from transforms.catalog import load_catalog
    from transforms.extract import extract_document

    catalog = load_catalog()
    failed = False
    for path in files:
        try:
            inbox_file = inbox_file_for(path)
        except OSError as error:
            errors.print(f"[red]error:[/] {path}: {error.strerror or error}")
            failed = True
            continue
        outcome = read_document(inbox_file)
        if isinstance(outcome, Rejection):
            errors.print(f"[red]error:[/] {path}: {outcome.reason_code}: {outcome.message}")
            failed = True
            continue
        document, text = outcome
        for fact in extract_document(document.doc_name, text, catalog).facts:
            sys.stdout.write(json.dumps(fact.to_contract(), ensure_ascii=False) + "\n")
    if failed:
        raise typer.Exit(EXIT_FAILURE)


if __name__ == "__main__":
    app()
