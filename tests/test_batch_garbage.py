"""A batch's reference cycles are freed before the next batch, and extraction runs with the
cycle collector paused (memory.collector_paused, memory.collect_batch_garbage)."""

from __future__ import annotations

import gc
import weakref

from flows import memory


class Node:
    def __init__(self) -> None:
        self.self_reference = self


def cycle() -> weakref.ref[Node]:
    """A reference cycle nobody holds: only the cycle collector frees it."""
    return weakref.ref(Node())


def test_collect_batch_garbage_frees_cycles_made_before_and_after_the_first_call() -> None:
    before = cycle()
    memory.collect_batch_garbage()
    assert before() is None
    # The first call froze what was alive then; cycles made later are still collected.
    after = cycle()
    memory.collect_batch_garbage()
    assert after() is None


def test_collector_paused_inside_and_restored_after() -> None:
    assert gc.isenabled()
    with memory.collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_collector_paused_keeps_it_off_when_it_was_off() -> None:
    gc.disable()
    try:
        with memory.collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
