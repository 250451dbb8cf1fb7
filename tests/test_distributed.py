"""Batches on other processes give the warehouse a run in one process gives: Prefect's
process pool on this machine, and a real Dask cluster through prefect-dask."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from flows.nightly import nightly
from flows.synthetic import generate_reports, write_corpus
from tests.conftest import SAMPLE_INBOX

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("prefect")]

# Every row a run loads, without what names the run itself (load ids, timestamps).
CONTENTS = {
    "fact_observation": "SELECT * EXCLUDE (load_id, loaded_at) FROM fact_observation",
    "quarantine_observation": (
        "SELECT * EXCLUDE (load_id, quarantined_at) FROM quarantine_observation"
    ),
    "dim_document": "SELECT * EXCLUDE (load_id, ingested_at) FROM dim_document",
    "document_text": "SELECT * FROM document_text",
    "dim_period": "SELECT * FROM dim_period",
    "document_source": "SELECT * EXCLUDE (load_id, first_seen_at) FROM document_source",
}


def warehouse_contents(var: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(var / "warehouse.duckdb"), read_only=True) as connection:
        return {t: connection.sql(f"{q} ORDER BY ALL").fetchall() for t, q in CONTENTS.items()}


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample inbox and 30 generated reports."""
    inbox = tmp_path_factory.mktemp("distributed") / "inbox"
    shutil.copytree(SAMPLE_INBOX, inbox)
    write_corpus(inbox / "generated", generate_reports(30, seed=8))
    return inbox


BATCH_SIZE = "15"
"""The gate compares a fact with the others of its batch: every run here cuts the same
batches, so only where they run differs."""


@pytest.fixture(scope="module")
def serial(prefect_harness, inbox: Path) -> dict[str, list[tuple]]:
    var = inbox.parent / "var-serial"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ZHIBIAO_BATCH_SIZE", BATCH_SIZE)
        summary = nightly(inbox=str(inbox), var=str(var), workers=1)
    assert summary["status"] == "loaded" and summary["facts_loaded"] > 1000
    return warehouse_contents(var)


def test_batches_in_worker_processes_load_what_one_process_loads(
    serial, inbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZHIBIAO_BATCH_SIZE", BATCH_SIZE)
    monkeypatch.setenv("ZHIBIAO_PARALLEL_MIN_DOCUMENTS", "1")
    var = inbox.parent / "var-processes"
    summary = nightly(inbox=str(inbox), var=str(var), workers=2)
    assert summary["status"] == "loaded"
    assert warehouse_contents(var) == serial


def test_a_dask_cluster_runs_the_batches_and_loads_the_same_warehouse(
    serial, inbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from distributed import Client, LocalCluster

    monkeypatch.setenv("ZHIBIAO_BATCH_SIZE", BATCH_SIZE)
    var = inbox.parent / "var-dask"
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                     dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):  # fmt: skip
        summary = nightly(inbox=str(inbox), var=str(var), dask_address=cluster.scheduler_address)
        # The batches ran on the cluster's workers, not in this process.
        assert sum(client.run(lambda: 1).values()) == 2
        tasks = client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.transition_log))
        assert tasks > 0
    assert summary["status"] == "loaded"
    assert warehouse_contents(var) == serial
