"""The Prefect flow `nightly`: ingest -> extract/conform/validate (in batches) -> load -> publish.

Tasks are thin: each hands its work to `flows.pipeline`, which tests call without Prefect.
A task takes a batch of hundreds of documents, never one (Prefect costs ~10 ms per task).
Tasks retry transient errors only (`transforms.errors`, `flows.errors`); one writer at a
time holds VAR for the whole run (`warehouse.lock`).
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.states import Failed, State
from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner

from flows import pipeline, progress
from flows.errors import retry_if_transient
from flows.ingest import RunPlan
from flows.settings import Settings
from transforms.catalog import load_catalog
from transforms.extract import EXTRACTOR_VERSION
from warehouse.lock import WriterLock
from warehouse.publish import PUBLISHED_TABLES
from warehouse.staging import StagingArea
from warehouse.store import RunRecord, Warehouse, WarehouseBusy

ARTIFACT_KEY = "nightly-run-summary"


@task(name="ingest", cache_policy=NO_CACHE, retry_condition_fn=retry_if_transient)
def ingest_task(settings: Settings, warehouse: Warehouse) -> RunPlan:
    return pipeline.plan_inbox(settings, warehouse)


@task(name="extract-conform-validate", cache_policy=NO_CACHE, retry_condition_fn=retry_if_transient)
def batch_task(
    files: list, staging: StagingArea, part: str, load_id: str, history, docs_dir: Path
) -> pipeline.BatchResult:
    return pipeline.process_batch(
        files, staging=staging, part=part, load_id=load_id, history=history, docs_dir=docs_dir
    )


@task(name="reextract-conform-validate", cache_policy=NO_CACHE,
      retry_condition_fn=retry_if_transient)  # fmt: skip
def reextract_task(
    documents: list, warehouse: Warehouse, staging: StagingArea, part: str, load_id: str,
    history, docs_dir: Path,
) -> pipeline.BatchResult:  # fmt: skip
    return pipeline.reextract_batch(
        documents, warehouse, staging=staging, part=part, load_id=load_id, history=history,
        docs_dir=docs_dir,
    )  # fmt: skip


@task(name="load", cache_policy=NO_CACHE, retry_condition_fn=retry_if_transient)
def load_task(warehouse: Warehouse, staging: StagingArea, sources, run: RunRecord) -> dict:
    return warehouse.load(staging, pipeline.dimension_frames(load_catalog()), sources, run)


@task(name="publish", cache_policy=NO_CACHE, retry_condition_fn=retry_if_transient)
def publish_task(
    warehouse: Warehouse, settings: Settings, load_id: str, flow_run_id: str | None,
    unchanged: tuple[str, ...] = (),
):  # fmt: skip
    return pipeline.publish_warehouse(warehouse, settings, load_id, flow_run_id, unchanged)


@flow(name="nightly", log_prints=False)
def nightly(
    inbox: str = "data/inbox",
    var: str = "var",
    full_refresh: bool = False,
    reextract: bool = False,
    wait_seconds: float = 0.0,
    dask_address: str | None = None,
    workers: int | None = None,
) -> dict[str, object] | State:
    """Load every new or changed document of the inbox into the warehouse under `var`.

    full_refresh: read and extract every file again. reextract: extract every current
    document again from its stored text. wait_seconds: how long to wait for another run.
    dask_address: run the extraction batches on this Dask scheduler. workers: local
    processes for them (default ZHIBIAO_WORKERS, the machine's cores).
    """
    overrides = {"workers": workers} if workers else {}
    if dask_address:
        overrides["dask_address"] = dask_address
    settings = Settings(
        inbox=Path(inbox), var=Path(var), full_refresh=full_refresh, reextract=reextract,
        wait_seconds=wait_seconds, **overrides,
    )  # fmt: skip
    try:
        summary = run_nightly(settings)
    except WarehouseBusy as error:
        # Another run holds VAR: no defect, so no traceback; this run ends Failed saying whose
        # run it met, and calling the flow raises the error for the command line to report.
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


def acquire_writer(settings: Settings, load_id: str, logger) -> WriterLock:
    """The writer lock of VAR; waits up to settings.wait_seconds for a run that holds it."""
    lock = WriterLock(settings.var)
    holder = {"load_id": load_id, "flow_run_id": str(flow_run.id) if flow_run.id else None}
    try:
        return lock.acquire(0, holder=holder)
    except WarehouseBusy:
        if settings.wait_seconds <= 0:
            raise
    logger.warning(
        "another run is writing to %s (%s); waiting up to %g s",
        settings.var, lock.holder().get("load_id", "unknown"), settings.wait_seconds,
    )  # fmt: skip
    return lock.acquire(settings.wait_seconds, holder=holder)


@contextmanager
def batch_runner(settings: Settings, batches: int) -> Iterator[TaskRunner | None]:
    """Where extraction batches run: a Dask cluster (`settings.dask_address`), a pool of
    local processes (the regex extractor holds the GIL, so threads would share one core),
    or, for a single batch or `workers=1`, the flow's own threads (None)."""
    if settings.dask_address:
        from prefect_dask import DaskTaskRunner

        with DaskTaskRunner(address=settings.dask_address) as runner:
            yield runner
    elif settings.workers > 1 and batches > 1:
        with (
            _worker_environment(),
            ProcessPoolTaskRunner(max_workers=min(settings.workers, batches)) as runner,
        ):
            yield runner
    else:
        yield None


POLARS_ALLOCATOR_CONF = "dirty_decay_ms:0,muzzy_decay_ms:0"
"""jemalloc options of Polars (read from `_RJEM_MALLOC_CONF` when a process loads it): pages
freed go back to the system at once, instead of staying with the process for seconds. A
worker process then stays about 90 MB smaller between batches and peaks 30-40 MB lower, for
about 0.08 s more conform time per 1,000-document batch (measured)."""


@contextmanager
def _worker_environment() -> Iterator[None]:
    """Environment of the worker processes, set while they start.

    They report to this run's Prefect server: without PREFECT_API_URL, each would start an
    ephemeral server of its own (~230 MB and a good part of a core each, measured on 100,000
    documents). And Polars in them returns freed memory at once (POLARS_ALLOCATOR_CONF),
    unless the caller set its own options."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        url = str(client.api_url).rstrip("/")
    variables = {"PREFECT_API_URL": url}
    if "_RJEM_MALLOC_CONF" not in os.environ:
        variables["_RJEM_MALLOC_CONF"] = POLARS_ALLOCATOR_CONF
    previous = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run_nightly(settings: Settings) -> pipeline.RunSummary:
    logger = get_run_logger()
    started = time.time()
    deadline = time.monotonic() + settings.wait_seconds
    load_id = pipeline.new_load_id()
    with (
        acquire_writer(settings, load_id, logger),
        pipeline.open_warehouse(settings, deadline) as warehouse,
    ):
        return _run_locked(settings, warehouse, load_id, started, logger)


def _run_locked(
    settings: Settings, warehouse: Warehouse, load_id: str, started: float, logger
) -> pipeline.RunSummary:
    ingest, batch, reextract, load, publish = _with_retries(
        settings, ingest_task, batch_task, reextract_task, load_task, publish_task
    )
    stage_seconds: Counter[str] = Counter()
    docs_dir = settings.var / "data_docs"
    flow_run_id = str(flow_run.id) if flow_run.id else None
    catalog = load_catalog()

    clock = time.perf_counter()
    progress.start("scan")
    plan = ingest(settings, warehouse)
    progress.finish("scan")
    stage_seconds["ingest"] = time.perf_counter() - clock
    stored = pipeline.reextract_plan(plan, warehouse) if settings.reextract else []
    if settings.reextract and (missing := warehouse.documents_without_text()):
        logger.warning(
            "%d current documents were loaded before texts were stored: "
            "only `zhibiao run --full-refresh` extracts them again", missing,
        )  # fmt: skip
    logger.info(
        "%d files in %s: %d to read, %d to extract again from stored text",
        plan.counts["documents_seen"], settings.inbox, len(plan.to_read), len(stored),
    )  # fmt: skip
    staging = StagingArea(settings.staging_dir).reset()
    pipeline.stage_scan_rejections(staging, plan, load_id)
    clock = time.perf_counter()
    history = pipeline.stage_history(staging, warehouse) if plan.to_read or stored else None
    stage_seconds["history"] = time.perf_counter() - clock
    clock = time.perf_counter()
    progress.start("extract", total=len(plan.to_read) + len(stored))
    parallel = bool(settings.dask_address) or (
        settings.workers > 1 and len(plan.to_read) >= settings.parallel_min_documents
    )
    workers = max(settings.workers, 2) if parallel else 1
    batches = pipeline.batch_documents(plan.to_read, settings.batch_size, workers)
    with batch_runner(settings, len(batches) if parallel else 1) as runner:
        futures = []
        for number, files in enumerate(batches):
            parameters = {
                "files": files, "staging": staging, "part": f"{number:05d}",
                "load_id": load_id, "history": history,
                # Data Docs show one validation, the first batch's: built once, not per batch.
                "docs_dir": docs_dir if number == 0 else None,
            }  # fmt: skip
            submitted = runner.submit(batch, parameters) if runner else batch.submit(**parameters)
            futures.append((len(files), submitted))
        # Re-extraction reads stored texts through the flow's warehouse connection: threads.
        futures += [
            (0, reextract.submit(documents, warehouse, staging, f"re{number:05d}", load_id,
                                 history, docs_dir if not batches and number == 0 else None))
            for number, documents in enumerate(pipeline.chunk(stored, settings.batch_size))
        ]  # fmt: skip
        results = []
        for size, future in futures:
            results.append(future.result())
            if runner:  # its processes cannot reach this process's progress bar
                progress.advance("extract", size)
    progress.finish("extract")
    # The stages above add up seconds of every batch; this is the wall time they took.
    stage_seconds["batches_wall"] = time.perf_counter() - clock
    statuses: dict[str, str] = {}
    rejections = list(plan.rejections)
    candidates = loaded = quarantined = 0
    quarantined_by: Counter[str] = Counter()
    for result in results:
        quarantined_by.update(result.quarantined_by)
        statuses.update(result.statuses)
        rejections.extend(result.rejections)
        candidates += result.candidates
        loaded += result.facts_loaded
        quarantined += result.facts_quarantined
        stage_seconds.update(result.seconds)
    sources = pipeline.sources_frame(plan, statuses)
    counts = {
        **plan.counts,
        "documents_read": len(plan.to_read),
        "documents_reextracted": len(stored),
        "documents_loaded": sources.filter(sources["status"] == "loaded").height,
        "documents_rejected": sources.filter(sources["status"] == "rejected").height,
        "documents_retired": 0,
        "facts_candidates": candidates,
        "facts_loaded": loaded,
        "facts_quarantined": quarantined,
    }
    held_back = pipeline.is_held_back(candidates, quarantined, settings)
    run = RunRecord(
        load_id=load_id,
        flow_run_id=flow_run_id,
        started_at=started,
        status="held_back" if held_back else "loaded",
        counts=counts if not held_back else {**counts, "facts_loaded": 0},
        extractor_version=EXTRACTOR_VERSION,
        catalog_version=catalog.version,
        stage_seconds=dict(stage_seconds),
        mode=_mode(settings),
    )
    summary = pipeline.RunSummary(
        load_id=load_id,
        status=run.status,
        counts=run.counts,
        seconds=0.0,
        stage_seconds=stage_seconds,
        warehouse=settings.warehouse_path,
        rejections=rejections,
        failed_expectations=dict(quarantined_by.most_common()),
        flow_run_id=run.flow_run_id,
        mode=run.mode,
        versions={"extractor": EXTRACTOR_VERSION, "catalog": catalog.version},
    )
    if held_back:
        logger.error(
            "quality gate: %d of %d candidate facts failed critical expectations "
            "(limit %.0f%%): nothing of this run is loaded",
            quarantined, candidates, settings.max_quarantined_share * 100,
        )  # fmt: skip
        warehouse.record_held_back(run)
    else:
        clock = time.perf_counter()
        progress.start("load")
        outcome = load(warehouse, staging, sources, run)
        progress.finish("load")
        summary.counts["documents_retired"] = outcome["documents_retired"]
        stage_seconds["load"] = time.perf_counter() - clock
        clock = time.perf_counter()
        progress.start("publish", total=len(PUBLISHED_TABLES))
        unchanged = pipeline.unchanged_tables(
            len(plan.to_read) + len(stored), outcome["reviews_applied"]
        )
        publication = publish(warehouse, settings, load_id, flow_run_id, unchanged)
        progress.finish("publish")
        stage_seconds["publish"] = time.perf_counter() - clock
        summary.exports = publication.exports_dir
        summary.analyst_db = publication.analyst_db
        stage_seconds["report"] = pipeline.write_run_report(settings, summary, logger)
    staging.clear()
    summary.seconds = time.time() - started
    summary.stage_seconds = dict(stage_seconds)
    index = docs_dir / "index.html"
    summary.data_docs = index if index.exists() else None
    warehouse.finish_run(load_id, summary.seconds, summary.stage_seconds)
    return summary
