"""Publishing for readers on real DuckDB files: never half-written, stable column types."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from tests.factories import fact
from tests.test_warehouse import load_run
from warehouse.analyst import open_analyst_db, run_query
from warehouse.publication_state import PublicationStatus, publication_status, publish_load
from warehouse.publish import PUBLISHED_TABLES, publish, verify_publication
from warehouse.store import Warehouse

# Publishes run-2 in a process of its own and kills it (SIGKILL: no cleanup runs) at `point`.
KILLED_PUBLISH = """
import os, signal, sys
from pathlib import Path

import warehouse.publish as publish
from warehouse.store import Warehouse

var, point = Path(sys.argv[1]), sys.argv[2]


def die(*_args):
    os.kill(os.getpid(), signal.SIGKILL)


write_table, point_exports_at = publish._write_table, publish._point_exports_at


def write_then_die(connection, folder, table):
    if table == "fact_observation":  # half of the tables are written
        die()
    return write_table(connection, folder, table)


def switch_then_die(exports, version):
    point_exports_at(exports, version)
    die()


if point == "mid-copy":
    publish._write_table = write_then_die
elif point == "before-switch":
    publish._point_exports_at = die
elif point == "after-switch":
    publish._point_exports_at = switch_then_die
with Warehouse(var / "warehouse.duckdb") as warehouse:
    publish.publish(warehouse.connection, var, "run-2")
"""


def published(var: Path) -> tuple[str, dict[str, int]]:
    """The publication readers see: its run id, and every table read back in full."""
    exports = var / "exports"
    manifest = json.loads((exports / "manifest.json").read_text(encoding="utf-8"))
    counts = {}
    for table, entry in manifest["tables"].items():
        counts[table] = pq.ParquetDataset(exports / entry["path"]).read().num_rows
        assert counts[table] == entry["rows"], table
    return manifest["load_id"], counts


@pytest.fixture
def var(tmp_path: Path) -> Path:
    """A state folder with a loaded warehouse, published once as run-1, writer closed."""
    var = tmp_path / "var"
    with Warehouse(var / "warehouse.duckdb") as warehouse:
        load_run(warehouse, tmp_path, [fact(), fact(measure="yoy_pct", value=8.5, unit="%")], "l1")
        publish(warehouse.connection, var, "run-1")
    return var


@pytest.mark.parametrize("point", ["mid-copy", "before-switch", "after-switch"])
def test_a_publish_killed_half_way_leaves_a_whole_extract(var: Path, point: str) -> None:
    load_id, counts = published(var)
    assert load_id == "run-1"
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_PUBLISH, str(var), point], capture_output=True, check=False
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr

    expected = "run-2" if point == "after-switch" else "run-1"
    assert published(var) == (expected, counts)
    # The analyst database (from run-1: the kill came before its rebuild) reads through
    # the link, whichever publication it points at.
    connection = open_analyst_db(var)
    _, rows = run_query(connection, "SELECT indicator, value FROM v_indicator_latest ORDER BY 2")
    connection.close()
    assert rows == [("规模以上工业增加值", 8.5), ("规模以上工业增加值", 554.1)]

    # The next publish succeeds and clears what the killed one left behind.
    with Warehouse(var / "warehouse.duckdb") as warehouse:
        publish(warehouse.connection, var, "run-3")
    assert published(var)[0] == "run-3"
    versions = sorted(p.name for p in var.glob(".exports-*"))
    assert versions == sorted({".exports-run-3", f".exports-{expected}"})


def test_extracts_keep_their_column_types_when_tables_are_empty(tmp_path: Path) -> None:
    empty_var, full_var = tmp_path / "empty", tmp_path / "full"
    with Warehouse(empty_var / "warehouse.duckdb") as warehouse:
        publish(warehouse.connection, empty_var, "run-empty")
    with Warehouse(full_var / "warehouse.duckdb") as warehouse:
        load_run(warehouse, tmp_path, [fact()], "l1")
        publish(warehouse.connection, full_var, "run-full")

    def manifest(var: Path) -> dict:
        return json.loads((var / "exports" / "manifest.json").read_text(encoding="utf-8"))

    empty, full = manifest(empty_var), manifest(full_var)
    assert empty["tables"]["fact_observation"]["rows"] == 0
    assert full["tables"]["fact_observation"]["rows"] == 1
    for table in PUBLISHED_TABLES:
        assert empty["tables"][table]["columns"] == full["tables"][table]["columns"], table
    # What readers get: the analyst database has the same columns and types either way.
    for var in (empty_var, full_var):
        with duckdb.connect(
            str(var / "analyst.duckdb"),
            read_only=True,
            config={"file_search_path": str(var / "exports")},  # its views' files, relative
        ) as connection:
            described = {
                table: connection.execute(f"DESCRIBE {table}").fetchall()
                for table in PUBLISHED_TABLES
            }
        columns = {t: [(c[0], c[1]) for c in rows] for t, rows in described.items()}
        assert columns == {
            t: [(c["name"], c["type"]) for c in full["tables"][t]["columns"]]
            for t in PUBLISHED_TABLES
        }
    assert ("year", "INTEGER") in columns["fact_observation"]
    assert [p.name for p in (full_var / "exports" / "fact_observation").iterdir()] == ["year=2021"]
    # Extracts are zstd-compressed Parquet.
    any_file = next((full_var / "exports" / "dim_region").glob("*.parquet"))
    assert pq.ParquetFile(any_file).metadata.row_group(0).column(0).compression == "ZSTD"


def test_exports_is_a_link_switched_in_one_rename(var: Path) -> None:
    assert (var / "exports").is_symlink()
    assert os.readlink(var / "exports") == ".exports-run-1"  # relative: VAR can move


def test_a_publication_is_copied_to_a_url_that_duckdb_reads(var: Path, tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    with Warehouse(var / "warehouse.duckdb") as warehouse:
        publication = publish(warehouse.connection, var, "run-2", publish_url=f"file://{lake}")
    assert publication.remote == f"file://{lake}/run-2"
    latest = json.loads((lake / "latest.json").read_text(encoding="utf-8"))
    root = lake / latest["path"]
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["load_id"] == "run-2"
    assert list((root / "fact_observation").glob("year=*/*.parquet"))  # Hive-partitioned
    with duckdb.connect() as reader:
        for table, entry in manifest["tables"].items():
            if entry["partitioned_by"] and entry["rows"]:
                source = f"read_parquet('{root / table}/**/*.parquet', hive_partitioning = true)"
            else:
                source = f"read_parquet('{root / table}/*.parquet')"
            count = reader.sql(f"SELECT count(*) FROM {source}").fetchall()[0][0]
            assert count == entry["rows"] == publication.row_counts[table], table


def test_unchanged_tables_are_linked_from_the_last_publication(var: Path) -> None:
    with Warehouse(var / "warehouse.duckdb") as warehouse:
        publish(warehouse.connection, var, "run-2", unchanged=("fact_observation",))
    before = next((var / ".exports-run-1" / "fact_observation").rglob("*.parquet"))
    after = var / ".exports-run-2" / before.relative_to(var / ".exports-run-1")
    assert after.stat().st_ino == before.stat().st_ino  # the same file, not a copy
    assert not (var / ".exports-run-2" / "dim_document").samefile(
        var / ".exports-run-1" / "dim_document"
    )
    assert published(var) == ("run-2", published(var)[1])
    assert published(var)[1]["fact_observation"] == 2


def test_views_whose_tables_are_the_same_files_are_linked_not_computed_again(var: Path) -> None:
    def view_file(load_id: str) -> Path:
        return var / f".exports-{load_id}" / "v_indicator_latest" / "v_indicator_latest.parquet"

    # Nothing changed but the run's own tables (etl_run): the views are the same files.
    with Warehouse(var / "warehouse.duckdb") as warehouse:
        warehouse.connection.execute("DELETE FROM etl_run")
        publish(warehouse.connection, var, "run-2")
    assert view_file("run-2").stat().st_ino == view_file("run-1").stat().st_ino

    # A fact changed: the views are computed again, and show it.
    with Warehouse(var / "warehouse.duckdb") as warehouse:
        warehouse.connection.execute("UPDATE fact_observation SET value = 9.5 WHERE value = 8.5")
        publish(warehouse.connection, var, "run-3")
    assert view_file("run-3").stat().st_ino != view_file("run-2").stat().st_ino
    connection = open_analyst_db(var)
    _, rows = run_query(connection, "SELECT value FROM v_indicator_latest ORDER BY 1")
    connection.close()
    assert rows == [(9.5,), (554.1,)]


def test_the_manifest_lists_every_file_with_its_checksum_and_the_analyst_db_beside_them(
    var: Path,
) -> None:
    folder = (var / "exports").resolve()
    assert verify_publication(folder) == []
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    listed = {f["path"] for entry in manifest["tables"].values() for f in entry["files"]}
    assert listed == {p.relative_to(folder).as_posix() for p in folder.rglob("*.parquet")}
    # The analyst database is part of the publication: one rename switches both.
    assert os.readlink(var / "analyst.duckdb") == "exports/analyst.duckdb"
    assert manifest["analyst_db"]["path"] == "analyst.duckdb"

    part = next(folder.glob("dim_region/*.parquet"))
    part.write_bytes(part.read_bytes()[:-1] + b"!")
    (folder / "dim_unit" / "stray.parquet").write_bytes(part.read_bytes())
    problems = verify_publication(folder)
    assert any(p.startswith("dim_region/") and "SHA-256" in p for p in problems), problems
    assert "dim_unit/stray.parquet: not in the manifest" in problems


def test_a_publication_counts_as_current_only_when_recorded_and_whole(tmp_path: Path) -> None:
    var = tmp_path / "var"
    with Warehouse(var / "warehouse.duckdb") as warehouse:
        load_run(warehouse, tmp_path, [fact()], "l1")
        before = publication_status(warehouse.connection, var)
        assert before == PublicationStatus("l1", None, None) and not before.is_current
        publish_load(warehouse.connection, var, "l1", before=before)
        assert publication_status(warehouse.connection, var).is_current
    # A file of the publication goes missing: it is no longer what the warehouse recorded.
    next((var / "exports").resolve().glob("fact_observation/**/*.parquet")).unlink()
    with Warehouse(var / "warehouse.duckdb") as warehouse:
        status = publication_status(warehouse.connection, var)
    assert (status.recorded_load, status.exported_load, status.is_current) == ("l1", None, False)
