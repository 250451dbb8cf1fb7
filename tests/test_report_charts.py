"""Charts that suit the data: a level chart per indicator and only for several periods,
growth as bars grouped by period."""

from __future__ import annotations

import datetime as dt

from warehouse.report.charts import area_charts, indicator_colours


def observation(code: str, measure: str, year: int, value: float, months: int = 12) -> dict:
    return {
        "indicator_code": code, "indicator": {"gdp": "地区生产总值", "retail": "社零"}[code],
        "measure": measure, "value": value, "value_base": value * 1e8, "unit": "亿元",
        "unit_dimension": "currency" if measure == "value" else "ratio",
        "period_label": f"{year}年" if months == 12 else f"{year}年1-{months}月",
        "end_month": dt.date(year, months, 1), "months": months,
        "granularity": "year" if months == 12 else "year_to_date",
        "is_conflicting": False, "source_doc": "a.txt", "content_sha256": "a" * 64,
        "fact_key": f"{code}-{measure}-{year}-{months}",
    }  # fmt: skip


ROWS = [
    observation("gdp", "value", 2021, 1000.0),
    observation("gdp", "value", 2022, 1100.0),
    observation("gdp", "value", 2023, 1180.0),
    observation("gdp", "value", 2023, 520.0, months=6),  # 1-6月 once: not on the chart
    observation("retail", "value", 2023, 420.0),  # one period: no chart of its own
    observation("retail", "value", 2022, 200.0, months=3),  # nor a kind of period once
    observation("gdp", "yoy_pct", 2022, 6.5),
    observation("gdp", "yoy_pct", 2023, 5.1),
    observation("retail", "yoy_pct", 2023, 7.2),
    observation("retail", "yoy_pct", 2023, 4.0, months=6),
]


def test_a_level_chart_per_indicator_with_several_periods_and_growth_as_bars_by_period() -> None:
    figures = dict(area_charts(ROWS, indicator_colours(["gdp", "retail"]), lambda r: "#"))
    assert list(figures) == ["growth", "level-gdp"]

    level = figures["level-gdp"]
    assert {trace["name"] for trace in level["data"]} == {"地区生产总值（全年）"}  # one indicator
    assert [point for trace in level["data"] for point in trace["y"]] == [1000, 1100, 1180]

    growth = figures["growth"]
    assert {trace["type"] for trace in growth["data"]} == {"bar"}
    assert growth["layout"]["barmode"] == "group"
    assert growth["layout"]["xaxis"]["categoryarray"] == ["2022年", "2023年1-6月", "2023年"]
    by_name = {trace["name"]: dict(zip(trace["x"], trace["y"], strict=True))
               for trace in growth["data"]}  # fmt: skip
    assert by_name == {"地区生产总值": {"2022年": 6.5, "2023年": 5.1},
                       "社零": {"2023年1-6月": 4.0, "2023年": 7.2}}  # fmt: skip
