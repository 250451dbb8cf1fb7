"""How commands print query results: a table for people at a terminal; CSV, TSV, JSON or
Markdown for scripts and documents. Nothing is ever cut short: a table printed to a pipe or
a file is as wide as its widest row, and the other formats stream their rows."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import json
import math
import sys
from collections.abc import Iterable
from enum import StrEnum
from typing import IO, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text


class ResultFormat(StrEnum):
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    markdown = "markdown"


PIPE_WIDTH = 1 << 20
"""Console width for a table that goes to a pipe or a file: wide enough for any row."""
NULL = "NULL"


def default_format(stream: IO[str]) -> ResultFormat:
    """A table at a terminal; CSV into a pipe or a file."""
    return ResultFormat.table if stream.isatty() else ResultFormat.csv


def write_result(
    columns: list[str],
    batches: Iterable[list[tuple]],
    result_format: ResultFormat,
    *,
    stream: IO[str] | None = None,
    title: str | None = None,
) -> None:
    """One result (its column names and its rows, batch by batch) in `result_format`."""
    stream = stream or sys.stdout
    if result_format == ResultFormat.table:
        _write_table(columns, batches, stream, title)
    elif result_format == ResultFormat.csv:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(columns)
        for rows in batches:
            writer.writerows([_plain(cell) for cell in row] for row in rows)
    elif result_format == ResultFormat.tsv:
        stream.write("\t".join(_tsv_cell(c) for c in columns) + "\n")
        for rows in batches:
            stream.writelines("\t".join(_tsv_cell(_plain(c)) for c in row) + "\n" for row in rows)
    elif result_format == ResultFormat.json:
        _write_json(columns, batches, stream)
    else:
        _write_markdown(columns, batches, stream)
    stream.flush()


def print_rows(
    console: Console,
    columns: list[str],
    rows: list[tuple],
    *,
    title: str | None = None,
    as_csv: bool = False,
    as_json: bool = False,
) -> None:
    """All rows of one small result: a table on `console`, or CSV or JSON on stdout."""
    if as_json or as_csv:
        result_format = ResultFormat.json if as_json else ResultFormat.csv
        write_result(columns, [rows], result_format)
        return
    console.print(_table(columns, [rows], title))


def _table(columns: list[str], batches: Iterable[list[tuple]], title: str | None) -> Table:
    table = Table(title=title, header_style="bold")
    materialised = [row for rows in batches for row in rows]
    for index, name in enumerate(columns):
        values = [row[index] for row in materialised if row[index] is not None]
        numeric = bool(values) and all(
            isinstance(v, int | float | decimal.Decimal) and not isinstance(v, bool) for v in values
        )
        table.add_column(name, justify="right" if numeric else "left", overflow="fold")
    for row in materialised:
        table.add_row(
            *(Text(NULL, style="dim") if cell is None else Text(_plain(cell)) for cell in row)
        )
    return table


def _write_table(
    columns: list[str], batches: Iterable[list[tuple]], stream: IO[str], title: str | None
) -> None:
    if stream.isatty():
        console = Console(file=stream)
    else:
        console = Console(file=stream, width=PIPE_WIDTH, color_system=None, soft_wrap=False)
    console.print(_table(columns, batches, title), crop=False)


def _plain(cell: Any) -> str:
    """A value as text: NULL as nothing, lists as DuckDB writes them, dates in ISO form."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, dt.date | dt.datetime | dt.time):
        return cell.isoformat(sep=" ") if isinstance(cell, dt.datetime) else cell.isoformat()
    if isinstance(cell, list | tuple):
        return "[" + ", ".join(_plain(item) for item in cell) + "]"
    return str(cell)


def _tsv_cell(text: str) -> str:
    """TSV has no quoting: tabs, newlines and backslashes are escaped as PostgreSQL does."""
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _json_value(cell: Any) -> Any:
    if isinstance(cell, float) and not math.isfinite(cell):
        return None
    if isinstance(cell, decimal.Decimal):
        return float(cell)
    if isinstance(cell, dt.date | dt.datetime | dt.time):
        return _plain(cell)
    if isinstance(cell, list | tuple):
        return [_json_value(item) for item in cell]
    if isinstance(cell, dict):
        return {str(key): _json_value(value) for key, value in cell.items()}
    if isinstance(cell, bytes):
        return cell.hex()
    return cell


def _write_json(columns: list[str], batches: Iterable[list[tuple]], stream: IO[str]) -> None:
    """One JSON array of objects (one per row), on one line: a statement's result."""
    stream.write("[")
    first = True
    for rows in batches:
        for row in rows:
            record = {name: _json_value(cell) for name, cell in zip(columns, row, strict=True)}
            stream.write(("" if first else ",") + json.dumps(record, ensure_ascii=False))
            first = False
    stream.write("]\n")


def _markdown_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", "<br>")


def _write_markdown(columns: list[str], batches: Iterable[list[tuple]], stream: IO[str]) -> None:
    stream.write("| " + " | ".join(_markdown_cell(c) for c in columns) + " |\n")
    stream.write("|" + "|".join("---" for _ in columns) + "|\n")
    for rows in batches:
        stream.writelines(
            "| " + " | ".join(_markdown_cell(_plain(c)) for c in row) + " |\n" for row in rows
        )
