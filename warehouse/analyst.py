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
