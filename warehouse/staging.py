"""Per-batch Parquet files that a run writes before its one load transaction.

Batches stage their rows here so no stage holds a whole run in memory, and a run that dies
before the load leaves the warehouse untouched: staging is scratch, cleared at the next run.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl


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
        frame.write_parquet(temporary, compression="zstd")
        temporary.replace(final)

    def has(self, table: str) -> bool:
        return any((self.root / table).glob("*.parquet"))

    def glob(self, table: str) -> str:
        return str(self.root / table / "*.parquet")

    def read(self, table: str) -> pl.DataFrame:
        if not self.has(table):
            return pl.DataFrame()
        return pl.read_parquet(self.glob(table))

    def clear(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
