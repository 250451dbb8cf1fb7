"""What an operator asks first (`zhibiao status`): the last runs, what analysts see, what
waits in quarantine, and whether a run is writing now.

Read from the warehouse, read-only; while a run holds it (DuckDB refuses readers then), from
the published analyst database, which is the last publication's view of the same tables.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from warehouse.lock import WriterLock
from warehouse.publication_state import exported_load, publication_status
from warehouse.store import WarehouseBusy, WarehouseSchemaMismatch, connect

RECENT_RUNS_SQL = """
SELECT load_id, started_at, finished_at, status, mode, documents_seen, documents_read,
       documents_rejected, facts_loaded, facts_quarantined, seconds
FROM etl_run
ORDER BY started_at DESC
LIMIT ?
"""
QUARANTINE_SQL = """
SELECT status, count(*) AS facts FROM quarantine_observation GROUP BY status ORDER BY status
"""
PENDING_BY_EXPECTATION_SQL = """
SELECT expectation, count(*) AS facts
FROM (SELECT unnest(failed_expectations) AS expectation
      FROM quarantine_observation WHERE status = 'pending')
GROUP BY expectation ORDER BY facts DESC, expectation
"""


@dataclass
class Status:
    source: str
    """`warehouse`, or `publication` while a run holds the warehouse."""
    runs: list[dict[str, Any]] = field(default_factory=list)
    published_load: str | None = None
    published_at: str | None = None
    warehouse_load: str | None = None
    """The warehouse's latest load (None when it could not be read)."""
    publication_current: bool | None = None
    """Analysts see the warehouse's latest load (None when the warehouse could not be read)."""
    publication_detail: str = ""
    quarantine: dict[str, int] = field(default_factory=dict)
    pending_by_expectation: dict[str, int] = field(default_factory=dict)
    writing: dict[str, Any] | None = None
    """What the run holding VAR wrote about itself, while one does."""

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def read_status(var_dir: Path, runs: int = 5) -> Status:
    """The state of VAR. Raises FileNotFoundError when it holds no warehouse."""
    warehouse = var_dir / "warehouse.duckdb"
    if not warehouse.exists():
        raise FileNotFoundError(f"{warehouse} does not exist: no run has used {var_dir} yet")
    manifest = _manifest(var_dir)
    try:
        connection = connect(warehouse, read_only=True)
    except (WarehouseBusy, WarehouseSchemaMismatch, duckdb.Error):
        status = _from_publication(var_dir, runs)
    else:
        try:
            status = Status(source="warehouse")
            _read_tables(connection, status, var_dir, runs)
            published = publication_status(connection, var_dir)
            status.warehouse_load = published.warehouse_load
            status.publication_current = published.is_current
            status.publication_detail = published.describe()
        finally:
            connection.close()
    status.published_load = exported_load(var_dir)
    status.published_at = manifest.get("published_at")
    status.writing = _writer(var_dir)
    return status


def _from_publication(var_dir: Path, runs: int) -> Status:
    from warehouse.analyst import open_analyst_db

    status = Status(source="publication")
    try:
        connection = open_analyst_db(var_dir)
    except OSError:
        return status
    try:
        _read_tables(connection, status, var_dir, runs)
    finally:
        connection.close()
    return status


def _read_tables(
    connection: duckdb.DuckDBPyConnection, status: Status, var_dir: Path, runs: int
) -> None:
    cursor = connection.execute(RECENT_RUNS_SQL, [runs])
    names = [column[0] for column in cursor.description]
    for row in cursor.fetchall():
        run = dict(zip(names, row, strict=True))
        for key in ("started_at", "finished_at"):
            run[key] = run[key].isoformat(sep=" ", timespec="seconds") if run[key] else None
        log = var_dir / "logs" / f"{run['load_id']}.log"
        run["log"] = str(log) if log.exists() else None
        status.runs.append(run)
    status.quarantine = dict(connection.execute(QUARANTINE_SQL).fetchall())
    status.pending_by_expectation = dict(connection.execute(PENDING_BY_EXPECTATION_SQL).fetchall())


def _manifest(var_dir: Path) -> dict[str, Any]:
    try:
        return json.loads((var_dir / "exports" / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _writer(var_dir: Path) -> dict[str, Any] | None:
    """What the run holding VAR's writer lock wrote about itself, while its process lives.

    Read without touching the lock (a reader's flock, however short, could make a run
    that starts at that moment find VAR busy): a run empties the record when it lets go,
    and one that was killed left a process id that no longer runs."""
    holder = WriterLock(var_dir).holder()
    pid = holder.get("pid")
    if not isinstance(pid, int) or holder.get("host") != socket.gethostname():
        return holder or None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:  # alive, another user's
        pass
    return holder
