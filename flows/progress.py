"""Progress of a run's long stages, for a person watching `zhibiao run` in a terminal.

The flow reports stages here; nobody listens unless the command line installs a reporter
(`reporting`). Scheduled runs, `--quiet` and `--json` install none, so their output stays
clean. A reporter is process-wide, not a flow parameter: Prefect records parameters, and a
progress bar is not part of what a run computes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

STAGE_LABELS = {
    "scan": "hashing inbox files",
    "extract": "reading and extracting",
    "validate": "quality gate",
    "load": "loading (one transaction)",
    "publish": "publishing extracts",
    "report": "writing the report",
}
FOLLOW_SECONDS = 0.25


class Reporter(Protocol):
    def start(self, stage: str, total: int | None = None) -> None: ...
    def advance(self, stage: str, amount: int = 1) -> None: ...
    def finish(self, stage: str) -> None: ...


class _Silent:
    def start(self, stage: str, total: int | None = None) -> None:
        pass

    def advance(self, stage: str, amount: int = 1) -> None:
        pass

    def finish(self, stage: str) -> None:
        pass


_reporter: Reporter = _Silent()


def start(stage: str, total: int | None = None) -> None:
    _reporter.start(stage, total)


def advance(stage: str, amount: int = 1) -> None:
    _reporter.advance(stage, amount)


def finish(stage: str) -> None:
    _reporter.finish(stage)


class FileCounter:
    """A worker process's progress: a byte appended to its own file per document done.

    Worker processes (and Dask workers, which see VAR/staging on a shared file system)
    cannot reach the flow's progress bar; the flow adds up the sizes of these files as
    they grow (`following`)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._handle = path.open("ab", buffering=0)

    def start(self, stage: str, total: int | None = None) -> None:
        pass

    def advance(self, stage: str, amount: int = 1) -> None:
        self._handle.write(b"." * amount)

    def finish(self, stage: str) -> None:
        pass

    def close(self) -> None:
        self._handle.close()


@contextmanager
def counted_in(path: Path | None) -> Iterator[None]:
    """Report this block's progress to `path` (a worker's file); nothing if None."""
    if path is None:
        yield
        return
    counter = FileCounter(path)
    try:
        with reporting(counter):
            yield
    finally:
        counter.close()


@contextmanager
def following(stage: str, folder: Path) -> Iterator[None]:
    """While the block runs, advance `stage` by what the workers' files in `folder` grew
    (`counted_in`), a few times a second, and once more at the end."""
    stop = threading.Event()
    seen = 0

    def catch_up() -> None:
        nonlocal seen
        now = _bytes_in(folder)
        if now > seen:
            advance(stage, now - seen)
            seen = now

    def poll() -> None:
        while not stop.wait(FOLLOW_SECONDS):
            catch_up()

    thread = threading.Thread(target=poll, name="progress-follower", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        catch_up()


def _bytes_in(folder: Path) -> int:
    total = 0
    for path in folder.glob("*"):
        try:
            total += path.stat().st_size
        except OSError:  # a file being replaced
            continue
    return total


@contextmanager
def reporting(reporter: Reporter) -> Iterator[Reporter]:
    """Send the stages of runs in this process to `reporter` until the block ends."""
    global _reporter
    previous, _reporter = _reporter, reporter
    try:
        yield reporter
    finally:
        _reporter = previous


@contextmanager
def bars(console: Console, *, enabled: bool = True) -> Iterator[None]:
    """Rich progress bars on `console` for the runs in this block; nothing if not enabled."""
    if not enabled:
        yield
        return
    with RichReporter(console) as reporter, reporting(reporter):
        yield


class RichReporter:
    """Rich progress bars on a console (stderr): one line per stage, a bar when the total is
    known, a spinner while it is not. Batches advance it from worker threads."""

    def __init__(self, console: Console) -> None:
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description:<28}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        )
        self._tasks: dict[str, TaskID] = {}
        self._lock = threading.Lock()

    def __enter__(self) -> RichReporter:
        self.progress.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.progress.stop()

    def start(self, stage: str, total: int | None = None) -> None:
        with self._lock:
            if stage in self._tasks:
                self.progress.reset(self._tasks[stage], total=total)
                return
            self._tasks[stage] = self.progress.add_task(STAGE_LABELS.get(stage, stage), total=total)

    def advance(self, stage: str, amount: int = 1) -> None:
        with self._lock:
            if stage not in self._tasks:
                self._tasks[stage] = self.progress.add_task(
                    STAGE_LABELS.get(stage, stage), total=None
                )
            self.progress.advance(self._tasks[stage], amount)

    def finish(self, stage: str) -> None:
        with self._lock:
            task_id = self._tasks.get(stage)
            if task_id is None:
                return
            task = next(t for t in self.progress.tasks if t.id == task_id)
            # A stage of unknown length ends as a full bar of what it did.
            total = task.total if task.total is not None else max(task.completed, 1)
            self.progress.update(task_id, total=total, completed=total)
