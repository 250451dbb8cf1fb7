"""Real `zhibiao run` processes, stopped at a named stage boundary and killed there, and the
checks every state a kill leaves must pass.

A run is started with ZHIBIAO_STAGE_LOG and ZHIBIAO_PAUSE_AT (flows/stages.py): it appends
each boundary it reaches to the log and stops at the one named, until the test either sends
SIGKILL to its process group (no cleanup of any kind runs) or lets it go on.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from warehouse.publish import verify_publication

ZHIBIAO = str(Path(sys.executable).with_name("zhibiao"))
REACH_SECONDS = 240.0
"""How long a run may take to reach its stage (a loaded CI machine starts Prefect slowly)."""
FACT_COLUMNS = (
    "fact_key, document_key, indicator_key, region_key, period_key, unit_key, measure, "
    "qualifier, denominator, value, value_base, is_approximate, evidence, evidence_start, "
    "evidence_end, raw_start, raw_end, warnings, extractor_version, catalog_version"
)
"""Every column of a fact but its lineage of the moment (load_id, loaded_at)."""
TABLES = ("fact_observation", "dim_document", "dim_period", "document_source",
          "quarantine_observation", "document_text", "rejected_document", "etl_run",
          "publication")  # fmt: skip
STAR_JOIN = """
SELECT count(*) FROM fact_observation
JOIN dim_document USING (document_key) JOIN dim_indicator USING (indicator_key)
JOIN dim_region USING (region_key) JOIN dim_period USING (period_key) JOIN dim_unit USING (unit_key)
"""


@dataclass
class Runs:
    """Runs of zhibiao on one inbox and state folder, against one Prefect server."""

    inbox: Path
    var: Path
    env: dict[str, str]
    logs: Path
    count: int = field(default=0)
    started: list[subprocess.Popen] = field(default_factory=list)

    def __enter__(self) -> Runs:
        return self

    def __exit__(self, *exc_info: object) -> None:
        """No run outlives the test, whatever failed: a run stopped at a stage would wait
        for its resume file for ever, in a session of its own."""
        for process in self.started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=60)

    def _start(self, pause_at: str | None) -> tuple[subprocess.Popen, Path, Path]:
        self.count += 1
        stage_log = self.logs / f"run-{self.count}.stages"
        output = self.logs / f"run-{self.count}.out"
        env = {**self.env, "ZHIBIAO_STAGE_LOG": str(stage_log)}
        if pause_at:
            env["ZHIBIAO_PAUSE_AT"] = pause_at
        with output.open("wb") as sink:
            process = subprocess.Popen(
                [ZHIBIAO, "run", "--inbox", str(self.inbox), "--var", str(self.var), "--json"],
                env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        self.started.append(process)
        return process, stage_log, output

    def run(self) -> dict:
        """A whole run, to its end: its JSON summary (exit 0 or 2 expected)."""
        process, _, output = self._start(None)
        code = process.wait(timeout=REACH_SECONDS)
        text = output.read_text(encoding="utf-8", errors="replace")
        assert code in (0, 2), f"run {self.count} exited {code}:\n{text}"
        return json.loads(text.strip().splitlines()[-1])

    def stopped_at(self, point: str) -> Stopped:
        """A run stopped at `point`, still alive."""
        process, stage_log, output = self._start(point)
        deadline = time.monotonic() + REACH_SECONDS
        while point not in reached(stage_log):
            if process.poll() is not None:
                text = output.read_text(encoding="utf-8", errors="replace")
                raise AssertionError(
                    f"the run ended ({process.returncode}) before {point}:\n{text}"
                )
            assert time.monotonic() < deadline, f"the run did not reach {point}"
            time.sleep(0.05)
        return Stopped(process, point, self.var, output)

    def kill_at(self, point: str) -> list[str]:
        """Start a run, SIGKILL it at `point`; the boundaries it had reached."""
        stopped = self.stopped_at(point)
        stopped.kill()
        return reached(self.logs / f"run-{self.count}.stages")


@dataclass
class Stopped:
    process: subprocess.Popen
    point: str
    var: Path
    output: Path

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        assert self.process.wait(timeout=60) == -signal.SIGKILL

    def resume(self) -> tuple[int, str]:
        """Let the run go on; its exit status and its output."""
        (self.var / f"resume-{self.point.replace(':', '-')}").touch()
        code = self.process.wait(timeout=REACH_SECONDS)
        (self.var / f"resume-{self.point.replace(':', '-')}").unlink()
        return code, self.output.read_text(encoding="utf-8", errors="replace")


def reached(stage_log: Path) -> list[str]:
    try:
        return [line.split()[0] for line in stage_log.read_text(encoding="utf-8").splitlines()]
    except FileNotFoundError:
        return []


def query(database: Path, sql: str) -> list[tuple]:
    # The analyst database's views name their files relative to it (VAR/exports).
    config = {"file_search_path": str(database.parent / "exports")}
    with duckdb.connect(str(database), read_only=True, config=config) as connection:
        return connection.sql(sql).fetchall()


def facts(database: Path, *, current: bool = False) -> list[tuple]:
    """Every fact of a warehouse or of an analyst database, lineage of the moment aside; with
    `current`, those of current documents only (retired ones are the history that led here)."""
    where = "WHERE document_key IN (SELECT document_key FROM v_current_document)" if current else ""
    return query(database, f"SELECT {FACT_COLUMNS} FROM fact_observation {where} ORDER BY fact_key")


def checksum(rows: list[tuple]) -> str:
    return hashlib.sha256(repr(rows).encode("utf-8")).hexdigest()[:16]


def warehouse_opens(var: Path) -> dict[str, int]:
    """The warehouse opens (read-only, as analysts' tools would), every table reads whole and
    every fact joins its five dimensions; the row count of each table."""
    database = var / "warehouse.duckdb"
    counts = {t: query(database, f"SELECT count(*) FROM {t}")[0][0] for t in TABLES}
    assert query(database, STAR_JOIN)[0][0] == counts["fact_observation"]
    return counts


def warehouse_load(var: Path) -> str | None:
    return query(
        var / "warehouse.duckdb",
        "SELECT max_by(load_id, started_at) FROM etl_run WHERE status = 'loaded'",
    )[0][0]


def exported_load(var: Path) -> str | None:
    try:
        manifest = json.loads((var / "exports" / "manifest.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return manifest["load_id"]


def publication_is_whole(var: Path) -> str | None:
    """The publication readers see is whole: its manifest matches its files (sizes, SHA-256,
    row counts) and its analyst database holds the same facts as its Parquet. Returns its
    load id (None before the first publication)."""
    load = exported_load(var)
    if load is None:
        return None
    folder = (var / "exports").resolve()
    assert verify_publication(folder) == [], verify_publication(folder)
    with duckdb.connect() as connection:
        exported = connection.sql(
            f"SELECT {FACT_COLUMNS} FROM read_parquet('{folder}/fact_observation/**/*.parquet', "
            "hive_partitioning = true) ORDER BY fact_key"
        ).fetchall()
    assert facts(var / "analyst.duckdb") == exported
    return load


def published_is_current(var: Path) -> str:
    """After a run: analysts see the warehouse's latest load (extracts, analyst database, the
    warehouse's record of it), fact for fact. Returns the checksum of the current facts."""
    latest = warehouse_load(var)
    assert publication_is_whole(var) == latest
    recorded = query(
        var / "warehouse.duckdb", "SELECT max_by(load_id, published_at) FROM publication"
    )[0][0]
    assert recorded == latest
    assert facts(var / "analyst.duckdb") == facts(var / "warehouse.duckdb")
    return checksum(facts(var / "analyst.duckdb", current=True))
