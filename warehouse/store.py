"""The DuckDB warehouse: schema, state queries and the one-transaction load.

Every SQL statement of the live warehouse lives in this package.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from transforms.errors import TerminalError, TransientError
from warehouse.column_docs import apply_column_comments
from warehouse.sql import MEMORY_RETURNING_CONFIG, scalar, sql_literal
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


SCHEMA_VERSION = 3
"""Bump with every change to schema.sql's tables, and add the migration that gets there."""
MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (),  # 1 -> 2 adds the table `publication`, which schema.sql creates
    # 2 -> 3: document_text's texts compressed with zstd; schema.sql creates the table anew.
    2: ("ALTER TABLE document_text RENAME TO document_text_v2",),
}
"""Version -> the statements (beyond schema.sql, run at every connection) that take a file
of that version to the next one."""
MIGRATIONS_AFTER_SCHEMA: dict[int, tuple[str, ...]] = {
    2: (
        "INSERT INTO document_text BY NAME SELECT * FROM document_text_v2",
        "DROP TABLE document_text_v2",
    ),
}
"""Version -> the statements of its migration that run once schema.sql has created what is
new (rows copied into a table created anew)."""


class WarehouseSchemaMismatch(TerminalError):
    """The file was written by another version of the schema (terminal: needs a person)."""


class WarehouseBusy(TransientError):
    """Another process holds the warehouse file or the writer lock (transient: retry later)."""


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
    mode: str = "incremental"
    """incremental, full_refresh or reextract."""


def connect(path: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse file, creating it and its schema when writing."""
    try:
        if read_only:
            connection = duckdb.connect(str(path), read_only=True, config=MEMORY_RETURNING_CONFIG)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            connection = duckdb.connect(str(path), config=MEMORY_RETURNING_CONFIG)
    except duckdb.IOException as error:
        if "lock" in str(error).lower():
            raise WarehouseBusy(f"{path} is in use by another process: {error}") from error
        raise
    try:
        _check_schema_version(connection, path)
    except WarehouseSchemaMismatch:
        connection.close()
        raise
    if not read_only:
        _migrate(connection)
        connection.execute(SCHEMA_SQL)
        apply_column_comments(connection)  # views created again have lost theirs
        if scalar(connection, "SELECT count(*) FROM schema_meta") == 0:
            connection.execute(
                "INSERT INTO schema_meta (schema_version) VALUES (?)", [SCHEMA_VERSION]
            )
    return connection


def _check_schema_version(connection: duckdb.DuckDBPyConnection, path: Path) -> None:
    tables = {
        row[0]
        for row in connection.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'"
        ).fetchall()
    }
    if not tables:
        return
    version = None
    if "schema_meta" in tables:
        version = scalar(connection, "SELECT max(schema_version) FROM schema_meta")
    if version == SCHEMA_VERSION or version in MIGRATIONS:
        return
    found = "no schema version" if version is None else f"schema version {version}"
    raise WarehouseSchemaMismatch(
        f"{path} has {found}; this zhibiao writes schema version {SCHEMA_VERSION}. "
        f"Move the state folder aside (e.g. `mv {path.parent} {path.parent}.old`) and run "
        "again: the inbox is read anew, and the old files stay for reference."
    )


def _migrate(connection: duckdb.DuckDBPyConnection) -> None:
    """Take a file of an earlier schema version to this one, in one transaction."""
    tables = connection.execute("SELECT table_name FROM duckdb_tables()").fetchall()
    if ("schema_meta",) not in tables:
        return
    version = scalar(connection, "SELECT max(schema_version) FROM schema_meta")
    if version == SCHEMA_VERSION:
        return
    connection.execute("BEGIN TRANSACTION")
    steps = []
    while version in MIGRATIONS:
        for statement in MIGRATIONS[version]:
            connection.execute(statement)
        steps.append(version)
        version += 1
    connection.execute(SCHEMA_SQL)
    for step in steps:
        for statement in MIGRATIONS_AFTER_SCHEMA.get(step, ()):
            connection.execute(statement)
    connection.execute("INSERT INTO schema_meta (schema_version) VALUES (?)", [version])
    connection.execute("COMMIT")


RELEASED_MEMORY_LIMIT = "32MB"
"""DuckDB's limit for the moment it hands its cached blocks back (`Warehouse.release_memory`)."""


class Warehouse:
    """The live warehouse file, held read-write for one run."""

    def __init__(self, path: Path, *, memory_limit: str | None = None) -> None:
        self.path = path
        self.connection = connect(path)
        self.memory_limit = memory_limit
        if memory_limit:
            # Beyond it DuckDB spills the load's and publish's work to `<file>.tmp/`.
            self.connection.execute("SET memory_limit = ?", [memory_limit])

    @classmethod
    def open_waiting(
        cls, path: Path, *, deadline: float, memory_limit: str | None = None
    ) -> Warehouse:
        """The live warehouse, read-write. Our own runs are kept out by the writer lock; this
        waits (until `deadline`, time.monotonic) for any other process holding the DuckDB
        file, such as someone's `duckdb warehouse.duckdb` session."""
        while True:
            try:
                return cls(path, memory_limit=memory_limit)
            except WarehouseBusy:
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.5)

    def close(self) -> None:
        self.connection.close()

    def release_memory(self) -> None:
        """Hand the blocks DuckDB keeps cached after the load and publication back to the
        system, keeping the connection (the run still records its end through it).

        Lowering the memory limit makes DuckDB evict every unpinned block at once; the old
        limit then applies again. After 100,000 documents this took the flow's process from
        906 MB to 830 MB (DuckDB's cached table blocks, 105 MB to 28 MB) before the report,
        whose own processes need that room."""
        try:
            self.connection.execute("SET memory_limit = ?", [RELEASED_MEMORY_LIMIT])
        except duckdb.Error:
            pass  # blocks still pinned: what could be evicted was
        finally:
            if self.memory_limit:
                self.connection.execute("SET memory_limit = ?", [self.memory_limit])
            else:
                self.connection.execute("RESET memory_limit")

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

    def reextractable_documents(self) -> pl.DataFrame:
        """Current documents whose decoded text is stored: what `--reextract` extracts again."""
        return self.connection.sql(
            """
            SELECT d.content_sha256, d.source_path, d.doc_name, d.format, d.encoding, d.size_bytes
            FROM v_current_document d
            JOIN document_text t USING (document_key)
            WHERE t.raw_text IS NOT NULL
            ORDER BY d.source_path
            """
        ).pl()

    def documents_without_text(self) -> int:
        """Current documents loaded before texts were stored: only a full refresh redoes them."""
        return scalar(
            self.connection,
            """
            SELECT count(*) FROM v_current_document d
            WHERE NOT EXISTS (SELECT 1 FROM document_text t
                              WHERE t.document_key = d.document_key AND t.raw_text IS NOT NULL)
            """,
        )

    def raw_texts(self, content_hashes: list[str]) -> dict[str, str]:
        """Content hash -> the decoded text the extractor read, for a batch of documents."""
        # Batches run on worker threads; a DuckDB connection serves one thread, a cursor each.
        with self.connection.cursor() as cursor:
            rows = cursor.execute(
                "SELECT content_sha256, raw_text FROM document_text "
                "WHERE content_sha256 IN (SELECT unnest(?::VARCHAR[]))",
                [content_hashes],
            ).fetchall()
        return dict(rows)

    def write_history_levels(self, path: Path) -> int:
        """Write the levels already loaded from current documents (the gate's cross-row
        checks compare with them) to a Parquet file; returns how many.

        DuckDB writes them itself: the flow's process never holds them. After 100,000
        documents they are 2.2 million rows, which as a Polars frame took the process from
        350 MB to 1,140 MB for the whole run; written this way, to 500 MB."""
        return scalar(
            self.connection,
            f"COPY ({HISTORY_LEVELS}) TO {sql_literal(str(path))} "
            "(FORMAT parquet, COMPRESSION zstd)",
        )

    def table_counts(self) -> dict[str, int]:
        names = [
            row[0]
            for row in self.connection.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' ORDER BY 1"
            ).fetchall()
        ]
        return {name: scalar(self.connection, f'SELECT count(*) FROM "{name}"') for name in names}

    def load(
        self,
        staging: StagingArea,
        dimensions: dict[str, pl.DataFrame],
        sources: pl.DataFrame,
        run: RunRecord,
        *,
        recheck: Callable[[pl.DataFrame], pl.DataFrame] | None = None,
        on_step: Callable[[str], None] | None = None,
    ) -> dict[str, int]:
        """Apply one run in a single transaction: all of it lands, or none of it does.

        `recheck` maps the loaded facts of the current documents of some series (indicator
        and area; columns of SERIES_FACTS) to their warnings (fact_key, warnings): it is
        called for every series whose facts this load changed, so that warnings comparing
        documents hold for the warehouse's contents whatever the order of loads.

        Returns what the load itself decided: `documents_retired`, `reviews_applied` (new
        quarantine decisions) and `warnings_changed` (facts whose warnings the recheck
        changed). `on_step("load:before_commit")` is called before the commit.
        """
        con = self.connection
        con.execute("BEGIN TRANSACTION")
        try:
            _snapshot_series(con)
            for table in DIMENSION_TABLES:
                _insert_frame(con, table, dimensions[table], "OR REPLACE")
            if staging.has("dim_period"):
                con.execute(
                    f"INSERT OR IGNORE INTO dim_period {_select_staged(staging, 'dim_period')}"
                )
            if staging.has("dim_document"):
                _upsert_documents(con, staging)
                if staging.has("document_text"):
                    _replace_document_texts(con, staging)
                # A re-extracted document's earlier facts give way to the new ones.
                for table in ("fact_observation", "quarantine_observation"):
                    con.execute(
                        f"DELETE FROM {table} WHERE document_key IN "
                        f"(SELECT document_key FROM {_scan(staging, 'dim_document')})"
                    )
            # In key order: the primary key's index is then built from sorted keys, which
            # halved the commit of 4.9 million facts (5.4 s to 2.7 s, measured).
            if staging.has("fact_observation"):
                con.execute(
                    f"INSERT INTO fact_observation ({', '.join(FACT_COLUMNS)}) "
                    f"SELECT {', '.join(FACT_COLUMNS)} FROM {_scan(staging, 'fact_observation')} "
                    "ORDER BY fact_key"
                )
            if staging.has("quarantine_observation"):
                con.execute(
                    f"INSERT INTO quarantine_observation ({', '.join(QUARANTINE_COLUMNS)}) "
                    f"SELECT {', '.join(QUARANTINE_COLUMNS)} "
                    f"FROM {_scan(staging, 'quarantine_observation')} ORDER BY fact_key"
                )
            reviewed = _apply_reviews(con)
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
            retired = _record_sources(con, sources, run.load_id)
            warnings_changed = _recheck_series(con, run.load_id, recheck) if recheck else 0
            refresh_timeseries_view(con)
            _insert_run(con, run, retired)
            if on_step:
                on_step("load:before_commit")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return {
            "documents_retired": retired,
            "reviews_applied": reviewed,
            "warnings_changed": warnings_changed,
        }

    def record_held_back(self, run: RunRecord) -> None:
        """A run the quality gate held back leaves only its run record."""
        self.connection.execute("BEGIN TRANSACTION")
        _insert_run(self.connection, run)
        self.connection.execute("COMMIT")

    def finish_run(
        self, load_id: str, seconds: float, stage_seconds: dict[str, float] | None = None
    ) -> None:
        """The run's end, its length and (now that load and publish are done) every stage's."""
        self.connection.execute(
            "UPDATE etl_run SET finished_at = current_timestamp, seconds = ?, "
            "stage_seconds = coalesce(?::JSON, stage_seconds) WHERE load_id = ?",
            [seconds, json.dumps(stage_seconds) if stage_seconds else None, load_id],
        )


HISTORY_LEVELS = """
    SELECT d.content_sha256, i.indicator_code, r.region_code, f.measure, f.qualifier,
           p.period_start, p.period_end, f.value_base
    FROM fact_observation f
    JOIN v_current_document d USING (document_key)
    JOIN dim_indicator i USING (indicator_key)
    JOIN dim_region r USING (region_key)
    JOIN dim_period p USING (period_key)
    WHERE f.measure IN ('value', 'target_value')
"""


SERIES_FINGERPRINTS = """
    SELECT f.indicator_key, f.region_key, bit_xor(hash(f.fact_key)) AS fingerprint,
           count(*) AS facts
    FROM fact_observation f JOIN v_current_document d USING (document_key)
    GROUP BY f.indicator_key, f.region_key
"""
"""Per series (indicator and area), which facts of current documents it holds."""
SERIES_FACTS = """
    SELECT f.fact_key, d.content_sha256, i.indicator_code, r.region_code, f.measure,
           f.qualifier, f.denominator, p.period_start, p.period_end, f.value, f.value_base,
           f.warnings
    FROM fact_observation f
    JOIN v_current_document d USING (document_key)
    JOIN dim_indicator i USING (indicator_key)
    JOIN dim_region r USING (region_key)
    JOIN dim_period p USING (period_key)
    JOIN recheck_series s ON s.indicator_key = f.indicator_key AND s.region_key = f.region_key
"""
"""The loaded facts of the current documents of the series in `recheck_series`."""
RECHECK_CHUNK_FACTS = 250_000
"""Series are rechecked in groups of about this many facts (whole series: each is judged
against its own facts only), so the recheck's memory stays bounded on a large warehouse."""


def _snapshot_series(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"CREATE OR REPLACE TEMP TABLE series_before AS {SERIES_FINGERPRINTS}")


def _recheck_series(
    con: duckdb.DuckDBPyConnection,
    load_id: str,
    recheck: Callable[[pl.DataFrame], pl.DataFrame],
) -> int:
    """Recheck the warnings of every series whose facts of current documents changed in this
    load (facts added, replaced, accepted, rejected; documents retired or back) or that
    holds facts this load wrote; returns how many facts' warnings changed."""
    touched = con.execute(
        f"""
        WITH after AS ({SERIES_FINGERPRINTS}),
        changed AS (
            SELECT coalesce(a.indicator_key, b.indicator_key) AS indicator_key,
                   coalesce(a.region_key, b.region_key) AS region_key
            FROM after a FULL OUTER JOIN series_before b
              ON a.indicator_key = b.indicator_key AND a.region_key = b.region_key
            WHERE a.fingerprint IS DISTINCT FROM b.fingerprint
               OR a.facts IS DISTINCT FROM b.facts
            UNION
            SELECT DISTINCT indicator_key, region_key FROM fact_observation WHERE load_id = ?
        )
        SELECT c.indicator_key, c.region_key, coalesce(a.facts, 0)
        FROM changed c LEFT JOIN after a
          ON a.indicator_key = c.indicator_key AND a.region_key = c.region_key
        ORDER BY 1, 2
        """,
        [load_id],
    ).fetchall()
    con.execute("DROP TABLE series_before")
    changed = 0
    for group in _series_groups(touched, RECHECK_CHUNK_FACTS):
        series = pl.DataFrame(
            group, schema={"indicator_key": pl.Int64, "region_key": pl.Int64}, orient="row"
        )
        con.register("recheck_series", series.to_arrow())
        try:
            facts = con.sql(SERIES_FACTS).pl()
        finally:
            con.unregister("recheck_series")
        if facts.is_empty():
            continue
        con.register("rechecked", recheck(facts).to_arrow())
        try:
            changed += scalar(
                con,
                "UPDATE fact_observation f SET warnings = r.warnings FROM rechecked r "
                "WHERE f.fact_key = r.fact_key AND f.warnings IS DISTINCT FROM r.warnings",
            )
        finally:
            con.unregister("rechecked")
    return changed


def _series_groups(series: list[tuple[int, int, int]], limit: int) -> list[list[tuple[int, int]]]:
    """Whole series in groups of at most `limit` facts (a larger series is a group alone)."""
    groups: list[list[tuple[int, int]]] = [[]]
    size = 0
    for indicator_key, region_key, facts in series:
        if groups[-1] and size + facts > limit:
            groups.append([])
            size = 0
        groups[-1].append((indicator_key, region_key))
        size += facts
    return [group for group in groups if group]


def _scan(staging: StagingArea, table: str) -> str:
    return f"read_parquet('{staging.glob(table)}', union_by_name = true)"


def _select_staged(staging: StagingArea, table: str) -> str:
    return f"SELECT * FROM {_scan(staging, table)}"


def _upsert_documents(con: duckdb.DuckDBPyConnection, staging: StagingArea) -> None:
    """Insert new documents; one read or extracted again gets its new attributes but keeps
    `ingested_at` (the tie-break of v_indicator_latest) and its retirement mark."""
    source = _scan(staging, "dim_document")
    columns = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != "document_key")
    con.execute(
        f"INSERT INTO dim_document BY NAME SELECT * FROM {source} "
        f"ON CONFLICT (document_key) DO UPDATE SET {updates}"
    )


def _replace_document_texts(con: duckdb.DuckDBPyConnection, staging: StagingArea) -> None:
    """The staged texts replace those stored for the same documents.

    A delete and a plain insert, not INSERT OR REPLACE: DuckDB's upsert of 100,000 documents'
    texts took 48 s, the delete and insert 4 s (measured with DuckDB 2.0)."""
    source = _scan(staging, "document_text")
    con.execute(
        f"DELETE FROM document_text WHERE document_key IN (SELECT document_key FROM {source})"
    )
    con.execute(f"INSERT INTO document_text BY NAME SELECT * FROM {source}")


def _insert_frame(
    con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame, conflict: str
) -> None:
    con.register("incoming_frame", frame.to_arrow())
    try:
        con.execute(f"INSERT {conflict} INTO {table} BY NAME SELECT * FROM incoming_frame")
    finally:
        con.unregister("incoming_frame")


def _apply_reviews(con: duckdb.DuckDBPyConnection) -> int:
    """People's decisions on quarantined facts: accepted ones load, flagged with the reason.
    Returns how many decisions were new."""
    reviewed = scalar(
        con,
        """
        UPDATE quarantine_observation q SET status = r.decision, review_reason = r.reason
        FROM quarantine_review r
        WHERE q.fact_key = r.fact_key AND q.status IS DISTINCT FROM r.decision
        """,
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
    return reviewed


def _record_sources(con: duckdb.DuckDBPyConnection, sources: pl.DataFrame, load_id: str) -> int:
    """Upsert the paths this run saw; paths it did not see are no longer present.

    Documents no path holds any more are retired (kept, marked); those back are current
    again. Returns how many this run retired.
    """
    con.register("seen_sources", sources.to_arrow())
    try:
        # Before the upsert, document_source still says which paths held what: a document
        # whose path is still there (with other bytes) was replaced, else it was removed.
        retired = scalar(
            con,
            """
            UPDATE dim_document d SET
                retired_at = current_timestamp,
                retired_load_id = ?,
                retired_reason = CASE WHEN EXISTS (
                    SELECT 1 FROM document_source s JOIN seen_sources n USING (source_path)
                    WHERE s.content_sha256 = d.content_sha256 AND s.is_present
                ) THEN 'replaced' ELSE 'removed' END
            WHERE d.retired_at IS NULL AND NOT EXISTS (
                SELECT 1 FROM seen_sources n
                WHERE n.content_sha256 = d.content_sha256 AND n.status = 'loaded'
            )
            """,
            [load_id],
        )
        con.execute(
            """
            UPDATE dim_document d SET retired_at = NULL, retired_reason = NULL,
                                      retired_load_id = NULL
            WHERE d.retired_at IS NOT NULL AND EXISTS (
                SELECT 1 FROM seen_sources n
                WHERE n.content_sha256 = d.content_sha256 AND n.status = 'loaded'
            )
            """
        )
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
    return retired


def _insert_run(con: duckdb.DuckDBPyConnection, run: RunRecord, documents_retired: int = 0) -> None:
    counts: dict[str, Any] = run.counts
    con.execute(
        """
        INSERT INTO etl_run (load_id, flow_run_id, started_at, status, documents_seen,
            documents_new, documents_changed, documents_unchanged, documents_removed,
            documents_rejected, facts_loaded, facts_quarantined, extractor_version,
            catalog_version, stage_seconds, mode, documents_read, documents_reextracted,
            documents_loaded, documents_retired, facts_candidates)
        VALUES (?, ?, to_timestamp(?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
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
            run.mode,
            counts.get("documents_read", 0),
            counts.get("documents_reextracted", 0),
            counts.get("documents_loaded", 0),
            documents_retired,
            counts.get("facts_candidates", 0),
        ],
    )


def headline_indicators(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, str]]:
    """(code, Chinese name, English name, default unit) of the catalogue's headline indicators."""
    return con.execute(
        "SELECT indicator_code, name_zh, coalesce(name_en, ''), coalesce(default_unit, '') "
        "FROM dim_indicator WHERE is_headline ORDER BY indicator_code"
    ).fetchall()


def refresh_timeseries_view(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create v_timeseries with one column per headline indicator of the catalogue.

    Generated, not in schema.sql, because its columns are the catalogue's headline
    indicators: adding one to indicators.csv adds its columns at the next load.
    """
    headlines = headline_indicators(con)
    columns = []
    for code, *_ in headlines:
        columns.append(
            f"max(l.value_base / du.factor_to_base) FILTER "
            f"(WHERE l.indicator_code = '{code}' AND l.measure = 'value') AS \"{code}\""
        )
        columns.append(
            f"max(l.value) FILTER "
            f"(WHERE l.indicator_code = '{code}' AND l.measure = 'yoy_pct') AS \"{code}_yoy_pct\""
        )
    con.execute(
        f"""
        CREATE OR REPLACE VIEW v_timeseries AS
        SELECT
            l.region_code, l.region, l.period_start, l.period_end, l.start_month, l.end_month,
            l.period_label, p.granularity, p.year,
            {"".join(column + ", " for column in columns)}
            bool_or(l.is_conflicting) AS has_conflict,
            count(*) AS n_values
        FROM v_indicator_latest l
        JOIN dim_period p USING (period_key)
        JOIN dim_indicator i USING (indicator_key)
        JOIN dim_unit u USING (unit_key)
        -- levels in the indicator's default unit, when the stated unit converts to it
        LEFT JOIN dim_unit du ON du.symbol = i.default_unit AND du.base_symbol = u.base_symbol
        WHERE i.is_headline AND l.measure IN ('value', 'yoy_pct')
          AND l.qualifier IS NULL AND l.denominator IS NULL
        GROUP BY l.region_code, l.region, l.period_start, l.period_end, l.start_month,
                 l.end_month, l.period_label, p.granularity, p.year
        """
    )
    con.execute(
        "COMMENT ON VIEW v_timeseries IS 'One row per region and period with a headline "
        "indicator: a column per headline indicator (its level in the catalogue''s unit) and "
        "one for its year-on-year growth (<code>_yoy_pct, %), from v_indicator_latest. "
        "每个地区、每个时期一行：每个核心指标一列（按目录单位的数值），另有同比增速列（<code>_yoy_pct，%）。'"
    )
    for code, name_zh, name_en, unit in headlines:
        level = sql_literal(f"{name_zh}（{unit}） {name_en} ({unit})")
        growth = sql_literal(f"{name_zh}同比增长（%） {name_en}, year on year (%)")
        con.execute(f'COMMENT ON COLUMN v_timeseries."{code}" IS {level}')
        con.execute(f'COMMENT ON COLUMN v_timeseries."{code}_yoy_pct" IS {growth}')
    apply_column_comments(con, in_transaction=True)  # within the load's
