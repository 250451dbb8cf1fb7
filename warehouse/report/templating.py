"""The report's Jinja environment and what its templates share: measure labels, filters,
the pager, JSON for script elements."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import jinja2
from markupsafe import Markup, escape

from warehouse.report.charts import stated

MEASURE_NAMES = {
    "value": "数值 level",
    "yoy_pct": "同比 yoy growth",
    "share_pct": "占比 share",
    "avg2y_pct": "两年平均 2-year avg growth",
    "target_value": "目标值 target",
    "target_yoy_pct": "目标增速 target growth",
    "rank": "排名 rank",
    "pp_change": "百分点变化 pp change",
}
"""Short labels of the measures (their full names: transforms/catalog/measures.csv)."""

PAGER_NEIGHBOURS = 3
"""Pages linked on each side of the current one in a list's pager (besides the first and
the last): a pager linking every page made the lists' pages grow with their square (1,600
pages of conflicting figures after 100,000 documents)."""


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("warehouse.report", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["stated"] = lambda value, unit=None: "—" if value is None else stated(value, unit)
    env.filters["measure_name"] = lambda measure: MEASURE_NAMES.get(measure, measure)
    env.filters["thousands"] = lambda n: "—" if n is None else f"{n:,}"
    env.filters["pager_numbers"] = pager_numbers
    env.globals["list_table"] = list_table
    return env


NUMERIC_HEADINGS = ("Facts loaded", "Quarantined", "Value")
"""Columns of a list table whose cells align as numbers."""


def list_table(headers: list[str], rows: Iterable[list[Any]]) -> Markup:
    """A list's table (documents, conflicting figures, ...), each cell escaped as it is made
    and the pieces joined as plain strings: as a template macro, its 800,000 cells took 22 of
    the 30 s of the report's pages after 100,000 documents (profiled)."""
    classes = [' class="num"' if h in NUMERIC_HEADINGS else "" for h in headers]
    opening = [f"<td{css}>" for css in classes]
    html = [
        '<table class="facts">\n  <thead><tr>',
        *(f"<th{css}>{escape(h)}</th>" for css, h in zip(classes, headers, strict=True)),
        "</tr></thead>\n  <tbody>\n",
    ]
    # A list repeats its areas, indicators and periods row after row: each is escaped once.
    escaped: dict[str, str] = {}

    def cell_html(cell: Any) -> str:
        if hasattr(cell, "__html__"):
            return cell.__html__()
        text = str(cell)
        known = escaped.get(text)
        if known is None:
            known = escaped[text] = escape(text)
        return known

    empty = True
    for row in rows:
        empty = False
        html.append("<tr>")
        html.extend(f"{td}{cell_html(cell)}</td>" for td, cell in zip(opening, row, strict=False))
        html.append("</tr>\n")
    if empty:
        html.append(f'<tr><td colspan="{len(headers)}" class="empty">None.</td></tr>\n')
    html.append("  </tbody>\n</table>")
    return Markup("".join(html))


def pager_numbers(pages: int, current: int) -> list[int | None]:
    """The page numbers a pager links: the first, the last and PAGER_NEIGHBOURS either side
    of the current page, in order, a None where numbers are left out."""
    shown = sorted(
        {1, pages, *range(max(1, current - PAGER_NEIGHBOURS),
                          min(pages, current + PAGER_NEIGHBOURS) + 1)}
    )  # fmt: skip
    numbers: list[int | None] = []
    for previous, number in zip([0, *shown], shown, strict=False):
        numbers.extend((None, number) if number - previous > 1 else (number,))
    return numbers


def script_json(value: Any) -> str:
    """JSON safe inside <script type="application/json">."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return text.replace("</", "<\\/")
