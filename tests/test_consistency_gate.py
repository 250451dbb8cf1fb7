"""Cross-row expectations on real GX: each with a passing and a failing crafted case."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from expectations.gate import validate_candidates
from tests.factories import document, extraction, fact, small_catalog
from transforms.catalog import Catalog
from transforms.conform import conform_batch
from transforms.consistency import HISTORY_SCHEMA, add_consistency_columns
from transforms.facts import Fact

NO_HISTORY = pl.DataFrame(schema=HISTORY_SCHEMA)


@pytest.fixture
def catalog(tmp_path: Path) -> Catalog:
    return small_catalog(tmp_path)


def gate(documents: list[list[Fact]], catalog: Catalog, history: pl.DataFrame = NO_HISTORY):
    """Conform each list of facts as one document, add comparison columns, validate."""
    pairs = [
        (document(f"doc{n}.txt", sha=f"{n:064d}"), extraction(facts, f"doc{n}.txt"))
        for n, facts in enumerate(documents)
    ]
    candidates = conform_batch(pairs, catalog, extractor_version="t", load_id="r").candidates
    candidates = add_consistency_columns(candidates, history, catalog)
    report = validate_candidates(candidates)
    by_key = dict(zip(candidates["fact_key"], candidates["doc"], strict=True))
    values = dict(zip(candidates["fact_key"], candidates["value"], strict=True))
    return report, by_key, values


def failing(report, severity: str, name: str, values: dict) -> list[float]:
    keys = report.keys_failing(severity)
    return sorted(values[k] for k, names in keys.items() if name in names)


def industry(value: float, period: tuple[str, str] = ("2021-01", "2021-12")) -> Fact:
    return fact(value=value, period=period, evidence=f"规上工业增加值{value}亿元")


def test_magnitude_outlier_against_its_series_is_quarantined(catalog: Catalog) -> None:
    documents = [
        [industry(554.1)],
        [industry(530.0, ("2020-01", "2020-12"))],
        [industry(46.0, ("2021-01", "2021-01"))],  # one month: 46 x 12 is in line
        [industry(35353535.97, ("2019-01", "2019-12"))],
    ]
    report, _, values = gate(documents, catalog)
    assert failing(report, "critical", "magnitude_agrees_with_series", values) == [35353535.97]


def test_two_disagreeing_documents_are_both_flagged_not_quarantined(catalog: Catalog) -> None:
    report, _, values = gate([[industry(554.1)], [industry(55410.0)]], catalog)
    assert failing(report, "critical", "magnitude_agrees_with_series", values) == []
    assert failing(report, "warning", "magnitude_agrees_with_one_other_document", values) == [
        554.1, 55410.0,
    ]  # fmt: skip


def test_history_in_the_warehouse_counts_as_the_series(catalog: Catalog) -> None:
    history = pl.DataFrame(
        {
            "content_sha256": ["h1", "h2"],
            "indicator_code": ["industrial_va_above_scale"] * 2,
            "region_code": ["330109000000"] * 2,
            "measure": ["value"] * 2,
            "qualifier": [None, None],
            "period_start": ["2019-01", "2020-01"],
            "period_end": ["2019-12", "2020-12"],
            "value_base": [500e8, 530e8],
        },
        schema=HISTORY_SCHEMA,
    )
    report, _, values = gate([[industry(554.1)], [industry(5541.0, ("2022-01", "2022-12"))]],
                             catalog, history)  # fmt: skip
    assert failing(report, "critical", "magnitude_agrees_with_series", values) == []
    report, _, values = gate([[industry(55410.0)]], catalog, history)
    assert failing(report, "critical", "magnitude_agrees_with_series", values) == [55410.0]


def test_doubled_glyph_evidence_is_quarantined(catalog: Catalog) -> None:
    doubled = fact("规模以上工业企业数", value=7070, unit="家", evidence="规上工业企业7070家家")
    clean = fact("规模以上工业企业数", value=70, unit="家", evidence="规上工业企业70家",
                 region="杭州市")  # fmt: skip
    land = fact(
        "工业用地出让面积", value=35353535.97, unit="亩", evidence="出让工业用地35353535..9797亩"
    )
    report, _, values = gate([[doubled, clean, land]], catalog)
    assert failing(report, "critical", "no_doubled_glyphs_in_evidence", values) == [
        7070, 35353535.97,
    ]  # fmt: skip


def test_part_above_its_whole_is_quarantined(catalog: Catalog) -> None:
    whole = fact("数字经济核心产业增加值", value=151.0)
    part_ok = fact("数字经济核心产业制造业增加值", value=98.0)
    report, _, values = gate([[whole, part_ok]], catalog)
    assert failing(report, "critical", "part_not_above_whole", values) == []
    part_bad = fact("数字经济核心产业制造业增加值", value=198.0)
    report, _, values = gate([[whole, part_bad]], catalog)
    assert failing(report, "critical", "part_not_above_whole", values) == [198.0]


def test_share_that_disagrees_with_part_and_whole_is_flagged(catalog: Catalog) -> None:
    gdp = fact("地区生产总值", value=2000.0)
    digital = fact("数字经济核心产业增加值", value=500.0)

    def share(value: float) -> Fact:
        return fact("数字经济核心产业增加值", "share_pct", value, "%", denominator="地区生产总值")

    report, _, values = gate([[gdp, digital, share(25.0)]], catalog)
    assert failing(report, "warning", "share_matches_part_and_whole", values) == []
    report, _, values = gate([[gdp, digital, share(35.0)]], catalog)
    assert failing(report, "warning", "share_matches_part_and_whole", values) == [35.0]


def test_growth_that_disagrees_with_last_years_level_is_flagged(catalog: Catalog) -> None:
    last_year = [industry(500.0, ("2020-01", "2020-12"))]

    def this_year(growth: float) -> list[Fact]:
        return [industry(550.0), fact(measure="yoy_pct", value=growth, unit="%")]

    report, _, values = gate([last_year, this_year(10.5)], catalog)
    assert failing(report, "warning", "growth_matches_consecutive_levels", values) == []
    report, _, values = gate([last_year, this_year(31.0)], catalog)
    assert failing(report, "warning", "growth_matches_consecutive_levels", values) == [31.0]
