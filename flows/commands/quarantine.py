"""`zhibiao quarantine`: review the facts the quality gate held back."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from flows.commands.output import print_rows

app = typer.Typer(
    help="Review quarantined facts: list them, accept or reject one by id.",
    no_args_is_help=True,
)
console = Console()
errors = Console(stderr=True)

VarOption = Annotated[Path, typer.Option(help="State folder holding warehouse.duckdb.")]


def _open(var: Path, *, read_only: bool):
    from warehouse.store import WarehouseBusy, connect

    path = var / "warehouse.duckdb"
    if not path.exists():
        errors.print(f"[red]error:[/] {path} does not exist yet: run `zhibiao run --var {var}`")
        raise typer.Exit(1)
    try:
        return connect(path, read_only=read_only)
    except WarehouseBusy as error:
        errors.print(f"[red]error:[/] {error}\nA run is in progress; try again when it ends.")
        raise typer.Exit(1) from error


@app.command("list")
def list_command(
    var: VarOption = Path("var"),
    status: Annotated[
        str | None, typer.Option(help="Only facts with this status: pending, accepted, rejected.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON array of objects.")] = False,
) -> None:
    """Quarantined facts with the expectations they failed and any decision taken."""
    from warehouse.review import list_quarantine

    connection = _open(var, read_only=True)
    try:
        columns, rows = list_quarantine(connection, status)
    finally:
        connection.close()
    if not as_json:  # the evidence column is too wide for a table: the JSON keeps it
        columns, rows = columns[:-1], [row[:-1] for row in rows]
    print_rows(console, columns, rows, title=f"{len(rows)} quarantined fact(s)", as_json=as_json)


def _decide(var: Path, fact_id: str, decision: str, reason: str | None) -> None:
    from warehouse.review import ReviewError, record_decision

    connection = _open(var, read_only=False)
    try:
        fact_key = record_decision(connection, fact_id, decision, reason)
    except ReviewError as error:
        errors.print(f"[red]error:[/] {error}")
        raise typer.Exit(1) from error
    finally:
        connection.close()
    console.print(f"{fact_key} {decision}: applied at the next `zhibiao run`")


@app.command("accept")
def accept_command(
    fact_id: Annotated[str, typer.Argument(help="The fact's id (at least 6 characters).")],
    reason: Annotated[str, typer.Option(help="Why the number is right after all (kept).")],
    var: VarOption = Path("var"),
) -> None:
    """Accept a quarantined fact: it loads at the next run, flagged, with your reason."""
    _decide(var, fact_id, "accepted", reason)


@app.command("reject")
def reject_command(
    fact_id: Annotated[str, typer.Argument(help="The fact's id (at least 6 characters).")],
    reason: Annotated[str | None, typer.Option(help="Why (kept).")] = None,
    var: VarOption = Path("var"),
) -> None:
    """Reject a quarantined fact for good: it stays out of the warehouse's facts."""
    _decide(var, fact_id, "rejected", reason)
