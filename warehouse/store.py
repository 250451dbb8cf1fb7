"""The DuckDB warehouse: schema, state queries and the one-transaction load.

Every SQL statement of the live warehouse lives in this package.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from warehouse.staging import StagingArea

SCHEMA_SQL = (Path(__file__).parent / "schema.sql").read_text(encoding="utf-8")

FACT_COLUMNS = (
    "fact_key", "document_key", "indicator_key", "region_key", "period_key", "unit_key",
    "measure", "qualifier", "denominator", "value", "value_base", "is_approximate",
    "evidence", "evidence_start", "evidence_end", "raw_start", "raw_end", "warnings",
    "extractor_version", "catalog_version", "load_id",
)  # fmt: skip
QUARANTINE_COLUMNS = (
    *(c for c in FACT_COLUMNS if c != "warnings"),
    "doc", "indicator", "region", "period_start", "period_end", "unit", "failed_expectations",
)  # fmt: skip
DIMENSION_TABLES = ("dim_indicator", "dim_region", "dim_unit")


class WarehouseBusy(RuntimeError):
    """Another process holds the warehouse file (transient: retry later)."""


@dataclass(frozen=True)
class RunRecord:
    load_id: str
    flow_run_id: str | None
    started_at: float
    status: str
    counts: dict[str, int]
    extractor_version: str
    catalog_version: str
    stage_seconds: dict[str, float]


def connect(path: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse file, creating it and its schema when writing."""
    try:
        if read_only:
            return duckdb.connect(str(path), read_only=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = duckdb.connect(str(path))
    except duckdb.IOException as error:
        if "lock" in str(error).lower():
            raise WarehouseBusy(f"{path} is in use by another process: {error}") from error
        raise
    connection.execute(SCHEMA_SQL)
    return connection


class Warehouse:
    """The live warehouse file, held read-write for one run."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.connection = connect(path)

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def source_state(self) -> pl.DataFrame:
        """Every inbox path seen so far with its content hash, status and presence."""
        return self.connection.sql(
            "SELECT source_path, content_sha256, status, is_present FROM document_source"
        ).pl()

    def known_contents(self) -> dict[str, str]:
        """Content hash -> `loaded` or `rejected` for bytes already read: no second reading."""
        rows = self.connection.execute(
            "SELECT content_sha256, 'rejected' FROM rejected_document WHERE content_sha256 <> '' "
            "UNION ALL SELECT content_sha256, 'loaded' FROM dim_document"
        ).fetchall()
        return dict(rows)

    def history_levels(self) -> pl.DataFrame:
        """Levels already loaded from current documents, for the gate's cross-row checks."""
        return self.connection.sql(
            """
            SELECT d.content_sha256, i.indicator_code, r.region_code, f.measure, f.qualifier,
                   p.period_start, p.period_end, f.value_base
            FROM fact_observation f
            JOIN v_current_document d USING (document_key)
            JOIN dim_indicator i USING (indicator_key)
            JOIN dim_region r USING (region_key)
            JOIN dim_period p USING (period_key)
            WHERE f.measure IN ('value', 'target_value')
            """
        ).pl()

    def table_counts(self) -> dict[str, int]:
        names = [
            row[0]
            for row in self.connection.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' ORDER BY 1"
            ).fetchall()
        ]
        return {
            name: self.connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
            for name in names
        }

    def load(
        self,
        staging: StagingArea,
        dimensions: dict[str, pl.DataFrame],
        sources: pl.DataFrame,
        run: RunRecord,
    ) -> None:
        """Apply one run in a single transaction: all of it lands, or none of it does."""
        con = self.connection
        con.execute("BEGIN TRANSACTION")
        try:
            for table in DIMENSION_TABLES:
                _insert_frame(con, table, dimensions[table], "OR REPLACE")
            if staging.has("dim_period"):
                con.execute(
                    f"INSERT OR IGNORE INTO dim_period {_select_staged(staging, 'dim_period')}"
                )
            if staging.has("dim_document"):
                con.execute(
                    f"INSERT OR REPLACE INTO dim_document BY NAME "
                    f"{_select_staged(staging, 'dim_document')}"
                )
                # A re-extracted document's earlier facts give way to the new ones.
                for table in ("fact_observation", "quarantine_observation"):
                    con.execute(
                        f"DELETE FROM {table} WHERE document_key IN "
                        f"(SELECT document_key FROM {_scan(staging, 'dim_document')})"
                    )
            if staging.has("fact_observation"):
                con.execute(
                    f"INSERT INTO fact_observation ({', '.join(FACT_COLUMNS)}) "
                    f"SELECT {', '.join(FACT_COLUMNS)} FROM {_scan(staging, 'fact_observation')}"
                )
            if staging.has("quarantine_observation"):
                con.execute(
                    f"INSERT INTO quarantine_observation ({', '.join(QUARANTINE_COLUMNS)}) "
                    f"SELECT {', '.join(QUARANTINE_COLUMNS)} "
                    f"FROM {_scan(staging, 'quarantine_observation')}"
                )
            _apply_reviews(con)
            if staging.has("rejected_document"):
                con.execute(
                    "INSERT OR IGNORE INTO rejected_document BY NAME "
                    f"{_select_staged(staging, 'rejected_document')}"
                )
            if staging.has("dq_result"):
                con.execute(
                    "INSERT INTO dq_result BY NAME SELECT * FROM "
                    "(SELECT load_id, expectation, any_value(severity) AS severity, "
                    "bool_and(success) AS success, sum(element_count) AS element_count, "
                    "sum(unexpected_count) AS unexpected_count, "
                    "any_value(description) AS description "
                    f"FROM {_scan(staging, 'dq_result')} GROUP BY load_id, expectation)"
                )
            _record_sources(con, sources, run.load_id)
            _insert_run(con, run)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    def record_held_back(self, run: RunRecord) -> None:
        """A run the quality gate held back leaves only its run record."""
        self.connection.execute("BEGIN TRANSACTION")
        _insert_run(self.connection, run)
        self.connection.execute("COMMIT")

    def finish_run(self, load_id: str, seconds: float) -> None:
        self.connection.execute(
            "UPDATE etl_run SET finished_at = current_timestamp, seconds = ? WHERE load_id = ?",
            [seconds, load_id],
        )


def _scan(staging: StagingArea, table: str) -> str:
    return f"read_parquet('{staging.glob(table)}', union_by_name = true)"


def _select_staged(staging: StagingArea, table: str) -> str:
    return f"SELECT * FROM {_scan(staging, table)}"


def _insert_frame(
    con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame, conflict: str
) -> None:
    con.register("incoming_frame", frame.to_arrow())
    try:
        con.execute(f"INSERT {conflict} INTO {table} BY NAME SELECT * FROM incoming_frame")
    finally:
        con.unregister("incoming_frame")


def _apply_reviews(con: duckdb.DuckDBPyConnection) -> None:
    """People's decisions on quarantined facts: accepted ones load, flagged with the reason."""
    con.execute(
        """
        UPDATE quarantine_observation q SET status = r.decision, review_reason = r.reason
        FROM quarantine_review r
        WHERE q.fact_key = r.fact_key AND q.status IS DISTINCT FROM r.decision
        """
    )
    con.execute(
        "DELETE FROM fact_observation WHERE fact_key IN "
        "(SELECT fact_key FROM quarantine_observation WHERE status = 'rejected')"
    )
    columns = ", ".join(c for c in FACT_COLUMNS if c != "warnings")
    con.execute(
        f"""
        INSERT INTO fact_observation ({columns}, warnings)
        SELECT {columns},
               list_transform(failed_expectations, lambda name: 'accepted:' || name)
        FROM quarantine_observation
        WHERE status = 'accepted'
          AND fact_key NOT IN (SELECT fact_key FROM fact_observation)
        """
    )


def _record_sources(con: duckdb.DuckDBPyConnection, sources: pl.DataFrame, load_id: str) -> None:
    """Upsert the paths this run saw; paths it did not see are no longer present."""
    con.register("seen_sources", sources.to_arrow())
    try:
        con.execute(
            """
            INSERT INTO document_source (source_path, content_sha256, status, is_present, load_id)
            SELECT source_path, content_sha256, status, true, ? FROM seen_sources
            ON CONFLICT (source_path) DO UPDATE SET
                content_sha256 = excluded.content_sha256,
                status = excluded.status,
                is_present = true,
                load_id = CASE
                    WHEN document_source.content_sha256 = excluded.content_sha256
                     AND document_source.is_present
                    THEN document_source.load_id ELSE excluded.load_id END
            """,
            [load_id],
        )
        con.execute(
            "UPDATE document_source SET is_present = false, load_id = ? "
            "WHERE is_present AND source_path NOT IN (SELECT source_path FROM seen_sources)",
            [load_id],
        )
    finally:
        con.unregister("seen_sources")


def _insert_run(con: duckdb.DuckDBPyConnection, run: RunRecord) -> None:
    counts: dict[str, Any] = run.counts
    con.execute(
        """
        INSERT INTO etl_run (load_id, flow_run_id, started_at, status, documents_seen,
            documents_new, documents_changed, documents_unchanged, documents_removed,
            documents_rejected, facts_loaded, facts_quarantined, extractor_version,
            catalog_version, stage_seconds)
        VALUES (?, ?, to_timestamp(?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        [
            run.load_id,
            run.flow_run_id,
            run.started_at,
            run.status,
            counts.get("documents_seen", 0),
            counts.get("documents_new", 0),
            counts.get("documents_changed", 0),
            counts.get("documents_unchanged", 0),
            counts.get("documents_removed", 0),
            counts.get("documents_rejected", 0),
            counts.get("facts_loaded", 0),
            counts.get("facts_quarantined", 0),
            run.extractor_version,
            run.catalog_version,
            json.dumps(run.stage_seconds),
        ],
    )
