"""Which load analysts see: recorded state in the warehouse, reconciled by every run.

A publication (`warehouse.publish`) is a side effect outside the warehouse's transaction:
a crash or a full disk after a load commits and before its publication switches leaves
analysts on the previous load. So the warehouse records each publication (the table
`publication`), and every run compares three things before it reports success: the latest
load in `etl_run`, the latest publication recorded, and the manifest under VAR/exports.
When they disagree the publication is behind, and the run publishes the warehouse again,
whole (nothing is linked from a publication that may be stale). A publish that fails
raises `PublishFailed`, which names the load analysts are still on.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from transforms.errors import TerminalError, is_transient
from warehouse.publish import (
    ANALYST_DB,
    MANIFEST,
    MANIFEST_FORMAT,
    Publication,
    files_present,
    publish,
)
from warehouse.sql import error_text, scalar

UNCHANGED_WITHOUT_DOCUMENTS = ("dim_period", "document_text")
"""Published tables only documents read or extracted again change."""
UNCHANGED_WITHOUT_FACT_CHANGES = ("fact_observation", "quarantine_observation")
"""...and those that people's quarantine decisions, or warnings checked again, change too."""


class PublishFailed(TerminalError):
    """The load is in the warehouse, but analysts could not be switched to it."""


@dataclass(frozen=True)
class PublicationStatus:
    warehouse_load: str | None
    """The latest load in the warehouse (etl_run, status loaded); None before the first."""
    recorded_load: str | None
    """The load the warehouse says is published (the latest row of `publication`)."""
    exported_load: str | None
    """The load of the manifest VAR/exports points at (VAR/analyst.duckdb lives beside it)."""

    @property
    def is_current(self) -> bool:
        """Analysts see the warehouse's latest load, and the warehouse knows it."""
        return self.warehouse_load == self.recorded_load == self.exported_load

    def describe(self) -> str:
        return (
            f"warehouse load {self.warehouse_load or 'none'}, "
            f"recorded publication {self.recorded_load or 'none'}, "
            f"VAR/exports {self.exported_load or 'none'}"
        )


def publication_status(connection: duckdb.DuckDBPyConnection, var_dir: Path) -> PublicationStatus:
    warehouse_load = scalar(
        connection,
        "SELECT max_by(load_id, started_at) FROM etl_run WHERE status = 'loaded'",
    )
    recorded_load = scalar(connection, "SELECT max_by(load_id, published_at) FROM publication")
    return PublicationStatus(warehouse_load, recorded_load, exported_load(var_dir))


def exported_load(var_dir: Path) -> str | None:
    """The load readers of VAR/exports and VAR/analyst.duckdb see now; None when nothing is
    published, or what is there is not a whole publication of this format (every file its
    manifest lists, at its size: a quick check that reads no file)."""
    if not (var_dir / ANALYST_DB).is_file():  # the link, and the database it leads to
        return None
    folder = var_dir / "exports"
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if manifest.get("format") != MANIFEST_FORMAT or not files_present(folder, manifest):
        return None
    return manifest.get("load_id")


def unchanged_tables(documents_staged: int, facts_changed: int) -> tuple[str, ...]:
    """Tables a run left as the last publication had them (they need not be written again).

    `facts_changed`: quarantine decisions applied and facts whose warnings changed."""
    if documents_staged:
        return ()
    return UNCHANGED_WITHOUT_DOCUMENTS + (() if facts_changed else UNCHANGED_WITHOUT_FACT_CHANGES)


def publish_load(
    connection: duckdb.DuckDBPyConnection,
    var_dir: Path,
    load_id: str,
    *,
    before: PublicationStatus,
    unchanged: tuple[str, ...] = (),
    flow_run_id: str | None = None,
    publish_url: str | None = None,
    on_table: Callable[[str], None] | None = None,
    on_step: Callable[[str], None] | None = None,
) -> Publication:
    """Publish the warehouse as of `load_id` and record it.

    `before`: the publication status when the run started. Tables are linked from the
    current publication (`unchanged`) only if it was the warehouse's latest load then;
    otherwise everything is written again. Raises PublishFailed (naming the load analysts
    still see) when the disk or DuckDB fails; transient errors are raised as they are, for
    the task's retries."""
    linkable = unchanged if before.is_current else ()
    try:
        publication = publish(
            connection, var_dir, load_id, flow_run_id=flow_run_id, on_table=on_table,
            on_step=on_step, publish_url=publish_url, unchanged=linkable,
        )  # fmt: skip
        record_publication(connection, load_id, publication)
    except (OSError, duckdb.Error) as error:
        if is_transient(error):
            raise
        seen = exported_load(var_dir)
        raise PublishFailed(
            f"load {load_id} is in the warehouse, but publishing it failed "
            f"({error_text(error)}); "
            f"analysts are still on load {seen or 'none (nothing published yet)'}. "
            "The next run publishes again."
        ) from error
    if on_step:
        on_step("publish:recorded")
    return publication


def record_publication(
    connection: duckdb.DuckDBPyConnection, load_id: str, publication: Publication
) -> None:
    connection.execute(
        "INSERT OR REPLACE INTO publication (load_id, version, manifest_sha256) VALUES (?, ?, ?)",
        [load_id, publication.version, publication.manifest_sha256],
    )
