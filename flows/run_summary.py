"""What a run did, counted: the tally of its stages (pure) and the summary it reports.

`tally_run` turns the plan and the batches' results into the run's counts and verdict,
without Prefect, I/O or clocks. `RunSummary` is what `zhibiao run` prints, `--json` emits
and the Prefect UI shows (a markdown artifact).
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from flows.batch import BatchResult
from flows.ingest import Rejection, RunPlan
from warehouse.staging import SOURCE_COLUMNS


def new_load_id() -> str:
    return time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]


@dataclass(frozen=True)
class RunTally:
    counts: dict[str, int]
    """documents_* and facts_* counts (documents_retired is the load's to tell: 0 here)."""
    sources: pl.DataFrame
    """One row per path seen, with its content and where it ended (document_source)."""
    rejections: list[Rejection]
    quarantined_by: dict[str, int]
    """Expectation name -> facts it quarantined, most first."""
    stage_seconds: dict[str, float]
    """Seconds of the batches' stages, summed over batches."""
    held_back: bool
    """Too large a share of candidates failed critical expectations: nothing loads."""


def tally_run(
    plan: RunPlan,
    results: list[BatchResult],
    *,
    reextracted: int,
    gate_min_facts: int,
    max_quarantined_share: float,
) -> RunTally:
    """The run's counts from its plan and its batches. Every path seen ends loaded or
    rejected, so documents_seen = documents_loaded + documents_rejected."""
    statuses: dict[str, str] = {}
    rejections = list(plan.rejections)
    quarantined_by: Counter[str] = Counter()
    seconds: Counter[str] = Counter()
    candidates = loaded = quarantined = 0
    for result in results:
        statuses.update(result.statuses)
        rejections.extend(result.rejections)
        quarantined_by.update(result.quarantined_by)
        seconds.update(result.seconds)
        candidates += result.candidates
        loaded += result.facts_loaded
        quarantined += result.facts_quarantined
    sources = sources_frame(plan, statuses)
    held_back = is_held_back(candidates, quarantined, gate_min_facts, max_quarantined_share)
    counts = {
        **plan.counts,
        "documents_read": len(plan.to_read),
        "documents_reextracted": reextracted,
        "documents_loaded": sources.filter(pl.col("status") == "loaded").height,
        "documents_rejected": sources.filter(pl.col("status") == "rejected").height,
        "documents_retired": 0,
        "facts_candidates": candidates,
        "facts_loaded": 0 if held_back else loaded,
        "facts_quarantined": quarantined,
    }
    return RunTally(
        counts=counts,
        sources=sources,
        rejections=rejections,
        quarantined_by=dict(quarantined_by.most_common()),
        stage_seconds=dict(seconds),
        held_back=held_back,
    )


def sources_frame(plan: RunPlan, statuses: dict[str, str]) -> pl.DataFrame:
    """One row per path seen this run with its content and where that content ended up."""
    known = {**plan.known, **statuses}
    rows = [
        (f.source_path, f.content_sha256, known.get(f.content_sha256, "rejected"))
        for f in plan.files
    ]
    rows += [(r.source_path, r.content_sha256 or "", "rejected") for r in plan.rejections]
    return pl.DataFrame(rows, schema=SOURCE_COLUMNS, orient="row")


def is_held_back(
    candidates: int, quarantined: int, gate_min_facts: int, max_quarantined_share: float
) -> bool:
    if candidates < gate_min_facts:
        return False
    return quarantined / candidates > max_quarantined_share


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
    published_load_id: str | None = None
    """The load analysts see after this run (VAR/exports and VAR/analyst.duckdb)."""
    log: Path | None = None
    """The run's log file, VAR/logs/<load_id>.log."""

    def as_json(self) -> dict[str, object]:
        return {
            **self.counts,
            "seconds": round(self.seconds, 3),
            "status": self.status,
            "mode": self.mode,
            **{f"{name}_version": version for name, version in self.versions.items()},
            "load_id": self.load_id,
            "published_load_id": self.published_load_id,
            "flow_run_id": self.flow_run_id,
            "warehouse": str(self.warehouse),
            "exports": str(self.exports) if self.exports else None,
            "analyst_db": str(self.analyst_db) if self.analyst_db else None,
            "data_docs": str(self.data_docs) if self.data_docs else None,
            "report": str(self.report) if self.report else None,
            "report_error": self.report_error,
            "log": str(self.log) if self.log else None,
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
        if self.published_load_id:
            lines += ["", f"Published load: `{self.published_load_id}`"]
        if self.report or self.report_error:
            lines += ["", f"Report: `{self.report}`" if self.report else
                      f"Report not written: {self.report_error}"]  # fmt: skip
        return "\n".join(lines) + "\n"
