"""How commands print query results: a Rich table for people, CSV or JSON for scripts."""

from __future__ import annotations

import csv
import json
import sys

from rich.console import Console
from rich.table import Table


def print_rows(
    console: Console,
    columns: list[str],
    rows: list[tuple],
    *,
    title: str | None = None,
    as_csv: bool = False,
    as_json: bool = False,
) -> None:
    if as_json:
        records = [dict(zip(columns, row, strict=True)) for row in rows]
        print(json.dumps(records, ensure_ascii=False, default=str))
        return
    if as_csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
        return
    table = Table(*columns, title=title)
    for row in rows:
        table.add_row(*("" if cell is None else str(cell) for cell in row))
    console.print(table)
