"""One writer at a time, readers never blocked: real `zhibiao` processes on one state folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.conftest import SAMPLE_INBOX
from warehouse.lock import WriterLock
from warehouse.store import Warehouse

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("prefect")]

ZHIBIAO = str(Path(sys.executable).with_name("zhibiao"))
STAR_JOIN = """
SELECT count(*) FROM fact_observation
JOIN dim_document USING (document_key) JOIN dim_indicator USING (indicator_key)
JOIN dim_region USING (region_key) JOIN dim_period USING (period_key) JOIN dim_unit USING (unit_key)
"""
TABLES = ("fact_observation", "dim_document", "dim_period", "document_source",
          "quarantine_observation", "document_text")  # fmt: skip


@pytest.fixture
def process_env(prefect_harness) -> dict[str, str]:
    """The environment of a `zhibiao` child process: it reports to this session's test server."""
    from prefect.settings import get_current_settings

    return {
        **os.environ,
        "PREFECT_API_URL": str(get_current_settings().api.url),
        "DO_NOT_TRACK": "1",
        "PREFECT_LOGGING_LEVEL": "WARNING",
    }


def zhibiao(*args: str, env: dict[str, str], timeout: float = 300):
    return subprocess.run(
        [ZHIBIAO, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def contents(warehouse: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return {t: connection.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES}


def test_two_concurrent_runs_leave_a_consistent_warehouse(
    process_env: dict[str, str], tmp_path: Path
) -> None:
    inbox, var = tmp_path / "inbox", tmp_path / "var"
    shutil.copytree(SAMPLE_INBOX, inbox)
    command = [ZHIBIAO, "run", "--inbox", str(inbox), "--var", str(var), "--json", "--wait", "240"]
    runs = [
        subprocess.Popen(command, env=process_env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]  # fmt: skip
    outputs = [run.communicate(timeout=300) for run in runs]
    for run, (_stdout, stderr) in zip(runs, outputs, strict=True):
        assert run.returncode == 0, stderr
    summaries = [json.loads(stdout.strip().splitlines()[-1]) for stdout, _ in outputs]

    # One run loaded the inbox; the other waited for it, then found nothing new.
    seen = summaries[0]["documents_seen"]
    assert sorted(s["documents_read"] for s in summaries) == [0, seen]
    loader = max(summaries, key=lambda s: s["documents_read"])
    assert sorted(s["facts_loaded"] for s in summaries) == [0, loader["facts_loaded"]]

    warehouse = var / "warehouse.duckdb"
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        facts = connection.execute("SELECT count(*) FROM fact_observation").fetchall()[0][0]
        assert facts == loader["facts_loaded"] > 0
        assert connection.execute(STAR_JOIN).fetchall()[0][0] == facts
        assert connection.execute("SELECT count(*) FROM dim_document").fetchall()[0][0] == seen
        assert connection.execute("SELECT count(*) FROM etl_run").fetchall()[0][0] == 2
    before = contents(warehouse)
    result = CliRunner().invoke(app, ["run", "--inbox", str(inbox), "--var", str(var), "--json"])
    assert result.exit_code == 0, result.output
    again = json.loads(result.stdout.strip().splitlines()[-1])
    assert (again["documents_unchanged"], again["facts_loaded"]) == (seen, 0)
    assert contents(warehouse) == before


def test_a_run_exits_1_while_another_writes_and_analysts_still_read(
    process_env: dict[str, str], tmp_path: Path
) -> None:
    inbox, var = tmp_path / "inbox", tmp_path / "var"
    shutil.copytree(SAMPLE_INBOX, inbox)
    result = CliRunner().invoke(app, ["run", "--inbox", str(inbox), "--var", str(var), "--quiet"])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""  # --quiet: nothing but errors
    facts = contents(var / "warehouse.duckdb")["fact_observation"]

    # This test plays a run in the middle of its load: the writer lock and the warehouse file.
    with (
        WriterLock(var).acquire(holder={"load_id": "20250101T020000-nightly"}),
        Warehouse(var / "warehouse.duckdb"),
    ):
        clock = time.monotonic()
        busy = zhibiao("run", "--inbox", str(inbox), "--var", str(var), env=process_env)
        assert busy.returncode == 1
        assert "another zhibiao run is writing" in busy.stderr
        assert "20250101T020000-nightly" in busy.stderr
        assert "--wait" in busy.stderr

        waited = zhibiao(
            "run", "--inbox", str(inbox), "--var", str(var), "--wait", "2", env=process_env
        )
        assert waited.returncode == 1
        assert "after waiting 2 s" in waited.stderr
        assert time.monotonic() - clock >= 2

        # Analysts read the published database meanwhile, from another process.
        read = zhibiao(
            "sql", "--var", str(var), "--csv",
            "SELECT count(*) AS n FROM v_indicator_latest", env=process_env,
        )  # fmt: skip
        assert read.returncode == 0, read.stderr
        assert int(read.stdout.splitlines()[1]) > 0

    assert contents(var / "warehouse.duckdb")["fact_observation"] == facts
