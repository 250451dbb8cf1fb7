"""Checks a run makes before Prefect starts: its folders, its writer lock, its warehouse.

`zhibiao run` calls these first, so a mistyped --inbox or a run already writing VAR ends in
a second with one line, instead of after Prefect's server and the flow have started (and
without leaving an empty warehouse behind). The flow calls them too, for runs that start
without the command line (`zhibiao serve`): `take_writer_lock` finds a lock this process
already holds and reuses it.
"""

from __future__ import annotations

import logging
import os

import duckdb

from flows.settings import Settings, SettingsError
from warehouse.lock import WriterLock, held_by_this_process
from warehouse.sql import error_text
from warehouse.store import WarehouseBusy, connect


class InputFolderError(SettingsError):
    """The inbox or the state folder cannot be used as given."""


def check_folders(settings: Settings) -> None:
    """The inbox is a readable folder; VAR is a folder, or can be made, and is writable."""
    inbox = settings.inbox
    if not inbox.exists():
        raise InputFolderError(f"inbox {inbox} does not exist (--inbox)")
    if not inbox.is_dir():
        raise InputFolderError(f"inbox {inbox} is not a folder (--inbox)")
    if not os.access(inbox, os.R_OK | os.X_OK):
        raise InputFolderError(f"inbox {inbox} cannot be read (permission denied)")
    var = settings.var
    if var.exists() and not var.is_dir():
        raise InputFolderError(f"state folder {var} is a file, not a folder (--var)")
    if inbox.resolve() == var.resolve() or var.resolve().is_relative_to(inbox.resolve()):
        raise InputFolderError(
            f"state folder {var} is inside the inbox {inbox}: its files would be read as "
            "documents (--var)"
        )
    try:
        var.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputFolderError(
            f"state folder {var} cannot be made: {error.strerror or error}"
        ) from error
    if not os.access(var, os.W_OK | os.X_OK):
        raise InputFolderError(f"state folder {var} is not writable (permission denied)")


def take_writer_lock(
    settings: Settings, holder: dict[str, object], logger: logging.Logger | None = None
) -> WriterLock:
    """The writer lock of VAR, waiting up to settings.wait_seconds for a run that holds it;
    the one this process holds already, if it does (its holder record is updated)."""
    held = held_by_this_process(settings.var)
    if held is not None:
        held.describe(holder)
        return _Borrowed(held)
    lock = WriterLock(settings.var)
    try:
        return lock.acquire(0, holder=holder)
    except WarehouseBusy:
        if settings.wait_seconds <= 0:
            raise
    if logger:
        logger.warning(
            "another run is writing to %s (%s); waiting up to %g s",
            settings.var, lock.holder().get("load_id", "unknown"), settings.wait_seconds,
        )  # fmt: skip
    return lock.acquire(settings.wait_seconds, holder=holder)


class _Borrowed(WriterLock):
    """A lock held by a caller further up in this process: released by that caller only."""

    def __init__(self, lock: WriterLock) -> None:
        super().__init__(lock.path.parent)
        self._lock = lock

    @property
    def held(self) -> bool:
        return self._lock.held

    def release(self) -> None:
        pass


def check_warehouse(settings: Settings) -> None:
    """An existing warehouse is of this schema version (or one it migrates); a process
    holding the file is left for the flow to wait for (--wait)."""
    path = settings.warehouse_path
    if not path.exists():
        return
    try:
        connect(path, read_only=True).close()
    except WarehouseBusy:
        pass  # the flow waits for the process that holds it (--wait), or says who it is
    except duckdb.Error as error:  # not a DuckDB file, or one of another DuckDB version
        raise InputFolderError(
            f"the warehouse {path} cannot be opened: {error_text(error)}"
        ) from error


def prepare_run(settings: Settings, holder: dict[str, object]) -> WriterLock:
    """Everything a run checks before Prefect starts; the writer lock it then holds."""
    check_folders(settings)
    lock = take_writer_lock(settings, holder)
    try:
        check_warehouse(settings)
    except BaseException:
        lock.release()
        raise
    return lock
