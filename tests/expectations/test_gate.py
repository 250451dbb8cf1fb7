"""The gate on real Great Expectations: one passing and one failing fact per expectation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from expectations import gate
from expectations.gate import (
    CandidateContractError,
    ExpectationRunError,
    Failure,
    GateReport,
    SuiteFileError,
    columns_read_by,
    suite_document,
    validate_candidates,
)
from transforms.catalog import load_catalog

# The frame the conform step hands to the gate (one row per candidate fact).
CANDIDATE_SCHEMA: dict[str, Any] = {
    "fact_key": pl.String,
    "document_key": pl.Int64,
    "indicator_key": pl.Int64,
    "region_key": pl.Int64,
    "period_key": pl.Int64,
    "unit_key": pl.Int64,
    "doc": pl.String,
    "indicator": pl.String,
    "indicator_code": pl.String,
    "measure": pl.String,
    "value": pl.Float64,
    "value_base": pl.Float64,
    "value_base_text": pl.String,
    "unit": pl.String,
    "qualifier": pl.String,
    "denominator": pl.String,
    "region": pl.String,
    "period_start": pl.String,
    "period_end": pl.String,
    "indicator_dimension": pl.String,
    "unit_dimension": pl.String,
    "expected_unit_dimension": pl.String,
    "yoy_min_pct": pl.Float64,
    "yoy_max_pct": pl.Float64,
    "is_approximate": pl.Boolean,
    "evidence": pl.String,
    # Comparison columns from transforms/consistency.py (null: nothing to compare with).
    "series_ratio": pl.Float64,
    "series_points": pl.Int64,
    "whole_value_base": pl.Float64,
    "share_gap_pp": pl.Float64,
    "growth_gap_pp": pl.Float64,
}
# A slice of transforms/catalog/units.csv; a unit missing here is one the catalogue lacks.
UNIT_DIMENSIONS = {"亿元": "currency", "%": "ratio", "家": "count"}
UNIT_FACTORS = {"亿元": 1e8, "%": 1.0, "家": 1.0}


def candidate(fact_key: str, **overrides: Any) -> dict[str, Any]:
    """A fact that passes every expectation: 规模以上工业增加值 of 杭州市, 2022年1-10月.

    The measure, value and unit given drive the derived columns the way conform does, so a
    case states only what it is about.
    """
    indicator = load_catalog().indicator(overrides.pop("indicator", "规模以上工业增加值"))
    measure = overrides.pop("measure", "value")
    growth_or_share = measure.endswith("_pct")
    unit = overrides.pop("unit", "%" if growth_or_share else indicator.unit)
    value = overrides.pop("value", 8.5 if growth_or_share else 1234.0)
    factor = UNIT_FACTORS.get(unit)
    value_base = None if value is None or factor is None else value * factor
    row = {
        "fact_key": fact_key,
        "document_key": 1,
        "indicator_key": 7,
        "region_key": 3,
        "period_key": 5,
        "unit_key": 2,
        "doc": "hangzhou-2022-10.pdf",
        "indicator": indicator.name_zh,
        "indicator_code": indicator.code,
        "measure": measure,
        "value": value,
        "value_base": value_base,
        "value_base_text": None if value_base is None else str(round(value_base, 6)),
        "unit": unit,
        "qualifier": None,
        "denominator": None,
        "region": "杭州市",
        "period_start": "2022-01",
        "period_end": "2022-10",
        "indicator_dimension": indicator.dimension,
        "unit_dimension": UNIT_DIMENSIONS.get(unit),
        "expected_unit_dimension": "ratio" if growth_or_share else indicator.dimension,
        "yoy_min_pct": indicator.yoy_min_pct,
        "yoy_max_pct": indicator.yoy_max_pct,
        "is_approximate": False,
        "evidence": "规模以上工业增加值增长8.5%",
        "series_ratio": None,
        "series_points": None,
        "whole_value_base": None,
        "share_gap_pp": None,
        "growth_gap_pp": None,
    }
    unknown = set(overrides) - set(row)
    assert not unknown, f"not candidate columns: {unknown}"
    return row | overrides


def candidates(*rows: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=CANDIDATE_SCHEMA)


def failures_of(report: GateReport, expectation: str) -> set[str]:
    return {failure.fact_key for failure in report.failures if failure.expectation == expectation}


# The bounds at the edges of the growth cases are the catalogue's, wherever it sets them.
INDUSTRY = load_catalog().indicator("规模以上工业增加值")

# expectation name -> (severity, what the failing fact changes, what the passing fact changes)
CASES: dict[str, tuple[str, dict[str, Any], dict[str, Any]]] = {
    "document_key_not_null": ("critical", {"document_key": None}, {}),
    # An indicator missing from the catalogue has no bounds either: the growth checks skip
    # it, so only the missing key is reported.
    "indicator_key_not_null": (
        "critical",
        {"measure": "yoy_pct", "indicator_key": None, "yoy_min_pct": None, "yoy_max_pct": None},
        {"measure": "yoy_pct"},
    ),
    "region_key_not_null": ("critical", {"region_key": None}, {}),
    "period_key_not_null": ("critical", {"period_key": None}, {}),
    "unit_key_not_null": ("critical", {"unit_key": None}, {}),
    "value_not_null": ("critical", {"value": None}, {}),
    "growth_at_least_yoy_min_pct": (
        "critical",
        {"measure": "yoy_pct", "value": INDUSTRY.yoy_min_pct - 0.5},
        {"measure": "yoy_pct", "value": INDUSTRY.yoy_min_pct},
    ),
    "growth_at_most_yoy_max_pct": (
        "critical",
        {"measure": "yoy_pct", "value": INDUSTRY.yoy_max_pct + 0.5},
        {"measure": "yoy_pct", "value": INDUSTRY.yoy_max_pct},
    ),
    "unit_dimension_as_required": ("critical", {"measure": "yoy_pct", "unit": "亿元"}, {}),
    "share_within_0_100": (
        "critical",
        {"measure": "share_pct", "value": 120.0},
        {"measure": "share_pct", "value": 100.0},
    ),
    "value_positive": ("critical", {"value": 0.0}, {"value": 0.5}),
    "count_whole_number": (
        "warning",
        {"indicator": "规模以上工业企业数", "unit": "家", "value": 1203.5},
        {"indicator": "规模以上工业企业数", "unit": "家", "value": 1203.0},
    ),
    "period_end_not_before_start": (
        "critical",
        {"period_start": "2022-10", "period_end": "2022-01"},
        {"period_start": "2022-10", "period_end": "2022-10"},
    ),
    "value_exact": ("info", {"is_approximate": True}, {}),
    # Cross-row checks: transforms/consistency.py computes the compared columns
    # (tests/test_consistency_gate.py checks that computation on crafted documents).
    "magnitude_agrees_with_series": (
        "critical",
        {"series_ratio": 64000.0, "series_points": 3},
        {"series_ratio": 1.05, "series_points": 3},
    ),
    "magnitude_agrees_with_one_other_document": (
        "warning",
        {"series_ratio": 0.001, "series_points": 1},
        {"series_ratio": 2.0, "series_points": 1},
    ),
    "no_doubled_glyphs_in_evidence": (
        "critical",
        {"evidence": "规上工业增加值243243..4444亿元"},
        {"evidence": "规上工业增加值243.44亿元"},
    ),
    "part_not_above_whole": ("critical", {"whole_value_base": 100e8}, {"whole_value_base": 2000e8}),
    "share_matches_part_and_whole": ("warning", {"share_gap_pp": 3.0}, {"share_gap_pp": 0.2}),
    "growth_matches_consecutive_levels": (
        "warning",
        {"growth_gap_pp": 12.0},
        {"growth_gap_pp": 1.0},
    ),
}


def test_every_expectation_in_the_suite_has_a_case() -> None:
    names = [entry["meta"]["name"] for entry in suite_document()["expectations"]]
    assert set(names) - {"fact_key_unique"} == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_expectation_fails_only_the_bad_fact(name: str) -> None:
    severity, failing, passing = CASES[name]
    report = validate_candidates(
        candidates(candidate("bad", **failing), candidate("good", **passing))
    )

    assert report.failures == [Failure(fact_key="bad", expectation=name, severity=severity)]
    outcome = next(outcome for outcome in report.outcomes if outcome.name == name)
    assert (outcome.severity, outcome.success, outcome.unexpected_count) == (severity, False, 1)
    assert all(other.success for other in report.outcomes if other.name != name)


def test_severity_decides_quarantine_flag_or_note() -> None:
    report = validate_candidates(
        candidates(
            candidate("too_fast", measure="yoy_pct", value=950.0),
            candidate("half_enterprise", indicator="规模以上工业企业数", unit="家", value=1203.5),
            candidate("hedged", is_approximate=True),
            candidate("clean"),
        )
    )

    assert report.quarantined_keys() == {"too_fast": ["growth_at_most_yoy_max_pct"]}
    assert report.flagged_keys() == {"half_enterprise": ["count_whole_number"]}
    assert report.noted_keys() == {"hedged": ["value_exact"]}
    assert report.rows == 4
    assert report.quarantined_share == pytest.approx(0.25)


def test_implausible_growth_is_quarantined_and_its_sibling_passes() -> None:
    report = validate_candidates(
        candidates(
            candidate("va_950", measure="yoy_pct", value=950.0),
            candidate("va_8_5", measure="yoy_pct", value=8.5),
        )
    )

    assert report.quarantined_keys() == {"va_950": ["growth_at_most_yoy_max_pct"]}


@pytest.mark.parametrize("measure", ["yoy_pct", "avg2y_pct", "target_yoy_pct"])
def test_growth_bounds_are_the_catalogues_per_indicator(measure: str) -> None:
    gdp = load_catalog().indicator("地区生产总值")
    industry = load_catalog().indicator("规模以上工业增加值")
    growth = 45.0
    assert gdp.yoy_max_pct < growth < industry.yoy_max_pct

    report = validate_candidates(
        candidates(
            candidate("gdp", indicator="地区生产总值", measure=measure, value=growth),
            candidate("industry", indicator="规模以上工业增加值", measure=measure, value=growth),
        )
    )

    assert report.quarantined_keys() == {"gdp": ["growth_at_most_yoy_max_pct"]}


def test_bounds_do_not_apply_to_other_measures() -> None:
    report = validate_candidates(candidates(candidate("big_value", measure="value", value=950.0)))

    assert report.failures == []


def test_duplicate_fact_key_is_quarantined_once() -> None:
    report = validate_candidates(
        candidates(candidate("twice"), candidate("twice", value=99.0), candidate("once"))
    )

    assert report.failures == [
        Failure(fact_key="twice", expectation="fact_key_unique", severity="critical")
    ]


def test_an_unknown_unit_fails_both_the_key_and_the_dimension() -> None:
    report = validate_candidates(candidates(candidate("tonnes", unit="万吨", unit_key=None)))

    assert report.quarantined_keys() == {
        "tonnes": ["unit_key_not_null", "unit_dimension_as_required"]
    }


def test_negative_targets_and_shares_below_zero_are_quarantined() -> None:
    report = validate_candidates(
        candidates(
            candidate("negative_target", measure="target_value", value=-5.0),
            candidate("negative_share", measure="share_pct", value=-1.0),
            candidate("negative_growth", measure="yoy_pct", value=-5.0),
        )
    )

    assert report.quarantined_keys() == {
        "negative_target": ["value_positive"],
        "negative_share": ["share_within_0_100"],
    }


def test_outcomes_follow_the_suite_file() -> None:
    entries = suite_document()["expectations"]

    report = validate_candidates(candidates(candidate("one")))

    assert [(o.name, o.severity) for o in report.outcomes] == [
        (entry["meta"]["name"], entry["severity"]) for entry in entries
    ]
    assert all(outcome.description and outcome.description_zh for outcome in report.outcomes)


def test_empty_frame_passes() -> None:
    report = validate_candidates(candidates())

    assert report.failures == []
    assert report.rows == 0
    assert report.quarantined_share == 0.0
    assert report.outcomes and all(outcome.success for outcome in report.outcomes)


def test_empty_frame_need_not_carry_the_schema() -> None:
    report = validate_candidates(pl.DataFrame())

    assert (report.rows, report.failures) == (0, [])


def test_missing_column_is_a_contract_error() -> None:
    frame = candidates(candidate("one")).drop("value_base_text")

    with pytest.raises(CandidateContractError, match="value_base_text"):
        validate_candidates(frame)


def test_fact_without_key_is_a_contract_error() -> None:
    frame = candidates(candidate("one")).with_columns(pl.lit(None, pl.String).alias("fact_key"))

    with pytest.raises(CandidateContractError, match="fact_key"):
        validate_candidates(frame)


def test_an_expectation_that_cannot_run_stops_the_gate() -> None:
    # Text where a number belongs makes GX raise inside the range checks; the batch must not
    # pass as if nothing failed.
    frame = candidates(candidate("one")).with_columns(pl.lit("八点五").alias("value"))

    with pytest.raises(ExpectationRunError, match="value"):
        validate_candidates(frame)


def test_data_docs_are_built(tmp_path: Path) -> None:
    docs_dir = tmp_path / "docs"

    report = validate_candidates(
        candidates(candidate("va_950", measure="yoy_pct", value=950.0)), docs_dir=docs_dir
    )

    assert report.docs_index == docs_dir.resolve() / "index.html"
    assert report.docs_index.is_file()
    assert "fact_candidates" in report.docs_index.read_text(encoding="utf-8")
    assert list((docs_dir / "validations").rglob("*.html"))


def test_without_docs_dir_there_is_no_index() -> None:
    assert validate_candidates(candidates(candidate("one"))).docs_index is None


def test_row_conditions_name_only_catalogued_measures_and_dimensions() -> None:
    # A renamed measure or dimension would silently make a rule apply to no row.
    catalog = load_catalog()
    known = {
        "measure": {measure.measure for measure in catalog.measures},
        "indicator_dimension": {indicator.dimension for indicator in catalog.indicators},
        "series_points": {1, 2},
    }

    def comparisons(condition: dict[str, Any]):
        if condition.get("type") == "comparison":
            yield condition
        for part in condition.get("conditions", ()):
            yield from comparisons(part)

    for entry in suite_document()["expectations"]:
        condition = entry["kwargs"].get("row_condition")
        for comparison in comparisons(condition or {}):
            column = comparison["column"]["name"]
            parameter = comparison["parameter"]
            values = parameter if isinstance(parameter, list) else [parameter]
            assert set(values) <= known[column], (entry["meta"]["name"], column, values)


def test_the_suite_reads_only_contract_columns() -> None:
    assert columns_read_by(suite_document()) <= set(CANDIDATE_SCHEMA)


def write_suite(directory: Path, name: str, *expectations: dict[str, Any]) -> None:
    suite = {"name": name, "expectations": list(expectations)}
    (directory / f"{name}.json").write_text(json.dumps(suite, ensure_ascii=False), "utf-8")


def named(name: str, **entry: Any) -> dict[str, Any]:
    meta = {"name": name, "description_en": "a rule", "description_zh": "规则"}
    return {"kwargs": {"column": "value"}, "severity": "critical", "meta": meta} | entry


def test_a_suite_file_must_name_and_grade_every_rule(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(gate, "SUITES_DIR", tmp_path)
    ungraded = named("value_not_null", type="expect_column_values_to_not_be_null")
    del ungraded["severity"]
    twice = named("value_not_null", type="expect_column_values_to_be_unique")
    write_suite(tmp_path, "ungraded_suite", ungraded, twice)

    with pytest.raises(SuiteFileError, match="severity must be one of") as raised:
        suite_document("ungraded_suite")
    assert "meta.name is used twice" in str(raised.value)


def test_a_rule_gx_cannot_build_stops_the_gate(tmp_path: Path, monkeypatch) -> None:
    # GX's own suite constructor would log this and carry on without the rule.
    monkeypatch.setattr(gate, "SUITES_DIR", tmp_path)
    write_suite(tmp_path, "typo_suite", named("typo", type="expect_column_values_to_be_postive"))

    with pytest.raises(SuiteFileError, match="typo"):
        gate._build_suite("typo_suite")
