"""The warehouse documented, as one static page (`zhibiao docs`; every report writes it too):
dbt docs for Zhibiao, generated from the published database so it cannot go stale.

Tables and views with their grain, columns with their types and comments (DuckDB's own
catalogue: schema.sql and column_docs.csv), the lineage from the inbox to the views, the
quality gate's expectations with their severity (expectations/suites/*.json), the catalogue
(indicators with their units and bounds, areas with their codes) and what has data
(v_coverage). Reads VAR/analyst.duckdb and VAR/exports/manifest.json only.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import duckdb

import warehouse.report_queries as queries
from expectations.gate import SUITES_DIR
from warehouse.report.templating import environment

LINEAGE = (
    ("Inbox 收件箱", "files: .txt .md .html .pdf .docx", ()),
    ("Ingest 接收", "hashed, new or changed ones planned",
     ("document_source", "rejected_document")),
    ("Read & extract 读取与抽取", "text, normalised; candidate facts",
     ("dim_document", "document_text")),
    ("Conform 规整", "catalogue keys, star rows (Polars)",
     ("dim_indicator", "dim_region", "dim_period", "dim_unit")),
    ("Quality gate 质量关口", "Great Expectations: load, flag or quarantine",
     ("fact_observation", "quarantine_observation", "dq_result")),
    ("Load 载入", "one DuckDB transaction, with the run's record", ("etl_run",)),
)  # fmt: skip
"""How the pipeline's stages fill the tables (README, "How a run works"); publishing then
writes every table as Parquet and the analyst database's views over them."""


def schema_page(connection: duckdb.DuckDBPyConnection, var_dir: Path, *, generated_at: str) -> str:
    """The docs page as HTML."""
    return (
        environment()
        .get_template("schema.html")
        .render(docs=gather_docs(connection, var_dir), generated_at=generated_at, asset_prefix="")
    )


def gather_docs(connection: duckdb.DuckDBPyConnection, var_dir: Path) -> dict[str, Any]:
    manifest = _manifest(var_dir)
    relations = queries.records(
        connection,
        """
        SELECT view_name AS name, comment, sql,
               CASE WHEN sql ILIKE '%read_parquet(%' THEN 'table' ELSE 'view' END AS kind
        FROM duckdb_views() WHERE NOT internal AND schema_name = 'main'
        ORDER BY kind, name
        """,
    )
    columns: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for column in queries.records(
        connection,
        "SELECT table_name, column_name, data_type, comment FROM duckdb_columns() "
        "WHERE NOT internal AND schema_name = 'main' ORDER BY table_name, column_index",
    ):
        columns[column["table_name"]].append(column)
    names = [r["name"] for r in relations]
    for relation in relations:
        relation["columns"] = columns[relation["name"]]
        relation["rows"] = manifest.get("tables", {}).get(relation["name"], {}).get("rows")
        relation["reads"] = (
            []
            if relation["kind"] == "table"
            else [n for n in names if n != relation["name"] and _mentions(relation["sql"], n)]
        )
        relation["read_by"] = []
    by_name = {r["name"]: r for r in relations}
    for relation in relations:
        for source in relation["reads"]:
            by_name[source]["read_by"].append(relation["name"])
    return {
        "relations": relations,
        "tables": [r for r in relations if r["kind"] == "table"],
        "views": [r for r in relations if r["kind"] == "view"],
        "lineage": [
            {"stage": stage, "what": what, "tables": list(tables)}
            for stage, what, tables in LINEAGE
        ],
        "expectations": expectations(),
        "indicators": queries.records(
            connection,
            """
            SELECT i.indicator_code, i.name_zh, i.name_en, i.category, i.dimension,
                   i.default_unit, i.is_headline, i.yoy_min_pct, i.yoy_max_pct,
                   count(DISTINCT c.region_code) AS areas, count(DISTINCT c.period_label)
                   AS periods, coalesce(sum(c.n_facts), 0) AS facts
            FROM dim_indicator i LEFT JOIN v_coverage c USING (indicator_code)
            GROUP BY ALL ORDER BY i.category, i.indicator_code
            """,
        ),
        "units": queries.records(
            connection,
            "SELECT symbol, dimension, base_symbol, factor_to_base, name_en FROM dim_unit "
            "ORDER BY dimension, factor_to_base",
        ),
        "areas": queries.records(
            connection,
            """
            SELECT r.region_code, r.name_zh, nullif(r.name_en, '') AS name_en, r.level,
                   r.parent_code, coalesce(sum(c.n_facts), 0) AS facts,
                   count(DISTINCT c.indicator_code) AS indicators
            FROM dim_region r LEFT JOIN v_coverage c USING (region_code)
            GROUP BY ALL ORDER BY facts = 0, r.region_code
            """,
        ),
        "published": manifest.get("load_id"),
        "published_at": manifest.get("published_at"),
    }


def expectations() -> list[dict[str, Any]]:
    """Every expectation of every suite, with its severity and what it checks."""
    found = []
    for path in sorted(SUITES_DIR.glob("*.json")):
        suite = json.loads(path.read_text(encoding="utf-8"))
        for expectation in suite["expectations"]:
            meta = expectation.get("meta", {})
            kwargs = expectation.get("kwargs", {})
            found.append(
                {
                    "suite": suite["name"],
                    "name": meta.get("name", expectation["type"]),
                    "severity": expectation.get("severity", ""),
                    "type": expectation["type"],
                    "columns": ", ".join(
                        str(kwargs[k]) for k in ("column", "column_A", "column_B") if k in kwargs
                    ),
                    "description_en": meta.get("description_en", ""),
                    "description_zh": meta.get("description_zh", ""),
                }
            )
    return found


def _manifest(var_dir: Path) -> dict[str, Any]:
    try:
        return json.loads((var_dir / "exports" / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _mentions(sql: str, name: str) -> bool:
    return re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", sql, re.IGNORECASE) is not None


def write_schema_page(var_dir: Path) -> Path:
    """Write VAR/report/schema.html (and the stylesheet it uses); its path."""
    import datetime as dt

    from warehouse.analyst import open_analyst_db
    from warehouse.report.site_files import ReportError, SiteWriter

    connection = open_analyst_db(var_dir)
    try:
        generated_at = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
        html = schema_page(connection, var_dir, generated_at=generated_at)
    except duckdb.Error as error:
        raise ReportError(
            f"reading {var_dir / 'analyst.duckdb'} failed ({str(error).splitlines()[0]}): "
            "a run publishes it again"
        ) from error
    finally:
        connection.close()
    writer = SiteWriter(var_dir / "report")
    writer.assets()
    writer.page("schema.html", html)
    return var_dir / "report" / "schema.html"
