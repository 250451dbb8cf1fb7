"""Charts of one area's headline indicators, as Plotly figures (JSON), shaped by the data:

- a level chart per indicator (one indicator per axis: unrelated magnitudes never share one),
  and only where the indicator has levels for two periods or more (one period is a value in
  the table, not a chart);
- one growth chart: year-on-year growth as bars, grouped by period, a colour per indicator
  (all in %, so they share the axis).

The figures are drawn in the browser by plotly.js, which the report ships beside its pages
(`assets/`), so the report opens offline. Each point carries the link to its sentence in the
evidence viewer (`customdata[0]`): clicking a point opens it.

They are written as plain dicts in plotly.js's own JSON schema: building them as
`plotly.graph_objects`, which validate every property in Python, took 4.7 of the report's
8 s for 1,000 documents (the JSON is the same).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

FONT_FAMILY = (
    '"Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "PingFang SC", '
    '"Hiragino Sans GB", "Microsoft YaHei", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", '
    '"Droid Sans Fallback", system-ui, sans-serif'
)
"""The CJK fallback stack of report.css: the first font the machine has draws the text."""
PALETTE = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
)  # fmt: skip
NO_TEMPLATE = {"data": {"scatter": [{"type": "scatter"}]}}
"""plotly.py's template "none" as it writes it: no theme over plotly.js's defaults."""
LEVEL_DIMENSION = "currency"
LEVEL_FACTOR = 1e8
LEVEL_UNIT = "亿元"
"""Levels are drawn in 亿元 (value_base is in 元); amounts in other currencies are tabulated."""

# How a period runs, as the chart's series tell them apart: a cumulative figure (from January)
# and a single month's are different series of one indicator. Growth rates of cumulative
# periods make one series (the 累计增速 through the year); levels of cumulative periods only
# compare between periods of one length (1-9月 with 1-9月: a year's total is no fall from it).
SERIES_KIND = {"year": "", "year_to_date": "", "month": "（当月）", "quarter": "（当季）"}
OTHER_KIND = "（其他时期）"


def _series_kind(row: dict[str, Any], *, by_length: bool) -> str:
    kind = SERIES_KIND.get(row["granularity"], OTHER_KIND)
    if kind or not by_length:
        return kind
    return "（全年）" if row["granularity"] == "year" else f"（1-{row['months']}月）"


def indicator_colours(codes: Sequence[str]) -> dict[str, str]:
    """A fixed colour per headline indicator, the same in every chart and table."""
    return {code: PALETTE[i % len(PALETTE)] for i, code in enumerate(sorted(set(codes)))}


def stated(value: float, unit: str | None) -> str:
    """A value as the document states it: 3928.6 亿元, 22368 亿元, 8.9 %."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return f"{text} {unit}" if unit else text


def _add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def _x_axis(months: list[dt.date]) -> dict[str, Any]:
    first, last = min(months), max(months)
    span = (last.year - first.year) * 12 + last.month - first.month
    pad = max(2, span // 12)
    dtick = "M1" if span <= 4 else "M3" if span <= 18 else "M6" if span <= 48 else "M12"
    return {
        "type": "date",
        "range": [_add_months(first, -pad).isoformat(), _add_months(last, pad).isoformat()],
        "tickformat": "%Y-%m",
        "dtick": dtick,
        "showgrid": True,
        "gridcolor": "#eceff3",
        "linecolor": "#c9ced6",
        "ticks": "outside",
        "tickcolor": "#c9ced6",
    }


def _series(
    observations: list[dict[str, Any]], *, by_length: bool
) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """(indicator code, kind of period) -> its observations in time order."""
    series: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in observations:
        kind = _series_kind(row, by_length=by_length)
        series.setdefault((row["indicator_code"], kind), []).append(row)
    return {
        key: sorted(rows, key=lambda r: (r["end_month"], r["months"]))
        for key, rows in sorted(series.items())
    }


def _customdata(row: dict[str, Any], href: Callable[[dict[str, Any]], str]) -> list[str]:
    return [href(row), row["period_label"], stated(row["value"], row["unit"]), row["source_doc"]]


# Hover: the series (a line's name, a bar's label), then the period, value and document.
HOVER = (
    "<b>%s</b><br>%%{customdata[1]}: %%{customdata[2]}"
    "<br><span style='color:#667'>%%{customdata[3]} · click: the sentence</span><extra></extra>"
)


def _dash(kind: str) -> str:
    if kind in ("", "（全年）"):
        return "solid"
    return "dash" if kind.endswith("月）") and "-" in kind else "dot"


def _line_traces(series, y_of, colours, href) -> list[dict[str, Any]]:
    """One line per indicator and kind of period, over the months the periods end."""
    traces = []
    for (code, kind), rows in series.items():
        colour = colours.get(code, PALETTE[-1])
        traces.append(
            {
                "type": "scatter",
                "x": [r["end_month"].isoformat() for r in rows],
                "y": [y_of(r) for r in rows],
                "name": rows[0]["indicator"] + kind,
                "mode": "lines+markers",
                "line": {"color": colour, "width": 2, "dash": _dash(kind)},
                "marker": {
                    "color": colour,
                    "size": [12 if r["is_conflicting"] else 8 for r in rows],
                    "symbol": ["diamond" if r["is_conflicting"] else "circle" for r in rows],
                    "line": {"width": 1, "color": "#ffffff"},
                },
                "customdata": [_customdata(r, href) for r in rows],
                "hovertemplate": HOVER % "%{fullData.name}",
            }
        )
    return traces


def _layout(title: str, height: int) -> dict[str, Any]:
    return {
        "template": NO_TEMPLATE,
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 13}},
        "font": {"family": FONT_FAMILY, "size": 12, "color": "#2b2f36"},
        "height": height,
        "margin": {"l": 56, "r": 24, "t": 34, "b": 40},
        "hovermode": "closest",
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
    }


VALUE_AXIS = {"gridcolor": "#eceff3", "zeroline": True, "zerolinecolor": "#9aa3ae",
              "automargin": True}  # fmt: skip
LEGEND = {"orientation": "h", "x": 0, "y": -0.18, "yanchor": "top", "font": {"size": 11}}


def level_figure(
    rows: list[dict[str, Any]], colours: dict[str, str], href: Callable[[dict[str, Any]], str]
) -> dict[str, Any] | None:
    """One indicator's levels (亿元) over time: a line per kind of period (the year, 1-N
    months, single months) that has two periods or more; None when no kind has. Levels of
    1-3月 and 1-5月 do not compare, so single points of several kinds make no chart."""
    series = {key: rows for key, rows in _series(rows, by_length=True).items() if len(rows) > 1}
    if not series:
        return None
    rows = [row for points in series.values() for row in points]
    layout = _layout(f"{rows[0]['indicator']} ({LEVEL_UNIT})", 240 + 22 * (len(series) > 1))
    layout["xaxis"] = _x_axis([r["end_month"] for r in rows])
    layout["yaxis"] = {**VALUE_AXIS, "rangemode": "tozero"}
    layout["showlegend"] = len(series) > 1
    layout["legend"] = LEGEND
    y_of = lambda r: round(r["value_base"] / LEVEL_FACTOR, 6)  # noqa: E731
    return {"data": _line_traces(series, y_of, colours, href), "layout": layout}


def growth_figure(
    rows: list[dict[str, Any]], colours: dict[str, str], href: Callable[[dict[str, Any]], str]
) -> dict[str, Any] | None:
    """Year-on-year growth as bars grouped by period (in time order), a bar per indicator."""
    if not rows:
        return None
    periods = sorted({(r["end_month"], r["months"], r["period_label"]) for r in rows})
    labels = [label for *_, label in periods]
    traces = []
    by_indicator: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_indicator.setdefault(row["indicator_code"], []).append(row)
    for code, observations in sorted(by_indicator.items()):
        observations.sort(key=lambda r: labels.index(r["period_label"]))
        colour = colours.get(code, PALETTE[-1])
        traces.append(
            {
                "type": "bar",
                "name": observations[0]["indicator"],
                "x": [r["period_label"] for r in observations],
                "y": [r["value"] for r in observations],
                "marker": {
                    "color": colour,
                    "line": {
                        "color": [
                            "#c25e00" if r["is_conflicting"] else colour for r in observations
                        ],
                        "width": 2,
                    },
                },
                "customdata": [_customdata(r, href) for r in observations],
                "hovertemplate": HOVER % "%{fullData.name}",
            }
        )
    layout = _layout("同比增速 Year-on-year growth (%)", 260 + 22 * ((len(traces) + 2) // 3))
    layout["barmode"] = "group"
    layout["xaxis"] = {"type": "category", "categoryorder": "array", "categoryarray": labels,
                       "linecolor": "#c9ced6"}  # fmt: skip
    layout["yaxis"] = {**VALUE_AXIS, "ticksuffix": "%"}
    layout["showlegend"] = True
    layout["legend"] = LEGEND
    return {"data": traces, "layout": layout}


def area_charts(
    observations: list[dict[str, Any]],
    colours: dict[str, str],
    href: Callable[[dict[str, Any]], str],
) -> list[tuple[str, dict[str, Any]]]:
    """(name, figure) of an area's charts: its growth, then a level chart per indicator."""
    figures: list[tuple[str, dict[str, Any]]] = []
    growth = growth_figure([r for r in observations if r["measure"] == "yoy_pct"], colours, href)
    if growth:
        figures.append(("growth", growth))
    levels: dict[str, list[dict[str, Any]]] = {}
    for r in observations:
        if (r["measure"] == "value" and r["unit_dimension"] == LEVEL_DIMENSION
                and r["value_base"] is not None):  # fmt: skip
            levels.setdefault(r["indicator_code"], []).append(r)
    for code, rows in sorted(levels.items()):
        figure = level_figure(rows, colours, href)
        if figure:
            figures.append((f"level-{code}", figure))
    return figures
