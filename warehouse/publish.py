"""Publish the warehouse for readers: Parquet extracts and an analyst database over them.

Readers never open the live warehouse (DuckDB lets one process write a file and refuses
readers meanwhile). Extracts are written aside and swapped in, so a reader sees the old
complete set or the new complete set, never half of one.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse.store import SCHEMA_SQL

PUBLISHED_TABLES = (
    "dim_indicator",
    "dim_region",
    "dim_period",
    "dim_unit",
    "dim_document",
    "document_source",
    "fact_observation",
    "quarantine_observation",
    "rejected_document",
    "etl_run",
    "dq_result",
)
PARTITIONED_BY = {"fact_observation": "year"}


@dataclass(frozen=True)
class Publication:
    exports_dir: Path
    analyst_db: Path
    row_counts: dict[str, int]


def publish(connection: duckdb.DuckDBPyConnection, var_dir: Path, load_id: str) -> Publication:
    exports = var_dir / "exports"
    staging = var_dir / f".exports-{load_id}"
    _recover_interrupted_swap(exports)
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    row_counts: dict[str, int] = {}
    schemas: dict[str, list[dict[str, str]]] = {}
    for table in PUBLISHED_TABLES:
        query = _export_query(table)
        target = staging / table
        partition = PARTITIONED_BY.get(table)
        if partition:
            options = f"FORMAT parquet, COMPRESSION zstd, PARTITION_BY ({partition})"
        else:
            target.mkdir()
            target = target / f"{table}.parquet"
            options = "FORMAT parquet, COMPRESSION zstd"
        relation = connection.sql(query)
        schemas[table] = [
            {"name": name, "type": str(dtype)}
            for name, dtype in zip(relation.columns, relation.types, strict=True)
        ]
        row_counts[table] = connection.execute(f"SELECT count(*) FROM ({query})").fetchone()[0]
        if partition and row_counts[table] == 0:
            target.mkdir()  # an empty partitioned table still has its folder
            connection.execute(
                f"COPY ({query}) TO '{target / 'empty.parquet'}' (FORMAT parquet, COMPRESSION zstd)"
            )
        else:
            connection.execute(f"COPY ({query}) TO '{target}' ({options})")
    manifest = {
        "load_id": load_id,
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
    (staging / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    _swap_in(staging, exports)
    analyst_db = _write_analyst_db(var_dir, exports)
    return Publication(exports_dir=exports, analyst_db=analyst_db, row_counts=row_counts)


def _export_query(table: str) -> str:
    if table == "fact_observation":
        return (
            "SELECT f.*, p.year FROM fact_observation f "
            "JOIN dim_period p USING (period_key) ORDER BY p.year, f.fact_key"
        )
    return f"SELECT * FROM {table}"


def _recover_interrupted_swap(exports: Path) -> None:
    previous = exports.with_name(exports.name + ".previous")
    if previous.exists() and not exports.exists():
        previous.replace(exports)
    shutil.rmtree(previous, ignore_errors=True)


def _swap_in(staging: Path, exports: Path) -> None:
    previous = exports.with_name(exports.name + ".previous")
    if exports.exists():
        exports.replace(previous)
    staging.replace(exports)
    shutil.rmtree(previous, ignore_errors=True)


def _table_source(exports: Path, table: str) -> str:
    if table in PARTITIONED_BY:
        return f"read_parquet('{exports / table}/**/*.parquet', hive_partitioning = true)"
    return f"read_parquet('{exports / table / table}.parquet')"


def _view_statements() -> list[str]:
    """The warehouse's own view definitions, reused verbatim over the Parquet-backed tables."""
    statements = [part.strip() for part in SCHEMA_SQL.split(";")]
    return [s + ";" for s in statements if "CREATE OR REPLACE VIEW" in s]


def _write_analyst_db(var_dir: Path, exports: Path) -> Path:
    """A small database of views over the extracts, rebuilt aside and renamed into place."""
    final = var_dir / "analyst.duckdb"
    temporary = var_dir / "analyst.duckdb.tmp"
    temporary.unlink(missing_ok=True)
    connection = duckdb.connect(str(temporary))
    try:
        for table in PUBLISHED_TABLES:
            connection.execute(
                f"CREATE VIEW {table} AS SELECT * FROM {_table_source(exports.resolve(), table)}"
            )
        for statement in _view_statements():
            connection.execute(statement)
        connection.execute("CHECKPOINT")
    finally:
        connection.close()
    os.replace(temporary, final)
    return final
