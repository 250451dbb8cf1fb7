"""Small helpers for DuckDB calls shared across the warehouse modules."""

from __future__ import annotations

from typing import Any

import duckdb


def scalar(connection: duckdb.DuckDBPyConnection, query: str, params: list | None = None) -> Any:
    """The single value a query returns. Reads the whole result: DuckDB 2 refuses further work
    on a connection whose last result was read only in part (as `fetchone()` leaves it)."""
    return connection.execute(query, params or []).fetchall()[0][0]


def sql_literal(text: str) -> str:
    """A string as an SQL literal, for the statements that take no parameters (COMMENT ON)."""
    return "'" + text.replace("'", "''") + "'"
