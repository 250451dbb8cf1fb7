from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from tests.factories import document, extraction, fact, small_catalog
from transforms.conform import conform_batch, describe_period
from transforms.keys import surrogate_key


@pytest.mark.parametrize(
    ("start", "end", "granularity", "label"),
    [
        ("2021-01", "2021-12", "year", "2021年"),
        ("2022-01", "2022-10", "year_to_date", "2022年1-10月"),
        ("2022-08", "2022-08", "month", "2022年8月"),
        ("2022-04", "2022-06", "quarter", "2022年4-6月"),
        ("2021-06", "2022-05", "other", "2021年6月-2022年5月"),
    ],
)
def test_describe_period(start: str, end: str, granularity: str, label: str) -> None:
    assert describe_period(start, end) == (granularity, label)


def test_conform_is_deterministic_and_keys_every_dimension(tmp_path: Path) -> None:
    catalog = small_catalog(tmp_path)
    share = fact(
        "数字经济核心产业增加值", "share_pct", 27.4, "%",
        denominator="地区生产总值", region="杭州市", period=("2022-01", "2022-09"),
    )  # fmt: skip
    facts = [fact(), fact(measure="yoy_pct", value=8.5, unit="%"), share]
    pairs = [(document(), extraction(facts))]
    first = conform_batch(pairs, catalog, extractor_version="t", load_id="run-1")
    second = conform_batch(pairs, catalog, extractor_version="t", load_id="run-1")

    assert_frame_equal(first.candidates, second.candidates)
    candidates = first.candidates
    assert candidates.height == 3
    assert candidates["fact_key"].n_unique() == 3
    for column in ("document_key", "indicator_key", "region_key", "period_key", "unit_key"):
        assert candidates[column].null_count() == 0, column
    assert candidates["region_key"][0] == surrogate_key("330109000000")
    assert candidates["expected_unit_dimension"].to_list() == ["currency", "ratio", "ratio"]
    assert candidates["value_base"][0] == pytest.approx(554.1e8)
    assert sorted(first.periods["label_zh"].to_list()) == ["2021年", "2022年1-9月"]
    assert first.documents["fact_count"].to_list() == [3]


def test_unknown_region_and_unit_leave_null_keys_for_the_gate(tmp_path: Path) -> None:
    catalog = small_catalog(tmp_path)
    pairs = [
        (document(), extraction([fact(region="火星区"), fact(measure="yoy_pct", unit="furlong")]))
    ]
    candidates = conform_batch(pairs, catalog, extractor_version="t", load_id="r").candidates
    assert candidates.filter(pl.col("region") == "火星区")["region_key"].to_list() == [None]
    assert candidates.filter(pl.col("unit") == "furlong")["unit_key"].to_list() == [None]


def test_a_fact_stated_twice_in_one_document_is_kept_once(tmp_path: Path) -> None:
    catalog = small_catalog(tmp_path)
    pairs = [(document(), extraction([fact(), fact(evidence="全年实现规上工业增加值554.10亿元")]))]
    candidates = conform_batch(pairs, catalog, extractor_version="t", load_id="r").candidates
    assert candidates["evidence"].to_list() == ["规上工业增加值554.10亿元"]
