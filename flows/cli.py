"""The `zhibiao` command line (stable surface: ../shared/spec/CLI.md).

Commands are thin: each hands its work to a function in flows/, transforms/ or warehouse/.
Prefect and Great Expectations are imported only by the commands that need them.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from flows.commands import docs as docs_command
from flows.commands import gen as gen_command
from flows.commands import quarantine as quarantine_command
from flows.commands import rejected as rejected_command
from flows.commands import report as report_command
from flows.commands import run as run_command
from flows.commands import serve as serve_command
from flows.commands import sql as sql_command
from flows.commands import status as status_command
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
app.command("run")(run_command.run)
app.command("report")(report_command.report)
app.command("serve")(serve_command.serve)
app.command("status")(status_command.status)
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

EXIT_FAILURE = run_command.EXIT_FAILURE


class OutputFormat(StrEnum):
    jsonl = "jsonl"


def expand_folders(paths: list[Path]) -> list[Path]:
    """Each folder replaced by the entries directly inside it, sorted by name (hidden ones
    left out); a folder inside one is named on stderr, not read."""
    expanded: list[Path] = []
    for path in paths:
        if not path.is_dir():
            expanded.append(path)
            continue
        for entry in sorted(path.iterdir()):
            if entry.name.startswith("."):
                continue
            if entry.is_dir():
                errors.print(f"note: {entry}: a folder inside a folder, not read")
                continue
            expanded.append(entry)
    return expanded


@app.command()
def extract(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Documents to read ("
            + ", ".join(sorted(SUPPORTED_FORMATS))
            + "); a folder stands for the files directly inside it.",
            exists=False,
        ),
    ],
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="Output format.")
    ] = OutputFormat.jsonl,
) -> None:
    """Print the facts of the given files, one JSON object per line (../shared/spec/FACTS.md).

    Nothing is written anywhere. Unreadable files are reported on stderr (exit 1); folders
    inside a folder are named on stderr as not read.
    """
    from flows.ingest import Rejection, inbox_file_for, read_document
    from transforms.catalog import load_catalog
    from transforms.extract import extract_document

    catalog = load_catalog()
    failed = False
    for path in expand_folders(files):
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
