"""The quality gate: one Great Expectations validation of a batch of candidate facts.

The rules are data. `suites/fact_candidates.json` is GX's own suite serialisation; each
expectation in it states its severity and, in `meta`, a stable `name` and a description in
English and Chinese. This module runs that suite once over the whole batch and turns GX's
result into a `GateReport`:

- critical: the fact is quarantined (`GateReport.quarantined_keys`);
- warning: the fact is loaded and flagged (`GateReport.flagged_keys`);
- info: the fact is loaded, the note is kept (`GateReport.noted_keys`).

GX 1.x has no Polars engine and its SQL path fails on DuckDB, so the batch is validated as a
pandas frame converted from Polars. GX takes seconds to import and the CLI imports this
module, so GX is imported on the first validation, and its context and suites are built once
per process (a worker process keeps them for every batch it validates).

Row conditions are judged in Polars, once per batch: GX would run a pandas `query` per
condition and metric (47 of them a batch, a third of the validation). An expectation with
a `row_condition` reads instead a copy of each of its columns that is missing outside the
condition (`value[measure in ('share_pct')]`), which its kind of expectation does not judge,
and so judges exactly the rows the condition selects (`compiled_suite`). Only kinds that
skip a missing value are compiled this way; any other keeps its condition for GX.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import os
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, cast

import polars as pl

from expectations.row_conditions import (
    CompiledSuite,
    compile_suite,
    condition_columns,
    masked_columns,
    may_fail,
    rows_selected,
)

if TYPE_CHECKING:
    import pandas as pd
    from great_expectations.core import (
        ExpectationValidationResult,
    )
    from great_expectations.core.batch_definition import BatchDefinition
    from great_expectations.core.validation_definition import ValidationDefinition
    from great_expectations.data_context import AbstractDataContext

Severity = Literal["critical", "warning", "info"]
SEVERITIES: Final[tuple[Severity, ...]] = ("critical", "warning", "info")

SUITES_DIR: Final = Path(__file__).resolve().parent / "suites"
CANDIDATE_SUITE: Final = "fact_candidates"
ROW_KEY: Final = "fact_key"
"""The column that names a candidate fact in failures (unique and never null)."""

# COMPLETE is the only result format that lists every failing row. The frame's index is the
# row key, so GX names failing rows by it; without their values, GX lists the keys at once
# ([{"fact_key": [...]}]) instead of reading each failing row's cells one by one.
_RESULT_FORMAT: Final = {
    "result_format": "COMPLETE",
    "unexpected_index_column_names": [ROW_KEY],
    "exclude_unexpected_values": True,
}
ALL_EXPECTATIONS: Final = "all"
CROSS_DOCUMENT_WARNINGS: Final = "cross_document_warnings"
SELECTIONS: Final[dict[str, Any]] = {
    CROSS_DOCUMENT_WARNINGS: lambda entry: (
        entry.get("severity") == "warning" and bool(entry["meta"].get("cross_document"))
    ),
}
"""Parts of the suite run on their own: the warnings that compare a fact with other
documents (`meta.cross_document`), checked again when those documents change."""
# Expectation kwargs that name a column of the batch.
_COLUMN_KWARGS: Final = ("column", "column_A", "column_B")
_COLUMN_LIST_KWARGS: Final = ("column_list",)

# GX's context, stores and validator are not safe to share between threads; a Prefect task
# runner may call the gate from several at once.
_GX_LOCK: Final = threading.Lock()


class GateError(Exception):
    """The gate cannot judge the batch. Terminal: the same input fails the same way again."""


class SuiteFileError(GateError):
    """A suite file is unreadable or states a rule the gate cannot run or name."""


class CandidateContractError(GateError):
    """The candidates frame lacks a column the suite reads, or a fact has no key."""


class ExpectationRunError(GateError):
    """GX raised inside an expectation, or reported a failure it did not pin on rows."""


@dataclass(frozen=True)
class Failure:
    """One candidate fact failing one expectation."""

    fact_key: str
    expectation: str
    """The expectation's stable name (`meta.name` in the suite file)."""
    severity: Severity


@dataclass(frozen=True)
class ExpectationOutcome:
    """How the batch fared against one expectation."""

    name: str
    severity: Severity
    success: bool
    element_count: int
    """Rows the expectation looked at (those its row condition selects)."""
    unexpected_count: int
    description: str
    """What the expectation asks, in English."""
    description_zh: str
    """The same, in Chinese."""


@dataclass(frozen=True)
class GateReport:
    """The gate's verdict on one batch: one outcome per expectation, one failure per fact and
    failed expectation."""

    outcomes: list[ExpectationOutcome]
    failures: list[Failure]
    rows: int
    docs_index: Path | None = None
    """index.html of the Data Docs built for this validation, when asked for."""

    def keys_failing(self, severity: Severity) -> dict[str, list[str]]:
        """fact_key -> names of the expectations of this severity that the fact fails."""
        failing: dict[str, list[str]] = {}
        for failure in self.failures:
            if failure.severity == severity:
                failing.setdefault(failure.fact_key, []).append(failure.expectation)
        return failing

    def quarantined_keys(self) -> dict[str, list[str]]:
        """Facts failing a critical expectation: they go to quarantine, not the warehouse."""
        return self.keys_failing("critical")

    def flagged_keys(self) -> dict[str, list[str]]:
        """Facts failing a warning expectation (quarantined ones included)."""
        return self.keys_failing("warning")

    def noted_keys(self) -> dict[str, list[str]]:
        """Facts failing an info expectation (quarantined ones included)."""
        return self.keys_failing("info")

    @property
    def quarantined_share(self) -> float:
        """Share of the batch's rows that are quarantined (0.0 for an empty batch)."""
        return len(self.quarantined_keys()) / self.rows if self.rows else 0.0


def validate_candidates(candidates: pl.DataFrame, *, docs_dir: Path | None = None) -> GateReport:
    """Validate the conformed candidate facts with the `fact_candidates` suite, in one GX run.

    With `docs_dir`, also build GX Data Docs (a static site) there; its index.html is
    `GateReport.docs_index`.
    """
    return _validate(candidates, ALL_EXPECTATIONS, docs_dir=docs_dir)


def warm_up_gate() -> None:
    """Import GX and build its context and suites for this process ahead of the first
    validation (seconds), e.g. on a thread while other work goes on. A suite that cannot be
    built is left for that validation to report."""
    try:
        for selection in (ALL_EXPECTATIONS, CROSS_DOCUMENT_WARNINGS):
            with _GX_LOCK:
                _runtime(CANDIDATE_SUITE, selection)
    except GateError:
        return


def cross_document_warnings() -> list[str]:
    """Names of the suite's warnings that compare a fact with other documents' facts
    (`meta.cross_document`), in the file's order."""
    document = suite_document(CANDIDATE_SUITE, CROSS_DOCUMENT_WARNINGS)
    return [entry["meta"]["name"] for entry in document["expectations"]]


def check_cross_document_warnings(facts: pl.DataFrame) -> dict[str, list[str]]:
    """fact_key -> the cross-document warnings the fact fails, by GX over `facts` (which carry
    the comparison columns); run again whenever the documents compared with change."""
    if facts.is_empty():
        return {}
    # Only the facts that can fail them go to GX: a first load compares most levels with
    # nothing, and a recheck reads whole series of which few facts have values to judge.
    return _validate(facts, CROSS_DOCUMENT_WARNINGS, only_judgeable=True).flagged_keys()


def expectation_order() -> dict[str, int]:
    """Expectation name -> its place in the suite file."""
    document = suite_document(CANDIDATE_SUITE)
    return {entry["meta"]["name"]: place for place, entry in enumerate(document["expectations"])}


def _validate(
    candidates: pl.DataFrame,
    selection: str,
    *,
    docs_dir: Path | None = None,
    only_judgeable: bool = False,
) -> GateReport:
    """GX's verdict on the candidates. `only_judgeable`: GX sees only the rows that can fail
    some expectation (`row_conditions.may_fail`); the outcomes then count those rows only."""
    document = suite_document(CANDIDATE_SUITE, selection)
    compiled = compiled_suite(CANDIDATE_SUITE, selection)
    frame, judged = _validation_frame(
        candidates, columns_read_by(document), compiled, only_judgeable=only_judgeable
    )
    with _GX_LOCK:
        results, docs_index = _runtime(CANDIDATE_SUITE, selection).validate(frame, docs_dir)
    outcomes, failures = _read_result(results, document, judged, rows=len(frame))
    return GateReport(
        outcomes=outcomes, failures=failures, rows=candidates.height, docs_index=docs_index
    )


@cache
def _suite_text(name: str) -> str:
    path = SUITES_DIR / f"{name}.json"
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise SuiteFileError(f"cannot read suite {name!r}: {error}") from error


def suite_document(
    name: str = CANDIDATE_SUITE, selection: str = ALL_EXPECTATIONS
) -> dict[str, Any]:
    """The suite file `suites/<name>.json`, parsed and checked for what the gate relies on;
    with a `selection` (SELECTIONS), only the expectations it picks."""
    try:
        document = json.loads(_suite_text(name))
    except json.JSONDecodeError as error:
        raise SuiteFileError(f"suite {name!r} is not valid JSON: {error}") from error
    problems = list(_suite_problems(document))
    if problems:
        raise SuiteFileError(f"suite {name!r}: " + "; ".join(problems))
    if selection != ALL_EXPECTATIONS:
        picks = SELECTIONS[selection]
        document = {**document, "expectations": [e for e in document["expectations"] if picks(e)]}
    return cast(dict[str, Any], document)


@cache
def compiled_suite(name: str = CANDIDATE_SUITE, selection: str = ALL_EXPECTATIONS) -> CompiledSuite:
    """The suite as GX runs it: row conditions judged in Polars (expectations.row_conditions)."""
    return compile_suite(suite_document(name, selection))


def _suite_problems(document: Any) -> Iterator[str]:
    if not isinstance(document, dict) or not isinstance(document.get("expectations"), list):
        yield "expected an object with an `expectations` list"
        return
    seen: set[str] = set()
    for position, entry in enumerate(document["expectations"]):
        meta = entry.get("meta") or {}
        name = meta.get("name")
        label = name or f"expectation #{position}"
        if not isinstance(name, str) or not name:
            yield f"{label}: meta.name is missing"
        elif name in seen:
            yield f"{label}: meta.name is used twice"
        seen.add(name)
        # Stated, not defaulted: GX would silently make a forgotten severity critical.
        if entry.get("severity") not in SEVERITIES:
            yield f"{label}: severity must be one of {', '.join(SEVERITIES)}"
        for key in ("description_en", "description_zh"):
            if not meta.get(key):
                yield f"{label}: meta.{key} is missing"
        if isinstance(entry.get("kwargs", {}).get("row_condition"), str):
            # String conditions are deprecated in GX 1.9+ and hide which columns they read.
            yield f"{label}: row_condition must be a condition object, not a string"


def columns_read_by(document: Mapping[str, Any]) -> frozenset[str]:
    """Every column the suite's expectations and row conditions read, and the row key."""
    columns = {ROW_KEY}
    for entry in document["expectations"]:
        kwargs = entry.get("kwargs", {})
        columns.update(kwargs[key] for key in _COLUMN_KWARGS if key in kwargs)
        for key in _COLUMN_LIST_KWARGS:
            columns.update(kwargs.get(key, ()))
        columns.update(condition_columns(kwargs.get("row_condition")))
    return frozenset(columns)


def _validation_frame(
    candidates: pl.DataFrame,
    columns: frozenset[str],
    compiled: CompiledSuite,
    *,
    only_judgeable: bool = False,
) -> tuple[pd.DataFrame, dict[str, int]]:
    """The columns the compiled suite reads, as the pandas frame GX validates; and how many
    rows each compiled row condition selects (expectation name -> rows)."""
    missing = sorted(columns - set(candidates.columns))
    if missing and candidates.height:
        raise CandidateContractError(
            f"candidates lack columns the suite {CANDIDATE_SUITE!r} reads: {', '.join(missing)}"
        )
    # A frame with no rows has nothing to judge, so it need not carry the whole schema.
    candidates = candidates.with_columns(pl.lit(None).alias(column) for column in missing)
    keyless = candidates.get_column(ROW_KEY).null_count()
    if keyless:
        raise CandidateContractError(
            f"{keyless} candidate fact(s) have no {ROW_KEY}; failures could not name them"
        )
    schema = candidates.schema
    counts = rows_selected(compiled, schema)
    judged = candidates.select(counts).row(0, named=True) if counts else {}
    # Only the columns read: evidence text and the like would just slow the conversion.
    read = columns_read_by(compiled.document)
    frame = candidates.select(*sorted(read & set(schema)), *masked_columns(compiled, schema))
    judgeable = may_fail(compiled) if only_judgeable else None
    if judgeable is not None:
        frame = frame.filter(judgeable)
    pandas = frame.to_pandas().set_index(ROW_KEY, drop=False)
    return pandas, {name: int(rows or 0) for name, rows in judged.items()}


@dataclass(frozen=True)
class _GxRuntime:
    """The parts of GX that are built once per process and reused for every batch."""

    context: AbstractDataContext
    validation: ValidationDefinition
    batch_definition: BatchDefinition

    def validate(
        self, frame: pd.DataFrame, docs_dir: Path | None
    ) -> tuple[list[ExpectationValidationResult], Path | None]:
        """GX's result of every expectation for the frame, and with `docs_dir` the Data Docs
        built from it.

        Without Data Docs, the suite runs first for its verdicts alone (BOOLEAN_ONLY: half
        the cost of listing failing rows); only the expectations that failed run again,
        each listing its failing rows (COMPLETE). A passing one fails no row, and looked at
        every row of the frame (or those its condition selects: `_read_result`). Nothing is
        stored. A validation with Data Docs goes through the validation definition, which
        stores the full result for them."""
        parameters = {"dataframe": frame}
        if docs_dir is not None:
            try:
                result = self.validation.run(
                    batch_parameters=parameters, result_format=_RESULT_FORMAT
                )
                return list(result.results), self.build_docs(docs_dir)
            finally:
                self.forget_results()
        batch = self.batch_definition.get_batch(batch_parameters=parameters)
        suite = self.validation.suite
        verdicts = batch.validate(suite, result_format="BOOLEAN_ONLY").results
        failed = {r.expectation_config.meta["name"] for r in verdicts if not r.success}
        listed = {
            expectation.meta["name"]: batch.validate(expectation, result_format=_RESULT_FORMAT)
            for expectation in suite.expectations
            if expectation.meta["name"] in failed
        }
        results = [listed.get(r.expectation_config.meta["name"], r) for r in verdicts]
        return results, None

    def build_docs(self, docs_dir: Path) -> Path:
        docs_dir = docs_dir.resolve()
        site_name = "zhibiao_" + hashlib.sha256(str(docs_dir).encode()).hexdigest()[:12]
        self.context.add_data_docs_site(
            site_name=site_name,
            site_config={
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(docs_dir),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
        try:
            self.context.build_data_docs(site_names=[site_name])
        finally:
            # Sites would pile up in the shared context, one per directory ever asked for.
            self.context.delete_data_docs_site(site_name)
        return docs_dir / "index.html"

    def forget_results(self) -> None:
        """Drop stored validation results: the process-wide context keeps them in memory, so
        they would grow with every batch and reappear in later Data Docs."""
        store = self.context.validation_results_store
        for key in store.list_keys():
            store.remove_key(key)


@cache
def _runtime(suite_name: str, selection: str = ALL_EXPECTATIONS) -> _GxRuntime:
    import great_expectations as gx

    context = _context()
    name = suite_name if selection == ALL_EXPECTATIONS else f"{suite_name}.{selection}"
    suite = context.suites.add(_build_suite(suite_name, selection, name))
    batch = (
        context.data_sources.add_pandas(name=name)
        .add_dataframe_asset(name=name)
        .add_batch_definition_whole_dataframe(name="whole_batch")
    )
    validation = context.validation_definitions.add(
        gx.ValidationDefinition(name=name, data=batch, suite=suite)
    )
    return _GxRuntime(context=context, validation=validation, batch_definition=batch)


@cache
def _context() -> AbstractDataContext:
    """GX's ephemeral context, one per process for every suite (it takes seconds to build)."""
    # GX reads this when it is imported; the caller's own setting wins.
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    # That module sets its own logger to INFO when imported, which would print a line per
    # context ("Created temporary directory ... for ephemeral docs site") whatever the
    # caller's logging level; the caller's level wins again.
    logging.getLogger(ProgressBarsConfig.__module__).setLevel(logging.NOTSET)
    context = gx.get_context(mode="ephemeral")
    # tqdm bars on stderr would break into the CLI's output.
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def _build_suite(suite_name: str, selection: str = ALL_EXPECTATIONS, name: str = "") -> Any:
    import great_expectations as gx
    from great_expectations.exceptions import (
        ExpectationNotFoundError,
        InvalidExpectationConfigurationError,
    )
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    document = copy.deepcopy(compiled_suite(suite_name, selection).document)
    expectations = []
    # One by one, because ExpectationSuite(expectations=[...]) logs and drops an entry it
    # cannot build, and the gate must never run with fewer rules than the file states.
    for entry in document["expectations"]:
        try:
            expectations.append(ExpectationConfiguration(**entry).to_domain_obj())
        except (
            ExpectationNotFoundError,
            InvalidExpectationConfigurationError,
            TypeError,
            ValueError,
        ) as error:
            raise SuiteFileError(
                f"suite {suite_name!r}, expectation {entry['meta']['name']!r}: {error}"
            ) from error
    return gx.ExpectationSuite(
        name=name or document["name"],
        expectations=expectations,
        meta=document.get("meta"),
        notes=document.get("notes"),
    )


def _read_result(
    results: list[ExpectationValidationResult],
    document: Mapping[str, Any],
    judged: Mapping[str, int],
    *,
    rows: int,
) -> tuple[list[ExpectationOutcome], list[Failure]]:
    """Outcomes in the suite file's order and failures, from GX's result of each expectation.
    `rows`: the frame's; `judged`: the rows selected by each condition judged in Polars."""
    read = {
        outcome.name: (outcome, row_failures)
        for outcome, row_failures in (_read_expectation_result(r, judged, rows) for r in results)
    }
    # In the file's order, which people reading reports and Data Docs know.
    in_file_order = [read[entry["meta"]["name"]] for entry in document["expectations"]]
    outcomes = [outcome for outcome, _ in in_file_order]
    # A duplicated fact_key fails `unique` once per row; one failure per key is enough.
    failures = dict.fromkeys(
        failure for _, row_failures in in_file_order for failure in row_failures
    )
    return outcomes, list(failures)


def _read_expectation_result(
    result: ExpectationValidationResult, judged: Mapping[str, int], rows: int
) -> tuple[ExpectationOutcome, list[Failure]]:
    config = result.expectation_config
    meta = config.meta or {}
    name: str = meta["name"]
    severity = cast(Severity, config.severity.value)
    raised = _raised_exception_message(result.exception_info or {})
    if raised is not None:
        columns = ", ".join(str(config.kwargs[k]) for k in _COLUMN_KWARGS if k in config.kwargs)
        raise ExpectationRunError(f"expectation {name!r} ({columns}) raised inside GX: {raised}")
    details = result.result or {}
    unexpected_count = int(details.get("unexpected_count") or 0)
    outcome = ExpectationOutcome(
        name=name,
        severity=severity,
        success=bool(result.success),
        # Under a condition judged in Polars, GX counts every row; the rows it selected
        # are the ones the expectation looked at. A verdict alone (BOOLEAN_ONLY) carries
        # no counts: it looked at every row.
        element_count=judged.get(name, int(details.get("element_count", rows))),
        unexpected_count=unexpected_count,
        description=meta.get("description_en", ""),
        description_zh=meta.get("description_zh", ""),
    )
    if result.success:
        return outcome, []
    listed = details.get("unexpected_index_list") or ()
    keys = [str(key) for keys_of in listed for key in keys_of[ROW_KEY]]
    if not keys or len(keys) != unexpected_count:
        # A failure that names no rows (or not all of them) cannot be quarantined row by row;
        # letting the batch through would load facts that failed.
        raise ExpectationRunError(
            f"expectation {name!r} failed on {unexpected_count} row(s) but GX named {len(keys)}"
        )
    return outcome, [Failure(fact_key=key, expectation=name, severity=severity) for key in keys]


def _raised_exception_message(exception_info: Mapping[str, Any]) -> str | None:
    # GX gives either one {raised_exception, exception_message, ...} or one such dict per
    # metric it computed.
    infos = [exception_info] if "raised_exception" in exception_info else exception_info.values()
    for info in infos:
        if isinstance(info, Mapping) and info.get("raised_exception"):
            return str(info.get("exception_message") or "unknown error")
    return None
