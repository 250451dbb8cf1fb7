"""Runs people can watch, through real `zhibiao` processes: the first line before Prefect
starts, the true wall time, nothing on the terminal under --quiet, a log file per run,
`zhibiao status`, the quality gate's pages offline and for every batch; and progress that
worker processes report document by document."""

from __future__ import annotations

import io
import json
import logging
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from rich.console import Console
from rich.progress import Progress
from typer.testing import CliRunner

from flows import progress
from flows.cli import app
from flows.run_log import console_handler, route_to

REPO = Path(__file__).resolve().parents[1]
ZHIBIAO = Path(sys.executable).with_name("zhibiao")
SAMPLE = sorted((REPO / "data" / "inbox").glob("*.txt"))[:3]
CLI_KEYS = {
    "documents_seen", "documents_new", "documents_changed", "documents_unchanged",
    "documents_removed", "documents_rejected", "facts_loaded", "facts_quarantined", "seconds",
}  # fmt: skip


def zhibiao(*arguments: str, **options) -> subprocess.Popen:
    env = {**os.environ, "COLUMNS": "200", **options.pop("env", {})}
    return subprocess.Popen(
        [str(ZHIBIAO), *arguments], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=env, **options,
    )  # fmt: skip


def first_line(stream, timeout: float) -> str | None:
    """The first line of `stream`, or None if none came within `timeout` seconds."""
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return lines[0] if lines else None


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Three runs by hand on one state folder, as a person would: paused at its start,
    then with --json, then with --quiet after analysts' files went missing."""
    root = tmp_path_factory.mktemp("watched")
    inbox, var = root / "inbox", root / "var"
    inbox.mkdir()
    for path in SAMPLE:
        shutil.copy(path, inbox)
    seen: dict = {}

    # 1. Paused where the writer lock is taken, before Prefect is imported.
    # One document per batch: the quality gate validates three batches.
    paused = {"ZHIBIAO_PAUSE_AT": "run:locked", "ZHIBIAO_BATCH_SIZE": "1"}
    process = zhibiao("run", "--inbox", str(inbox), "--var", str(var), env=paused)
    seen["first_line"] = first_line(process.stdout, timeout=60)
    seen["paused_files"] = sorted(p.name for p in var.iterdir())
    (var / "resume-run-locked").touch()
    out, err = process.communicate(timeout=300)
    seen["first"] = (process.returncode, out, err)

    # 2. --json, timed from outside.
    clock = time.monotonic()
    process = zhibiao("run", "--inbox", str(inbox), "--var", str(var), "--json")
    out, err = process.communicate(timeout=300)
    seen["wall"] = time.monotonic() - clock
    seen["json"] = (process.returncode, out, err)

    # 3. --quiet, with the publication gone: the run warns that it publishes again.
    (var / "exports").unlink()
    process = zhibiao("run", "--inbox", str(inbox), "--var", str(var), "--quiet")
    out, err = process.communicate(timeout=300)
    seen["quiet"] = (process.returncode, out, err)
    seen["var"] = var
    return seen


def test_the_first_line_says_what_runs_where_before_prefect_starts(runs) -> None:
    line = runs["first_line"]
    assert line is not None, "no line while the run waited before Prefect's import"
    var = runs["var"]
    assert line.startswith("zhibiao run ") and f"-> {var}" in line and "inbox" in line
    assert f"log {var}/logs/" in line
    # Nothing of Prefect's yet: the process was still before its import when it printed.
    assert "warehouse.duckdb" not in runs["paused_files"]
    code, out, _ = runs["first"]
    assert code == 0
    assert f"log        {var}/logs/" in out


def test_the_summary_seconds_are_the_wall_time_with_the_stages_beside(runs) -> None:
    code, out, _ = runs["json"]
    assert code == 0
    summary = json.loads(out.strip().splitlines()[-1])
    assert set(summary) >= CLI_KEYS  # the stable keys stay
    # Measured from outside, the process took a little longer than it says (it cannot see
    # the fork and exec before it); before, `seconds` left out Prefect's start-up.
    assert 0.8 * runs["wall"] <= summary["seconds"] <= runs["wall"]
    assert summary["flow_seconds"] < summary["seconds"]
    stages = summary["stage_seconds"]
    assert {"startup", "ingest", "batches_wall", "publish", "report"} <= set(stages)
    # Without a Prefect API the run starts a temporary server and scans the inbox meanwhile.
    ahead = stages.get("scan_ahead", 0.0)
    assert ahead > 0 or "PREFECT_API_URL" in os.environ
    outside_the_flow = summary["seconds"] - summary["flow_seconds"]
    assert stages["startup"] == pytest.approx(outside_the_flow - ahead, abs=0.01)


def test_quiet_prints_nothing_and_the_run_log_keeps_everything(runs) -> None:
    code, out, err = runs["quiet"]
    assert code == 0
    assert (out, err) == ("", "")
    logs = sorted((runs["var"] / "logs").glob("*.log"))
    assert len(logs) == 3, "every run writes VAR/logs/<load_id>.log"
    last = logs[-1].read_text(encoding="utf-8")
    assert "the publication is behind" in last  # the warning the terminal did not show
    assert "prefect.flow_runs" in last


def test_status_shows_the_last_runs_what_is_published_and_the_quarantine(runs) -> None:
    var = runs["var"]
    result = CliRunner().invoke(app, ["status", "--var", str(var), "--json"])
    assert result.exit_code == 0, result.output
    state = json.loads(result.stdout)
    assert len(state["runs"]) == 3
    assert all(run["log"] and Path(run["log"]).is_file() for run in state["runs"])
    assert state["publication_current"] is True
    assert state["published_load"] == state["runs"][0]["load_id"] == state["warehouse_load"]
    assert state["writing"] is None
    assert "pending" not in state["quarantine"] or state["quarantine"]["pending"] >= 0

    shown = CliRunner().invoke(app, ["status", "--var", str(var)], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    assert state["runs"][2]["load_id"] in shown.stdout
    assert f"published  load {state['published_load']}" in shown.stdout
    assert ": current" in shown.stdout and "quarantine " in shown.stdout


def test_status_says_when_the_publication_is_behind(runs, tmp_path: Path) -> None:
    var = tmp_path / "var"
    shutil.copytree(runs["var"], var, symlinks=True)
    (var / "exports").unlink()
    result = CliRunner().invoke(app, ["status", "--var", str(var), "--json"])
    state = json.loads(result.stdout)
    assert state["publication_current"] is False and state["published_load"] is None


class Recorder:
    def __init__(self) -> None:
        self.advances: list[tuple[str, int, float]] = []

    def start(self, stage: str, total: int | None = None) -> None:
        pass

    def advance(self, stage: str, amount: int = 1) -> None:
        self.advances.append((stage, amount, time.monotonic()))

    def finish(self, stage: str) -> None:
        pass


def _worker(path: str, documents: int) -> None:
    with progress.counted_in(Path(path)):
        for _ in range(documents):
            time.sleep(0.4)  # a document's work
            progress.advance("extract")


def test_worker_processes_report_each_document_as_they_go(tmp_path: Path) -> None:
    folder = tmp_path / "progress"
    recorder = Recorder()
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=_worker, args=(str(folder / f"{n:05d}"), 4)) for n in range(2)
    ]
    with progress.reporting(recorder), progress.following("extract", folder):
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(60)
    assert [w.exitcode for w in workers] == [0, 0]
    assert sum(amount for _, amount, _ in recorder.advances) == 8
    # Seen as they went: several steps while the workers ran, not one jump at the end.
    assert len(recorder.advances) >= 3
    assert max(amount for _, amount, _ in recorder.advances) < 8


def test_library_records_reach_the_terminal_through_one_handler_above_the_bars() -> None:
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=120)
    root = logging.getLogger()
    before = list(root.handlers), root.level
    handler = console_handler(console, logging.WARNING)
    try:
        route_to(handler)
        with Progress(console=console) as bars:
            bars.add_task("reading and extracting", total=10)
            logging.getLogger("great_expectations.data_context").info("Created temporary dir")
            logging.getLogger("great_expectations.core").warning("a GX warning")
    finally:
        root.handlers[:], _ = before[0], root.setLevel(before[1])
    text = screen.getvalue()
    assert "Created temporary dir" not in text
    assert "a GX warning" in text


REMOTE = re.compile(
    r"""(?:\b(?:src|href)\s*=\s*["']?|url\(\s*["']?|@import\s+["'])(?:https?:)?//""", re.I
)


def test_no_page_a_run_writes_references_a_remote_url(runs) -> None:
    pages = sorted(runs["var"].rglob("*.html"))
    assert any(p.name == "quality.html" for p in pages)
    remote = {
        str(page.relative_to(runs["var"])): REMOTE.findall(page.read_text(encoding="utf-8"))
        for page in pages
    }
    assert {page: found for page, found in remote.items() if found} == {}


def test_the_quality_page_has_every_batch_of_every_run(runs) -> None:
    var = runs["var"]
    _, out, _ = runs["json"]
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["data_docs"] == str(var / "report" / "quality.html")  # the key stays
    first_load = sorted((var / "logs").glob("*.log"))[0].stem
    result = CliRunner().invoke(
        app, ["sql", "--var", str(var), "--format", "json",
              f"SELECT max(element_count) AS checked, any_value(facts_candidates) AS facts "
              f"FROM v_quality WHERE load_id = '{first_load}'"],
    )  # fmt: skip
    (row,) = json.loads(result.stdout.splitlines()[0])
    # Three batches of one document each: the page counts the facts of all three.
    assert row["checked"] == row["facts"] > 0
    page = (var / "report" / "quality.html").read_text(encoding="utf-8")
    assert f"run-{first_load}" in page
    assert f'<td class="num">{row["checked"]:,}</td>' in page
