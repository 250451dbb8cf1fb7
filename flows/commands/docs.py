"""`zhibiao docs`: the warehouse documented, as a static page (VAR/report/schema.html)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

console = Console(soft_wrap=True)
errors = Console(stderr=True, soft_wrap=True)


def docs(
    var: Annotated[Path, typer.Option(metavar="DIR", help="State folder of the run.")] = Path(
        "var"
    ),
) -> None:
    """Write the warehouse's documentation page: VAR/report/schema.html (works offline).

    Tables and views with their grain, every column with its type and meaning (English and
    Chinese), the lineage from the inbox to the views, the quality gate's expectations with
    their severity, and the catalogue: indicators with units and bounds, areas with codes.
    Generated from VAR/analyst.duckdb; every run's report writes it too.
    """
    from warehouse.report import ReportError
    from warehouse.report.schema import write_schema_page

    try:
        path = write_schema_page(var)
    except (FileNotFoundError, ReportError) as error:
        errors.print(f"[red]error:[/] {error}")
        raise typer.Exit(1) from error
    console.print(f"docs  {path}")
