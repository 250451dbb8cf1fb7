"""The writer lock, transient and terminal errors, progress bars: small parts of a run."""

from __future__ import annotations

import io
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from rich.console import Console

from flows import progress
from flows.errors import retry_if_transient
from transforms.errors import TerminalError, TransientError, is_transient
from warehouse.lock import WriterLock
from warehouse.store import WarehouseBusy

HOLD_AND_WAIT = """
import sys, time
from pathlib import Path
from warehouse.lock import WriterLock
WriterLock(Path(sys.argv[1])).acquire(holder={"load_id": "doomed"})
print("held", flush=True)
time.sleep(60)
"""


def test_a_second_writer_is_refused_with_the_holder_named(tmp_path: Path) -> None:
    with WriterLock(tmp_path).acquire(holder={"load_id": "20250101T020000-abc"}):
        with pytest.raises(WarehouseBusy, match="20250101T020000-abc") as refused:
            WriterLock(tmp_path).acquire(0)
        assert is_transient(refused.value)
    with WriterLock(tmp_path).acquire(0) as lock:  # free again once released
        assert lock.held


def test_a_writer_waits_for_the_holder_to_finish(tmp_path: Path) -> None:
    first = WriterLock(tmp_path).acquire()
    threading.Timer(0.5, first.release).start()
    clock = time.monotonic()
    with WriterLock(tmp_path).acquire(10):
        assert 0.4 < time.monotonic() - clock < 5


def test_a_killed_writer_leaves_no_lock_behind(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_AND_WAIT, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(WarehouseBusy, match="doomed"):
        WriterLock(tmp_path).acquire(0)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    holder.stdout.close()
    with WriterLock(tmp_path).acquire(0) as lock:
        assert lock.held


def test_only_transient_errors_are_retried() -> None:
    from prefect.states import Failed

    def retried(error: BaseException) -> bool:
        return retry_if_transient(None, None, Failed(data=error))

    assert retried(TransientError("the share is away"))
    assert retried(WarehouseBusy("another run"))
    assert retried(TimeoutError("slow disk"))
    assert not retried(TerminalError("bad setting"))
    assert not retried(ValueError("a defect"))


def test_progress_bars_show_each_stage_and_nothing_without_a_reporter() -> None:
    progress.start("extract", 3)  # no reporter installed: a no-op
    progress.advance("extract")
    output = io.StringIO()
    console = Console(file=output, force_terminal=True, width=100)
    with progress.bars(console):
        progress.start("extract", total=2)
        progress.advance("extract")
        progress.advance("extract")
        progress.finish("extract")
        progress.start("load")
        progress.finish("load")
    text = output.getvalue()
    assert "reading and extracting" in text and "2/2" in text
    assert "loading (one transaction)" in text
    output.truncate(0)
    with progress.bars(console, enabled=False):
        progress.start("publish", total=1)
        progress.finish("publish")
    assert output.getvalue().strip("\x00") == ""
