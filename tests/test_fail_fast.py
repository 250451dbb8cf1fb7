"""A run that cannot go ahead says why in one line, at once, before Prefect starts.

Each command runs as a real process whose Prefect API is an address nobody answers: a run
that got as far as starting Prefect or its flow would fail there instead (or hang), so each
test shows the check happened first, without timing anything."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_INBOX
from tests.test_writer_lock import HOLD_AND_WAIT

ZHIBIAO = str(Path(sys.executable).with_name("zhibiao"))
NOBODY = "http://127.0.0.1:9/api"  # the discard port: no Prefect server answers there


def zhibiao(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PREFECT_API_URL": NOBODY, **(env or {})}
    return subprocess.run(
        [ZHIBIAO, *args], env=environment, capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip


def test_a_second_writer_exits_1_naming_the_holder_before_prefect_starts(tmp_path: Path) -> None:
    var = tmp_path / "var"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_AND_WAIT, str(var)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        busy = zhibiao("run", "--inbox", str(SAMPLE_INBOX), "--var", str(var))
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        holder.stdout.close()
    assert busy.returncode == 1
    (line,) = busy.stderr.strip().splitlines()
    assert "another zhibiao run is writing" in line
    assert "doomed" in line and f"pid {holder.pid}" in line  # the holder's details
    assert "--wait" in line


def test_a_mistyped_inbox_exits_1_in_one_line_and_leaves_nothing_behind(tmp_path: Path) -> None:
    var = tmp_path / "var"
    result = zhibiao("run", "--inbox", str(tmp_path / "inbxo"), "--var", str(var))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [f"error: inbox {tmp_path / 'inbxo'} does not "
                                                  "exist (--inbox)"]  # fmt: skip
    assert not var.exists(), "no state folder, and no empty warehouse in it"


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("ZHIBIAO_BATCH_SIZE", "abc", "expected a whole number, at least 1"),
        ("ZHIBIAO_MAX_QUARANTINED_SHARE", "30%", "expected a fraction from 0 to 1"),
        ("ZHIBIAO_DUCKDB_MEMORY_LIMIT", "lots", "expected a size such as 400MB"),
    ],
)
def test_a_bad_setting_is_one_line_naming_the_variable_and_its_form(
    tmp_path: Path, variable: str, value: str, expected: str
) -> None:
    result = zhibiao("run", "--inbox", str(SAMPLE_INBOX), "--var", str(tmp_path / "var"),
                     env={variable: value})  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"error: {variable}={value!r} is not valid: {expected}"
        + (" or 2GB" if "400MB" in expected else "")
    ]


def test_the_traceback_comes_with_debug_only(tmp_path: Path) -> None:
    args = ("run", "--inbox", str(SAMPLE_INBOX), "--var", str(tmp_path / "var"))
    plain = zhibiao(*args, env={"ZHIBIAO_BATCH_SIZE": "abc"})
    debug = zhibiao(*args, "--debug", env={"ZHIBIAO_BATCH_SIZE": "abc"})
    assert "Traceback" not in plain.stderr
    assert "Traceback (most recent call last)" in debug.stderr
    assert debug.returncode == plain.returncode == 1
    assert debug.stderr.strip().splitlines()[-1] == plain.stderr.strip()


# Loaded by the run's interpreter at start-up (sitecustomize): the disk is full when DuckDB
# writes the history levels (before the load) or when the publication writes its facts.
FULL_DISK = """
import errno, json, os
import duckdb
import warehouse.publish, warehouse.store

where = os.environ["FULL_DISK_AT"]
if where == "load":
    def write_history_levels(self, path):
        detail = {"exception_type": "IO", "errno": "28",
                  "exception_message": f"Could not write file {path}: No space left on device"}
        raise duckdb.IOException(f"IO Error: Async write failed: {json.dumps(detail)}")
    warehouse.store.Warehouse.write_history_levels = write_history_levels
else:
    write_table = warehouse.publish._write_table
    def _write_table(connection, folder, table):
        if table == "fact_observation":
            raise OSError(errno.ENOSPC, "No space left on device")
        return write_table(connection, folder, table)
    warehouse.publish._write_table = _write_table
"""


@pytest.mark.slow
@pytest.mark.xdist_group("prefect")
@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("load", "the warehouse keeps its last committed load"),
        ("publish", "analysts are still on load none (nothing published yet)"),
    ],
)
def test_a_full_disk_is_one_line(
    prefect_harness, tmp_path: Path, where: str, expected: str
) -> None:
    from prefect.settings import get_current_settings

    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "sitecustomize.py").write_text(FULL_DISK, encoding="utf-8")
    result = zhibiao(
        "run", "--inbox", str(SAMPLE_INBOX), "--var", str(tmp_path / "var"),
        env={"PREFECT_API_URL": str(get_current_settings().api.url), "FULL_DISK_AT": where,
             "PYTHONPATH": str(tmp_path / "site")},
    )  # fmt: skip
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert "No space left on device" in line and expected in line
    assert "Traceback" not in result.stdout + result.stderr
