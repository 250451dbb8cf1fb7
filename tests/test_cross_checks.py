"""The recheck of cross-document warnings on real GX: which warnings it replaces, which it
keeps, and in which order."""

from __future__ import annotations

import polars as pl

from expectations.gate import (
    CROSS_DOCUMENT_WARNINGS,
    _validate,
    check_cross_document_warnings,
    cross_document_warnings,
)
from flows.cross_checks import recheck_warnings
from transforms.catalog import load_catalog
from transforms.consistency import HISTORY_SCHEMA, add_consistency_columns

SERIES_FACTS_SCHEMA = {
    "fact_key": pl.String,
    "content_sha256": pl.String,
    "indicator_code": pl.String,
    "region_code": pl.String,
    "measure": pl.String,
    "qualifier": pl.String,
    "denominator": pl.String,
    "period_start": pl.String,
    "period_end": pl.String,
    "value": pl.Float64,
    "value_base": pl.Float64,
    "warnings": pl.List(pl.String),
}
INDUSTRY = load_catalog().indicator("规模以上工业增加值")


def level(key: str, document: str, value: float, warnings: list[str] | None = None) -> dict:
    return {
        "fact_key": key,
        "content_sha256": document,
        "indicator_code": INDUSTRY.code,
        "region_code": "330109000000",
        "measure": "value",
        "qualifier": None,
        "denominator": None,
        "period_start": "2021-01",
        "period_end": "2021-12",
        "value": value,
        "value_base": value * 1e8,
        "warnings": warnings,
    }


def test_cross_document_warnings_are_judged_again_and_the_others_kept_in_suite_order() -> None:
    facts = pl.DataFrame(
        [
            # Two documents a hundred times apart: each flagged against the other.
            level("low", "d1", 100.0, ["accepted:part_not_above_whole", "count_whole_number"]),
            level("high", "d2", 10000.0),
            # A stale cross-document warning: the growth it compared is gone.
            level("other", "d3", 5.0, ["growth_matches_consecutive_levels"]),
        ],
        schema=SERIES_FACTS_SCHEMA,
    ).with_columns(
        pl.when(pl.col("fact_key") == "other")
        .then(pl.lit("330110000000"))
        .otherwise(pl.col("region_code"))
        .alias("region_code")
    )

    warnings = dict(recheck_warnings(facts, load_catalog()).iter_rows())

    one_other = "magnitude_agrees_with_one_other_document"
    assert warnings == {
        "low": ["accepted:part_not_above_whole", "count_whole_number", one_other],
        "high": [one_other],
        "other": None,
    }


def test_facts_that_cannot_fail_are_left_out_with_the_same_verdict() -> None:
    # One series of two documents far apart (flagged), one of three (nothing to judge).
    rows = [level(f"a{n}", f"d{n % 2}", 10.0 ** (3 * (n % 2))) for n in range(20)]
    rows += [level(f"b{n}", f"e{n % 3}", 10.0 ** (n % 4)) for n in range(20)]
    facts = pl.DataFrame(rows, schema=SERIES_FACTS_SCHEMA).with_columns(
        pl.when(pl.col("fact_key").str.starts_with("b"))
        .then(pl.lit("330110000000"))
        .otherwise(pl.col("region_code"))
        .alias("region_code")
    )
    compared = add_consistency_columns(facts, pl.DataFrame(schema=HISTORY_SCHEMA), load_catalog())

    every_row = _validate(compared, CROSS_DOCUMENT_WARNINGS).flagged_keys()

    assert set(every_row) == {f"a{n}" for n in range(20)}
    assert check_cross_document_warnings(compared) == every_row
    assert {n for names in every_row.values() for n in names} <= set(cross_document_warnings())
