"""BI-ready extracts on real publications: the views as Parquet with DATE periods, one Arrow
schema per table whatever its rows (read the same by pyarrow, polars, pandas and DuckDB),
and an analyst database that can be moved with its folder."""

from __future__ import annotations

import datetime
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from tests.factories import fact
from tests.test_warehouse import load_run
from warehouse.analyst import StatementRefused, open_analyst_db, run_analyst_statement, run_query
from warehouse.publish import PUBLISHED_TABLES, PUBLISHED_VIEWS, publish
from warehouse.store import Warehouse

FACTS = [
    fact(),
    fact(measure="yoy_pct", value=8.5, unit="%"),
    fact(value=300.2, period=("2022-01", "2022-06"), evidence="规上工业增加值300.2亿元"),
]


def manifest(var: Path) -> dict:
    return json.loads((var / "exports" / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def publications(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two state folders: one published after a load, one whose load held no facts."""
    root = tmp_path_factory.mktemp("extracts")
    full, empty = root / "full", root / "empty"
    with Warehouse(full / "warehouse.duckdb") as warehouse:
        load_run(warehouse, root, FACTS, "l1")
        publish(warehouse.connection, full, "run-full")
    with Warehouse(empty / "warehouse.duckdb") as warehouse:
        load_run(warehouse, root, [], "l0", sha="b" * 64)
        publish(warehouse.connection, empty, "run-empty")
    return full, empty


def test_the_views_are_published_as_parquet_beside_the_tables(publications) -> None:
    full, _ = publications
    published = manifest(full)["tables"]
    for view in PUBLISHED_VIEWS:
        assert published[view]["kind"] == "view"
        table = pq.read_table(full / "exports" / published[view]["path"])
        assert table.num_rows == published[view]["rows"] > 0, view
    latest = pq.read_table(full / "exports" / "v_indicator_latest").to_pylist()
    with duckdb.connect(str(full / "warehouse.duckdb"), read_only=True) as warehouse:
        expected = warehouse.sql("SELECT * FROM v_indicator_latest").to_arrow_table().to_pylist()
    key = lambda row: row["fact_key"]  # noqa: E731
    assert sorted(latest, key=key) == sorted(expected, key=key)


def test_period_columns_are_dates_beside_the_label(publications) -> None:
    full, _ = publications
    for view in ("v_indicator_latest", "v_timeseries"):
        table = pq.read_table(full / "exports" / view)
        assert table.schema.field("start_month").type == pa.date32(), view
        assert table.schema.field("end_month").type == pa.date32(), view
        periods = {
            (row["period_label"], row["start_month"], row["end_month"])
            for row in table.select(["period_label", "start_month", "end_month"]).to_pylist()
        }
        assert periods == {
            ("2021年", datetime.date(2021, 1, 1), datetime.date(2021, 12, 1)),
            ("2022年1-6月", datetime.date(2022, 1, 1), datetime.date(2022, 6, 1)),
        }, view
    # In the analyst database too.
    connection = open_analyst_db(full)
    _, rows = run_query(
        connection,
        "SELECT DISTINCT typeof(start_month), typeof(end_month) FROM v_indicator_latest",
    )
    connection.close()
    assert rows == [("DATE", "DATE")]


def test_an_empty_tables_parquet_schema_is_a_full_ones(publications) -> None:
    full, empty = publications
    full_tables, empty_tables = manifest(full)["tables"], manifest(empty)["tables"]
    assert empty_tables["fact_observation"]["rows"] == 0 < full_tables["fact_observation"]["rows"]
    assert set(empty_tables) == set(full_tables) == set(PUBLISHED_TABLES + PUBLISHED_VIEWS)
    for name in full_tables:
        assert empty_tables[name]["columns"] == full_tables[name]["columns"], name
        schemas = [
            pq.read_schema(var / "exports" / file["path"])
            for var, tables in ((full, full_tables), (empty, empty_tables))
            for file in tables[name]["files"]
        ]
        partition = full_tables[name]["partitioned_by"]
        for schema in schemas:  # nullability included; an empty file also has the partition
            if partition and partition in schema.names:
                schema = schema.remove(schema.get_field_index(partition))
            assert schema.equals(schemas[0]), (name, schema, schemas[0])
    # Nullability follows the DDL: NOT NULL columns are required, the others optional.
    columns = {c["name"]: c for c in full_tables["dim_indicator"]["columns"]}
    assert (columns["indicator_code"]["nullable"], columns["name_en"]["nullable"]) == (False, True)


# As the README shows each reader: the partition's type given (fact_observation's `year`).
HIVE = ds.partitioning(pa.schema([("year", pa.int32())]), flavor="hive")


def _read_pyarrow(path: Path, partitioned: bool) -> pa.Table:
    return pq.read_table(path, partitioning=HIVE if partitioned else None)


def _read_pandas(path: Path, partitioned: bool) -> pd.DataFrame:
    return pd.read_parquet(path, partitioning=HIVE if partitioned else None)


def _read_polars(path: Path, partitioned: bool) -> pl.DataFrame:
    return pl.read_parquet(
        path / "**" / "*.parquet", hive_schema={"year": pl.Int32} if partitioned else None
    )


def _describe_duckdb(path: Path, partitioned: bool) -> list[tuple[str, str]]:
    hive = ", hive_partitioning = true, hive_types = {'year': INTEGER}" if partitioned else ""
    source = f"read_parquet('{path}/**/*.parquet'{hive})"
    return [(row[0], row[1]) for row in duckdb.sql(f"DESCRIBE SELECT * FROM {source}").fetchall()]


@pytest.mark.parametrize("which", ["full", "empty"])
def test_every_reader_reads_the_manifests_schema(publications, which: str) -> None:
    var = publications[0 if which == "full" else 1]
    for name, entry in manifest(var)["tables"].items():
        path = var / "exports" / entry["path"]
        columns = entry["columns"]
        names = [c["name"] for c in columns]

        partitioned = entry["partitioned_by"] is not None
        table = _read_pyarrow(path, partitioned)
        assert table.schema.names == names, name
        for column in columns:
            field = table.schema.field(column["name"])
            assert str(field.type) == column["arrow_type"], (name, column)
            if not column.get("partition"):
                assert field.nullable == column["nullable"], (name, column)

        assert _describe_duckdb(path, partitioned) == [(c["name"], c["type"]) for c in columns], (
            name
        )

        frame = _read_polars(path, partitioned)
        assert frame.columns == names, name
        pandas_frame = _read_pandas(path, partitioned)
        assert list(pandas_frame.columns) == names, name
        if "year" in names:
            assert frame.schema["year"] == pl.Int32
            assert str(pandas_frame.dtypes["year"]) == "int32"
            assert table.schema.field("year").type == pa.int32()


def _move_publication(var: Path, destination: Path) -> Path:
    """The publication folder VAR/exports points at, moved somewhere else entirely."""
    shutil.move(os.path.realpath(var / "exports"), destination)
    return destination


def test_the_analyst_database_is_moved_with_its_folder(tmp_path: Path) -> None:
    var = tmp_path / "var"
    with Warehouse(var / "warehouse.duckdb") as warehouse:
        load_run(warehouse, tmp_path, FACTS, "l1")
        publish(warehouse.connection, var, "run-1")
    moved = _move_publication(var, tmp_path / "elsewhere" / "shared-copy")
    assert not (var / "exports").exists()

    # Plain DuckDB, told where the files are (README: "BI extracts")...
    config = {"file_search_path": str(moved)}
    with duckdb.connect(str(moved / "analyst.duckdb"), read_only=True, config=config) as db:
        every = PUBLISHED_TABLES + PUBLISHED_VIEWS + ("v_quality", "v_coverage")
        counts = {
            name: db.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0] for name in every
        }
    assert counts["fact_observation"] == 3 and counts["v_indicator_latest"] == 3

    # ...and `zhibiao sql`'s locked connection, on a state folder that was moved whole.
    moved_var = tmp_path / "moved-var"
    moved_var.mkdir()
    (moved_var / "exports").symlink_to(moved, target_is_directory=True)
    (moved_var / "analyst.duckdb").symlink_to("exports/analyst.duckdb")
    connection = open_analyst_db(moved_var)
    _, rows = run_query(connection, "SELECT count(*), min(year) FROM fact_observation")
    assert rows == [(3, 2021)]
    for refused in ("SELECT * FROM read_csv('/etc/passwd')", "ATTACH 'x.duckdb'"):
        with pytest.raises(StatementRefused):
            run_analyst_statement(connection, refused)
    # DuckDB's own layer: no file outside the publication, whatever the statement.
    with pytest.raises(duckdb.Error, match=r"disabled by configuration|locked"):
        connection.execute("SELECT * FROM read_text('/etc/hostname')").fetchall()
    with pytest.raises(duckdb.Error, match="locked"):
        connection.execute("SET file_search_path = '/'")
    connection.close()


def test_a_folder_that_would_shadow_the_publication_is_refused(
    publications, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    full, _ = publications
    (tmp_path / "dim_region").mkdir()  # DuckDB would read ./dim_region/ first
    monkeypatch.chdir(tmp_path)
    with pytest.raises(OSError, match="dim_region"):
        open_analyst_db(full)


# The dev extra installs the CLI beside the interpreter; `make test` does not put .venv/bin
# on PATH, so look there first.
DUCKDB_CLI = shutil.which("duckdb", path=str(Path(sys.executable).parent)) or shutil.which("duckdb")


@pytest.mark.skipif(DUCKDB_CLI is None, reason="the DuckDB CLI (duckdb-cli) is absent")
def test_the_duckdb_cli_reads_the_analyst_database(publications) -> None:
    full, _ = publications
    # As the README shows: from the publication's folder, or with the search path set.
    for cwd, arguments in (
        (full / "exports", ["analyst.duckdb"]),
        (full.parent, ["-cmd", "SET file_search_path = 'full/exports'", "full/analyst.duckdb"]),
    ):
        done = subprocess.run(
            [str(DUCKDB_CLI), "-readonly", "-csv", *arguments, "-c",
             "SELECT count(*) AS n, min(start_month) AS first FROM v_indicator_latest"],
            cwd=cwd, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert done.stdout.split() == ["n,first", "3,2021-01-01"]


def test_the_reports_analyst_connection_is_held_to_its_memory_limit(publications) -> None:
    """The report reads the publication in the run's own process: DuckDB gets a bounded share
    (its default, 80 % of the machine, made the report the run's peak), and stays locked."""
    from warehouse.report.render import REPORT_MEMORY_LIMIT

    full, _ = publications
    connection = open_analyst_db(full, threads=1, memory_limit=REPORT_MEMORY_LIMIT)
    try:
        limit, threads = connection.execute(
            "SELECT current_setting('memory_limit'), current_setting('threads')"
        ).fetchone()
        with pytest.raises(duckdb.Error, match="locked"):
            connection.execute("SET memory_limit = '8GB'")
    finally:
        connection.close()
    stated = duckdb.connect(config={"memory_limit": REPORT_MEMORY_LIMIT}).execute(
        "SELECT current_setting('memory_limit')"
    )  # DuckDB shows it in its own unit (300MB: 286.1 MiB)
    assert limit == stated.fetchone()[0]
    assert threads == 1
