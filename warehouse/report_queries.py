"""The queries behind the HTML report (`warehouse.report`), on the published analyst database.

The report never opens the live warehouse: it reads VAR/analyst.duckdb, the views over the
Parquet extracts that each run publishes, so rendering never blocks a run nor waits for one.
Every function returns plain records (one dict per row); rendering is `warehouse.report`'s.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import duckdb
import polars as pl

from warehouse.analyst import CURRENT_REJECTIONS_SQL
from warehouse.sql import scalar

Record = dict[str, Any]

HEADLINE_MEASURES = ("value", "yoy_pct")
"""The measures the report charts and tabulates per region: the level and its yoy growth."""


def records(
    connection: duckdb.DuckDBPyConnection, query: str, parameters: list | None = None
) -> list[Record]:
    relation = connection.execute(query, parameters or [])
    columns = [column[0] for column in relation.description]
    return [dict(zip(columns, row, strict=True)) for row in relation.fetchall()]


def latest_run(connection: duckdb.DuckDBPyConnection) -> Record | None:
    """The most recent run recorded in the published warehouse (None before any run)."""
    rows = records(connection, "SELECT * FROM etl_run ORDER BY started_at DESC LIMIT 1")
    return rows[0] if rows else None


def latest_checked_run(connection: duckdb.DuckDBPyConnection) -> Record | None:
    """The most recent run whose quality gate checked candidate facts (a run with nothing new
    to read checks none: its quality summary is the last run that did)."""
    rows = records(
        connection,
        """
        SELECT * FROM etl_run
        WHERE load_id IN (SELECT load_id FROM dq_result)
        ORDER BY started_at DESC LIMIT 1
        """,
    )
    return rows[0] if rows else None


def expectation_results(connection: duckdb.DuckDBPyConnection, load_id: str) -> list[Record]:
    """One row per expectation of a run: what it checked and how many facts it caught."""
    return records(
        connection,
        """
        SELECT expectation, severity, success, element_count, unexpected_count, description
        FROM dq_result
        WHERE load_id = ?
        ORDER BY unexpected_count = 0,
                 CASE severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END,
                 unexpected_count DESC, expectation
        """,
        [load_id],
    )


def quality_history(connection: duckdb.DuckDBPyConnection) -> list[Record]:
    """Every run's quality gate, newest first: one row per run and expectation, each the
    sum over all of the run's batches (`dq_result`)."""
    return records(
        connection,
        """
        SELECT load_id, started_at, run_status, mode, expectation, severity, element_count,
               unexpected_count, unexpected_pct, description
        FROM v_quality
        ORDER BY started_at DESC, load_id,
                 CASE severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END,
                 expectation
        """,
    )


def quarantined_by_expectation(
    connection: duckdb.DuckDBPyConnection, load_id: str
) -> dict[str, int]:
    """Expectation name -> facts of the run held in quarantine because they failed it."""
    rows = connection.execute(
        """
        SELECT expectation, count(*) FROM (
            SELECT unnest(failed_expectations) AS expectation
            FROM quarantine_observation WHERE load_id = ?
        ) GROUP BY expectation
        """,
        [load_id],
    ).fetchall()
    return dict(rows)


def current_documents(
    connection: duckdb.DuckDBPyConnection, document_keys: list[int] | None = None
) -> list[Record]:
    """Documents some inbox path still holds (those of `document_keys` only, when given), with
    their loaded and quarantined fact counts."""
    only = "" if document_keys is None else "WHERE d.document_key IN (SELECT unnest(?::BIGINT[]))"
    return records(
        connection,
        f"""
        SELECT d.document_key, d.content_sha256, d.doc_name, d.source_path, d.format,
               d.encoding, d.inferred_region, d.report_date, d.char_count, d.ingested_at,
               (SELECT count(*) FROM fact_observation f
                WHERE f.document_key = d.document_key) AS facts_loaded,
               (SELECT count(*) FROM quarantine_observation q
                WHERE q.document_key = d.document_key AND q.status <> 'accepted')
                   AS facts_quarantined
        FROM v_current_document d
        {only}
        ORDER BY d.doc_name, d.content_sha256
        """,
        None if document_keys is None else [document_keys],
    )


def current_document_hashes(connection: duckdb.DuckDBPyConnection) -> dict[int, str]:
    """document_key -> content hash of every current document, in `current_documents`' order:
    all the evidence pages need to plan their work (the whole records are 2 KB a document)."""
    rows = connection.execute(
        "SELECT document_key, content_sha256 FROM v_current_document "
        "ORDER BY doc_name, content_sha256"
    ).fetchall()
    return dict(rows)


def has_document_text(connection: duckdb.DuckDBPyConnection) -> bool:
    """Whether the published database has `document_text` (it is published since its table
    exists; a database published before then has none)."""
    return bool(
        scalar(connection, "SELECT count(*) FROM duckdb_views() WHERE view_name = 'document_text'")
    )


def document_texts(
    connection: duckdb.DuckDBPyConnection, document_keys: list[int]
) -> dict[int, str]:
    """document_key -> normalised text, for those of `document_keys` whose text was stored."""
    if not has_document_text(connection):
        return {}
    rows = connection.execute(
        """
        SELECT document_key, normalised_text FROM document_text
        WHERE normalised_text IS NOT NULL AND document_key IN (SELECT unnest(?::BIGINT[]))
        """,
        [document_keys],
    ).fetchall()
    return dict(rows)


def stream_document_texts(
    connection: duckdb.DuckDBPyConnection, document_keys: list[int], rows: int
) -> Iterator[dict[int, str | None]]:
    """document_key -> normalised text, `rows` documents at a time, for those of
    `document_keys` whose text was stored: one pass over the published texts, in their
    files' order, holding one group at a time. The connection runs no other query meanwhile."""
    if not document_keys or not has_document_text(connection):
        return
    reader = connection.sql(
        """
        SELECT document_key, normalised_text FROM document_text
        WHERE normalised_text IS NOT NULL AND document_key IN (SELECT unnest(?::BIGINT[]))
        """,
        params=[document_keys],
    ).to_arrow_reader(rows)
    for batch in reader:
        keys, texts = batch.column(0).to_pylist(), batch.column(1).to_pylist()
        yield dict(zip(keys, texts, strict=True))


# Loaded facts, and quarantined ones not accepted since (accepted ones are loaded facts now),
# of current documents: what the evidence viewer highlights.
DOCUMENT_FACTS_SQL = """
SELECT f.fact_key, f.document_key, 'loaded' AS status, i.name_zh AS indicator,
       i.indicator_code, r.name_zh AS region, p.label_zh AS period_label, f.measure,
       f.qualifier, f.denominator, f.value, u.symbol AS unit, f.is_approximate,
       f.evidence, f.evidence_start, f.evidence_end,
       coalesce(f.warnings, []::VARCHAR[]) AS notes,
       f.fact_key IN (SELECT fact_key FROM v_indicator_latest) AS is_current_value
FROM fact_observation f
JOIN v_current_document d USING (document_key)
LEFT JOIN dim_indicator i USING (indicator_key)
LEFT JOIN dim_region r USING (region_key)
LEFT JOIN dim_period p USING (period_key)
LEFT JOIN dim_unit u USING (unit_key)
UNION ALL BY NAME
SELECT q.fact_key, q.document_key,
       CASE q.status WHEN 'pending' THEN 'quarantined' ELSE q.status END AS status,
       q.indicator, i.indicator_code, q.region,
       coalesce(p.label_zh, q.period_start || '..' || q.period_end) AS period_label,
       q.measure, q.qualifier, q.denominator, q.value, q.unit, q.is_approximate,
       q.evidence, q.evidence_start, q.evidence_end,
       q.failed_expectations AS notes, false AS is_current_value
FROM quarantine_observation q
JOIN v_current_document d USING (document_key)
LEFT JOIN dim_indicator i USING (indicator_key)
LEFT JOIN dim_period p USING (period_key)
WHERE q.status <> 'accepted'
"""


def document_facts(connection: duckdb.DuckDBPyConnection, document_keys: list[int]) -> list[Record]:
    """Every fact of these documents with its evidence offsets, loaded or quarantined."""
    return records(
        connection,
        f"""
        SELECT * FROM ({DOCUMENT_FACTS_SQL})
        WHERE document_key IN (SELECT unnest(?::BIGINT[]))
        ORDER BY document_key, evidence_start, evidence_end, fact_key
        """,
        [document_keys],
    )


def document_facts_frame(
    connection: duckdb.DuckDBPyConnection, document_keys: list[int]
) -> pl.DataFrame:
    """`document_facts` of all these documents at once, as a frame: one pass over the
    published facts (a fact's columns are few and short; the texts are read apart)."""
    return connection.sql(
        f"""
        SELECT * FROM ({DOCUMENT_FACTS_SQL})
        WHERE document_key IN (SELECT unnest(?::BIGINT[]))
        ORDER BY document_key, evidence_start, evidence_end, fact_key
        """,
        params=[document_keys],
    ).pl()


def document_fingerprints(connection: duckdb.DuckDBPyConnection) -> dict[int, str]:
    """document_key -> a hash of everything its evidence page shows (the document's record,
    whether its text is stored, and every fact with its status): a page whose hash has not
    changed since it was written need not be written again."""
    text_stored = (
        "EXISTS (SELECT 1 FROM document_text t WHERE t.document_key = d.document_key "
        "AND t.normalised_text IS NOT NULL)"
        if has_document_text(connection)
        else "false"
    )
    rows = connection.execute(
        f"""
        WITH facts AS ({DOCUMENT_FACTS_SQL}),
        per_document AS (  -- facts are unique by key: XOR of their hashes, in any order
            SELECT document_key, bit_xor(hash(facts)) AS facts_hash
            FROM facts GROUP BY document_key
        )
        SELECT d.document_key, hash(d, {text_stored}, coalesce(p.facts_hash, 0))::VARCHAR
        FROM v_current_document d LEFT JOIN per_document p USING (document_key)
        """
    ).fetchall()
    return dict(rows)


def area_documents(connection: duckdb.DuckDBPyConnection) -> list[Record]:
    """Per area, the current documents stating its figures, with how many facts each."""
    return records(
        connection,
        """
        SELECT r.region_code, d.document_key, d.content_sha256, d.doc_name, d.report_date,
               d.format, count(*) AS facts
        FROM fact_observation f
        JOIN v_current_document d USING (document_key)
        JOIN dim_region r USING (region_key)
        GROUP BY ALL
        ORDER BY r.region_code, d.report_date DESC NULLS LAST, d.doc_name
        """,
    )


def headline_observations(connection: duckdb.DuckDBPyConnection) -> list[Record]:
    """The best current level and yoy growth of each headline indicator, region and period.

    Only plain figures (no 新增/累计 qualifier, no denominator): the series a chart can draw.
    """
    return records(
        connection,
        f"""
        SELECT l.region, l.region_code, r.level AS region_level, l.indicator_code,
               l.indicator, i.name_en AS indicator_en, i.category, l.measure,
               l.period_start, l.period_end, l.period_label, p.end_month, p.months,
               p.granularity, l.value, l.unit, l.value_base, u.dimension AS unit_dimension,
               l.n_values, l.is_conflicting, l.source_doc, l.fact_key, l.document_key,
               d.content_sha256
        FROM v_indicator_latest l
        JOIN dim_indicator i USING (indicator_key)
        JOIN dim_region r USING (region_key)
        JOIN dim_period p USING (period_key)
        JOIN dim_unit u USING (unit_key)
        JOIN dim_document d USING (document_key)
        WHERE i.is_headline AND l.qualifier IS NULL AND l.denominator IS NULL
          AND l.measure IN {HEADLINE_MEASURES}
        ORDER BY l.region_code, l.indicator_code, l.measure, p.end_month, p.months
        """,
    )


CONFLICTS_SQL = """
SELECT l.region, l.region_code, l.indicator, l.period_label, l.measure, l.qualifier,
       l.denominator,
       l.fact_key AS chosen_fact_key, f.fact_key, f.value, u.symbol AS unit,
       f.fact_key = l.fact_key AS is_chosen, d.doc_name, d.report_date,
       d.content_sha256
FROM v_indicator_latest l
JOIN fact_observation f
  ON f.indicator_key = l.indicator_key AND f.region_key = l.region_key
 AND f.period_key = l.period_key AND f.measure = l.measure
 AND f.qualifier IS NOT DISTINCT FROM l.qualifier
 AND f.denominator IS NOT DISTINCT FROM l.denominator
JOIN v_current_document d ON d.document_key = f.document_key
JOIN dim_unit u ON u.unit_key = f.unit_key
WHERE l.is_conflicting
ORDER BY l.region, l.indicator, l.period_label, l.measure, l.fact_key,
         is_chosen DESC, d.report_date DESC NULLS LAST, f.fact_key
"""


def conflicts(connection: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """For each figure that current documents state differently: every stated value, the
    chosen one (the value `v_indicator_latest` gives) first, a figure's values together; a
    frame (800,000 rows after 100,000 look-alike documents: 1.3 GB as records)."""
    return connection.sql(CONFLICTS_SQL).pl()


def pending_quarantine(connection: duckdb.DuckDBPyConnection) -> list[Record]:
    """Quarantined facts of current documents awaiting a decision, newest run first."""
    return records(
        connection,
        """
        SELECT q.fact_key, q.doc, q.indicator, q.region,
               coalesce(p.label_zh, q.period_start || '..' || q.period_end) AS period_label,
               q.measure, q.value, q.unit, q.failed_expectations, q.load_id,
               d.content_sha256
        FROM quarantine_observation q
        JOIN v_current_document d USING (document_key)
        LEFT JOIN dim_period p USING (period_key)
        WHERE q.status = 'pending'
        ORDER BY q.load_id DESC, q.doc, q.evidence_start, q.fact_key
        """,
    )


def current_rejections(connection: duckdb.DuckDBPyConnection) -> list[Record]:
    """Inbox files that could not be read, with the reason (as `zhibiao rejected list`)."""
    return records(connection, CURRENT_REJECTIONS_SQL)
