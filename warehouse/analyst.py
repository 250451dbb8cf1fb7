"""Read-only access for analysts: the published database, never the live warehouse.

The security model of `zhibiao sql` (README, "Querying"), in two layers:

1. DuckDB's own: the connection opens `VAR/analyst.duckdb` read-only, may open no file but
   those of the publication its views read (`allowed_directories`, with
   `enable_external_access` off), loads and installs no extension, scans no Python
   variable, and then locks its configuration, so no statement can undo any of it.
2. Ours, before DuckDB runs a statement: only queries pass (SELECT and its forms, EXPLAIN of
   a query, a few read-only PRAGMAs), and a query may not call a table function that reads
   files or runs SQL given as text (`read_csv`, `glob`, `query`...), nor name a file as a
   table. This keeps the publication's own files out of reach too (layer 1 must let the
   views read them), and COPY, ATTACH, INSTALL and LOAD are refused with a clear message.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from warehouse.sql import MEMORY_RETURNING_CONFIG

StatementType = duckdb.StatementType


class QueryError(ValueError):
    """The analyst's query failed (syntax, unknown table, or an attempt to write)."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        """Line of the statement, within it, that DuckDB's message points at (1 = first)."""


class StatementRefused(QueryError):
    """The statement is not a query, or reaches past the published warehouse."""


ANALYST_SETTINGS = {
    "autoload_known_extensions": False,
    "autoinstall_known_extensions": False,
    "allow_community_extensions": False,
    "allow_unsigned_extensions": False,
    "python_enable_replacements": False,
    **MEMORY_RETURNING_CONFIG,
}
"""Settings the connection opens with; `open_analyst_db` then restricts files and locks."""

QUERY_STATEMENTS = frozenset({StatementType.SELECT, StatementType.EXPLAIN, StatementType.PRAGMA})
"""SELECT covers WITH, FROM-first, VALUES, DESCRIBE, SHOW, SUMMARIZE and PIVOT queries."""

READ_ONLY_PRAGMAS = frozenset(
    {
        "table_info", "show", "show_tables", "show_tables_expanded", "show_databases",
        "database_list", "database_size", "storage_info", "metadata_info", "collations",
        "functions", "version", "platform", "user_agent",
    }
)  # fmt: skip

QUERY_TABLE_FUNCTIONS = frozenset(
    {
        "range", "generate_series", "unnest", "repeat", "repeat_row", "summary",
        "histogram", "histogram_values", "json_each", "json_tree", "pg_timezone_names",
        "icu_calendar_names",
    }
)  # fmt: skip
"""Table functions a query may call besides the catalogue's (duckdb_*, pragma_*): they
compute rows; none reads a file or runs SQL given as text."""
CATALOGUE_FUNCTION = re.compile(r"^(duckdb_|pragma_)")
FILE_LIKE_NAME = re.compile(r"[/\\.*:]")
"""A table named like this is a file DuckDB would read (`FROM 'x.csv'`), not a view."""
EXPLAIN_PREFIX = re.compile(r"^\s*explain(\s+analy[sz]e)?\b", re.IGNORECASE)


def open_analyst_db(
    var_dir: Path, *, threads: int | None = None, memory_limit: str | None = None
) -> duckdb.DuckDBPyConnection:
    """The published database, read-only and locked down (see the module's docstring);
    `threads` caps DuckDB's threads (a process that is one of several, one per core),
    `memory_limit` its memory (its default is 80 % of the machine)."""
    path = var_dir / "analyst.duckdb"
    if not path.exists():
        raise FileNotFoundError(
            f"{path} does not exist yet: run `zhibiao run --var {var_dir}` first"
        )
    # The folder of the publication opened now: its views name their files relative to it.
    publication = Path(os.path.realpath(path)).parent
    _refuse_shadowing_folders(publication)
    settings: dict[str, object] = dict(ANALYST_SETTINGS)
    if threads is not None:
        settings["threads"] = threads
    if memory_limit is not None:
        settings["memory_limit"] = memory_limit
    connection = duckdb.connect(str(path), read_only=True, config=settings)
    # DuckDB takes these only once the database is open, so they are set, then external
    # access goes off, then the configuration is locked: no statement can change them.
    # A view's relative path is checked as written (`fact_observation/...`) before DuckDB
    # finds it under the search path, so those prefixes are allowed too (the working
    # directory has no such folder: `_refuse_shadowing_folders`).
    allowed = [str(publication) + os.sep, *(f"{name}/" for name in published_folders(publication))]
    connection.execute("SET file_search_path = ?", [str(publication)])
    connection.execute("SET allowed_directories = ?", [allowed])
    connection.execute("SET enable_progress_bar = false")  # it would draw into the results
    connection.execute("SET enable_external_access = false")
    connection.execute("SET lock_configuration = true")
    return connection


def published_folders(publication: Path) -> list[str]:
    """The folders of a publication that its analyst database's views read."""
    return sorted(p.name for p in publication.iterdir() if p.is_dir())


def _refuse_shadowing_folders(publication: Path) -> None:
    """DuckDB looks for a relative path in the working directory before the search path:
    from a folder that holds a `dim_region/` of its own, the views would read that one."""
    cwd = Path.cwd().resolve()
    if cwd == publication:
        return
    shadowing = [name for name in published_folders(publication) if (cwd / name).exists()]
    if shadowing:
        raise FileExistsError(
            f"the current folder holds {', '.join(shadowing)}, which DuckDB would read "
            f"instead of the publication's ({publication}): run this from another folder"
        )


def run_query(connection: duckdb.DuckDBPyConnection, query: str) -> tuple[list[str], list[tuple]]:
    """Run trusted SQL of this package (no checks) and return all its rows."""
    try:
        relation = connection.sql(query)
        if relation is None:
            return [], []
        return list(relation.columns), relation.fetchall()
    except duckdb.Error as error:
        raise _query_error(error) from error


@dataclass
class Result:
    """The columns of one statement's result and a cursor over its rows."""

    columns: list[str]
    cursor: duckdb.DuckDBPyConnection | None

    def batches(self, size: int = 10_000) -> Iterator[list[tuple]]:
        if self.cursor is None:
            return
        while rows := self.cursor.fetchmany(size):
            yield rows


def run_analyst_statement(connection: duckdb.DuckDBPyConnection, statement: str) -> Result:
    """Check one statement an analyst typed (`check_statement`), then run it.

    Raises StatementRefused, or QueryError when DuckDB fails it."""
    check_statement(connection, statement)
    try:
        cursor = connection.execute(statement)
    except duckdb.Error as error:
        raise _query_error(error) from error
    if cursor.description is None:
        return Result(columns=[], cursor=None)
    return Result(columns=[column[0] for column in cursor.description], cursor=cursor)


def check_statement(connection: duckdb.DuckDBPyConnection, statement: str) -> None:
    """Refuse what is not a query of the published warehouse (module docstring, layer 2)."""
    try:
        parsed = connection.extract_statements(statement)
    except duckdb.Error as error:
        raise _query_error(error) from error
    for one in parsed:
        kind = one.type
        if kind not in QUERY_STATEMENTS:
            verb = one.query.split(maxsplit=1)[0].upper() if one.query.strip() else kind.name
            raise StatementRefused(
                f"{verb} is refused: zhibiao sql runs queries only (SELECT, WITH, FROM, "
                "DESCRIBE, SHOW, SUMMARIZE, EXPLAIN, PRAGMA) on the published warehouse"
                + (" (PIVOT: name its values, `ON col IN (...)`)" if kind.name == "MULTI" else "")
            )
        if kind == StatementType.EXPLAIN:
            inner = EXPLAIN_PREFIX.sub("", one.query, count=1)
            check_statement(connection, inner)  # EXPLAIN ANALYZE runs its statement
        elif kind == StatementType.PRAGMA:
            name = re.match(r"\s*pragma\s+(\w+)", one.query, re.IGNORECASE)
            if not name or name.group(1).lower() not in READ_ONLY_PRAGMAS:
                raise StatementRefused(
                    "this PRAGMA is refused: only those that describe the database "
                    f"({', '.join(sorted(READ_ONLY_PRAGMAS))})"
                )
        else:
            _check_query_tree(connection, one.query)


def _check_query_tree(connection: duckdb.DuckDBPyConnection, query: str) -> None:
    serialized = connection.execute("SELECT json_serialize_sql(?)", [query]).fetchall()[0][0]
    tree = json.loads(serialized)
    if tree.get("error"):
        raise QueryError(tree.get("error_message", "the query could not be parsed"))
    for node in _nodes(tree):
        if node.get("type") == "TABLE_FUNCTION":
            name = node.get("function", {}).get("function_name", "").lower()
            if name not in QUERY_TABLE_FUNCTIONS and not CATALOGUE_FUNCTION.match(name):
                raise StatementRefused(
                    f"table function {name}() is refused: zhibiao sql reads the published "
                    "tables and views, not files (query them by name: `.tables` lists them)"
                )
        elif node.get("type") == "BASE_TABLE" and FILE_LIKE_NAME.search(node.get("table_name", "")):
            raise StatementRefused(
                f"reading {node['table_name']!r} is refused: zhibiao sql reads the published "
                "tables and views, not files"
            )


def _nodes(tree: Any) -> Iterator[dict[str, Any]]:
    stack = [tree]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            yield item
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _query_error(error: duckdb.Error) -> QueryError:
    text = str(error)
    line = re.search(r"^LINE (\d+):", text, re.MULTILINE)
    return QueryError(text.splitlines()[0], line=int(line.group(1)) if line else None)


# --- the catalogue, for `.tables` and `.schema` -------------------------------------------

RELATIONS_SQL = """
SELECT view_name AS name,
       CASE WHEN sql ILIKE '%read_parquet(%' THEN 'table' ELSE 'view' END AS kind,
       comment
FROM duckdb_views()
WHERE NOT internal AND schema_name = 'main'
ORDER BY kind, name
"""
"""Every relation of the published database. Its tables are views over the Parquet
extracts (`kind` 'table'); the warehouse's views are views over them."""

COLUMNS_SQL = """
SELECT table_name AS relation, column_name AS "column", data_type AS type, comment
FROM duckdb_columns()
WHERE NOT internal AND schema_name = 'main' AND (? IS NULL OR table_name = ?)
ORDER BY table_name, column_index
"""


def relations(connection: duckdb.DuckDBPyConnection) -> tuple[list[str], list[tuple]]:
    """Name, kind (table or view) and comment (grain) of every published relation."""
    return run_query(connection, RELATIONS_SQL)


def columns(
    connection: duckdb.DuckDBPyConnection, relation: str | None = None
) -> tuple[list[str], list[tuple]]:
    """Relation, column, type and comment of every column (of one relation, if named)."""
    try:
        cursor = connection.execute(COLUMNS_SQL, [relation, relation])
        return [c[0] for c in cursor.description], cursor.fetchall()
    except duckdb.Error as error:
        raise _query_error(error) from error


# One row per inbox path that is there now and could not be read: the latest reason. A path
# is matched to the rejection of its content (the same bytes under another name were read
# once) or, when the rejection has no content hash (too large, vanished), to its own path.
CURRENT_REJECTIONS_SQL = """
SELECT s.source_path AS path, r.reason_code AS reason, r.message, r.size_bytes,
       nullif(s.content_sha256, '') AS content_sha256, r.rejected_at, r.load_id
FROM document_source s
JOIN rejected_document r
  ON (r.content_sha256 <> '' AND r.content_sha256 = s.content_sha256)
  OR (r.content_sha256 = '' AND r.source_path = s.source_path)
WHERE s.is_present AND s.status = 'rejected'
QUALIFY row_number() OVER (PARTITION BY s.source_path ORDER BY r.rejected_at DESC,
                                                               r.load_id DESC) = 1
ORDER BY s.source_path
"""


def current_rejections(connection: duckdb.DuckDBPyConnection) -> tuple[list[str], list[tuple]]:
    """Files in the inbox that were rejected, with the reason (`zhibiao rejected list`)."""
    return run_query(connection, CURRENT_REJECTIONS_SQL)
