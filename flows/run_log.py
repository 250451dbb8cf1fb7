"""Where a run's log records go: one console handler for every library, and the run's file.

Prefect, Great Expectations, DuckDB's and our own loggers all end at the root logger. The
command line puts one handler there for the terminal (Rich's, which prints above the
progress bars instead of through them; none with --quiet), before Prefect is imported, so
Prefect leaves the root alone, and takes Prefect's own console handlers away afterwards.
Every run, scheduled or by hand, writes `VAR/logs/<load_id>.log` with all of it from INFO
up, whatever the terminal shows.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.logging import RichHandler

FILE_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
LIBRARY_LOGGERS = ("prefect", "distributed", "flows", "warehouse")
"""Loggers whose INFO records the run's file keeps (the terminal shows warnings only).
Great Expectations stays at WARNING: its INFO records are about its own start-up."""


def run_log_path(var: Path, load_id: str) -> Path:
    return var / "logs" / f"{load_id}.log"


def console_handler(console: Console, level: int) -> logging.Handler:
    """The terminal's one handler: records printed above the live progress bars."""
    handler = RichHandler(
        console=console, level=level, show_time=False, show_path=False, markup=False,
        rich_tracebacks=False, omit_repeated_times=False,
    )  # fmt: skip
    # A handler with a formatter tells Prefect the root logger is configured already.
    handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    return handler


def route_to(handler: logging.Handler | None) -> None:
    """Make `handler` the root's only console handler (before Prefect is imported)."""
    root = logging.getLogger()
    root.setLevel(logging.WARNING)
    if handler is not None:
        root.addHandler(handler)
    else:
        # --quiet: a handler that prints nothing still keeps Prefect's off the root.
        silent = logging.NullHandler()
        silent.setFormatter(logging.Formatter())
        root.addHandler(silent)


def adopt_library_loggers(keep_info: bool = True) -> None:
    """After Prefect configured its loggers: its console handlers go (their records reach the
    root's), and the libraries log INFO for the run's file (the console filters by level)."""
    from prefect.logging.handlers import PrefectConsoleHandler

    for logger in [*logging.Logger.manager.loggerDict.values()]:
        if not isinstance(logger, logging.Logger):
            continue
        consoles = [h for h in logger.handlers if isinstance(h, PrefectConsoleHandler)]
        for handler in consoles:
            logger.removeHandler(handler)
        if consoles:
            logger.propagate = True
    if keep_info:
        for name in LIBRARY_LOGGERS:
            logging.getLogger(name).setLevel(logging.INFO)


class RunLogHandler(logging.FileHandler):
    """The run's file, which must never change how the run ends: when it cannot be written
    (the disk filled up, which the run itself reports in one line) it stops writing, without
    printing logging's traceback and without raising from `close` over the run's own error."""

    failed = False

    def handleError(self, record: logging.LogRecord) -> None:
        self.failed = True

    def emit(self, record: logging.LogRecord) -> None:
        if not self.failed:
            super().emit(record)

    def flush(self) -> None:
        try:
            super().flush()
        except OSError:
            self.failed = True

    def close(self) -> None:
        try:
            super().close()
        except OSError:
            self.failed = True


@contextmanager
def run_log(path: Path) -> Iterator[Path]:
    """Everything logged from INFO up, while the block runs, appended to `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = RunLogHandler(path, encoding="utf-8")
    handler.setLevel(logging.INFO)
    handler.setFormatter(logging.Formatter(FILE_FORMAT))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield path
    finally:
        root.removeHandler(handler)
        handler.close()
