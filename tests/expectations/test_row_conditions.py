"""Row conditions judged in Polars catch what GX's own row conditions catch.

Every expectation of the suite that states a `row_condition` runs twice through real GX:
as the suite file states it (GX filters the rows with pandas), and as the gate runs it
(masked columns, expectations.row_conditions). Both must fail the same facts and look at
the same number of rows, on the failing case of each expectation and on batches of varied
facts."""

from __future__ import annotations

import random
from typing import Any

import polars as pl
import pytest

from expectations import gate
from expectations.gate import compiled_suite, suite_document, validate_candidates
from expectations.row_conditions import compile_suite, describe, holds
from tests.expectations.test_gate import CANDIDATE_SCHEMA, CASES, candidate, candidates
from transforms.catalog import load_catalog

CONDITIONED = [
    entry["meta"]["name"]
    for entry in suite_document()["expectations"]
    if entry["kwargs"].get("row_condition")
]


def as_stated(frame: pl.DataFrame) -> dict[str, tuple[set[str], int]]:
    """Expectation name -> (failing fact keys, rows looked at), from GX running the suite's
    conditioned expectations exactly as the file states them."""
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    context = gate._context()
    entries = [e for e in suite_document()["expectations"] if e["meta"]["name"] in CONDITIONED]
    suite = gx.ExpectationSuite(
        name="as_stated",
        expectations=[ExpectationConfiguration(**e).to_domain_obj() for e in entries],
    )
    name = f"as_stated_{id(frame)}"
    batch = (
        context.data_sources.add_pandas(name=name)
        .add_dataframe_asset(name=name)
        .add_batch_definition_whole_dataframe(name="whole")
        .get_batch(batch_parameters={"dataframe": frame.to_pandas()})
    )
    result = batch.validate(
        suite,
        result_format={"result_format": "COMPLETE", "unexpected_index_column_names": ["fact_key"]},
    )
    context.data_sources.delete(name)
    return {
        r.expectation_config.meta["name"]: (
            {row["fact_key"] for row in r.result.get("unexpected_index_list") or ()},
            r.result["element_count"],
        )
        for r in result.results
    }


def as_compiled(frame: pl.DataFrame) -> dict[str, tuple[set[str], int]]:
    report = validate_candidates(frame)
    return {
        outcome.name: (
            {f.fact_key for f in report.failures if f.expectation == outcome.name},
            outcome.element_count,
        )
        for outcome in report.outcomes
        if outcome.name in CONDITIONED
    }


def test_the_suite_states_conditions_and_the_gate_compiles_them_all() -> None:
    assert CONDITIONED
    compiled = compiled_suite()
    assert set(compiled.conditions) == set(CONDITIONED)
    assert not any(e["kwargs"].get("row_condition") for e in compiled.document["expectations"])


@pytest.mark.parametrize("name", CONDITIONED)
def test_each_compiled_expectation_catches_its_failing_fact(name: str) -> None:
    _, failing, passing = CASES[name]
    frame = candidates(candidate("bad", **failing), candidate("good", **passing))

    compiled = as_compiled(frame)

    assert compiled[name][0] == {"bad"}
    assert compiled == as_stated(frame)


MEASURES = [m.measure for m in load_catalog().measures] + [None]


def varied_batch(seed: int, size: int = 300) -> pl.DataFrame:
    """Facts of every measure and dimension, with values inside, at and beyond every bound,
    and missing values where conditions and rules read."""
    rng = random.Random(seed)
    catalog = load_catalog()
    indicators = [catalog.indicator("规模以上工业增加值"), catalog.indicator("规模以上工业企业数")]
    rows: list[dict[str, Any]] = []
    for n in range(size):
        indicator = rng.choice(indicators)
        measure = rng.choice(MEASURES)
        value = rng.choice([None, -5.0, 0.0, 0.5, 8.5, 100.0, 120.0, 950.0, 1203.5, 1203.0])
        row = candidate(f"f{n}", indicator=indicator.name_zh, measure=measure or "value")
        row |= {
            "measure": measure,
            "value": value,
            "value_base_text": rng.choice([None, "1203", "1203.5", "12000.0", "-3"]),
            "indicator_dimension": rng.choice([indicator.dimension, None]),
            "series_points": rng.choice([None, 0, 1, 2, 3]),
            "series_ratio": rng.choice([None, 0.001, 0.02, 1.0, 50.0, 64000.0]),
            "yoy_min_pct": rng.choice([indicator.yoy_min_pct, None]),
            "period_start": rng.choice(["2022-01", "2022-10"]),
            "period_end": rng.choice(["2022-01", "2022-10"]),
        }
        rows.append(row)
    return pl.DataFrame(rows, schema=CANDIDATE_SCHEMA)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_compiled_conditions_judge_the_rows_gx_conditions_judge(seed: int) -> None:
    frame = varied_batch(seed)

    compiled = as_compiled(frame)

    assert compiled == as_stated(frame)
    assert any(failing for failing, _ in compiled.values())


def test_a_missing_value_fails_a_comparison_and_passes_its_negation() -> None:
    # pandas' query semantics, which GX's row conditions have.
    frame = pl.DataFrame(
        {"measure": ["share_pct", None, "value"], "points": [1.0, None, float("nan")]}
    )

    def where(condition: dict) -> list[bool]:
        return frame.select(holds(condition, frame.schema)).to_series().to_list()

    def compare(column: str, operator: str, parameter: Any) -> dict:
        return {
            "type": "comparison",
            "column": {"name": column},
            "operator": operator,
            "parameter": parameter,
        }

    assert where(compare("measure", "==", "share_pct")) == [True, False, False]
    assert where(compare("measure", "!=", "share_pct")) == [False, True, True]
    assert where(compare("measure", "IN", ["value"])) == [False, False, True]
    assert where(compare("measure", "NOT_IN", ["value"])) == [True, True, False]
    assert where(compare("points", ">=", 1)) == [True, False, False]
    assert where(compare("points", "!=", 1)) == [False, True, True]
    for condition in (
        compare("measure", "==", "share_pct"),
        compare("measure", "!=", "share_pct"),
        compare("measure", "NOT_IN", ["value"]),
        compare("points", ">=", 1),
    ):
        query = frame.to_pandas().query(describe(condition))
        assert where(condition) == [i in query.index for i in range(frame.height)]


def test_a_condition_on_a_kind_that_judges_missing_values_stays_with_gx() -> None:
    entry = {
        "type": "expect_column_values_to_not_be_null",
        "kwargs": {
            "column": "value",
            "row_condition": {
                "type": "comparison",
                "column": {"name": "measure"},
                "operator": "==",
                "parameter": "value",
            },
        },
        "severity": "critical",
        "meta": {"name": "value_stated", "description_en": "x", "description_zh": "x"},
    }

    compiled = compile_suite({"name": "s", "expectations": [entry]})

    assert compiled.document["expectations"] == [entry]
    assert compiled.masked == () and compiled.conditions == {}


def test_masked_columns_are_named_by_their_condition() -> None:
    names = {column.name for column in compiled_suite().masked}

    # Data Docs show these names: what the expectation reads, under which condition.
    assert "value[measure == 'share_pct']" in names
