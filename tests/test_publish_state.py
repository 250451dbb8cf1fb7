"""Publishing is recorded state: a publish that fails leaves analysts on the previous load
and says so, and the next run, whatever it reads (nothing, or a batch the gate holds back),
publishes the warehouse's latest load, whole."""

from __future__ import annotations

import errno
import json
import shutil
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

import warehouse.publish
from flows.cli import app
from tests.conftest import SAMPLE_INBOX
from tests.test_quality_gate_run import BROKEN

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("prefect")]
runner = CliRunner()


def run(inbox: Path, var: Path) -> tuple[int, dict, str]:
    result = runner.invoke(app, ["run", "--inbox", str(inbox), "--var", str(var), "--json"])
    lines = result.stdout.strip().splitlines()
    return result.exit_code, json.loads(lines[-1]) if lines else {}, result.stderr


def warehouse_state(var: Path) -> tuple[str, int]:
    """The warehouse's latest load and how many facts it holds."""
    with duckdb.connect(str(var / "warehouse.duckdb"), read_only=True) as connection:
        load = connection.sql(
            "SELECT max_by(load_id, started_at) FROM etl_run WHERE status = 'loaded'"
        ).fetchall()[0][0]
        facts = connection.sql("SELECT count(*) FROM fact_observation").fetchall()[0][0]
    return load, facts


def published_state(var: Path) -> tuple[str, int]:
    """The load analysts see and how many facts they see: in the extracts, and through
    VAR/analyst.duckdb."""
    manifest = json.loads((var / "exports" / "manifest.json").read_text(encoding="utf-8"))
    exported = pq.ParquetDataset(var / "exports" / "fact_observation").read().num_rows
    with duckdb.connect(
        str(var / "analyst.duckdb"),
        read_only=True,
        config={"file_search_path": str(var / "exports")},  # its views' files, relative
    ) as connection:
        seen = connection.sql("SELECT count(*) FROM fact_observation").fetchall()[0][0]
    assert exported == seen == manifest["tables"]["fact_observation"]["rows"]
    return manifest["load_id"], seen


def test_a_failed_publish_is_reported_and_the_next_runs_publish_the_latest_load(
    prefect_harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, var = tmp_path / "inbox", tmp_path / "var"
    inbox.mkdir()
    documents = sorted(SAMPLE_INBOX.glob("*.txt"))
    for path in documents[:4]:
        shutil.copy(path, inbox)
    code, first, _ = run(inbox, var)
    assert code == 0
    assert published_state(var) == warehouse_state(var)

    # The next load commits, then the disk fills while its facts are written out.
    for path in documents[4:]:
        shutil.copy(path, inbox)
    write_table = warehouse.publish._write_table

    def disk_fills(connection, folder, table):
        if table == "fact_observation":
            raise OSError(errno.ENOSPC, "No space left on device")
        return write_table(connection, folder, table)

    monkeypatch.setattr(warehouse.publish, "_write_table", disk_fills)
    code, _, failed = run(inbox, var)
    assert code == 1
    loaded, facts = warehouse_state(var)
    assert published_state(var) == (first["load_id"], first["facts_loaded"]) != (loaded, facts)

    # Space again. A run with nothing new publishes the whole latest load.
    monkeypatch.setattr(warehouse.publish, "_write_table", write_table)
    code, noop, _ = run(inbox, var)
    assert code == 0 and noop["documents_read"] == 0
    assert published_state(var) == warehouse_state(var) == (noop["load_id"], facts)
    assert noop["published_load_id"] == noop["load_id"]
    # The failed run said so, in one line: the load is in, analysts are on the one before.
    assert len(failed.strip().splitlines()) == 1, failed
    assert "No space left on device" in failed
    assert f"analysts are still on load {first['load_id']}" in failed


def test_a_run_the_gate_holds_back_still_brings_the_publication_up_to_date(
    prefect_harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, var = tmp_path / "inbox", tmp_path / "var"
    shutil.copytree(SAMPLE_INBOX, inbox)
    code, first, _ = run(inbox, var)
    assert code == 0
    (inbox / "extra.txt").write_text(
        (SAMPLE_INBOX / "2022_yuhang_annual_review.txt").read_text(encoding="utf-8") + "\n补记。",
        encoding="utf-8",
    )
    monkeypatch.setattr(warehouse.publish, "_point_exports_at", fails_to_switch)
    code, _, stderr = run(inbox, var)
    assert code == 1 and "analysts are still on load" in stderr
    monkeypatch.undo()

    monkeypatch.setenv("ZHIBIAO_GATE_MIN_FACTS", "3")
    (inbox / "broken.txt").write_text(BROKEN, encoding="utf-8")
    code, held, _ = run(inbox, var)
    assert code == 2 and held["status"] == "held_back"
    assert published_state(var) == warehouse_state(var)
    assert held["published_load_id"] == warehouse_state(var)[0] != first["load_id"]


def fails_to_switch(exports: Path, version: Path) -> None:
    raise OSError(errno.EIO, "Input/output error")
