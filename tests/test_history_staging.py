"""Batches in other processes read the loaded levels from one staged file, their series only."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from flows.batch import series_history
from transforms.consistency import HISTORY_SCHEMA


def levels(*series: tuple[str, str]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {"content_sha256": f"doc{n}", "indicator_code": indicator, "region_code": region,
             "measure": "value", "qualifier": None, "period_start": "2023-01",
             "period_end": "2023-06", "value_base": 1e9 * (n + 1)}
            for n, (indicator, region) in enumerate(series)
        ],
        schema=HISTORY_SCHEMA,
    )  # fmt: skip


def test_a_batch_reads_the_levels_of_its_own_series_from_the_staged_file(tmp_path: Path) -> None:
    history = levels(("gdp", "330100"), ("gdp", "330200"), ("retail_sales", "330100"))
    path = tmp_path / "history.parquet"
    history.write_parquet(path)
    candidates = levels(("gdp", "330100"), ("gdp", "330100"))
    mine = series_history(path, candidates)
    assert mine.rows() == history.filter(pl.col("region_code") == "330100").head(1).rows()
    assert series_history(history, candidates).equals(history)  # a frame is used as it is
    assert series_history(None, candidates).is_empty()
