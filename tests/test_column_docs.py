"""Every table, view and column says what it holds, in English and Chinese, in the warehouse
and in the published analyst database; `v_coverage` says what has data."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from tests.factories import fact
from tests.test_warehouse import load_run
from warehouse.column_docs import ANY_RELATION, column_docs
from warehouse.publish import publish
from warehouse.store import Warehouse

CHINESE = re.compile(r"[\u4e00-\u9fff]")
ENGLISH = re.compile(r"[A-Za-z]{3,}")


@pytest.fixture(scope="module")
def var(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("docs")
    var = root / "var"
    facts = [fact(), fact(measure="yoy_pct", value=8.5, unit="%"),
             fact(period=("2022-01", "2022-12"), value=600.2)]  # fmt: skip
    with Warehouse(var / "warehouse.duckdb") as warehouse:
        load_run(warehouse, root, facts, "l1")
        publish(warehouse.connection, var, "run-1")
    return var


def _undocumented(database: Path) -> list[str]:
    with duckdb.connect(str(database), read_only=True) as connection:
        columns = connection.execute(
            "SELECT table_name || '.' || column_name, comment FROM duckdb_columns() "
            "WHERE NOT internal AND schema_name = 'main'"
        ).fetchall()
        relations = connection.execute(
            "SELECT table_name, comment FROM duckdb_tables() WHERE schema_name = 'main' "
            "UNION ALL SELECT view_name, comment FROM duckdb_views() "
            "WHERE NOT internal AND schema_name = 'main'"
        ).fetchall()
    return [
        name
        for name, comment in [*columns, *relations]
        if not comment or not CHINESE.search(comment) or not ENGLISH.search(comment)
    ]


@pytest.mark.parametrize("database", ["warehouse.duckdb", "analyst.duckdb"])
def test_every_table_view_and_column_has_an_english_and_a_chinese_comment(
    var: Path, database: str
) -> None:
    assert _undocumented(var / database) == []


def test_every_documented_column_exists(var: Path) -> None:
    """No description outlives its column (a renamed column fails here, not in silence)."""
    with duckdb.connect(str(var / "warehouse.duckdb"), read_only=True) as connection:
        existing = set(
            connection.execute(
                "SELECT table_name, column_name FROM duckdb_columns() WHERE NOT internal"
            ).fetchall()
        )
    existing.add(("fact_observation", "year"))  # the extracts' partition column
    names = {column for _, column in existing}
    stale = [
        key
        for key in column_docs()
        if (key[0] == ANY_RELATION and key[1] not in names)
        or (key[0] != ANY_RELATION and key not in existing)
    ]
    assert stale == []


def test_coverage_counts_what_current_documents_state(var: Path) -> None:
    with duckdb.connect(
        str(var / "analyst.duckdb"),
        read_only=True,
        config={"file_search_path": str(var / "exports")},  # its views' files, relative
    ) as connection:
        rows = connection.execute(
            "SELECT indicator_code, region, period_label, n_facts, n_measures, n_documents, "
            "latest_load_id FROM v_coverage ORDER BY period_label"
        ).fetchall()
    assert rows == [
        ("industrial_va_above_scale", "萧山区", "2021年", 2, 2, 1, "l1"),
        ("industrial_va_above_scale", "萧山区", "2022年", 1, 1, 1, "l1"),
    ]
