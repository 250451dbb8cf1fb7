"""Prefect's side of the retry policy: retry a failed task only when its error is transient."""

from __future__ import annotations

from typing import Any

from transforms.errors import is_transient


def retry_if_transient(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect's `retry_condition_fn`: retry a failed task only when its error is transient.

    Prefect calls it with the task, the task run and the Failed state, whose data is the
    exception the task raised. It must be a plain function (Prefect checks `isfunction`).
    """
    error = state.result(raise_on_failure=False)
    return is_transient(error if isinstance(error, BaseException) else None)
