"""A worker hands a prepared batch to the flow's process with its candidates staged as
Parquet, not inside the task's result (flows.batch.hand_over): the gate reads them back and
decides as it would on the carried frame."""

from __future__ import annotations

import pickle
from dataclasses import replace
from pathlib import Path

import polars as pl
from polars.testing import assert_frame_equal

from flows import batch
from flows.ingest import inbox_file_for
from warehouse.staging import StagingArea

INBOX = Path(__file__).resolve().parents[1] / "data" / "inbox"


def _prepare(root: Path, part: str) -> tuple[batch.PreparedBatch, batch.BatchContext]:
    files = [inbox_file_for(path) for path in sorted(INBOX.glob("*.txt"))[:4]]
    context = batch.BatchContext(StagingArea(root).reset(), part, "load-1", None)
    return batch.prepare_batch(files, context), context


def test_handed_over_batch_carries_no_frame_and_gates_like_the_carried_one(tmp_path) -> None:
    carried, carried_context = _prepare(tmp_path / "carried", "00000")
    handed, handed_context = _prepare(tmp_path / "handed", "00000")
    candidates = handed.candidates
    assert candidates is not None and candidates.height > 0

    handed = batch.hand_over(handed, handed_context)
    assert handed.candidates is None
    # What crosses the process boundary is the batch's small result, not its facts.
    assert len(pickle.dumps(handed)) < len(pickle.dumps(carried)) / 4
    staged = handed_context.staging.read_part(batch.CANDIDATES_TABLE, "00000")
    assert_frame_equal(staged, candidates)

    from_carried = batch.finish_batch(carried, carried_context)
    from_staged = batch.finish_batch(handed, handed_context)
    assert from_staged.candidates == from_carried.candidates == candidates.height
    assert from_staged.facts_loaded == from_carried.facts_loaded
    assert from_staged.quarantined_by == from_carried.quarantined_by
    for table in ("fact_observation", "quarantine_observation", "dq_result"):
        assert_frame_equal(handed_context.staging.read(table), carried_context.staging.read(table))


def test_a_batch_without_candidates_is_handed_over_as_it_is(tmp_path) -> None:
    context = batch.BatchContext(StagingArea(tmp_path).reset(), "00001", "load-1", None)
    empty = batch.PreparedBatch(
        result=batch.BatchResult(statuses={}, rejections=[]),
        candidates=pl.DataFrame(),
        seconds={},
    )
    assert batch.hand_over(empty, context) is empty
    assert not context.staging.has(batch.CANDIDATES_TABLE)


def _two_batches(root: Path) -> list[tuple[batch.PreparedBatch, batch.BatchContext]]:
    """Two prepared batches of the sample inbox in one staging area, the first handed over
    (candidates staged), the second carried with one fact made to fail the gate."""
    staging = StagingArea(root).reset()
    paths = sorted(INBOX.glob("*.txt"))
    prepared = []
    for part, chosen in (("00000", paths[:3]), ("00001", paths[3:6])):
        context = batch.BatchContext(staging, part, "load-1", None)
        prepared.append(
            (batch.prepare_batch([inbox_file_for(p) for p in chosen], context), context)
        )
    first, second = prepared
    candidates = second[0].candidates
    assert candidates is not None and candidates.height > 1
    broken = candidates.with_columns(
        pl.when(pl.int_range(pl.len()) == 0).then(pl.lit(-1.0)).otherwise(pl.col("value"))
        .alias("value"),
        pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("value")).otherwise(pl.col("measure"))
        .alias("measure"),
    )  # fmt: skip
    return [
        (batch.hand_over(first[0], first[1]), first[1]),
        (replace(second[0], candidates=broken), second[1]),
    ]


def _dq_totals(staging: StagingArea) -> pl.DataFrame:
    return (
        staging.read("dq_result")
        .group_by("expectation")
        .agg(pl.col("success").all(), pl.col("element_count", "unexpected_count").sum())
        .sort("expectation")
    )


def test_batches_gated_together_stage_what_they_would_one_by_one(tmp_path) -> None:
    apart = _two_batches(tmp_path / "apart")
    together = _two_batches(tmp_path / "together")

    one_by_one = [batch.finish_batch(prepared, context) for prepared, context in apart]
    paired = batch.finish_batches(together)

    assert [r.quarantined_by for r in paired] == [r.quarantined_by for r in one_by_one]
    assert paired[1].quarantined_by["value_positive"] == 1
    for field in ("candidates", "facts_loaded", "facts_quarantined"):
        assert [getattr(r, field) for r in paired] == [getattr(r, field) for r in one_by_one]
    staged_apart, staged_together = apart[0][1].staging, together[0][1].staging
    for table in ("fact_observation", "quarantine_observation"):
        assert_frame_equal(
            staged_together.read(table).sort("fact_key"), staged_apart.read(table).sort("fact_key")
        )
    # Each batch's verdicts beside its own documents.
    assert staged_together.read_part("quarantine_observation", "00001").height == 1
    # The gate's outcomes cover both batches once: the load adds them up per expectation.
    assert_frame_equal(_dq_totals(staged_together), _dq_totals(staged_apart))
    assert len(list((staged_together.root / "dq_result").glob("*.parquet"))) == 1
