"""A worker hands a prepared batch to the flow's process with its candidates staged as
Parquet, not inside the task's result (flows.batch.hand_over): the gate reads them back and
decides as it would on the carried frame."""

from __future__ import annotations

import pickle
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
