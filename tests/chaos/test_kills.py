"""SIGKILL a real run at every stage boundary, and check what each kill leaves.

One state folder goes through the night after night: before each killed run, new documents
arrive (two, so that a run has two batches: ZHIBIAO_BATCH_SIZE=1); the run is killed at its
stage; then the next run goes to its end. After each kill:

- the warehouse opens and every fact joins its dimensions, holding either the state before
  the killed run (killed before its commit) or the whole of it (killed after);
- the publication readers see is whole (its manifest matches every Parquet file's size,
  SHA-256 and rows; its analyst database reads the same facts), and is the previous load
  until the switch, the new one after it;
- after the next run, the published load is the warehouse's latest load, in the extracts,
  in analyst.duckdb and in the warehouse's own record, fact for fact.

At the end, the warehouse equals the one an uninterrupted run makes of the same inbox, fact
for fact (values, evidence, warnings), and so does what analysts see.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.chaos.harness import (
    Runs,
    checksum,
    exported_load,
    facts,
    publication_is_whole,
    published_is_current,
    warehouse_load,
    warehouse_opens,
)
from tests.conftest import SAMPLE_INBOX

pytestmark = [pytest.mark.slow, pytest.mark.chaos, pytest.mark.xdist_group("chaos")]

KILL_POINTS = (
    "run:locked",  # lock taken, Prefect not started
    "ingest:planned",
    "batch:00000",
    "batch:00001",
    "load:staged",
    "load:before_commit",  # inside the load's transaction, everything written
    "load:committed",
    "publish:table:fact_observation",  # half of the publication's tables written
    "publish:analyst_db",
    "publish:manifest",  # the publication complete, readers not switched yet
    "publish:switched",  # readers switched, the warehouse not told yet
    "publish:recorded",
    "run:finished",
)
COMMITTED_AFTER = KILL_POINTS.index("load:committed")
SWITCHED_AFTER = KILL_POINTS.index("publish:switched")


def chaos_env(prefect_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "PREFECT_API_URL": prefect_url,
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "DO_NOT_TRACK": "1",
        "ZHIBIAO_BATCH_SIZE": "1",
        "ZHIBIAO_WORKERS": "1",
        "ZHIBIAO_TASK_RETRIES": "0",
    }


def test_a_run_killed_at_any_stage_leaves_a_whole_state_and_the_next_run_catches_up(
    prefect_url: str, tmp_path: Path
) -> None:
    documents = sorted(SAMPLE_INBOX.glob("*.txt"))
    assert len(documents) >= 2 + len(KILL_POINTS) // 2, "the sample inbox is too small"
    (tmp_path / "logs").mkdir()
    with Runs(
        tmp_path / "inbox", tmp_path / "var", chaos_env(prefect_url), tmp_path / "logs"
    ) as runs:
        night_after_night(runs, documents, tmp_path)


def night_after_night(runs: Runs, documents: list[Path], tmp_path: Path) -> None:
    runs.inbox.mkdir()
    arriving = iter(documents)
    shutil.copy(next(arriving), runs.inbox)
    runs.run()
    report = []
    for number, point in enumerate(KILL_POINTS):
        before_facts = facts(runs.var / "warehouse.duckdb")
        before_load = warehouse_load(runs.var)
        for document in (next(arriving, None), next(arriving, None)):
            if document is not None:
                shutil.copy(document, runs.inbox)
            else:  # the sample ran out: a changed file is new work too
                changed = sorted(runs.inbox.glob("*.txt"))[number % 3]
                changed.write_text(changed.read_text(encoding="utf-8") + f"\n补记{number}。")

        stages = runs.kill_at(point)

        assert stages[-1] == point
        warehouse_opens(runs.var)
        after_kill = facts(runs.var / "warehouse.duckdb")
        if number < COMMITTED_AFTER:
            assert after_kill == before_facts, f"{point}: the warehouse changed"
            assert warehouse_load(runs.var) == before_load
        else:
            assert warehouse_load(runs.var) != before_load, f"{point}: the load is missing"
        seen = publication_is_whole(runs.var)
        assert seen == (warehouse_load(runs.var) if number >= SWITCHED_AFTER else before_load)

        summary = runs.run()  # the next night
        warehouse_opens(runs.var)
        assert summary["published_load_id"] == summary["load_id"] == warehouse_load(runs.var)
        if number >= COMMITTED_AFTER:
            assert summary["documents_read"] == 0, f"{point}: the killed run's load was lost"
            assert facts(runs.var / "warehouse.duckdb") == after_kill
        report.append((point, published_is_current(runs.var)))

    # An uninterrupted night over the same inbox makes the same warehouse, fact for fact.
    (tmp_path / "reference-logs").mkdir()
    with Runs(
        runs.inbox, tmp_path / "reference-var", runs.env, tmp_path / "reference-logs"
    ) as reference:
        reference.run()
    final = facts(runs.var / "warehouse.duckdb", current=True)
    assert final == facts(reference.var / "warehouse.duckdb", current=True)
    assert published_is_current(reference.var) == published_is_current(runs.var) == checksum(final)
    assert exported_load(runs.var) == warehouse_load(runs.var)
    print("\n".join(f"killed at {point}: published facts {sums}" for point, sums in report))
