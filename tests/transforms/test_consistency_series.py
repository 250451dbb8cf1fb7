"""The series comparison computed from sorted series equals its definition: each level
against the median of every other document's levels of its series.

The definition is written here the direct way (every level paired with every other level
of its series), which is what transforms/consistency.py did before it ran out of memory on
series that thousands of documents share; the two must agree on any levels at all."""

from __future__ import annotations

import polars as pl
from hypothesis import given
from hypothesis import strategies as st
from polars.testing import assert_series_equal

from transforms.consistency import (
    HISTORY_SCHEMA,
    _median_of_others,
    _series_comparison,
    _with_magnitude,
)

DIMENSIONS = pl.DataFrame(
    {"indicator_code": ["gdp", "firms"], "indicator_dimension": ["currency", "count"]}
)
PERIODS = [("2021-01", "2021-12"), ("2022-01", "2022-06"), ("2022-03", "2022-03")]


def by_definition(frame: pl.DataFrame, levels: pl.DataFrame) -> pl.DataFrame:
    series = ["indicator_code", "region_code", "is_stock"]
    mine = _with_magnitude(
        frame.filter(pl.col("measure").is_in(["value", "target_value"]))
        .select("_row", *HISTORY_SCHEMA)
        .drop("measure"),
        DIMENSIONS,
    )
    others = levels.select(*series, pl.col("content_sha256").alias("other_doc"), "magnitude")
    return (
        mine.join(others.rename({"magnitude": "other_magnitude"}), on=series, how="inner")
        .filter(pl.col("other_doc") != pl.col("content_sha256"))
        .group_by("_row")
        .agg(
            pl.col("other_magnitude").median().alias("reference"),
            pl.col("other_doc").n_unique().alias("series_points"),
            pl.col("magnitude").first(),
        )
        .select(
            "_row",
            (pl.col("magnitude") / pl.col("reference")).alias("series_ratio"),
            pl.col("series_points").cast(pl.Int64),
        )
    )


level = st.fixed_dictionaries(
    {
        "content_sha256": st.sampled_from(["a", "b", "c", "d", "e"]),
        "indicator_code": st.sampled_from(["gdp", "firms", "unknown"]),
        "region_code": st.sampled_from(["r1", "r2", None]),
        "measure": st.sampled_from(["value", "target_value", "yoy_pct"]),
        "qualifier": st.sampled_from([None, "累计", "其中"]),
        "period": st.sampled_from(PERIODS),
        # Few distinct values: ties between documents, and within one, are the hard part.
        "value_base": st.one_of(
            st.none(),
            st.sampled_from([1.0, 2.0, 2.0, 3.5, 7.0, 1e9]),
            st.floats(min_value=0.01, max_value=1e12),
        ),
    }
)


def frame_of(rows: list[dict]) -> pl.DataFrame:
    flat = [
        {**{k: v for k, v in row.items() if k != "period"},
         "period_start": row["period"][0], "period_end": row["period"][1]}
        for row in rows
    ]  # fmt: skip
    return pl.DataFrame(flat, schema=HISTORY_SCHEMA)


def levels_of(frame: pl.DataFrame) -> pl.DataFrame:
    # As add_consistency_columns builds them.
    levels = frame.filter(
        pl.col("measure").is_in(["value", "target_value"]) & pl.col("value_base").is_not_null()
    )
    return _with_magnitude(levels, DIMENSIONS).unique()


@given(st.lists(level, max_size=40), st.lists(level, max_size=40))
def test_the_series_comparison_is_its_definition(candidates: list, history: list) -> None:
    frame = frame_of(candidates).with_row_index("_row")
    levels = levels_of(pl.concat([frame_of(history), frame.drop("_row")]))

    computed = _series_comparison(frame, levels, DIMENSIONS).sort("_row")
    expected = by_definition(frame, levels).sort("_row")

    assert computed.select("_row", "series_points").equals(expected.select("_row", "series_points"))
    # Polars divides by a column of one repeated value as a multiplication by its inverse,
    # a last-bit difference that depends on the frame, not on the method.
    assert_series_equal(
        computed.get_column("series_ratio"), expected.get_column("series_ratio"), rel_tol=1e-15
    )


def test_a_series_thousands_of_documents_share_is_not_paired_off() -> None:
    # 20,000 documents with 3 levels each in one series: 3.6 billion pairs by definition.
    documents = 20_000
    frame = pl.DataFrame(
        {
            "content_sha256": [f"d{n % documents}" for n in range(3 * documents)],
            "indicator_code": "gdp",
            "region_code": "r1",
            "measure": "value",
            "qualifier": None,
            "period_start": [PERIODS[n % 3][0] for n in range(3 * documents)],
            "period_end": [PERIODS[n % 3][1] for n in range(3 * documents)],
            "value_base": [float(n % 997 + 1) for n in range(3 * documents)],
        },
        schema=HISTORY_SCHEMA,
    ).with_row_index("_row")

    compared = _series_comparison(frame, levels_of(frame.drop("_row")), DIMENSIONS)

    assert compared.height == frame.height
    assert compared.get_column("series_points").unique().to_list() == [documents - 1]


@given(st.lists(level, max_size=60))
def test_the_median_of_the_other_documents_is_polars_median_exactly(rows: list) -> None:
    levels = levels_of(frame_of(rows)).drop_nulls(["indicator_code", "region_code", "is_stock"])
    series = ["indicator_code", "region_code", "is_stock"]
    others = levels.select(*series, "content_sha256", "magnitude")
    pairs = others.select(*series, "content_sha256").unique()

    computed = _median_of_others(others, pairs)

    expected = (
        pairs.join(others.rename({"content_sha256": "other"}), on=series)
        .filter(pl.col("other") != pl.col("content_sha256"))
        .group_by(*series, "content_sha256")
        .agg(pl.col("magnitude").median().alias("reference"))
        .filter(pl.col("reference").is_not_null())
    )
    key = [*series, "content_sha256"]
    assert computed.sort(key).to_dicts() == expected.sort(key).to_dicts()
