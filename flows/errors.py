"""Errors of a run: Prefect's retry policy (transient errors only) and a full disk told plainly."""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any

from transforms.errors import TerminalError, is_transient
from warehouse.sql import error_text


def retry_if_transient(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect's `retry_condition_fn`: retry a failed task only when its error is transient.

    Prefect calls it with the task, the task run and the Failed state, whose data is the
    exception the task raised. It must be a plain function (Prefect checks `isfunction`).
    """
    error = state.result(raise_on_failure=False)
    return is_transient(error if isinstance(error, BaseException) else None)


class DiskFull(TerminalError):
    """A write failed because the file system (or the user's quota) is full."""


_FULL_ERRNOS = (errno.ENOSPC, errno.EDQUOT)
_FULL_MESSAGES = ("No space left on device", "Disk quota exceeded")


def disk_full(error: BaseException, folder: Path) -> DiskFull | None:
    """The error as a DiskFull naming `folder`, if a full disk caused it (OSError's errno, or
    the message DuckDB and Polars pass on); None otherwise."""
    seen: BaseException | None = error
    while seen is not None:
        if (isinstance(seen, OSError) and seen.errno in _FULL_ERRNOS) or any(
            message in str(seen) for message in _FULL_MESSAGES
        ):
            return DiskFull(
                f"the disk holding {folder} is full ({error_text(seen)}): free space "
                "and run again (the warehouse keeps its last committed load)"
            )
        seen = seen.__cause__ or seen.__context__
    return None
