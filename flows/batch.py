"""The batch stage: read, extract, conform and validate a batch of documents; stage its rows.

A batch is the unit a Prefect task runs (hundreds of documents: a task costs ~10 ms), in the
flow's process, a worker process or a Dask worker. Its rows go to Parquet under
VAR/staging/ (`warehouse.staging`), which the load reads in one transaction.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl

from expectations.gate import GateReport, validate_candidates
from flows import progress
from flows.ingest import InboxFile, Rejection, read_document
from flows.memory import collect_batch_garbage, collector_paused
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
from transforms.extract import EXTRACTOR_VERSION, extract_document
from transforms.facts import Extraction
from transforms.keys import surrogate_key
from warehouse.staging import (
    DOCUMENT_TEXT_COLUMNS,
    DQ_RESULT_COLUMNS,
    REJECTION_COLUMNS,
    StagingArea,
)
from warehouse.store import Warehouse

HISTORY_FILE = "history.parquet"
"""Beside the staged tables in VAR/staging/; the load does not read it."""
CANDIDATES_TABLE = "gate_candidates"
"""A prepared batch's candidates, staged by its worker for the flow's gate (`hand_over`);
the load does not read them."""
MIN_PARALLEL_BATCH = 100
"""Fewer documents than this per worker are not worth a batch of their own."""


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


@dataclass(frozen=True)
class GatedBatch:
    conformed: ConformedBatch
    candidates: pl.DataFrame
    """The conformed candidates with the comparison columns the gate reads."""
    report: GateReport


@dataclass(frozen=True)
class BatchContext:
    """What a batch needs besides its documents: where its rows go, which run they belong
    to, and what its facts are compared with."""

    staging: StagingArea
    part: str
    """Its staged files' name (`part-<part>.parquet`)."""
    load_id: str
    history: pl.DataFrame | Path | None = None
    """The loaded levels (`stage_history`'s file, or in tests a frame)."""
    catalog: Catalog | None = None
    docs_dir: Path | None = None
    """Build GX Data Docs of this batch's validation here."""
    progress_file: Path | None = None
    """In a worker process: where it counts the documents it has done (`progress`)."""


@dataclass
class PreparedBatch:
    """A batch read, extracted and conformed, its documents staged: what the quality gate
    judges next (`finish_batch`). A worker process returns it to the flow's process, which
    validates every batch with one Great Expectations set-up instead of one per worker."""

    result: BatchResult
    candidates: pl.DataFrame | None
    """The conformed candidates with the comparison columns the gate reads; None once
    staged as the batch's part of `CANDIDATES_TABLE` (`hand_over`)."""
    seconds: dict[str, float]


def process_batch(files: list[InboxFile], context: BatchContext) -> BatchResult:
    """Read, extract, conform and validate one batch; stage its rows for the load."""
    return finish_batch(prepare_batch(files, context), context)


def prepare_batch(files: list[InboxFile], context: BatchContext) -> PreparedBatch:
    """Read, extract and conform one batch and stage its documents (`process_batch` without
    the quality gate, which `finish_batch` runs)."""
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
    return prepare_texts(texts, result, seconds, context)


def reextract_batch(
    documents: list[SourceDocument], warehouse: Warehouse, context: BatchContext
) -> BatchResult:
    """Extract stored documents again from the text read when they were loaded (the inbox is
    not read), then conform, validate and stage them like new ones."""
    stored = warehouse.raw_texts([d.content_sha256 for d in documents])
    texts = [(d, stored[d.content_sha256]) for d in documents if d.content_sha256 in stored]
    result = extract_and_stage(texts, BatchResult(statuses={}, rejections=[]), Counter(), context)
    # A stored document the extractor now fails on keeps the facts it has (its failure is
    # recorded): only a document read from the inbox ends rejected.
    result.statuses = {sha: status for sha, status in result.statuses.items() if status == "loaded"}
    return result


def extract_and_stage(
    texts: list[tuple[SourceDocument, str]],
    result: BatchResult,
    seconds: Counter[str],
    context: BatchContext,
) -> BatchResult:
    """Extract documents' facts from their decoded text, gate them and stage the rows."""
    return finish_batch(prepare_texts(texts, result, seconds, context), context)


def prepare_texts(
    texts: list[tuple[SourceDocument, str]],
    result: BatchResult,
    seconds: Counter[str],
    context: BatchContext,
) -> PreparedBatch:
    """Extract documents' facts from their decoded text, conform them, add the columns that
    compare them with the loaded levels, and stage the documents, their texts and periods."""
    catalog = context.catalog or load_catalog()
    pairs = []
    with collector_paused():
        for document, raw_text in texts:
            clock = time.perf_counter()
            extracted = extract_one(document, raw_text, catalog)
            if isinstance(extracted, Rejection):
                result.rejections.append(extracted)
                result.statuses[document.content_sha256] = "rejected"
            else:
                pairs.append((document, extracted))
                result.statuses[document.content_sha256] = "loaded"
            seconds["extract"] += time.perf_counter() - clock
            progress.advance("extract")

    conformed = conform_extractions(pairs, catalog, context.load_id, seconds)
    clock = time.perf_counter()
    document_texts = document_texts_frame(pairs, {d.content_sha256: t for d, t in texts})
    seconds["stage"] += time.perf_counter() - clock
    # From here on the batch lives in frames: its facts as Python objects go first, which
    # lowers each worker process's peak.
    del pairs
    clock = time.perf_counter()
    history = series_history(context.history, conformed.candidates)
    candidates = add_consistency_columns(conformed.candidates, history, catalog)
    seconds["conform"] += time.perf_counter() - clock
    clock = time.perf_counter()
    stage_documents(
        context.staging,
        context.part,
        conformed,
        rejections_frame(result.rejections, context.load_id),
        texts=document_texts,
    )
    del conformed, document_texts, history
    collect_batch_garbage()
    seconds["stage"] += time.perf_counter() - clock
    return PreparedBatch(result=result, candidates=candidates, seconds=dict(seconds))


def hand_over(prepared: PreparedBatch, context: BatchContext) -> PreparedBatch:
    """The prepared batch as a task returns it to the flow's process: its candidates staged
    as Parquet, not carried in the result.

    Prefect keeps a finished task's result inside a reference cycle (its future and the
    done-callback of the future it wraps), which only Python's rare full collection frees:
    carried, every batch's candidates (~10 MB per 1,000 real-looking reports) stayed in the
    flow's process until the run's end, 1 GB at 100,000 reports."""
    if prepared.candidates is None or prepared.candidates.is_empty():
        return prepared
    clock = time.perf_counter()
    context.staging.write(CANDIDATES_TABLE, prepared.candidates, context.part)
    seconds = Counter(prepared.seconds)
    seconds["stage"] += time.perf_counter() - clock
    return replace(prepared, candidates=None, seconds=dict(seconds))


def finish_batch(prepared: PreparedBatch, context: BatchContext) -> BatchResult:
    """The quality gate over a prepared batch; its facts, quarantine and the gate's results
    staged beside its documents. The batch's result, with every stage's seconds."""
    return finish_batches([(prepared, context)])[0]


def finish_batches(batches: list[tuple[PreparedBatch, BatchContext]]) -> list[BatchResult]:
    """The quality gate over several prepared batches in one validation; each batch's facts
    and quarantine staged beside its documents, under its own part. Their results, in order.

    A Great Expectations validation costs mostly the same whatever its rows (0.13 s for one
    batch's 18,000 real-looking facts, 0.19 s for two), so the flow gates as many batches at
    once as it has workers: they finish about together. The gate's outcomes cover the batches
    together: they are staged once, with the first (the load adds up each expectation's
    counts)."""
    if not batches:
        return []
    seconds = [Counter(prepared.seconds) for prepared, _ in batches]
    clock = time.perf_counter()
    parts = [
        prepared.candidates
        if prepared.candidates is not None
        else context.staging.read_part(CANDIDATES_TABLE, context.part)
        for prepared, context in batches
    ]
    seconds[0]["stage"] += time.perf_counter() - clock
    clock = time.perf_counter()
    candidates = pl.concat(parts, how="diagonal_relaxed")
    report = validate_candidates(candidates, docs_dir=batches[0][1].docs_dir)
    seconds[0]["validate"] += time.perf_counter() - clock
    quarantined, flagged = report.quarantined_keys(), report.flagged_keys()
    outcomes = outcomes_frame(report.outcomes, batches[0][1].load_id)
    results = []
    for (prepared, context), part, spent in zip(batches, parts, seconds, strict=True):
        clock = time.perf_counter()
        result = prepared.result
        facts, quarantine = split_candidates(part, quarantined, flagged)
        for key in quarantine.get_column("fact_key").to_list():
            result.quarantined_by.update(quarantined[key])
        stage_verdicts(context.staging, context.part, facts, quarantine, outcomes)
        outcomes = outcomes.clear()
        result.candidates = part.height
        result.facts_loaded = facts.height
        result.facts_quarantined = quarantine.height
        spent["stage"] += time.perf_counter() - clock
        result.seconds = dict(spent)
        results.append(result)
    return results


def extract_one(
    document: SourceDocument, raw_text: str, catalog: Catalog
) -> Extraction | Rejection:
    """One document's facts; a document the extractor fails on is rejected (`extractor_failed`,
    with the error), never loaded empty, and the batch goes on.

    Any error the extractor raises on one text is a defect of the extractor, not of the run:
    it is recorded with its type and message for a person to look at. The content hash is
    left out of the rejection, so each run tries the document again (a fixed extractor loads
    it). Memory running out is not one document's fault: it stops the batch."""
    try:
        return extract_document(document.doc_name, raw_text, catalog)
    except MemoryError:
        raise
    except Exception as error:
        return Rejection(
            document.source_path,
            None,
            document.size_bytes,
            "extractor_failed",
            f"the extractor {EXTRACTOR_VERSION} failed on this document: "
            f"{type(error).__name__}: {error}",
        )


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
    stage_documents(staging, part, conformed, rejections, texts)
    stage_verdicts(staging, part, facts, quarantine, outcomes)


def stage_documents(
    staging: StagingArea,
    part: str,
    conformed: ConformedBatch,
    rejections: pl.DataFrame,
    texts: pl.DataFrame | None = None,
) -> None:
    """What a batch stages before the quality gate: its documents, texts, periods and the
    files it rejected."""
    staging.write("dim_document", conformed.documents, part)
    if texts is not None:
        staging.write("document_text", texts, part)
    staging.write("dim_period", conformed.periods, part)
    staging.write("rejected_document", rejections, part)


def stage_verdicts(
    staging: StagingArea,
    part: str,
    facts: pl.DataFrame,
    quarantine: pl.DataFrame,
    outcomes: pl.DataFrame,
) -> None:
    """What the quality gate decided for a batch: facts to load, facts held back, and how
    the batch fared against each expectation."""
    staging.write("fact_observation", facts.select(*FACT_OBSERVATION_COLUMNS, "warnings"), part)
    staging.write("quarantine_observation", quarantine, part)
    staging.write("dq_result", outcomes, part)


def document_texts_frame(
    pairs: list[tuple[SourceDocument, Extraction]], raw_texts: dict[str, str] | None = None
) -> pl.DataFrame:
    """document_text rows: the normalised text that each document's evidence offsets refer to,
    and the decoded text the extractor read (content hash -> text in `raw_texts`)."""
    raw_texts = raw_texts or {}
    hashes = [document.content_sha256 for document, _ in pairs]
    return pl.DataFrame(
        {
            "document_key": [surrogate_key(sha) for sha in hashes],
            "content_sha256": hashes,
            "normalised_text": [extraction.text for _, extraction in pairs],
            "raw_text": [raw_texts.get(sha) for sha in hashes],
        },
        schema=DOCUMENT_TEXT_COLUMNS,
    )


def stage_scan_rejections(staging: StagingArea, rejections: list[Rejection], load_id: str) -> None:
    """Files rejected while listing (too large, links out, unsupported...) load with the rest."""
    staging.write("rejected_document", rejections_frame(rejections, load_id), "scan")


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
        schema=DQ_RESULT_COLUMNS,
    )


def dimension_frames(catalog: Catalog) -> dict[str, pl.DataFrame]:
    """The catalogue's dimensions, which every load writes (they are small)."""
    return {
        "dim_indicator": build_dim_indicator(catalog),
        "dim_region": build_dim_region(catalog),
        "dim_unit": build_dim_unit(catalog),
    }


def chunk(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def batch_documents(items: list, batch_size: int, workers: int) -> list[list]:
    """Batches of nearly equal size, at most `batch_size`, and at least one per worker when
    there are enough documents to keep them all busy (a small inbox stays one batch, in the
    flow's process). Their number is a multiple of the workers where the batches stay worth
    a task: no worker extracts a last batch alone while the others wait."""
    if not items:
        return []
    workers = max(workers, 1)
    per_worker = -(-len(items) // workers)
    count = -(-len(items) // min(batch_size, max(MIN_PARALLEL_BATCH, per_worker)))
    balanced = -(-count // workers) * workers
    if count > 1 and len(items) // balanced >= MIN_PARALLEL_BATCH:
        count = balanced
    return split_evenly(items, count)


def split_evenly(items: list, parts: int) -> list[list]:
    """`items` in `parts` runs, in order, whose lengths differ by at most one."""
    size, longer = divmod(len(items), parts)
    bounds = [i * size + min(i, longer) for i in range(parts + 1)]
    return [items[bounds[i] : bounds[i + 1]] for i in range(parts)]
