"""Publish the warehouse for readers: Parquet extracts and an analyst database over them.

Readers never open the live warehouse (DuckDB lets one process write a file and refuses
readers meanwhile). Each publication is written complete into a folder of its own,
`VAR/.exports-<load_id>/`, manifest last; then the link `VAR/exports` is pointed at it in one
atomic rename. A reader, or a publish killed at any point, sees the previous complete set or
the new complete set, never half of one. The previous set is kept until the next publish, so
a query that started just before the switch can finish.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse.column_docs import apply_column_comments
from warehouse.sql import scalar
from warehouse.store import sql_literal

PUBLISHED_TABLES = (
    "dim_indicator",
    "dim_region",
    "dim_period",
    "dim_unit",
    "dim_document",
    "document_source",
    "document_text",
    "fact_observation",
    "quarantine_observation",
    "rejected_document",
    "etl_run",
    "dq_result",
)
PARTITIONED_BY = {"fact_observation": "year"}
PARTITION_TYPES = {"year": "INTEGER"}
"""Hive partition columns live in folder names; readers are told their type (else BIGINT)."""
EXCLUDED_COLUMNS = {"document_text": ("raw_text",)}
"""Columns kept in the warehouse only: the decoded text is for re-extraction, not for BI."""
ROW_GROUP_ROWS = {"document_text": 4096}
"""Tables of long rows get smaller Parquet row groups than DuckDB's 122,880 rows: the writer
holds a row group in memory, and 100,000 documents' texts would be one row group of about a
gigabyte (over ZHIBIAO_DUCKDB_MEMORY_LIMIT)."""
MANIFEST_FORMAT = 1
VERSION_PREFIX = ".exports-"


@dataclass(frozen=True)
class Publication:
    exports_dir: Path
    analyst_db: Path
    row_counts: dict[str, int]
    remote: str | None = None
    """URL of the copy under `publish_url` (`<url>/<load_id>/`), when one was asked for."""


def publish(
    connection: duckdb.DuckDBPyConnection,
    var_dir: Path,
    load_id: str,
    *,
    flow_run_id: str | None = None,
    on_table: Callable[[str], None] | None = None,
    publish_url: str | None = None,
    unchanged: Collection[str] = (),
) -> Publication:
    """Write the next publication and switch readers to it.

    `unchanged`: tables the caller knows this run did not change (a run that read no
    document leaves the texts and facts as they were): their files are hard-linked from
    the current publication instead of written again, which keeps a run with nothing new
    quick however large the warehouse. A table the current publication lacks is written.
    """
    exports = var_dir / "exports"
    version = var_dir / f"{VERSION_PREFIX}{load_id}"
    _remove_unfinished(var_dir, exports)
    shutil.rmtree(version, ignore_errors=True)
    version.mkdir(parents=True)
    row_counts: dict[str, int] = {}
    schemas: dict[str, list[dict[str, str]]] = {}
    current = _current_manifest(exports)
    for table in PUBLISHED_TABLES:
        entry = current.get("tables", {}).get(table)
        if table in unchanged and entry and _link_table(exports, version, entry):
            row_counts[table], schemas[table] = entry["rows"], entry["columns"]
        else:
            row_counts[table], schemas[table] = _write_table(connection, version, table)
        if on_table:
            on_table(table)
    manifest = {
        "format": MANIFEST_FORMAT,
        "load_id": load_id,
        "flow_run_id": flow_run_id,
        "published_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "tables": {
            table: {
                "rows": row_counts[table],
                "path": table,
                "partitioned_by": PARTITIONED_BY.get(table),
                "columns": schemas[table],
            }
            for table in PUBLISHED_TABLES
        },
    }
    # Written last: a folder with a manifest is complete.
    (version / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    previous = os.readlink(exports) if exports.is_symlink() else ""
    _point_exports_at(exports, version)
    analyst_db = _write_analyst_db(connection, var_dir, exports, row_counts)
    remote = copy_to_url(version, publish_url, load_id) if publish_url else None
    _remove_old_versions(var_dir, keep={version.name, previous})
    return Publication(
        exports_dir=exports, analyst_db=analyst_db, row_counts=row_counts, remote=remote
    )


def copy_to_url(version: Path, url: str, load_id: str) -> str:
    """Copy a complete publication to `<url>/<load_id>/` (any fsspec URL: a folder, S3, GCS,
    HDFS...), then point `<url>/latest.json` at it, written last.

    The layout is the one of VAR/exports: a folder per table, `fact_observation/year=YYYY/`
    Hive-partitioned, and the manifest. Object stores have no atomic rename, so readers
    find the current publication through latest.json (Spark, Trino and DuckDB read the
    folder it names); a copy killed half-way is never named there.
    """
    import fsspec

    fs, root = fsspec.core.url_to_fs(url)
    target = f"{root.rstrip('/')}/{load_id}"
    for path in sorted(version.rglob("*")):
        if path.is_file():
            remote = f"{target}/{path.relative_to(version).as_posix()}"
            fs.makedirs(remote.rsplit("/", 1)[0], exist_ok=True)
            fs.put_file(str(path), remote)
    latest = {"load_id": load_id, "path": load_id, "manifest": f"{load_id}/manifest.json"}
    with fs.open(f"{root.rstrip('/')}/latest.json", "w", encoding="utf-8") as handle:
        handle.write(json.dumps(latest, ensure_ascii=False, indent=2))
    return f"{url.rstrip('/')}/{load_id}"


def _current_manifest(exports: Path) -> dict:
    try:
        manifest = json.loads((exports / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return manifest if manifest.get("format") == MANIFEST_FORMAT else {}


def _link_table(exports: Path, version: Path, entry: dict) -> bool:
    """Hard-link a table's files from the current publication (False: they are not all
    there, write the table instead). Files are never changed in place, only replaced by
    a whole new publication, so two publications may share them."""
    source = exports.resolve() / entry["path"]
    if not source.is_dir():
        return False
    target = version / entry["path"]
    try:
        for path in source.rglob("*"):
            destination = target / path.relative_to(source)
            if path.is_dir():
                destination.mkdir(parents=True, exist_ok=True)
            else:
                destination.parent.mkdir(parents=True, exist_ok=True)
                os.link(path, destination)
    except OSError:
        shutil.rmtree(target, ignore_errors=True)
        return False
    return True


def _export_query(table: str) -> str:
    if table == "fact_observation":
        return (
            "SELECT f.*, p.year FROM fact_observation f "
            "JOIN dim_period p USING (period_key) ORDER BY p.year, f.fact_key"
        )
    excluded = EXCLUDED_COLUMNS.get(table)
    if excluded:
        return f"SELECT * EXCLUDE ({', '.join(excluded)}) FROM {table}"
    return f"SELECT * FROM {table}"


def _write_table(
    connection: duckdb.DuckDBPyConnection, folder: Path, table: str
) -> tuple[int, list[dict[str, str]]]:
    """One table's Parquet (zstd) under `folder`: its row count and its columns' types.

    Types come from the warehouse's DDL, not from the data, so they are the same in every
    publication, empty tables included.
    """
    query = _export_query(table)
    relation = connection.sql(query)
    columns = [
        {"name": name, "type": str(dtype)}
        for name, dtype in zip(relation.columns, relation.types, strict=True)
    ]
    target = folder / table
    partition = PARTITIONED_BY.get(table)
    target.mkdir()
    # COPY returns the rows it wrote: no second pass over the table to count them.
    rows = 0
    if partition:
        options = f"FORMAT parquet, COMPRESSION zstd, PARTITION_BY ({partition})"
        rows = scalar(connection, f"COPY ({query}) TO '{target}' ({options}, OVERWRITE_OR_IGNORE)")
    if not partition or not rows:
        # An empty partitioned table is one empty file (its folder, its columns, no rows).
        name = "empty.parquet" if partition else f"{table}.parquet"
        options = "FORMAT parquet, COMPRESSION zstd"
        if table in ROW_GROUP_ROWS:
            options += f", ROW_GROUP_SIZE {ROW_GROUP_ROWS[table]}"
        rows = scalar(connection, f"COPY ({query}) TO '{target / name}' ({options})")
    return rows, columns


def _point_exports_at(exports: Path, version: Path) -> None:
    """Switch the `exports` link to `version` in one rename (atomic on POSIX)."""
    if exports.exists() and not exports.is_symlink():
        # A folder from before publications were versioned: moved aside once, then linked.
        legacy = exports.with_name(f"{VERSION_PREFIX}legacy")
        shutil.rmtree(legacy, ignore_errors=True)
        exports.replace(legacy)
    link = exports.with_name(f".exports-link-{version.name}")
    link.unlink(missing_ok=True)
    link.symlink_to(version.name, target_is_directory=True)  # relative: VAR can move
    os.replace(link, exports)


def _remove_unfinished(var_dir: Path, exports: Path) -> None:
    """Leftovers of a publish killed before its switch: folders and links nobody points at."""
    current = os.readlink(exports) if exports.is_symlink() else None
    for path in var_dir.glob(".exports-link-*"):
        path.unlink(missing_ok=True)
    for path in var_dir.glob(f"{VERSION_PREFIX}*"):
        if path.name != current and not (path / "manifest.json").exists():
            shutil.rmtree(path, ignore_errors=True)
    # The rename-based swap of earlier versions could leave this behind.
    previous = exports.with_name(exports.name + ".previous")
    if previous.exists() and not exports.exists():
        previous.replace(exports)
    if previous.is_symlink():
        previous.unlink()
    shutil.rmtree(previous, ignore_errors=True)


def _remove_old_versions(var_dir: Path, keep: set[str]) -> None:
    for path in var_dir.glob(f"{VERSION_PREFIX}*"):
        if path.is_dir() and not path.is_symlink() and path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)


def _table_source(exports: Path, table: str, rows: int) -> str:
    partition = PARTITIONED_BY.get(table)
    if partition and rows:
        types = ", ".join(f"'{k}': {v}" for k, v in PARTITION_TYPES.items() if k == partition)
        return (
            f"read_parquet('{exports / table}/**/*.parquet', hive_partitioning = true, "
            f"hive_types = {{{types}}})"
        )
    name = "empty" if partition else table
    return f"read_parquet('{exports / table / name}.parquet')"


def _write_analyst_db(
    connection: duckdb.DuckDBPyConnection, var_dir: Path, exports: Path, rows: dict[str, int]
) -> Path:
    """A small database of views over the extracts, rebuilt aside and renamed into place.

    Its tables are views over `VAR/exports` (the link, so they follow each publication);
    its views are the warehouse's own, with their comments, in Chinese and English.
    """
    final = var_dir / "analyst.duckdb"
    temporary = var_dir / "analyst.duckdb.tmp"
    temporary.unlink(missing_ok=True)
    # Not resolved: the views must read through the link, not the folder it points at today.
    exports = Path(os.path.abspath(exports))
    analyst = duckdb.connect(str(temporary))
    try:
        for table in PUBLISHED_TABLES:
            analyst.execute(
                f"CREATE VIEW {table} AS SELECT * FROM {_table_source(exports, table, rows[table])}"
            )
        _copy_views(connection, analyst)
        _copy_comments(connection, analyst)
        apply_column_comments(analyst)  # and the columns the extracts add (the partition)
        analyst.execute("CHECKPOINT")
    finally:
        analyst.close()
    os.replace(temporary, final)
    return final


def _copy_views(source: duckdb.DuckDBPyConnection, target: duckdb.DuckDBPyConnection) -> None:
    """The warehouse's views, created over the Parquet-backed tables.

    A view can only be created once the views it reads exist; the catalogue does not say
    which those are, so views whose dependencies are missing wait for the next pass.
    """
    pending = source.execute(
        "SELECT view_name, sql FROM duckdb_views() "
        "WHERE NOT internal AND schema_name = 'main' ORDER BY view_name"
    ).fetchall()
    while pending:
        waiting = []
        for name, sql in pending:
            try:
                target.execute(sql)
            except duckdb.CatalogException:
                waiting.append((name, sql))
        if len(waiting) == len(pending):
            names = ", ".join(name for name, _ in waiting)
            raise RuntimeError(f"views that cannot be created over the extracts: {names}")
        pending = waiting


def _copy_comments(source: duckdb.DuckDBPyConnection, target: duckdb.DuckDBPyConnection) -> None:
    """Table and view comments, and column comments, as in the warehouse."""
    published = set(target.execute("SELECT view_name FROM duckdb_views()").fetchall())
    relations = source.execute(
        """
        SELECT table_name, comment FROM duckdb_tables() WHERE comment IS NOT NULL
        UNION ALL
        SELECT view_name, comment FROM duckdb_views() WHERE comment IS NOT NULL AND NOT internal
        """
    ).fetchall()
    for name, comment in relations:
        if (name,) in published:
            target.execute(f"COMMENT ON VIEW {name} IS {sql_literal(comment)}")
    columns = source.execute(
        "SELECT table_name, column_name, comment FROM duckdb_columns() "
        "WHERE comment IS NOT NULL AND NOT internal"
    ).fetchall()
    present = set(target.execute("SELECT table_name, column_name FROM duckdb_columns()").fetchall())
    for table, column, comment in columns:
        if (table, column) in present:  # not those kept out of the extracts (raw_text)
            target.execute(f'COMMENT ON COLUMN {table}."{column}" IS {sql_literal(comment)}')
