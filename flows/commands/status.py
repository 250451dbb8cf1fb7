"""`zhibiao status`: the last runs, what analysts see, what waits in quarantine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

console = Console()
errors = Console(stderr=True, soft_wrap=True)


def status(
    var: Annotated[Path, typer.Option(metavar="DIR", help="State folder to look at.")] = Path(
        "var"
    ),
    runs: Annotated[int, typer.Option("--runs", min=1, help="How many of the last runs.")] = 5,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object instead of tables.")
    ] = False,
) -> None:
    """The last runs (with their logs), what is published and whether it is behind the
    warehouse, what waits in quarantine, and whether a run is writing now.

    Read-only: it never blocks a run (while one writes, runs and quarantine come from the
    published database). Exit status: 0, or 1 when VAR holds no warehouse.
    """
    from warehouse.status import read_status

    try:
        state = read_status(var, runs)
    except FileNotFoundError as error:
        errors.print(f"[red]error:[/] {escape(str(error))}")
        raise typer.Exit(1) from error
    if as_json:
        print(json.dumps(state.as_json(), ensure_ascii=False, default=str))
        return
    if state.writing is not None:
        holder = state.writing
        console.print(
            escape(f"writing    a run holds {var}: load {holder.get('load_id', '?')}, "
                   f"pid {holder.get('pid', '?')} on {holder.get('host', '?')} "
                   f"since {holder.get('since', '?')}")
        )  # fmt: skip
    table = Table(title="last runs", title_justify="left", box=None)
    for column in ("load", "status", "read", "rejected", "facts", "quarantined", "seconds"):
        table.add_column(column, justify="left" if column in {"load", "status"} else "right")
    for run in state.runs:
        table.add_row(
            run["load_id"], run["status"], str(run["documents_read"] or 0),
            str(run["documents_rejected"] or 0), str(run["facts_loaded"] or 0),
            str(run["facts_quarantined"] or 0),
            f"{run['seconds']:.1f}" if run["seconds"] is not None else "running",
        )  # fmt: skip
    console.print(table)
    if state.runs and state.runs[0]["log"]:
        console.print(escape(f"log        {state.runs[0]['log']}"), highlight=False)
    if state.published_load is None:
        console.print("published  nothing yet (the next run publishes)")
    else:
        verdict = {True: "current", False: "[yellow]behind the warehouse[/]", None: ""}
        console.print(
            f"published  load {state.published_load} at {state.published_at or '?'}: "
            f"{verdict[state.publication_current]}"
        )
        if state.publication_current is False:
            console.print(
                escape(f"           {state.publication_detail}; the next run publishes again")
            )
    quarantine = ", ".join(f"{name} {count}" for name, count in state.quarantine.items())
    console.print(f"quarantine {quarantine or 'empty'}")
    for name, count in state.pending_by_expectation.items():
        console.print(f"           pending, failed {name}: {count}")
    if state.quarantine.get("pending"):
        console.print(escape(f"           review: zhibiao quarantine list --var {var}"))
    if state.source == "publication":
        console.print("(runs and quarantine as last published: a run holds the warehouse)")
