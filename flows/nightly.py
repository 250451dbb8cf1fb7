"""The Prefect flow `nightly`: ingest -> extract/conform/validate (in batches) -> load -> publish.

This module only wires: each task hands its work to a function of `flows.ingest`,
`flows.batch`, `flows.run_summary` or `warehouse`, which tests call without Prefect. A task
takes a batch of hundreds of documents, never one (Prefect costs ~10 ms per task). Tasks
retry transient errors only (`transforms.errors`, `flows.errors`); one writer at a time holds
VAR for the whole run (`warehouse.lock`), taken by `zhibiao run` before Prefect starts.
The stages are named (`flows.stages`): ingest, batches, load, publish, report.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.states import Failed, State

from expectations.gate import warm_up_gate
from flows import batch, progress, stages
from flows.cross_checks import rechecker
from flows.errors import disk_full, retry_if_transient
from flows.ingest import RunPlan, plan_inbox
from flows.preflight import check_folders, take_writer_lock
from flows.reporting import write_run_report
from flows.run_log import run_log, run_log_path
from flows.run_summary import RunSummary, RunTally, new_load_id, tally_run
from flows.runners import batch_runner, runs_in_parallel
from flows.settings import Settings, run_settings
from transforms.catalog import load_catalog
from transforms.conform import SourceDocument
from transforms.errors import TerminalError
from transforms.extract import EXTRACTOR_VERSION
from warehouse.publication_state import (
    PublicationStatus,
    publication_status,
    publish_load,
    unchanged_tables,
)
from warehouse.publish import PUBLISHED_TABLES, PUBLISHED_VIEWS, Publication
from warehouse.report.render import QUALITY_PAGE
from warehouse.staging import StagingArea
from warehouse.store import RunRecord, Warehouse, WarehouseBusy

ARTIFACT_KEY = "nightly-run-summary"


@task(name="ingest", cache_policy=NO_CACHE, retry_condition_fn=retry_if_transient)
def ingest_task(settings: Settings, warehouse: Warehouse) -> RunPlan:
    return plan_inbox(settings, warehouse)


@task(name="extract-conform-validate", cache_policy=NO_CACHE, retry_condition_fn=retry_if_transient)
def batch_task(files: list, settings: Settings, context: batch.BatchContext) -> batch.PreparedBatch:
    # The quality gate runs in the flow's process (`_extract_batches`), which then reaches
    # `batch:<part>`.
    with progress.counted_in(context.progress_file):
        return batch.hand_over(batch.prepare_batch(files, context), context)


@task(name="reextract-conform-validate", cache_policy=NO_CACHE,
      retry_condition_fn=retry_if_transient)  # fmt: skip
def reextract_task(
    documents: list, warehouse: Warehouse, settings: Settings, context: batch.BatchContext
) -> batch.BatchResult:
    result = batch.reextract_batch(documents, warehouse, context)
    stages.reached(settings, f"batch:{context.part}")
    return result


@task(name="load", cache_policy=NO_CACHE, retry_condition_fn=retry_if_transient)
def load_task(
    warehouse: Warehouse, settings: Settings, staging: StagingArea, sources, run: RunRecord
) -> dict:
    catalog = load_catalog()
    return warehouse.load(
        staging, batch.dimension_frames(catalog), sources, run, recheck=rechecker(catalog),
        on_step=stages.reporter(settings),
    )  # fmt: skip


@task(name="publish", cache_policy=NO_CACHE, retry_condition_fn=retry_if_transient)
def publish_task(
    warehouse: Warehouse, settings: Settings, load_id: str, flow_run_id: str | None,
    before: PublicationStatus, unchanged: tuple[str, ...] = (),
) -> Publication:  # fmt: skip
    return publish_load(
        warehouse.connection, settings.var, load_id, before=before, unchanged=unchanged,
        flow_run_id=flow_run_id, publish_url=settings.publish_url,
        on_table=lambda _table: progress.advance("publish"), on_step=stages.reporter(settings),
    )  # fmt: skip


@flow(name="nightly", log_prints=False)
def nightly(
    inbox: str = "data/inbox",
    var: str = "var",
    full_refresh: bool = False,
    reextract: bool = False,
    wait_seconds: float = 0.0,
    dask_address: str | None = None,
    workers: int | None = None,
    load_id: str | None = None,
) -> dict[str, object] | State:
    """Load every new or changed document of the inbox into the warehouse under `var`.

    full_refresh: read and extract every file again. reextract: extract every current
    document again from its stored text. wait_seconds: how long to wait for another run.
    dask_address: run the extraction batches on this Dask scheduler. workers: local
    processes for them (default ZHIBIAO_WORKERS, the machine's cores). load_id: this run's
    id (default: a new one), which names its log, VAR/logs/<load_id>.log.
    """
    try:
        settings = run_settings(
            inbox=inbox, var=var, full_refresh=full_refresh, reextract=reextract,
            wait_seconds=wait_seconds, dask_address=dask_address, workers=workers,
        )  # fmt: skip
        try:
            summary = run_nightly(settings, load_id or new_load_id())
        except (OSError, duckdb.Error, pl.exceptions.PolarsError) as error:
            full = disk_full(error, settings.var)
            if full is None:
                raise
            raise full from error
    except (WarehouseBusy, TerminalError) as error:
        # Expected failures (another run holds VAR, a bad setting, a full disk, a publish
        # that failed): no defect, so no traceback; this run ends Failed with the message,
        # and calling the flow raises the error for the command line to report in one line.
        return Failed(message=str(error), data=error)
    create_markdown_artifact(
        markdown=summary.as_markdown(),
        key=ARTIFACT_KEY,
        description=f"zhibiao nightly {summary.load_id}: {summary.status}",
    )
    return summary.as_json()


def _mode(settings: Settings) -> str:
    if settings.full_refresh:
        return "full_refresh"
    return "reextract" if settings.reextract else "incremental"


def _with_retries(settings: Settings, *tasks):
    """The tasks with this run's retry policy (read at run time, never at import)."""
    return [
        t.with_options(retries=settings.task_retries,
                       retry_delay_seconds=settings.retry_delay_seconds)
        for t in tasks
    ]  # fmt: skip


def run_nightly(settings: Settings, load_id: str) -> RunSummary:
    logger = get_run_logger()
    started = time.time()
    deadline = time.monotonic() + settings.wait_seconds
    check_folders(settings)
    holder = {"load_id": load_id, "flow_run_id": str(flow_run.id) if flow_run.id else None}
    with (
        run_log(run_log_path(settings.var, load_id)),
        take_writer_lock(settings, holder, logger),
        Warehouse.open_waiting(
            settings.warehouse_path, deadline=deadline, memory_limit=settings.duckdb_memory_limit
        ) as warehouse,
    ):
        return _run_locked(settings, warehouse, load_id, started, logger)


def _run_locked(
    settings: Settings, warehouse: Warehouse, load_id: str, started: float, logger
) -> RunSummary:
    stage_seconds: Counter[str] = Counter()
    flow_run_id = str(flow_run.id) if flow_run.id else None
    catalog = load_catalog()
    before = publication_status(warehouse.connection, settings.var)
    if not before.is_current:
        logger.warning("the publication is behind (%s): this run publishes again, whole",
                       before.describe())  # fmt: skip

    clock = time.perf_counter()
    plan, stored = _ingest(settings, warehouse, logger)
    stage_seconds["ingest"] = time.perf_counter() - clock
    if plan.scanned_ahead_seconds:
        # Before the flow started, while Prefect's server booted (`zhibiao run`).
        stage_seconds["scan_ahead"] = plan.scanned_ahead_seconds
    staging = StagingArea(settings.staging_dir).reset()
    batch.stage_scan_rejections(staging, plan.rejections, load_id)
    clock = time.perf_counter()
    history = batch.stage_history(staging, warehouse) if plan.to_read or stored else None
    stage_seconds["history"] = time.perf_counter() - clock
    clock = time.perf_counter()
    results = _extract_batches(settings, warehouse, plan, stored, staging, load_id, history)
    # The stages above add up seconds of every batch; this is the wall time they took.
    stage_seconds["batches_wall"] = time.perf_counter() - clock

    tally = tally_run(
        plan, results, reextracted=len(stored), gate_min_facts=settings.gate_min_facts,
        max_quarantined_share=settings.max_quarantined_share,
    )  # fmt: skip
    stage_seconds.update(tally.stage_seconds)
    run = RunRecord(
        load_id=load_id,
        flow_run_id=flow_run_id,
        started_at=started,
        status="held_back" if tally.held_back else "loaded",
        counts=tally.counts,
        extractor_version=EXTRACTOR_VERSION,
        catalog_version=catalog.version,
        stage_seconds=dict(stage_seconds),
        mode=_mode(settings),
    )
    summary = _summary(settings, run, tally)
    summary.log = run_log_path(settings.var, load_id)
    if tally.held_back:
        logger.error(
            "quality gate: %d of %d candidate facts failed critical expectations "
            "(limit %.0f%%): nothing of this run is loaded",
            tally.counts["facts_quarantined"], tally.counts["facts_candidates"],
            settings.max_quarantined_share * 100,
        )  # fmt: skip
        warehouse.record_held_back(run)
        if before.warehouse_load and not before.is_current:
            _publish(settings, warehouse, summary, before.warehouse_load, before, (), stage_seconds)
    else:
        outcome = _load(settings, warehouse, staging, tally, run, stage_seconds)
        summary.counts["documents_retired"] = outcome["documents_retired"]
        unchanged = unchanged_tables(
            len(plan.to_read) + len(stored),
            outcome["reviews_applied"] + outcome["warnings_changed"],
        )
        _publish(settings, warehouse, summary, load_id, before, unchanged, stage_seconds)
        # The report's processes get the memory the load's cached blocks held.
        warehouse.release_memory()
        progress.start("report")
        stage_seconds["report"] = write_run_report(settings, summary, logger)
        progress.finish("report")
    staging.clear()
    summary.seconds = time.time() - started
    summary.stage_seconds = dict(stage_seconds)
    # The quality gate's results are the report's quality pages (GX Data Docs loaded their
    # assets from a CDN and kept one batch); earlier versions' Data Docs go.
    shutil.rmtree(settings.var / "data_docs", ignore_errors=True)
    quality = settings.var / "report" / QUALITY_PAGE
    summary.data_docs = quality if quality.exists() else None
    warehouse.finish_run(load_id, summary.seconds, summary.stage_seconds)
    stages.reached(settings, "run:finished")
    return summary


def _ingest(
    settings: Settings, warehouse: Warehouse, logger: logging.Logger
) -> tuple[RunPlan, list[SourceDocument]]:
    """The ingest stage: the inbox scanned and planned; the stored documents to extract again."""
    (ingest,) = _with_retries(settings, ingest_task)
    plan = ingest(settings, warehouse)
    stored = reextract_plan(plan, warehouse) if settings.reextract else []
    if settings.reextract and (missing := warehouse.documents_without_text()):
        logger.warning(
            "%d current documents were loaded before texts were stored: "
            "only `zhibiao run --full-refresh` extracts them again", missing,
        )  # fmt: skip
    logger.info(
        "%d files in %s: %d to read, %d to extract again from stored text",
        plan.counts["documents_seen"], settings.inbox, len(plan.to_read), len(stored),
    )  # fmt: skip
    stages.reached(settings, "ingest:planned")
    return plan, stored


def reextract_plan(plan: RunPlan, warehouse: Warehouse) -> list[SourceDocument]:
    """The current documents to extract again from their stored text: all but those this
    run reads from the inbox anyway."""
    reading = {f.content_sha256 for f in plan.to_read}
    return [
        SourceDocument(**row)
        for row in warehouse.reextractable_documents().iter_rows(named=True)
        if row["content_sha256"] not in reading
    ]


def _extract_batches(
    settings: Settings,
    warehouse: Warehouse,
    plan: RunPlan,
    stored: list[SourceDocument],
    staging: StagingArea,
    load_id: str,
    history: Path | None,
) -> list[batch.BatchResult]:
    """The batch stage: every file to read and every stored document to extract again, in
    batches, each staged as Parquet."""
    batch_run, reextract = _with_retries(settings, batch_task, reextract_task)
    progress.start("extract", total=len(plan.to_read) + len(stored))
    parallel = runs_in_parallel(settings, len(plan.to_read))
    workers = max(settings.workers, 2) if parallel else 1
    batches = batch.batch_documents(plan.to_read, settings.batch_size, workers)
    # Worker processes count the documents they finish in files the flow follows.
    counts = staging.root / "progress"
    if batches or stored:
        # Great Expectations takes seconds to set up; the flow's process, idle while the
        # workers extract, does it once for every batch's gate and the load's recheck.
        threading.Thread(target=warm_up_gate, name="gate-warm-up", daemon=True).start()
    with (
        batch_runner(settings, len(batches) if parallel else 1) as runner,
        progress.following("extract", counts),
    ):
        # Each future with the context of the batch the flow gates (None: gated in its task).
        futures: list[tuple[Any, batch.BatchContext | None]] = []
        for number, files in enumerate(batches):
            context = batch.BatchContext(
                staging,
                f"{number:05d}",
                load_id,
                history,
                progress_file=counts / f"{number:05d}" if runner else None,
            )
            parameters = {"files": files, "settings": settings, "context": context}
            submitted = (
                runner.submit(batch_run, parameters) if runner else batch_run.submit(**parameters)
            )
            futures.append((submitted, context))
        # Re-extraction reads stored texts through the flow's warehouse connection: threads.
        for number, documents in enumerate(batch.chunk(stored, settings.batch_size)):
            context = batch.BatchContext(staging, f"re{number:05d}", load_id, history)
            futures.append((reextract.submit(documents, warehouse, settings, context), None))
        results: list[batch.BatchResult] = []
        waiting: list[tuple[batch.PreparedBatch, batch.BatchContext]] = []
        for place, (future, gate_context) in enumerate(futures):
            outcome = future.result()
            if gate_context is None:
                results.append(outcome)
                continue
            # Gated here, in submission order, while the workers go on with later batches;
            # one per worker at once, since they finish about together, and a validation
            # costs mostly the same for one batch or several (`batch.finish_batches`).
            waiting.append((outcome, gate_context))
            next_is_gated = place + 1 < len(futures) and futures[place + 1][1] is not None
            if len(waiting) == workers or not next_is_gated:
                results.extend(batch.finish_batches(waiting))
                for _, context in waiting:
                    stages.reached(settings, f"batch:{context.part}")
                waiting = []
    progress.finish("extract")
    return results


def _summary(settings: Settings, run: RunRecord, tally: RunTally) -> RunSummary:
    return RunSummary(
        load_id=run.load_id,
        status=run.status,
        counts=run.counts,
        seconds=0.0,
        stage_seconds={},
        warehouse=settings.warehouse_path,
        rejections=tally.rejections,
        failed_expectations=tally.quarantined_by,
        flow_run_id=run.flow_run_id,
        mode=run.mode,
        versions={"extractor": run.extractor_version, "catalog": run.catalog_version},
    )


def _load(
    settings: Settings,
    warehouse: Warehouse,
    staging: StagingArea,
    tally: RunTally,
    run: RunRecord,
    stage_seconds: Counter[str],
) -> dict:
    """The load stage: every staged row in one transaction."""
    (load,) = _with_retries(settings, load_task)
    clock = time.perf_counter()
    stages.reached(settings, "load:staged")
    progress.start("load")
    outcome = load(warehouse, settings, staging, tally.sources, run)
    progress.finish("load")
    stages.reached(settings, "load:committed")
    stage_seconds["load"] = time.perf_counter() - clock
    return outcome


def _publish(
    settings: Settings,
    warehouse: Warehouse,
    summary: RunSummary,
    load_id: str,
    before: PublicationStatus,
    unchanged: tuple[str, ...],
    stage_seconds: Counter[str],
) -> None:
    """The publish stage: the warehouse as of `load_id` to VAR/exports and VAR/analyst.duckdb,
    recorded in the warehouse."""
    (publish,) = _with_retries(settings, publish_task)
    clock = time.perf_counter()
    progress.start("publish", total=len(PUBLISHED_TABLES + PUBLISHED_VIEWS))
    publication = publish(warehouse, settings, load_id, summary.flow_run_id, before, unchanged)
    progress.finish("publish")
    stage_seconds["publish"] = time.perf_counter() - clock
    summary.exports = publication.exports_dir
    summary.analyst_db = publication.analyst_db
    summary.published_load_id = load_id
