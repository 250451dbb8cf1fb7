"""Errors that say whether to retry: the vocabulary every layer raises.

A transient error may go away if the same step runs again a little later (another process
holds the warehouse, a network share hiccups): Prefect retries the task. A terminal error
will fail the same way every time (a bad setting, a broken invariant): retrying only delays
the report, so the run fails at once with a message that names what to fix.

Documents that cannot be read are neither: they are rejected with a reason and the run goes
on (`transforms.decode.TerminalDocumentError`).
"""

from __future__ import annotations


class TransientError(RuntimeError):
    """Worth retrying: the same step may succeed later without anyone changing anything."""


class TerminalError(RuntimeError):
    """Not worth retrying: someone has to change a setting, a file or the code first."""


TRANSIENT_TYPES: tuple[type[BaseException], ...] = (TransientError, TimeoutError, ConnectionError)
"""Our transient type, and the standard library's errors that mean "not now" rather than "never"."""


def is_transient(error: BaseException | None) -> bool:
    return isinstance(error, TRANSIENT_TYPES) and not isinstance(error, TerminalError)
