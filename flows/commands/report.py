"""`zhibiao report`: the HTML report of the published warehouse, in VAR/report/."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

console = Console(soft_wrap=True)
errors = Console(stderr=True, soft_wrap=True)  # paths in messages are never folded


def report(
    var: Annotated[Path, typer.Option(help="State folder of the run to report on.")] = Path("var"),
) -> None:
    """Write the HTML report of the warehouse in VAR/report/ (open index.html).

    Per region: the headline indicators' level and growth, charted, and their
    latest values. The last run's data quality. Each document's text with its
    facts highlighted, linked from every value. Reads VAR/analyst.duckdb (never
    waits for a run); works offline. Every run writes it too.
    """

    from warehouse.report import ReportError, write_report

    try:
        result = write_report(var)
    except (FileNotFoundError, ReportError) as error:
        errors.print(f"[red]error:[/] {error}")
        raise typer.Exit(1) from error
    console.print(
        f"report  {result.index}  ({result.regions} regions, {result.charts} charts, "
        f"{result.documents} documents, {result.facts_highlighted} facts highlighted; "
        f"{result.seconds:.1f} s)"
    )
