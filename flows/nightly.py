"""The Prefect flow `nightly`: ingest -> extract/conform/validate (in batches) -> load -> publish.

Tasks are thin: each hands its work to `flows.pipeline`, which tests call without Prefect.
A task takes a batch of hundreds of documents, never one (Prefect costs ~10 ms per task).
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from flows import pipeline
from flows.ingest import RunPlan
from flows.settings import Settings
from transforms.catalog import load_catalog
from transforms.extract import EXTRACTOR_VERSION
from warehouse.staging import StagingArea
from warehouse.store import RunRecord, Warehouse


@task(name="ingest", cache_policy=NO_CACHE)
def ingest_task(settings: Settings, warehouse: Warehouse) -> RunPlan:
    return pipeline.plan_inbox(settings, warehouse)


@task(name="extract-conform-validate", cache_policy=NO_CACHE)
def batch_task(
    files: list, staging: StagingArea, part: str, load_id: str, history, docs_dir: Path
) -> pipeline.BatchResult:
    return pipeline.process_batch(
        files, staging=staging, part=part, load_id=load_id, history=history, docs_dir=docs_dir
    )


@task(name="load", cache_policy=NO_CACHE)
def load_task(warehouse: Warehouse, staging: StagingArea, sources, run: RunRecord) -> None:
    warehouse.load(staging, pipeline.dimension_frames(load_catalog()), sources, run)


@task(name="publish", cache_policy=NO_CACHE)
def publish_task(warehouse: Warehouse, settings: Settings, load_id: str):
    return pipeline.publish_warehouse(warehouse, settings, load_id)


@flow(name="nightly", log_prints=False)
def nightly(inbox: str = "data/inbox", var: str = "var") -> dict[str, object]:
    """Load every new or changed document of the inbox into the warehouse under `var`."""
    return run_nightly(Settings(inbox=Path(inbox), var=Path(var))).as_json()


def run_nightly(settings: Settings) -> pipeline.RunSummary:
    logger = get_run_logger()
    started = time.time()
    load_id = pipeline.new_load_id()
    stage_seconds: Counter[str] = Counter()
    docs_dir = settings.var / "data_docs"
    with Warehouse(settings.warehouse_path) as warehouse:
        clock = time.perf_counter()
        plan = ingest_task(settings, warehouse)
        stage_seconds["ingest"] = time.perf_counter() - clock
        logger.info(
            "%d files in %s: %d to read",
            plan.counts["documents_seen"],
            settings.inbox,
            len(plan.to_read),
        )
        staging = StagingArea(settings.staging_dir).reset()
        pipeline.stage_scan_rejections(staging, plan, load_id)
        history = warehouse.history_levels() if plan.to_read else None
        futures = [
            batch_task.submit(files, staging, f"{number:05d}", load_id, history, docs_dir)
            for number, files in enumerate(pipeline.chunk(plan.to_read, settings.batch_size))
        ]
        results = [future.result() for future in futures]
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
            "documents_loaded": sources.filter(sources["status"] == "loaded").height,
            "documents_rejected": sources.filter(sources["status"] == "rejected").height,
            "facts_loaded": loaded,
            "facts_quarantined": quarantined,
        }
        held_back = pipeline.is_held_back(candidates, quarantined, settings)
        run = RunRecord(
            load_id=load_id,
            flow_run_id=str(flow_run.id) if flow_run.id else None,
            started_at=started,
            status="held_back" if held_back else "loaded",
            counts=counts if not held_back else {**counts, "facts_loaded": 0},
            extractor_version=EXTRACTOR_VERSION,
            catalog_version=load_catalog().version,
            stage_seconds=dict(stage_seconds),
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
            load_task(warehouse, staging, sources, run)
            stage_seconds["load"] = time.perf_counter() - clock
            clock = time.perf_counter()
            publication = publish_task(warehouse, settings, load_id)
            stage_seconds["publish"] = time.perf_counter() - clock
            summary.exports = publication.exports_dir
            summary.analyst_db = publication.analyst_db
        staging.clear()
        summary.seconds = time.time() - started
        summary.stage_seconds = dict(stage_seconds)
        index = docs_dir / "index.html"
        summary.data_docs = index if index.exists() else None
        warehouse.finish_run(load_id, summary.seconds)
    return summary
