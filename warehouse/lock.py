"""One writer per state folder: an advisory lock on VAR/writer.lock, held for a whole run.

DuckDB's own file lock covers warehouse.duckdb only; a run also writes staging/, exports/,
analyst.duckdb and the data docs under VAR. This lock covers all of it, from before the plan
to after the publish, so two runs can never interleave. It is `flock(2)`: the kernel drops it
when its holder exits, however it exits (a killed run leaves no stale lock to clean up).
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from pathlib import Path

from warehouse.store import WarehouseBusy

LOCK_NAME = "writer.lock"
POLL_SECONDS = 0.2
_held: dict[str, WriterLock] = {}
"""Locks this process holds, by state folder: the command line takes the lock before Prefect
starts, and the flow it then runs in the same process finds it here (a second flock on the
same file from the same process would fail)."""


def held_by_this_process(var_dir: Path) -> WriterLock | None:
    return _held.get(str(var_dir.resolve()))


class WriterLock:
    def __init__(self, var_dir: Path) -> None:
        self.path = var_dir / LOCK_NAME
        self._fd: int | None = None
        self._record: dict[str, object] = {}

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self, wait_seconds: float = 0.0, *, holder: dict[str, object] | None = None):
        """Take the lock, waiting up to `wait_seconds` for another writer to finish.

        Raises WarehouseBusy (transient) naming the holder when the wait runs out.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + max(wait_seconds, 0.0)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise WarehouseBusy(self._busy_message(wait_seconds)) from None
                time.sleep(POLL_SECONDS)
        self._fd = fd
        self._record = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "since": time.strftime("%Y-%m-%d %H:%M:%S"),
        }
        self.describe(holder or {})
        _held[str(self.path.parent.resolve())] = self
        return self

    def describe(self, holder: dict[str, object]) -> None:
        """Add to what the holder says about itself (the run's load id once it has one), for
        the message another writer prints; the lock is the flock, not this record."""
        if self._fd is None:
            return
        self._record.update({key: value for key, value in holder.items() if value is not None})
        data = json.dumps(self._record).encode()
        os.pwrite(self._fd, data, 0)
        os.ftruncate(self._fd, len(data))

    def release(self) -> None:
        if self._fd is None:
            return
        _held.pop(str(self.path.parent.resolve()), None)
        fd, self._fd = self._fd, None
        os.ftruncate(fd, 0)
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)

    def __enter__(self) -> WriterLock:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()

    def holder(self) -> dict[str, object]:
        """What the current holder wrote about itself; {} if unknown (or being rewritten)."""
        try:
            return json.loads(self.path.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            return {}

    def _busy_message(self, wait_seconds: float) -> str:
        info = self.holder()
        who = ", ".join(
            f"{key} {info[key]}"
            for key in ("load_id", "pid", "host", "since", "command")
            if info.get(key)
        )
        waited = f"after waiting {wait_seconds:g} s" if wait_seconds > 0 else "at once"
        return (
            f"another zhibiao run is writing to {self.path.parent}"
            + (f" ({who})" if who else "")
            + f"; gave up {waited}"
        )
