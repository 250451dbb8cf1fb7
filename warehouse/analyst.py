"""Read-only access for analysts: the published database, never the live warehouse."""

from __future__ import annotations

from pathlib import Path

import duckdb


class QueryError(ValueError):
    """The analyst's query failed (syntax, unknown table, or an attempt to write)."""


def open_analyst_db(var_dir: Path) -> duckdb.DuckDBPyConnection:
    path = var_dir / "analyst.duckdb"
    if not path.exists():
        raise FileNotFoundError(
            f"{path} does not exist yet: run `zhibiao run --var {var_dir}` first"
        )
    return duckdb.connect(str(path), read_only=True)


def run_query(connection: duckdb.DuckDBPyConnection, query: str) -> tuple[list[str], list[tuple]]:
    try:
        relation = connection.sql(query)
        if relation is None:
            return [], []
        return list(relation.columns), relation.fetchall()
    except duckdb.Error as error:
        raise QueryError(str(error).splitlines()[0]) from error
