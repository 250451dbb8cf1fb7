"""Comparison columns for the quality gate's cross-row expectations.

Great Expectations judges one row at a time. Checks that compare a fact with other facts (its
indicator's series, its whole, the level a year before) need the other facts' values on the
row; this module puts them there, as plain derived measures. The rules themselves (bounds,
severities) stay in the expectation suite.
"""

from __future__ import annotations

import polars as pl

from transforms.catalog import Catalog

LEVEL_MEASURES = ("value", "target_value")

HISTORY_SCHEMA = {
    "content_sha256": pl.String,
    "indicator_code": pl.String,
    "region_code": pl.String,
    "measure": pl.String,
    "qualifier": pl.String,
    "period_start": pl.String,
    "period_end": pl.String,
    "value_base": pl.Float64,
}
"""Facts already in the warehouse that new candidates are compared with."""

CONSISTENCY_COLUMNS = (
    "series_ratio",
    "series_points",
    "whole_value_base",
    "share_gap_pp",
    "growth_gap_pp",
)


def _months(start: pl.Expr, end: pl.Expr) -> pl.Expr:
    year = lambda e: e.str.slice(0, 4).cast(pl.Int32)  # noqa: E731
    month = lambda e: e.str.slice(5, 2).cast(pl.Int32)  # noqa: E731
    return (year(end) - year(start)) * 12 + month(end) - month(start) + 1


def _shift_year(period: pl.Expr, years: int) -> pl.Expr:
    return (period.str.slice(0, 4).cast(pl.Int32) + years).cast(pl.String) + period.str.slice(4)


def _with_magnitude(frame: pl.DataFrame, dimensions: pl.DataFrame) -> pl.DataFrame:
    """A level comparable across periods: flows per month, stocks as they are."""
    frame = frame.join(dimensions, on="indicator_code", how="left")
    is_stock = (pl.col("qualifier") == "累计").fill_null(False) | (
        (pl.col("indicator_dimension") == "count") & pl.col("qualifier").is_null()
    )
    return frame.with_columns(
        is_stock.alias("is_stock"),
        pl.when(is_stock)
        .then(pl.col("value_base"))
        .otherwise(pl.col("value_base") / _months(pl.col("period_start"), pl.col("period_end")))
        .alias("magnitude"),
    )


def add_consistency_columns(
    candidates: pl.DataFrame, history: pl.DataFrame, catalog: Catalog
) -> pl.DataFrame:
    """Add CONSISTENCY_COLUMNS to the gate's candidate frame (nulls where nothing compares)."""
    if candidates.is_empty():
        return candidates.with_columns(
            pl.lit(None, dtype=pl.Float64).alias(name) for name in CONSISTENCY_COLUMNS
        ).with_columns(pl.col("series_points").cast(pl.Int64))
    dimensions = pl.DataFrame(
        {
            "indicator_code": [i.code for i in catalog.indicators],
            "indicator_dimension": [i.dimension for i in catalog.indicators],
        }
    )
    # Only the series this batch has facts of: the whole warehouse's levels (millions of
    # rows after a large backfill) would be copied and deduplicated for every batch.
    series = candidates.select("indicator_code", "region_code").unique()
    history = history.join(series, on=["indicator_code", "region_code"], how="semi")
    levels = pl.concat(
        [
            history.select(HISTORY_SCHEMA.keys()).cast(HISTORY_SCHEMA),
            candidates.select(HISTORY_SCHEMA.keys()).cast(HISTORY_SCHEMA),
        ]
    ).filter(pl.col("measure").is_in(LEVEL_MEASURES) & pl.col("value_base").is_not_null())
    levels = _with_magnitude(levels, dimensions).unique()
    frame = candidates.with_row_index("_row")
    frame = frame.join(_series_comparison(frame, levels, dimensions), on="_row", how="left")
    frame = frame.join(_whole_values(frame, catalog), on="_row", how="left")
    frame = frame.join(_share_gaps(frame, catalog), on="_row", how="left")
    frame = frame.join(_growth_gaps(frame, levels), on="_row", how="left")
    return frame.drop("_row")


SERIES = ("indicator_code", "region_code", "is_stock")
"""What a level is compared within: its indicator and area, flows apart from stocks."""
_PAIR = (*SERIES, "content_sha256")


def _series_comparison(
    frame: pl.DataFrame, levels: pl.DataFrame, dimensions: pl.DataFrame
) -> pl.DataFrame:
    """Each level's ratio to the median of its series in *other* documents, and how many
    other documents that series holds.

    Computed per series and document from the series' sorted levels, never by pairing each
    level with every other one: a series that 20,000 reports of one area share would be
    400 million pairs (a load of 10,000 real-looking reports ran out of 23 GB that way)."""
    level_columns = ("_row", *HISTORY_SCHEMA)
    mine = _with_magnitude(
        frame.filter(pl.col("measure").is_in(LEVEL_MEASURES)).select(level_columns).drop("measure"),
        dimensions,
    ).drop_nulls(_PAIR)
    others = levels.select(*_PAIR, "magnitude").drop_nulls(_PAIR)
    pairs = mine.select(_PAIR).unique()
    members = others.select(_PAIR).unique()
    compared = (
        pairs.join(members.group_by(SERIES).agg(pl.len().alias("_documents")), on=SERIES)
        .join(members.with_columns(pl.lit(1).alias("_member")), on=_PAIR, how="left")
        .select(
            *_PAIR,
            (pl.col("_documents") - pl.col("_member").fill_null(0)).alias("series_points"),
        )
        .filter(pl.col("series_points") > 0)
        .join(_median_of_others(others, pairs), on=_PAIR, how="left")
    )
    return mine.join(compared, on=_PAIR).select(
        "_row",
        (pl.col("magnitude") / pl.col("reference")).alias("series_ratio"),
        pl.col("series_points").cast(pl.Int64),
    )


def _median_of_others(others: pl.DataFrame, pairs: pl.DataFrame) -> pl.DataFrame:
    """(series, document) -> `reference`: the median magnitude of the series' levels from
    other documents, for the pairs asked for (none where no other level has a magnitude).

    The series' magnitudes are sorted once. A document's own levels sit at some ranks of
    that order; the median of the others is the element (or the two) at the middle rank
    once those are skipped, found by stepping over them in ascending order. Two middles
    are averaged as Polars' median does (low + (high - low) / 2), so the figure is the one
    a median over the others' values gives."""
    known = (
        others.filter(pl.col("magnitude").is_not_null())
        .sort([*SERIES, "magnitude"])
        .with_row_index("_position")
        .with_columns(pl.col("_position").cast(pl.Int64))
        .with_columns((pl.col("_position") - pl.col("_position").min().over(SERIES)).alias("_rank"))
    )
    series = known.group_by(SERIES).agg(
        pl.col("_position").min().alias("_start"), pl.len().alias("_size")
    )
    own = known.group_by(_PAIR).agg(pl.col("_rank").sort().alias("_own"))
    wanted = (
        pairs.join(series, on=SERIES)
        .join(own, on=_PAIR, how="left")
        .with_columns(pl.col("_own").fill_null(pl.lit([], dtype=pl.List(pl.Int64))))
        .with_columns((pl.col("_size") - pl.col("_own").list.len()).alias("_others"))
        .filter(pl.col("_others") > 0)
    )
    magnitudes = known.get_column("magnitude")
    low = magnitudes.gather(_rank_among_others(wanted, (pl.col("_others") - 1) // 2))
    high = magnitudes.gather(_rank_among_others(wanted, pl.col("_others") // 2))
    return wanted.select(
        *_PAIR,
        pl.when(pl.col("_others") % 2 == 1)
        .then(pl.lit(low))
        .otherwise(pl.lit(low) + (pl.lit(high) - pl.lit(low)) * 0.5)
        .alias("reference"),
    )


def _rank_among_others(wanted: pl.DataFrame, rank: pl.Expr) -> pl.Series:
    """Per row of `wanted`, the position (in `known`'s order) of the element of rank `rank`
    among its series' magnitudes once the document's own ranks (`_own`, ascending) are
    skipped."""
    steps = wanted.select(pl.col("_own").list.len().max()).item() or 0
    frame = wanted.select("_start", "_own", rank.cast(pl.Int64).alias("_index"))
    for step in range(steps):
        skipped = pl.col("_own").list.get(step, null_on_oob=True) <= pl.col("_index")
        frame = frame.with_columns(pl.col("_index") + skipped.fill_null(False).cast(pl.Int64))
    return frame.select(pl.col("_start") + pl.col("_index")).to_series()


def _same_document_levels(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.filter(pl.col("measure") == "value").select(
        "content_sha256", "region_code", "period_start", "period_end", "qualifier",
        "indicator_code", "value_base",
    )  # fmt: skip


def _whole_values(frame: pl.DataFrame, catalog: Catalog) -> pl.DataFrame:
    """The whole's level, stated in the same document for the same area and period."""
    parents = pl.DataFrame(
        {
            "indicator_code": [i.code for i in catalog.indicators],
            "parent_code": [i.parent_code for i in catalog.indicators],
        },
        schema={"indicator_code": pl.String, "parent_code": pl.String},
    )
    keys = ["content_sha256", "region_code", "period_start", "period_end", "qualifier"]
    wholes = _same_document_levels(frame).rename(
        {"indicator_code": "parent_code", "value_base": "whole_value_base"}
    )
    return (
        frame.filter(pl.col("measure") == "value")
        .select("_row", *keys, "indicator_code")
        .join(parents, on="indicator_code", how="inner")
        .join(wholes, on=[*keys, "parent_code"], how="inner", nulls_equal=True)
        .group_by("_row")
        .agg(pl.col("whole_value_base").first())
    )


def _share_gaps(frame: pl.DataFrame, catalog: Catalog) -> pl.DataFrame:
    """|stated share - 100 x part / whole| where the document states all three."""
    codes = pl.DataFrame(
        {
            "denominator": [i.name_zh for i in catalog.indicators],
            "whole_code": [i.code for i in catalog.indicators],
        }
    )
    keys = ["content_sha256", "region_code", "period_start", "period_end"]
    levels = _same_document_levels(frame).filter(pl.col("qualifier").is_null()).drop("qualifier")
    shares = (
        frame.filter(pl.col("measure") == "share_pct")
        .select("_row", *keys, "indicator_code", "denominator", "value")
        .join(codes, on="denominator", how="inner")
        .join(levels.rename({"value_base": "part"}), on=[*keys, "indicator_code"], how="inner")
        .join(
            levels.rename({"indicator_code": "whole_code", "value_base": "whole"}),
            on=[*keys, "whole_code"],
            how="inner",
        )
    )
    implied = 100 * pl.col("part") / pl.col("whole")
    return shares.group_by("_row").agg(
        (pl.col("value") - implied).abs().first().alias("share_gap_pp")
    )


def _growth_gaps(frame: pl.DataFrame, levels: pl.DataFrame) -> pl.DataFrame:
    """|stated growth - growth implied by this level and the level a year earlier|."""
    keys = ["content_sha256", "region_code", "period_start", "period_end", "qualifier"]
    current = _same_document_levels(frame).rename({"value_base": "current"})
    previous = (
        levels.filter(pl.col("measure") == "value")
        .group_by("indicator_code", "region_code", "qualifier", "period_start", "period_end")
        .agg(pl.col("value_base").median().alias("previous"))
        .with_columns(
            _shift_year(pl.col("period_start"), 1).alias("period_start"),
            _shift_year(pl.col("period_end"), 1).alias("period_end"),
        )
    )
    growth = (
        frame.filter(pl.col("measure") == "yoy_pct")
        .select("_row", *keys, "indicator_code", "value")
        .join(current, on=[*keys, "indicator_code"], how="inner", nulls_equal=True)
        .join(
            previous,
            on=["indicator_code", "region_code", "qualifier", "period_start", "period_end"],
            how="inner",
            nulls_equal=True,
        )
    )
    return growth.group_by("_row").agg(
        (pl.col("value") - 100 * (pl.col("current") / pl.col("previous") - 1))
        .abs()
        .first()
        .alias("growth_gap_pp")
    )
