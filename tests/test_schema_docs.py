"""`zhibiao docs`: the warehouse documented from the published database, offline."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import duckdb
from typer.testing import CliRunner

from flows.cli import app
from tests.test_column_docs import var  # noqa: F401 (the fixture: a published warehouse)
from warehouse.publish import PUBLISHED_TABLES
from warehouse.report.schema import LINEAGE

runner = CliRunner()


def test_docs_page_shows_grain_columns_lineage_expectations_and_catalogue(var: Path) -> None:  # noqa: F811
    result = runner.invoke(app, ["docs", "--var", str(var)])
    assert result.exit_code == 0, result.output
    page = var / "report" / "schema.html"
    html = unescape(page.read_text(encoding="utf-8"))
    assert not re.findall(r'(?:href|src)="(?:https?:)?//', html), "nothing from the network"

    with duckdb.connect(
        str(var / "analyst.duckdb"),
        read_only=True,
        config={"file_search_path": str(var / "exports")},  # its views' files, relative
    ) as connection:
        relations = connection.execute(
            "SELECT view_name, comment FROM duckdb_views() WHERE NOT internal"
        ).fetchall()
        columns = connection.execute(
            "SELECT table_name, column_name, data_type, comment FROM duckdb_columns() "
            "WHERE NOT internal"
        ).fetchall()
    for name, comment in relations:  # every table and view with its grain
        assert f'id="t-{name}"' in html and comment in html, name
    for table, column, data_type, comment in columns:  # every column: type and meaning
        row = f"<td><code>{column}</code></td><td><code>{data_type}</code></td><td>{comment}</td>"
        assert row in html, (table, column)

    staged = {table for _, _, tables in LINEAGE for table in tables}
    assert staged == set(PUBLISHED_TABLES), "every published table has its place in the lineage"
    reads = "dim_indicator, dim_period, dim_region, dim_unit, fact_observation, v_current_document"
    assert f"v_indicator_latest</a> ← {reads}<" in html

    suite = json.loads(Path("expectations/suites/fact_candidates.json").read_text("utf-8"))
    for expectation in suite["expectations"]:
        name, severity = expectation["meta"]["name"], expectation["severity"]
        assert re.search(rf"<code>{name}</code>.*?pill-{severity}", html, re.S), name

    assert "industrial_va_above_scale" in html and "-60 … 150" in html  # indicator bounds
    assert "<code>330109000000</code></td><td>萧山区" in html  # areas with their codes
