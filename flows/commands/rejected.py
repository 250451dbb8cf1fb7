"""`zhibiao rejected`: the inbox files that could not be read as documents, and why."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(
    help="Inbox files that could not be read as documents, with the reason.",
    no_args_is_help=True,
)
console = Console()
errors = Console(stderr=True, soft_wrap=True)  # paths in messages are never folded


@app.command("list")
def list_rejected(
    var: Annotated[Path, typer.Option(help="State folder of the run to read.")] = Path("var"),
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON array of objects instead of a table.")
    ] = False,
) -> None:
    """The inbox files the last published run could not read, with the reason.

    One row per file still in the inbox: path, reason code, message, size and content hash,
    read from VAR/analyst.duckdb (never blocks a run).
    """
    from warehouse.analyst import QueryError, current_rejections, open_analyst_db

    try:
        connection = open_analyst_db(var)
    except OSError as error:  # no publication yet, or a folder here would shadow it
        errors.print(f"[red]error:[/] {error}")
        raise typer.Exit(1) from error
    try:
        columns, rows = current_rejections(connection)
    except QueryError as error:
        errors.print(f"[red]error:[/] {error}")
        raise typer.Exit(1) from error
    finally:
        connection.close()
    records = [dict(zip(columns, row, strict=True)) for row in rows]
    if as_json:
        print(json.dumps(records, ensure_ascii=False, default=str))
        return
    table = Table("path", "reason", "message", "bytes", title=f"{len(records)} rejected file(s)")
    for record in records:
        size = record["size_bytes"]
        table.add_row(
            record["path"], record["reason"], record["message"], "" if size is None else f"{size:,}"
        )
    console.print(table)
