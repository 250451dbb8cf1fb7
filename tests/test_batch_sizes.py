"""How the inbox is cut into extraction batches: every document once, in order, in batches
the workers share evenly."""

import pytest

from flows.batch import MIN_PARALLEL_BATCH, batch_documents


@pytest.mark.parametrize(
    ("documents", "batch_size", "workers"),
    [(0, 1000, 2), (1, 1000, 2), (150, 1000, 2), (5000, 1000, 2), (10_000, 2000, 2),
     (100_000, 2000, 2), (2100, 1000, 1), (5001, 1000, 3), (300, 1, 2)],
)  # fmt: skip
def test_every_document_once_in_order_within_the_batch_size(
    documents: int, batch_size: int, workers: int
) -> None:
    batches = batch_documents(list(range(documents)), batch_size, workers)
    assert [d for batch in batches for d in batch] == list(range(documents))
    assert all(0 < len(batch) <= batch_size for batch in batches)
    assert max(map(len, batches), default=0) - min(map(len, batches), default=0) <= 1


def test_workers_get_as_many_batches_each() -> None:
    # 10,000 in batches of 2,000 would be five: the last one extracted alone while the other
    # worker waits. Six of 1,667 keep both busy to the end.
    batches = batch_documents(list(range(10_000)), 2000, 2)
    assert len(batches) == 6


def test_small_inbox_is_one_batch_and_batches_stay_worth_a_task() -> None:
    assert len(batch_documents(list(range(MIN_PARALLEL_BATCH - 1)), 1000, 2)) == 1
    batches = batch_documents(list(range(3 * MIN_PARALLEL_BATCH)), 1000, 4)
    assert min(map(len, batches)) >= MIN_PARALLEL_BATCH  # three of 100, not four of 75
