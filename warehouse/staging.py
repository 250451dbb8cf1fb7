"""Per-batch Parquet files that a run writes before its one load transaction.

Batches stage their rows here so no stage holds a whole run in memory, and a run that dies
before the load leaves the warehouse untouched: staging is scratch, cleared at the next run.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl

DOCUMENT_TEXT_COLUMNS = {
    "document_key": pl.Int64,
    "content_sha256": pl.String,
    "normalised_text": pl.String,
    "raw_text": pl.String,
}
"""Staged document_text rows (warehouse/schema.sql)."""
REJECTION_COLUMNS = {
    "source_path": pl.String,
    "content_sha256": pl.String,
    "size_bytes": pl.Int64,
    "reason_code": pl.String,
    "message": pl.String,
    "load_id": pl.String,
}
"""Staged rejected_document rows; `content_sha256` is '' for a file that was not hashed."""
DQ_RESULT_COLUMNS = {
    "load_id": pl.String,
    "expectation": pl.String,
    "severity": pl.String,
    "success": pl.Boolean,
    "element_count": pl.Int64,
    "unexpected_count": pl.Int64,
    "description": pl.String,
}
"""Staged dq_result rows, one per batch and expectation (the load sums them per run)."""
SOURCE_COLUMNS = {"source_path": pl.String, "content_sha256": pl.String, "status": pl.String}
"""The paths a run saw, for document_source: each with its content and `loaded`/`rejected`."""


ROW_GROUP_BYTES = 8 * 2**20
"""About this much of a frame per Parquet row group. Polars' default group (512² rows) holds
a whole batch: writing 4,000 documents' texts (88 MB) took 235 MB more memory, in groups of
8 MB 30 MB more."""


def _rows_per_group(frame: pl.DataFrame) -> int:
    row_bytes = frame.estimated_size() / frame.height
    return max(1, int(ROW_GROUP_BYTES / max(row_bytes, 1.0)))


class StagingArea:
    def __init__(self, root: Path) -> None:
        self.root = root

    def reset(self) -> StagingArea:
        shutil.rmtree(self.root, ignore_errors=True)
        self.root.mkdir(parents=True)
        return self

    def write(self, table: str, frame: pl.DataFrame, part: str) -> None:
        if frame.is_empty():
            return
        folder = self.root / table
        folder.mkdir(parents=True, exist_ok=True)
        final = folder / f"part-{part}.parquet"
        temporary = final.with_suffix(".tmp")
        frame.write_parquet(temporary, compression="zstd", row_group_size=_rows_per_group(frame))
        temporary.replace(final)

    def has(self, table: str) -> bool:
        return any((self.root / table).glob("*.parquet"))

    def glob(self, table: str) -> str:
        return str(self.root / table / "*.parquet")

    def read_part(self, table: str, part: str) -> pl.DataFrame:
        """One part `write` staged (it stages no empty frame, so the part must be there)."""
        return pl.read_parquet(self.root / table / f"part-{part}.parquet")

    def read(self, table: str) -> pl.DataFrame:
        if not self.has(table):
            return pl.DataFrame()
        return pl.read_parquet(self.glob(table))

    def clear(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
