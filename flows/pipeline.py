"""The nightly run's steps as plain functions: Prefect tasks and tests call the same code."""

from __future__ import annotations

import gc
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from expectations.gate import GateReport, validate_candidates
from flows import progress
from flows.ingest import (
    HashCache,
    InboxFile,
    Rejection,
    RunPlan,
    format_of,
    plan_run,
    read_file,
    read_hash_cache,
    scan_inbox,
    unsupported_message,
    write_hash_cache,
)
from flows.settings import Settings
from transforms.catalog import Catalog, load_catalog
from transforms.conform import (
    FACT_OBSERVATION_COLUMNS,
    ConformedBatch,
    SourceDocument,
    build_dim_indicator,
    build_dim_region,
    build_dim_unit,
    conform_batch,
)
from transforms.consistency import HISTORY_SCHEMA, add_consistency_columns
from transforms.decode import TerminalDocumentError
from transforms.extract import EXTRACTOR_VERSION, extract_document
from transforms.facts import Extraction
from transforms.formats import read_text
from transforms.keys import surrogate_key
from warehouse.publish import Publication, publish
from warehouse.report import write_report
from warehouse.staging import StagingArea
from warehouse.store import Warehouse, WarehouseBusy

HISTORY_FILE = "history.parquet"
"""Beside the staged tables in VAR/staging/; the load does not read it."""
DOCUMENT_TEXT_COLUMNS = {
    "document_key": pl.Int64,
    "content_sha256": pl.String,
    "normalised_text": pl.String,
    "raw_text": pl.String,
}
REJECTION_COLUMNS = {
    "source_path": pl.String,
    "content_sha256": pl.String,
    "size_bytes": pl.Int64,
    "reason_code": pl.String,
    "message": pl.String,
    "load_id": pl.String,
}


@dataclass
class BatchResult:
    statuses: dict[str, str]
    """content hash -> `loaded` or `rejected`, for every file the batch read."""
    rejections: list[Rejection]
    candidates: int = 0
    facts_loaded: int = 0
    facts_quarantined: int = 0
    quarantined_by: Counter[str] = field(default_factory=Counter)
    """Expectation name -> facts it quarantined."""
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass
class RunSummary:
    load_id: str
    status: str
    """loaded, held_back (quality gate) or failed."""
    counts: dict[str, int]
    seconds: float
    stage_seconds: dict[str, float]
    warehouse: Path
    exports: Path | None = None
    analyst_db: Path | None = None
    data_docs: Path | None = None
    report: Path | None = None
    """The HTML report's index page, when the run wrote it."""
    report_error: str | None = None
    """Why the report could not be written (the run's load stands)."""
    rejections: list[Rejection] = field(default_factory=list)
    failed_expectations: dict[str, int] = field(default_factory=dict)
    flow_run_id: str | None = None
    mode: str = "incremental"
    versions: dict[str, str] = field(default_factory=dict)
    """extractor and catalogue versions that made this run's facts."""

    def as_json(self) -> dict[str, object]:
        return {
            **self.counts,
            "seconds": round(self.seconds, 3),
            "status": self.status,
            "mode": self.mode,
            **{f"{name}_version": version for name, version in self.versions.items()},
            "load_id": self.load_id,
            "flow_run_id": self.flow_run_id,
            "warehouse": str(self.warehouse),
            "exports": str(self.exports) if self.exports else None,
            "analyst_db": str(self.analyst_db) if self.analyst_db else None,
            "data_docs": str(self.data_docs) if self.data_docs else None,
            "report": str(self.report) if self.report else None,
            "report_error": self.report_error,
            "stage_seconds": {k: round(v, 3) for k, v in self.stage_seconds.items()},
            "failed_expectations": self.failed_expectations,
            "rejected": [
                {"path": r.source_path, "reason": r.reason_code, "message": r.message}
                for r in self.rejections
            ],
        }

    def as_markdown(self) -> str:
        """The run in a few lines, for the Prefect UI (a markdown artifact of the flow run)."""
        counts = self.counts
        verdict = {
            "loaded": "loaded",
            "held_back": "**held back by the quality gate: nothing loaded**",
        }.get(self.status, self.status)
        lines = [
            f"# Nightly run `{self.load_id}`: {verdict}",
            "",
            f"{self.mode.replace('_', ' ')} run, {self.seconds:.1f} s; "
            + ", ".join(f"{name} {version}" for name, version in self.versions.items()),
            "",
            "| stage | what | count |",
            "|---|---|---:|",
        ]
        rows = [
            ("ingest", "files seen", "documents_seen"),
            ("ingest", "new", "documents_new"),
            ("ingest", "changed", "documents_changed"),
            ("ingest", "unchanged", "documents_unchanged"),
            ("ingest", "removed", "documents_removed"),
            ("read", "files read", "documents_read"),
            ("read", "documents re-extracted from stored text", "documents_reextracted"),
            ("read", "rejected", "documents_rejected"),
            ("gate", "candidate facts", "facts_candidates"),
            ("gate", "facts quarantined", "facts_quarantined"),
            ("load", "facts loaded", "facts_loaded"),
            ("load", "documents retired", "documents_retired"),
        ]
        lines += [f"| {stage} | {what} | {counts.get(key, 0)} |" for stage, what, key in rows]
        if self.failed_expectations:
            lines += ["", "## Quarantined by", ""]
            lines += [f"- `{name}`: {n}" for name, n in self.failed_expectations.items()]
        if self.rejections:
            lines += ["", "## Rejected files", ""]
            lines += [
                f"- `{r.source_path}`: {r.reason_code} ({r.message})" for r in self.rejections[:50]
            ]
            if len(self.rejections) > 50:
                lines.append(f"- ... and {len(self.rejections) - 50} more (zhibiao rejected list)")
        lines += ["", "## Seconds per stage", ""]
        lines += [f"- {stage}: {seconds:.2f}" for stage, seconds in self.stage_seconds.items()]
        if self.analyst_db:
            lines += ["", f"Analysts: `{self.analyst_db}` (zhibiao sql); BI: `{self.exports}`"]
        if self.report or self.report_error:
            lines += ["", f"Report: `{self.report}`" if self.report else
                      f"Report not written: {self.report_error}"]  # fmt: skip
        return "\n".join(lines) + "\n"


def new_load_id() -> str:
    return time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]


def plan_inbox(settings: Settings, warehouse: Warehouse) -> RunPlan:
    if not settings.inbox.is_dir():
        raise NotADirectoryError(f"inbox {settings.inbox} is not a folder")
    # A full refresh forgets which contents were read: every file is read and extracted again.
    cache = HashCache() if settings.full_refresh else read_hash_cache(settings.hash_cache_path)
    files, rejections = scan_inbox(settings, cache)
    write_hash_cache(settings.hash_cache_path, cache)
    known = {} if settings.full_refresh else warehouse.known_contents()
    return plan_run(files, rejections, warehouse.source_state(), known)


def open_warehouse(settings: Settings, deadline: float) -> Warehouse:
    """The live warehouse, read-write. Our own runs are kept out by the writer lock; this
    waits (until `deadline`, time.monotonic) for any other process holding the DuckDB file,
    such as someone's `duckdb warehouse.duckdb` session."""
    while True:
        try:
            return Warehouse(settings.warehouse_path, memory_limit=settings.duckdb_memory_limit)
        except WarehouseBusy:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.5)


def reextract_plan(plan: RunPlan, warehouse: Warehouse) -> list[SourceDocument]:
    """The current documents to extract again from their stored text: all but those this
    run reads from the inbox anyway."""
    reading = {f.content_sha256 for f in plan.to_read}
    return [
        SourceDocument(**row)
        for row in warehouse.reextractable_documents().iter_rows(named=True)
        if row["content_sha256"] not in reading
    ]


def read_document(inbox_file: InboxFile) -> tuple[SourceDocument, str] | Rejection:
    """Read and convert one file to text; a file that cannot be a document becomes a Rejection."""

    def reject(code: str, message: str) -> Rejection:
        return Rejection(
            inbox_file.source_path, inbox_file.content_sha256, inbox_file.size_bytes, code, message
        )

    format = format_of(inbox_file.path)
    if format is None:
        return reject("unsupported_format", unsupported_message(inbox_file.path))
    data = read_file(inbox_file)
    if isinstance(data, Rejection):
        return data
    try:
        decoded = read_text(data, format)
    except TerminalDocumentError as error:
        return reject(error.reason_code, str(error))
    # A defect of a reader library on odd bytes must not stop the night's run: the file is
    # rejected with the error, for a person to look at.
    except (ValueError, LookupError, TypeError, AttributeError, RecursionError) as error:
        name = type(error).__name__
        return reject("reader_failed", f"the {format} reader failed: {name}: {error}")
    document = SourceDocument(
        content_sha256=inbox_file.content_sha256,
        source_path=inbox_file.source_path,
        doc_name=inbox_file.path.name,
        format=format,
        encoding=decoded.encoding,
        size_bytes=inbox_file.size_bytes,
    )
    return document, decoded.text


@dataclass(frozen=True)
class GatedBatch:
    conformed: ConformedBatch
    candidates: pl.DataFrame
    """The conformed candidates with the comparison columns the gate reads."""
    report: GateReport


def gate_extractions(
    pairs: list[tuple[SourceDocument, Extraction]],
    *,
    catalog: Catalog,
    load_id: str,
    history: pl.DataFrame | Path | None = None,
    docs_dir: Path | None = None,
    seconds: Counter[str] | None = None,
) -> GatedBatch:
    """Conform extracted documents to star rows and run the quality gate over them."""
    seconds = seconds if seconds is not None else Counter()
    conformed = conform_extractions(pairs, catalog, load_id, seconds)
    return gate_conformed(
        conformed, catalog=catalog, history=history, docs_dir=docs_dir, seconds=seconds
    )


def conform_extractions(
    pairs: list[tuple[SourceDocument, Extraction]],
    catalog: Catalog,
    load_id: str,
    seconds: Counter[str],
) -> ConformedBatch:
    clock = time.perf_counter()
    conformed = conform_batch(pairs, catalog, extractor_version=EXTRACTOR_VERSION, load_id=load_id)
    seconds["conform"] += time.perf_counter() - clock
    return conformed


def gate_conformed(
    conformed: ConformedBatch,
    *,
    catalog: Catalog,
    history: pl.DataFrame | Path | None = None,
    docs_dir: Path | None = None,
    seconds: Counter[str] | None = None,
) -> GatedBatch:
    """Run the quality gate over conformed candidates, with the comparison columns it reads."""
    seconds = seconds if seconds is not None else Counter()
    clock = time.perf_counter()
    history = series_history(history, conformed.candidates)
    candidates = add_consistency_columns(conformed.candidates, history, catalog)
    seconds["conform"] += time.perf_counter() - clock
    clock = time.perf_counter()
    report = validate_candidates(candidates, docs_dir=docs_dir)  # serialises its own GX use
    seconds["validate"] += time.perf_counter() - clock
    return GatedBatch(conformed=conformed, candidates=candidates, report=report)


def series_history(history: pl.DataFrame | Path | None, candidates: pl.DataFrame) -> pl.DataFrame:
    """The loaded levels of the series (indicator and area) the candidates belong to.

    `history` is the Parquet file `stage_history` wrote (or, in tests, a frame): a batch
    reads only its own series of it, instead of every level of the warehouse (2.2 million
    rows after 100,000 documents)."""
    if history is None:
        return pl.DataFrame(schema=HISTORY_SCHEMA)
    if isinstance(history, pl.DataFrame):
        return history
    series = candidates.select("indicator_code", "region_code").unique().lazy()
    return (
        pl.scan_parquet(history)
        .join(series, on=["indicator_code", "region_code"], how="semi")
        .collect()
    )


def stage_history(staging: StagingArea, warehouse: Warehouse) -> Path | None:
    """The levels batches compare with, written once as Parquet beside the staged rows, for
    batches in this process and in others alike (None: nothing is loaded yet)."""
    path = staging.root / HISTORY_FILE
    return path if warehouse.write_history_levels(path) else None


def process_batch(
    files: list[InboxFile],
    *,
    staging: StagingArea,
    part: str,
    load_id: str,
    history: pl.DataFrame | Path | None = None,
    catalog: Catalog | None = None,
    docs_dir: Path | None = None,
) -> BatchResult:
    """Read, extract, conform and validate one batch; stage its rows for the load."""
    seconds: Counter[str] = Counter()
    result = BatchResult(statuses={}, rejections=[])
    texts: list[tuple[SourceDocument, str]] = []
    for inbox_file in files:
        clock = time.perf_counter()
        outcome = read_document(inbox_file)
        seconds["read"] += time.perf_counter() - clock
        if isinstance(outcome, Rejection):
            result.rejections.append(outcome)
            result.statuses[inbox_file.content_sha256] = "rejected"
            progress.advance("extract")
            continue
        texts.append(outcome)
    return extract_and_stage(
        texts, result, seconds, staging=staging, part=part, load_id=load_id, history=history,
        catalog=catalog, docs_dir=docs_dir,
    )  # fmt: skip


def reextract_batch(
    documents: list[SourceDocument],
    warehouse: Warehouse,
    *,
    staging: StagingArea,
    part: str,
    load_id: str,
    history: pl.DataFrame | Path | None = None,
    catalog: Catalog | None = None,
    docs_dir: Path | None = None,
) -> BatchResult:
    """Extract stored documents again from the text read when they were loaded (the inbox is
    not read), then conform, validate and stage them like new ones."""
    stored = warehouse.raw_texts([d.content_sha256 for d in documents])
    texts = [(d, stored[d.content_sha256]) for d in documents if d.content_sha256 in stored]
    return extract_and_stage(
        texts, BatchResult(statuses={}, rejections=[]), Counter(), staging=staging, part=part,
        load_id=load_id, history=history, catalog=catalog, docs_dir=docs_dir,
    )  # fmt: skip


def extract_and_stage(
    texts: list[tuple[SourceDocument, str]],
    result: BatchResult,
    seconds: Counter[str],
    *,
    staging: StagingArea,
    part: str,
    load_id: str,
    history: pl.DataFrame | Path | None = None,
    catalog: Catalog | None = None,
    docs_dir: Path | None = None,
) -> BatchResult:
    """Extract documents' facts from their decoded text, gate them and stage the rows."""
    catalog = catalog or load_catalog()
    pairs = []
    with collector_paused():
        for document, raw_text in texts:
            clock = time.perf_counter()
            pairs.append((document, extract_document(document.doc_name, raw_text, catalog)))
            result.statuses[document.content_sha256] = "loaded"
            seconds["extract"] += time.perf_counter() - clock
            progress.advance("extract")

    conformed = conform_extractions(pairs, catalog, load_id, seconds)
    clock = time.perf_counter()
    document_texts = document_texts_frame(pairs, {d.content_sha256: t for d, t in texts})
    seconds["stage"] += time.perf_counter() - clock
    # From here on the batch lives in frames: its facts as Python objects go before Great
    # Expectations makes its own copies, which lowers each worker process's peak.
    del pairs
    gated = gate_conformed(
        conformed, catalog=catalog, history=history, docs_dir=docs_dir, seconds=seconds
    )
    clock = time.perf_counter()
    quarantined = gated.report.quarantined_keys()
    facts, quarantine = split_candidates(gated.candidates, quarantined, gated.report.flagged_keys())
    result.quarantined_by.update(name for names in quarantined.values() for name in names)
    stage_batch(
        staging,
        part,
        gated.conformed,
        facts,
        quarantine,
        rejections_frame(result.rejections, load_id),
        outcomes_frame(gated.report.outcomes, load_id),
        texts=document_texts,
    )
    seconds["stage"] += time.perf_counter() - clock

    result.candidates = gated.candidates.height
    result.facts_loaded = facts.height
    result.facts_quarantined = quarantine.height
    del gated, facts, quarantine, conformed, document_texts
    clock = time.perf_counter()
    collect_batch_garbage()
    seconds["stage"] += time.perf_counter() - clock
    result.seconds = dict(seconds)
    return result


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off while a batch is extracted.

    Extraction makes no reference cycles (a collection after 1,000 documents frees
    nothing), so its garbage goes by reference counting alone; but the facts a batch keeps
    make the collector walk ever more live objects, alongside everything Polars, Prefect
    and Great Expectations loaded. Paused, extraction took 8-12% less time (1,000
    generated documents in a process with those libraries loaded, measured)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_startup_frozen = False


def collect_batch_garbage() -> None:
    """Free the reference cycles a batch leaves (pandas and Great Expectations make them)
    before the process takes the next one, so that each batch reuses the last one's memory.

    Left to Python's own schedule, they wait for a rare full collection, and a worker grew
    by 50-75 MB a batch (650 MB after three batches instead of 520). A full collection
    walks every live object, though: 0.17 s in a worker with Great Expectations loaded. So
    the first call also freezes what is alive then (the libraries, the catalogue, GX's
    context: built once per process, never garbage), and later calls walk only what the
    batches made. Freezing once bounds what is exempted, in long-lived processes too."""
    global _startup_frozen
    gc.collect()
    if not _startup_frozen:
        gc.freeze()
        _startup_frozen = True


def split_candidates(
    candidates: pl.DataFrame,
    quarantined: dict[str, list[str]],
    flagged: dict[str, list[str]],
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Facts to load (with their warnings) and facts to quarantine (with what they failed)."""
    is_quarantined = pl.col("fact_key").is_in(list(quarantined))
    facts = candidates.filter(~is_quarantined).with_columns(
        pl.col("fact_key")
        .replace_strict(flagged, default=None, return_dtype=pl.List(pl.String))
        .alias("warnings")
    )
    quarantine = candidates.filter(is_quarantined).with_columns(
        pl.col("fact_key")
        .replace_strict(quarantined, return_dtype=pl.List(pl.String))
        .alias("failed_expectations")
    )
    return facts, quarantine


def stage_batch(
    staging: StagingArea,
    part: str,
    conformed: ConformedBatch,
    facts: pl.DataFrame,
    quarantine: pl.DataFrame,
    rejections: pl.DataFrame,
    outcomes: pl.DataFrame,
    texts: pl.DataFrame | None = None,
) -> None:
    staging.write("dim_document", conformed.documents, part)
    if texts is not None:
        staging.write("document_text", texts, part)
    staging.write("dim_period", conformed.periods, part)
    staging.write("fact_observation", facts.select(*FACT_OBSERVATION_COLUMNS, "warnings"), part)
    staging.write("quarantine_observation", quarantine, part)
    staging.write("rejected_document", rejections, part)
    staging.write("dq_result", outcomes, part)


def document_texts_frame(
    pairs: list[tuple[SourceDocument, Extraction]], raw_texts: dict[str, str] | None = None
) -> pl.DataFrame:
    """document_text rows: the normalised text that each document's evidence offsets refer to,
    and the decoded text the extractor read (content hash -> text in `raw_texts`)."""
    raw_texts = raw_texts or {}
    return pl.DataFrame(
        [
            {
                "document_key": surrogate_key(document.content_sha256),
                "content_sha256": document.content_sha256,
                "normalised_text": extraction.text,
                "raw_text": raw_texts.get(document.content_sha256),
            }
            for document, extraction in pairs
        ],
        schema=DOCUMENT_TEXT_COLUMNS,
    )


def stage_scan_rejections(staging: StagingArea, plan: RunPlan, load_id: str) -> None:
    """Files rejected while listing (too large, links out, unsupported...) load with the rest."""
    staging.write("rejected_document", rejections_frame(plan.rejections, load_id), "scan")


def rejections_frame(rejections: list[Rejection], load_id: str) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "source_path": r.source_path,
                "content_sha256": r.content_sha256 or "",
                "size_bytes": r.size_bytes,
                "reason_code": r.reason_code,
                "message": r.message,
                "load_id": load_id,
            }
            for r in rejections
        ],
        schema=REJECTION_COLUMNS,
    )


def outcomes_frame(outcomes: list, load_id: str) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "load_id": load_id,
                "expectation": o.name,
                "severity": o.severity,
                "success": o.success,
                "element_count": o.element_count,
                "unexpected_count": o.unexpected_count,
                "description": o.description,
            }
            for o in outcomes
        ],
        schema={
            "load_id": pl.String,
            "expectation": pl.String,
            "severity": pl.String,
            "success": pl.Boolean,
            "element_count": pl.Int64,
            "unexpected_count": pl.Int64,
            "description": pl.String,
        },
    )


def sources_frame(plan: RunPlan, statuses: dict[str, str]) -> pl.DataFrame:
    """One row per path seen this run with its content and where that content ended up."""
    known = {**plan.known, **statuses}
    rows = [
        (f.source_path, f.content_sha256, known.get(f.content_sha256, "rejected"))
        for f in plan.files
    ]
    rows += [(r.source_path, r.content_sha256 or "", "rejected") for r in plan.rejections]
    return pl.DataFrame(
        rows,
        schema={"source_path": pl.String, "content_sha256": pl.String, "status": pl.String},
        orient="row",
    )


def is_held_back(candidates: int, quarantined: int, settings: Settings) -> bool:
    if candidates < settings.gate_min_facts:
        return False
    return quarantined / candidates > settings.max_quarantined_share


def dimension_frames(catalog: Catalog) -> dict[str, pl.DataFrame]:
    return {
        "dim_indicator": build_dim_indicator(catalog),
        "dim_region": build_dim_region(catalog),
        "dim_unit": build_dim_unit(catalog),
    }


def chunk(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)]


MIN_PARALLEL_BATCH = 100
"""Fewer documents than this per worker are not worth a batch of their own."""


def batch_documents(items: list, batch_size: int, workers: int) -> list[list]:
    """Batches of at most `batch_size`, and at least one per worker when there are enough
    documents to keep them all busy (a small inbox stays one batch, in the flow's process)."""
    per_worker = -(-len(items) // max(workers, 1))
    return chunk(items, min(batch_size, max(MIN_PARALLEL_BATCH, per_worker)))


UNCHANGED_WITHOUT_DOCUMENTS = ("dim_period", "document_text")
"""Published tables only documents read or extracted again change."""
UNCHANGED_WITHOUT_REVIEWS = ("fact_observation", "quarantine_observation")
"""...and those people's quarantine decisions change too."""


def unchanged_tables(documents_staged: int, reviews_applied: int) -> tuple[str, ...]:
    """Tables a run left as the last publication had them (they need not be written again)."""
    if documents_staged:
        return ()
    return UNCHANGED_WITHOUT_DOCUMENTS + (() if reviews_applied else UNCHANGED_WITHOUT_REVIEWS)


def publish_warehouse(
    warehouse: Warehouse,
    settings: Settings,
    load_id: str,
    flow_run_id: str | None = None,
    unchanged: tuple[str, ...] = (),
) -> Publication:
    return publish(
        warehouse.connection, settings.var, load_id, flow_run_id=flow_run_id,
        on_table=lambda _table: progress.advance("publish"), publish_url=settings.publish_url,
        unchanged=unchanged,
    )  # fmt: skip


def write_run_report(settings: Settings, summary: RunSummary, logger) -> float:
    """Write the HTML report of what the run just published (VAR/report/); the seconds it took.

    The load is committed and published before: a report that fails is logged and named in
    the summary (`report_error`), and the run stands. This is the one place that catches any
    error, on purpose: no defect of the presentation may turn a loaded night into a failed one.
    """
    clock = time.perf_counter()
    try:
        summary.report = write_report(settings.var).index
    except Exception as error:
        logger.exception("the report could not be written; the run's load stands")
        summary.report_error = f"{type(error).__name__}: {error}"
    return time.perf_counter() - clock
