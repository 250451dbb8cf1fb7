"""Per-region time-series charts of the headline indicators, as Plotly figures (JSON).

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
from dataclasses import dataclass
from typing import Any

FONT_FAMILY = (
    '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", '
    '"Noto Sans SC", system-ui, sans-serif'
)
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


@dataclass(frozen=True)
class RegionCharts:
    level: dict[str, Any] | None
    """The figure of levels (亿元), or None when the region states none."""
    growth: dict[str, Any] | None
    """The figure of year-on-year growth (%), or None when the region states none."""


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


def _bar_trace(series, y_of, colours, href) -> dict[str, Any]:
    """All figures state one period: a bar per indicator (a line of one point says little)."""
    rows = [(code, kind, r) for (code, kind), rows in series.items() for r in rows]
    # The title names the period: a bar's label tells only a single month or quarter apart.
    names = [r["indicator"] + _series_kind(r, by_length=False) for _, _, r in rows]
    outline = ["#c25e00" if r["is_conflicting"] else "rgba(0,0,0,0)" for _, _, r in rows]
    return {
        "type": "bar",
        "orientation": "h",
        "y": names,
        "x": [y_of(r) for _, _, r in rows],
        "marker": {
            "color": [colours.get(code, PALETTE[-1]) for code, _, _ in rows],
            "line": {"color": outline, "width": 2},
        },
        "text": [stated(r["value"], r["unit"]) for _, _, r in rows],
        "textposition": "outside",
        "cliponaxis": False,
        "customdata": [_customdata(r, href) for _, _, r in rows],
        "hovertemplate": HOVER % "%{y}",
    }


def _figure(
    observations: list[dict[str, Any]],
    *,
    title: str,
    y_of: Callable[[dict[str, Any]], float],
    y_unit: str,
    colours: dict[str, str],
    href: Callable[[dict[str, Any]], str],
    x_axis: dict[str, Any],
    by_length: bool,
) -> dict[str, Any]:
    series = _series(observations, by_length=by_length)
    months = {r["end_month"] for r in observations}
    layout: dict[str, Any] = {
        "template": NO_TEMPLATE,
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 13}},
        "font": {"family": FONT_FAMILY, "size": 12, "color": "#2b2f36"},
        "height": 250,
        "margin": {"l": 56, "r": 24, "t": 34, "b": 36},
        "showlegend": False,
        "hovermode": "closest",
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
    }
    value_axis = {
        "ticksuffix": y_unit,
        "gridcolor": "#eceff3",
        "zeroline": True,
        "zerolinecolor": "#9aa3ae",
        "automargin": True,
    }
    if len(months) == 1:
        labels = sorted({r["period_label"] for r in observations})
        values = [y_of(r) for r in observations]
        low, high = min(0.0, *values), max(0.0, *values)
        room = (high - low) * 0.22 or 1.0
        bars = len(observations)
        layout["title"]["text"] = f"{title} · {' / '.join(labels)}"
        layout["height"] = max(170, 64 + 26 * bars)
        layout["margin"]["l"] = 8
        layout["bargap"] = 0.35
        layout["xaxis"] = {
            **value_axis,
            "range": [low - (room if low < 0 else 0), high + (room if high > 0 else 0)],
        }
        layout["yaxis"] = {"autorange": "reversed", "automargin": True, "ticksuffix": "  "}
        data = [_bar_trace(series, y_of, colours, href)]
    else:
        layout["xaxis"] = x_axis
        layout["yaxis"] = {**value_axis, "rangemode": "tozero"}
        layout["showlegend"] = True
        layout["legend"] = {
            "orientation": "h", "x": 0, "y": -0.16, "yanchor": "top", "font": {"size": 11},
        }  # fmt: skip
        layout["height"] = 250 + 22 * ((len(series) + 2) // 3)
        data = _line_traces(series, y_of, colours, href)
    return {"data": data, "layout": layout}


def region_charts(
    observations: list[dict[str, Any]],
    colours: dict[str, str],
    href: Callable[[dict[str, Any]], str],
) -> RegionCharts:
    """The level and growth figures of one region's headline observations."""
    levels = [
        r for r in observations
        if r["measure"] == "value" and r["unit_dimension"] == LEVEL_DIMENSION
        and r["value_base"] is not None
    ]  # fmt: skip
    growth = [r for r in observations if r["measure"] == "yoy_pct"]
    months = [r["end_month"] for r in levels + growth]
    if not months:
        return RegionCharts(level=None, growth=None)
    x_axis = _x_axis(months)
    return RegionCharts(
        level=_figure(
            levels,
            title=f"总量 Level ({LEVEL_UNIT})",
            y_of=lambda r: round(r["value_base"] / LEVEL_FACTOR, 6),
            y_unit="",
            colours=colours,
            href=href,
            x_axis=x_axis,
            by_length=True,
        )
        if levels
        else None,
        growth=_figure(
            growth,
            title="同比增速 Year-on-year growth (%)",
            y_of=lambda r: r["value"],
            y_unit="%",
            colours=colours,
            href=href,
            x_axis=x_axis,
            by_length=False,
        )
        if growth
        else None,
    )
