"""The nightly flow end to end on real Prefect, real GX and a real DuckDB file."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from flows.nightly import nightly

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("prefect")]

STAR_JOIN = """
SELECT count(*) FROM fact_observation
JOIN dim_document USING (document_key) JOIN dim_indicator USING (indicator_key)
JOIN dim_region USING (region_key) JOIN dim_period USING (period_key) JOIN dim_unit USING (unit_key)
"""
IMPLAUSIBLE = """湖州市德清县统计局　2023年8月10日

今年1-7月，全县规上工业增加值182.4亿元，同比增长950%。固定资产投资同比增长12.3%。
社会消费品零售总额98.6亿元，同比增长6.2%。
"""
FACT_TABLES = ("fact_observation", "quarantine_observation", "dim_document", "dim_period",
               "document_source", "rejected_document")  # fmt: skip


def rows(path: Path, query: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as connection:
        return connection.sql(query).fetchall()


def table_contents(path: Path) -> dict[str, list[tuple]]:
    return {t: rows(path, f"SELECT * FROM {t} ORDER BY ALL") for t in FACT_TABLES}


@pytest.fixture(scope="module")
def first_run(prefect_harness, tmp_path_factory: pytest.TempPathFactory):
    import shutil

    from tests.conftest import SAMPLE_INBOX

    root = tmp_path_factory.mktemp("nightly")
    inbox = root / "inbox"
    shutil.copytree(SAMPLE_INBOX, inbox)
    (inbox / "deqing_2023_jan_jul.txt").write_text(IMPLAUSIBLE, encoding="utf-8")
    var = root / "var"
    summary = nightly(inbox=str(inbox), var=str(var))
    return inbox, var, summary


def test_run_loads_every_document_and_joins_all_dimensions(first_run) -> None:
    inbox, var, summary = first_run
    documents = [p for p in inbox.iterdir() if p.suffix == ".txt"]
    assert summary["status"] == "loaded"
    assert summary["documents_seen"] == len(documents)
    assert summary["documents_new"] == len(documents)
    assert summary["documents_rejected"] == 0
    assert summary["facts_loaded"] > 5 * len(documents)
    warehouse = var / "warehouse.duckdb"
    loaded = rows(warehouse, "SELECT count(*) FROM fact_observation")[0][0]
    assert loaded == summary["facts_loaded"]
    assert rows(warehouse, STAR_JOIN)[0][0] == loaded
    assert rows(warehouse, "SELECT count(*) FROM dim_document")[0][0] == len(documents)
    assert summary["flow_run_id"]


def test_implausible_growth_is_quarantined_and_its_siblings_load(first_run) -> None:
    _, var, summary = first_run
    warehouse = var / "warehouse.duckdb"
    quarantined = rows(
        warehouse,
        "SELECT indicator, measure, value, failed_expectations FROM quarantine_observation "
        "WHERE doc = 'deqing_2023_jan_jul.txt'",
    )
    assert len(quarantined) == 1
    indicator, measure, value, failed = quarantined[0]
    assert (indicator, measure, value) == ("规模以上工业增加值", "yoy_pct", 950.0)
    assert failed  # names the expectation it failed
    siblings = rows(
        warehouse,
        "SELECT i.name_zh, f.measure, f.value FROM fact_observation f "
        "JOIN dim_document d USING (document_key) JOIN dim_indicator i USING (indicator_key) "
        "WHERE d.doc_name = 'deqing_2023_jan_jul.txt' ORDER BY ALL",
    )
    assert ("规模以上工业增加值", "value", 182.4) in siblings
    assert ("社会消费品零售总额", "yoy_pct", 6.2) in siblings
    assert summary["facts_quarantined"] >= 1


def test_parquet_extracts_read_back_with_the_same_row_counts(first_run) -> None:
    _, var, _ = first_run
    manifest = json.loads((var / "exports" / "manifest.json").read_text(encoding="utf-8"))
    warehouse = var / "warehouse.duckdb"
    for table, entry in manifest["tables"].items():
        count = rows(warehouse, f"SELECT count(*) FROM {table}")[0][0]
        assert pq.ParquetDataset(var / "exports" / entry["path"]).read().num_rows == count, table


def test_second_run_adds_no_rows(first_run) -> None:
    inbox, var, _ = first_run
    before = table_contents(var / "warehouse.duckdb")
    summary = nightly(inbox=str(inbox), var=str(var))
    assert summary["documents_unchanged"] == summary["documents_seen"]
    assert summary["documents_new"] == summary["documents_changed"] == 0
    assert summary["facts_loaded"] == 0
    assert table_contents(var / "warehouse.duckdb") == before
    assert rows(var / "warehouse.duckdb", "SELECT count(*) FROM etl_run")[0][0] == 2


def test_history_levels_are_written_by_duckdb_for_the_batches(first_run, tmp_path: Path) -> None:
    """What the next run's batches compare with: every loaded level of a current document."""
    import polars as pl

    from transforms.consistency import HISTORY_SCHEMA
    from warehouse.store import Warehouse

    _, var, _ = first_run
    path = tmp_path / "history.parquet"
    with Warehouse(var / "warehouse.duckdb") as warehouse:
        written = warehouse.write_history_levels(path)
    expected = rows(
        var / "warehouse.duckdb",
        "SELECT count(*) FROM fact_observation JOIN v_current_document USING (document_key) "
        "WHERE measure IN ('value', 'target_value')",
    )[0][0]
    history = pl.read_parquet(path)
    assert written == history.height == expected > 0
    assert history.columns == list(HISTORY_SCHEMA)
