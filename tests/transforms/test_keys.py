"""Keys computed a frame at a time equal those computed a row at a time."""

from __future__ import annotations

import polars as pl

from transforms.keys import fact_key, with_fact_key


def test_with_fact_key_equals_fact_key_row_by_row() -> None:
    frame = pl.DataFrame(
        {"a": ["文档1", "doc2", None], "b": ["gdp", None, "零售"], "c": ["2023-01", "x", ""]}
    )
    keyed = with_fact_key(frame, ["a", "b", "c"], "fact_key")
    expected = [fact_key(*row) for row in frame.iter_rows()]
    assert keyed.get_column("fact_key").to_list() == expected
    assert len(set(expected)) == 3 and all(len(k) == 16 for k in expected)
