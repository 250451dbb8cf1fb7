"""Render the report: gather the published warehouse's records, build the pages, write them.

Layout of VAR/report/ (every link relative, nothing fetched from the network):

    index.html           per region: charts and the latest values; the run's data quality
    docs/<sha16>.html    one evidence viewer per current document, facts highlighted
    assets/              plotly.min.js (the chart library, bundled), report.css, *.js

The report is built beside the old one and swapped in, so a reader never sees half of it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import jinja2
from markupsafe import Markup, escape
from plotly.offline import get_plotlyjs, get_plotlyjs_version

import warehouse.report_queries as queries
from warehouse.analyst import open_analyst_db
from warehouse.report.charts import RegionCharts, indicator_colours, region_charts, stated
from warehouse.report.evidence import Span, locatable, segment_text

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
SEVERITY_EFFECT = {"critical": "quarantined", "warning": "loaded, flagged", "info": "loaded, noted"}
STATIC_ASSETS = ("report.css", "report.js", "viewer.js")


class ReportError(RuntimeError):
    """The report could not be written (the warehouse itself is untouched by it)."""


@dataclass(frozen=True)
class ReportResult:
    index: Path
    regions: int
    charts: int
    documents: int
    facts_highlighted: int
    seconds: float


def write_report(var_dir: Path) -> ReportResult:
    """Write the HTML report of the published warehouse in VAR/report/ (see module doc).

    Raises FileNotFoundError before the first run, ReportError when the published database
    cannot be read or the report cannot be written.
    """
    started = time.perf_counter()
    connection = open_analyst_db(var_dir)
    try:
        data = _gather(connection)
    except duckdb.Error as error:
        raise ReportError(f"reading {var_dir / 'analyst.duckdb'} failed: {error}") from error
    finally:
        connection.close()
    has_data_docs = (var_dir / "data_docs" / "index.html").exists()
    site = build_site(data, data_docs_href="../data_docs/index.html" if has_data_docs else None)
    target = var_dir / "report"
    try:
        _write_site(site, target)
    except OSError as error:
        raise ReportError(f"writing {target} failed: {error}") from error
    return ReportResult(
        index=target / "index.html",
        regions=site.regions,
        charts=site.charts,
        documents=len(site.pages) - 1,
        facts_highlighted=site.facts_highlighted,
        seconds=time.perf_counter() - started,
    )


@dataclass
class ReportData:
    run: dict[str, Any] | None
    checked_run: dict[str, Any] | None
    expectations: list[dict[str, Any]]
    quarantined_by: dict[str, int]
    documents: list[dict[str, Any]]
    texts: dict[int, str]
    has_text_table: bool
    facts: list[dict[str, Any]]
    headline: list[dict[str, Any]]
    conflicts: list[dict[str, Any]]
    pending: list[dict[str, Any]]
    rejections: list[dict[str, Any]]


def _gather(connection: duckdb.DuckDBPyConnection) -> ReportData:
    run = queries.latest_run(connection)
    checked = queries.latest_checked_run(connection)
    load_id = checked["load_id"] if checked else ""
    return ReportData(
        run=run,
        checked_run=checked,
        expectations=queries.expectation_results(connection, load_id) if checked else [],
        quarantined_by=queries.quarantined_by_expectation(connection, load_id) if checked else {},
        documents=queries.current_documents(connection),
        texts=queries.document_texts(connection),
        has_text_table=queries.has_document_text(connection),
        facts=queries.document_facts(connection),
        headline=queries.headline_observations(connection),
        conflicts=queries.conflicts(connection),
        pending=queries.pending_quarantine(connection),
        rejections=queries.current_rejections(connection),
    )


@dataclass
class Site:
    pages: dict[str, str]
    """Relative path -> HTML."""
    regions: int
    charts: int
    facts_highlighted: int


def page_name(content_sha256: str) -> str:
    return f"{content_sha256[:16]}.html"


def evidence_href(content_sha256: str, fact_key: str, prefix: str = "docs/") -> str:
    """The link from the report to a fact's highlighted sentence."""
    return f"{prefix}{page_name(content_sha256)}#f-{fact_key}"


def build_site(data: ReportData, *, data_docs_href: str | None) -> Site:
    """Every page of the report as HTML (no I/O: tests render without a browser or disk)."""
    env = _environment()
    generated_at = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    pages: dict[str, str] = {}
    highlighted = 0
    facts_by_doc: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for fact in data.facts:
        facts_by_doc[fact["document_key"]].append(fact)
    for document in data.documents:
        page = _document_page(document, facts_by_doc[document["document_key"]], data)
        highlighted += page["highlighted"]
        pages[f"docs/{page_name(document['content_sha256'])}"] = env.get_template(
            "document.html"
        ).render(page=page, generated_at=generated_at, asset_prefix="../")
    regions, figures = _regions(data.headline)
    pages["index.html"] = env.get_template("index.html").render(
        run=_run_view(data.run),
        quality=_quality_view(data),
        regions=regions,
        figures_json=Markup(_script_json(figures)),
        documents=[{**d, "href": f"docs/{page_name(d['content_sha256'])}"} for d in data.documents],
        data_docs_href=data_docs_href,
        generated_at=generated_at,
        asset_prefix="",
        plotly_version=get_plotlyjs_version(),
    )
    return Site(
        pages=pages, regions=len(regions), charts=len(figures), facts_highlighted=highlighted
    )


def _environment() -> jinja2.Environment:
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
    return env


def _script_json(value: Any) -> str:
    """JSON safe inside <script type="application/json">."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return text.replace("</", "<\\/")


# --- index: regions -------------------------------------------------------------------


def _regions(headline: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    colours = indicator_colours([r["indicator_code"] for r in headline])
    by_region: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in headline:
        by_region[row["region_code"]].append(row)
    regions, figures = [], {}
    for code in sorted(by_region):
        rows = by_region[code]
        charts: RegionCharts = region_charts(
            rows, colours, lambda r: evidence_href(r["content_sha256"], r["fact_key"])
        )
        chart_ids = []
        for kind, figure in (("level", charts.level), ("growth", charts.growth)):
            if figure is not None:
                figure_id = f"{code}-{kind}"
                figures[figure_id] = figure
                chart_ids.append(figure_id)
        regions.append(
            {
                "code": code,
                "name": rows[0]["region"],
                "level": rows[0]["region_level"],
                "anchor": f"region-{code}",
                "charts": chart_ids,
                "latest": [
                    {**row, "colour": colours[row["indicator_code"]]}
                    for row in _latest_values(rows)
                ],
            }
        )
    return regions, figures


def _latest_values(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per indicator, its latest period (the latest end month; a cumulative figure before a
    single month's) with the level and growth stated for it, each linked to its sentence."""
    by_indicator: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_indicator[row["indicator_code"]].append(row)
    table = []
    for code, observations in by_indicator.items():
        latest = max(observations, key=lambda r: (r["end_month"], r["months"]))
        at_period = [r for r in observations if r["period_label"] == latest["period_label"]]
        cells = {}
        for measure in ("value", "yoy_pct"):
            found = [r for r in at_period if r["measure"] == measure]
            cells[measure] = (
                {
                    "text": stated(found[0]["value"], found[0]["unit"]),
                    "href": evidence_href(found[0]["content_sha256"], found[0]["fact_key"]),
                    "fact_key": found[0]["fact_key"],
                    "source": found[0]["source_doc"],
                    "n_values": found[0]["n_values"],
                    "is_conflicting": found[0]["is_conflicting"],
                }
                if found
                else None
            )
        table.append(
            {
                "indicator_code": code,
                "indicator": latest["indicator"],
                "indicator_en": latest["indicator_en"],
                "period_label": latest["period_label"],
                "level": cells["value"],
                "growth": cells["yoy_pct"],
            }
        )
    return sorted(table, key=lambda r: r["indicator_code"])


# --- index: run and quality -------------------------------------------------------------


def _run_view(run: dict[str, Any] | None) -> dict[str, Any] | None:
    if run is None:
        return None
    stages = json.loads(run["stage_seconds"]) if run.get("stage_seconds") else {}
    return {**run, "stage_seconds": stages, "stage_total": sum(stages.values())}


def _quality_view(data: ReportData) -> dict[str, Any]:
    expectations = []
    for row in data.expectations:
        caught = row["unexpected_count"]
        expectations.append(
            {
                **row,
                "passed": row["element_count"] - caught,
                "quarantined": data.quarantined_by.get(row["expectation"], 0),
                "effect": SEVERITY_EFFECT.get(row["severity"], row["severity"]) if caught else "",
            }
        )
    conflict_groups: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
    for row in data.conflicts:
        conflict_groups[row["chosen_fact_key"]].append(
            {**row, "href": evidence_href(row["content_sha256"], row["fact_key"])}
        )
    return {
        "checked_run": data.checked_run,
        "is_latest_run": bool(
            data.run and data.checked_run and data.run["load_id"] == data.checked_run["load_id"]
        ),
        "expectations": expectations,
        "failed": sum(1 for e in expectations if e["unexpected_count"]),
        "pending": [
            {**q, "href": evidence_href(q["content_sha256"], q["fact_key"])} for q in data.pending
        ],
        "conflicts": list(conflict_groups.values()),
        "rejections": data.rejections,
    }


# --- evidence viewer --------------------------------------------------------------------


def _fact_title(fact: dict[str, Any]) -> str:
    measure = MEASURE_NAMES.get(fact["measure"], fact["measure"] or "?")
    value = "?" if fact["value"] is None else stated(fact["value"], fact["unit"])
    parts = [fact["indicator"], fact["region"], fact["period_label"], f"{measure} {value}"]
    title = " · ".join(part or "?" for part in parts)
    if fact["status"] != "loaded":
        title += f"  [{fact['status']}: {', '.join(fact['notes'])}]"
    return title


def _fact_json(fact: dict[str, Any]) -> dict[str, Any]:
    return {
        "indicator": fact["indicator"],
        "indicator_code": fact["indicator_code"],
        "region": fact["region"],
        "period": fact["period_label"],
        "measure": MEASURE_NAMES.get(fact["measure"], fact["measure"]),
        "qualifier": fact["qualifier"],
        "denominator": fact["denominator"],
        "value": None if fact["value"] is None else stated(fact["value"], None),
        "unit": fact["unit"],
        "approximate": bool(fact["is_approximate"]),
        "status": fact["status"],
        "notes": list(fact["notes"] or []),
        "current": bool(fact["is_current_value"]),
        "evidence": fact["evidence"],
    }


def _marks(segments: Iterable, titles: dict[str, str]) -> Markup:
    """The text as HTML: each covered segment a <mark> naming its facts; anchors before each
    fact's first segment. Built here, not in the template: the text is pre-wrapped, so not
    a character of whitespace may be added."""
    # Every piece is escaped as it is made and joined as plain strings: `Markup.format`
    # (string.Formatter) took 3 of the report's 8 s for 1,000 documents.
    html: list[str] = []
    for segment in segments:
        if not segment.keys:
            html.append(escape(segment.text))
            continue
        html.extend(f'<span class="anchor" id="f-{escape(key)}"></span>' for key in segment.starts)
        classes = "ev"
        if segment.quarantined:
            classes += " ev-q" if not segment.loaded else " ev-q ev-mixed"
        keys = escape(" ".join(segment.keys))
        title = escape("\n".join(titles[k] for k in segment.keys))
        html.append(
            f'<mark class="{classes}" data-facts="{keys}" data-depth="{min(len(segment.keys), 3)}"'
            f' title="{title}">{escape(segment.text)}</mark>'
        )
    return Markup("".join(html))


def _document_page(
    document: dict[str, Any], facts: list[dict[str, Any]], data: ReportData
) -> dict[str, Any]:
    text = data.texts.get(document["document_key"])
    titles = {f["fact_key"]: _fact_title(f) for f in facts}
    spans = {
        f["fact_key"]: Span(
            f["fact_key"], f["evidence_start"], f["evidence_end"], f["status"] != "loaded"
        )
        for f in facts
        if f["evidence_start"] is not None and f["evidence_end"] is not None
    }
    placed, unplaced = [], []
    for fact in facts:
        span = spans.get(fact["fact_key"])
        fits = (
            text is not None
            and span is not None
            and locatable(span, len(text))
            and text[span.start : span.end] == fact["evidence"]
        )
        (placed if fits else unplaced).append(fact)
    body = (
        _marks(segment_text(text, [spans[f["fact_key"]] for f in placed]), titles)
        if text is not None
        else None
    )
    return {
        "document": document,
        "body": body,
        "missing_text_reason": None
        if text is not None
        else (
            "This document was loaded before its text was kept (table document_text): "
            "its facts are listed with their evidence. It is highlighted in place once it "
            "is read again."
            if data.has_text_table
            else "The published warehouse has no document_text table yet."
        ),
        "unplaced": [
            {**f, "title": titles[f["fact_key"]], "quarantined": f["status"] != "loaded"}
            for f in unplaced
        ],
        "facts": [
            {**f, "title": titles[f["fact_key"]], "quarantined": f["status"] != "loaded"}
            for f in facts
        ],
        "facts_json": Markup(_script_json({f["fact_key"]: _fact_json(f) for f in facts})),
        "highlighted": len(placed) if text is not None else 0,
        "loaded": sum(1 for f in facts if f["status"] == "loaded"),
        "quarantined": sum(1 for f in facts if f["status"] != "loaded"),
    }


# --- writing ----------------------------------------------------------------------------


def _write_site(site: Site, target: Path) -> None:
    """Write the pages and assets aside, then swap them in for the previous report."""
    building = target.with_name(f".{target.name}-{os.getpid()}")
    previous = target.with_name(f".{target.name}-previous")
    shutil.rmtree(building, ignore_errors=True)
    (building / "assets").mkdir(parents=True)
    (building / "docs").mkdir()
    for relative, html in site.pages.items():
        (building / relative).write_text(html, encoding="utf-8")
    static = resources.files("warehouse.report") / "static"
    for name in STATIC_ASSETS:
        (building / "assets" / name).write_bytes((static / name).read_bytes())
    (building / "assets" / "plotly.min.js").write_text(get_plotlyjs(), encoding="utf-8")
    shutil.rmtree(previous, ignore_errors=True)
    if target.exists():
        target.replace(previous)
    building.replace(target)
    shutil.rmtree(previous, ignore_errors=True)
