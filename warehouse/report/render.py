"""Render the report: read the published warehouse, build the pages, write them.

Layout of VAR/report/ (every link relative, nothing fetched from the network):

    index.html             the run, the areas (one row each), data quality, the first rows
                           of every long list
    areas/<code>.html      one page per area: its charts, latest values, documents, conflicts
    lists/<name>-<n>.html  long lists in pages of LIST_PAGE_ROWS (documents, quarantine...)
    docs/<sha16>.html      one evidence viewer per current document, facts highlighted
    schema.html            the warehouse documented (`zhibiao docs`, warehouse.report.schema)
    assets/                plotly.min.js (the chart library, bundled), report.css, *.js

No page grows with the number of documents but the index (a row per area) and the area
pages (a row per document of the area). Evidence pages are written only for documents whose
page would change (docs/pages.json keeps a hash of what each shows); the others stay. When
the published tables those pages read are the files the last report read (site.json keeps
their fingerprint and what the index shows of the pages), only the index and the quality
page are written: a run with nothing new costs the same at any size.
Each file is written aside and renamed into place, evidence pages first and the index last,
so a reader never meets half a page nor a link to a page not yet written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import jinja2
import polars as pl
from markupsafe import Markup, escape
from plotly.offline import get_plotlyjs, get_plotlyjs_version

import warehouse.report_queries as queries
from warehouse.analyst import open_analyst_db
from warehouse.report.charts import area_charts, indicator_colours, stated
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
STATIC_ASSETS = ("report.css", "report.js", "viewer.js", "fonts.js")
LIST_PAGE_ROWS = 500
"""Rows of a page of a long list (documents, facts awaiting review, conflicts, rejections)."""
INDEX_LIST_ROWS = 50
"""Rows of each long list shown on the index, before the link to its pages."""
PAGER_NEIGHBOURS = 3
"""Pages linked on each side of the current one in a list's pager (besides the first and
the last): a pager linking every page made the lists' pages grow with their square (1,600
pages of conflicting figures after 100,000 documents)."""
EVIDENCE_BATCH = 1000
"""Documents whose texts are held (and whose facts are looked up) at a time."""


class ReportError(RuntimeError):
    """The report could not be written (the warehouse itself is untouched by it)."""


@dataclass(frozen=True)
class ReportResult:
    index: Path
    regions: int
    charts: int
    documents: int
    facts_highlighted: int
    """Facts highlighted in the evidence pages written this time."""
    seconds: float
    evidence_written: int = 0
    """Evidence pages written (new or changed documents); the others were kept."""
    largest_page_bytes: int = 0


def write_report(var_dir: Path) -> ReportResult:
    """Write the HTML report of the published warehouse in VAR/report/ (see module doc).

    Raises FileNotFoundError before the first run, ReportError when the published database
    cannot be read or the report cannot be written.
    """
    from warehouse.report.schema import schema_page

    started = time.perf_counter()
    target = var_dir / "report"
    connection = open_analyst_db(var_dir)
    try:
        writer = SiteWriter(target)
        fingerprint = site_fingerprint(var_dir)
        kept = _kept_site(writer, fingerprint)
        try:
            if kept is None:
                data = _gather(connection)
                writer.assets()
                evidence = _write_evidence_pages(connection, writer, data)
                # Read once the evidence pages are written, so that the two never share
                # the process's memory (800,000 conflicting values after 100,000 documents).
                data.conflicts = queries.conflicts(connection)
            else:
                # Nothing the area, list and evidence pages show has changed since they
                # were written: only the run's own pages are, and the index.
                data = _gather(connection, pages=False)
                writer.assets()
                evidence = EvidenceResult(written=0, kept=kept.documents, facts_highlighted=0)
            schema = schema_page(connection, var_dir, generated_at=data.generated_at)
        except duckdb.Error as error:
            raise ReportError(f"reading {var_dir / 'analyst.duckdb'} failed: {error}") from error
        site = build_site(data, writer, kept)
        writer.page("schema.html", schema)
        writer.page("index.html", site.index)  # last: it links to the others
        writer.remove_stale(keep={*site.digest.pages, QUALITY_PAGE, "index.html", "schema.html"})
        # Last: a report cut short before here is written whole again next time.
        writer.write_json(SITE_STATE, {"fingerprint": fingerprint, **asdict(site.digest)})
    except OSError as error:
        raise ReportError(f"writing {target} failed: {error}") from error
    finally:
        connection.close()
    return ReportResult(
        index=target / "index.html",
        regions=site.regions,
        charts=site.charts,
        documents=site.digest.documents,
        facts_highlighted=evidence.facts_highlighted,
        seconds=time.perf_counter() - started,
        evidence_written=evidence.written,
        largest_page_bytes=writer.largest,
    )


@dataclass
class ReportData:
    run: dict[str, Any] | None
    checked_run: dict[str, Any] | None
    expectations: list[dict[str, Any]]
    quarantined_by: dict[str, int]
    documents: list[dict[str, Any]]
    has_text_table: bool
    headline: list[dict[str, Any]]
    area_documents: list[dict[str, Any]]
    conflicts: list[dict[str, Any]]
    pending: list[dict[str, Any]]
    rejections: list[dict[str, Any]]
    quality_history: list[dict[str, Any]] = field(default_factory=list)
    generated_at: str = ""


def _gather(connection: duckdb.DuckDBPyConnection, *, pages: bool = True) -> ReportData:
    """What the report shows; with `pages` false only what the run's own pages show (the
    last run, the quality gate's history), not the documents, figures and lists that the
    kept pages show."""
    run = queries.latest_run(connection)
    checked = queries.latest_checked_run(connection)
    load_id = checked["load_id"] if checked else ""
    return ReportData(
        run=run,
        checked_run=checked,
        expectations=queries.expectation_results(connection, load_id) if checked else [],
        quarantined_by=queries.quarantined_by_expectation(connection, load_id) if checked else {},
        documents=queries.current_documents(connection) if pages else [],
        has_text_table=queries.has_document_text(connection) if pages else False,
        headline=queries.headline_observations(connection) if pages else [],
        area_documents=queries.area_documents(connection) if pages else [],
        conflicts=[],  # read after the evidence pages (write_report)
        pending=queries.pending_quarantine(connection) if pages else [],
        rejections=queries.current_rejections(connection) if pages else [],
        quality_history=queries.quality_history(connection),
        generated_at=dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
    )


# --- what the pages of documents, areas and lists depend on ------------------------------

SITE_STATE = "site.json"
"""In VAR/report/: the fingerprint of what the area, list and evidence pages were written
from, the pages, and what the index shows of them (`SiteDigest`)."""
RUN_TABLES = ("etl_run", "dq_result")
"""Published tables that only the run's own pages read (the index's head, quality.html)."""


@dataclass
class SiteDigest:
    """What the index shows of the area and list pages, kept between reports so that a
    report with nothing new to show renders neither them nor the data behind them."""

    pages: list[str]
    """The area and list pages (relative paths)."""
    areas: list[dict[str, Any]]
    """One row of the index per area (`_index_area`)."""
    lists: dict[str, dict[str, Any]]
    """Per list: title, headers, count, page_count and its first rows' cells, encoded
    (`_encode_cell`)."""
    documents: int
    conflicts: int
    charts: int


def site_fingerprint(var_dir: Path) -> str | None:
    """A hash of everything the area, list and evidence pages show: the published tables'
    files (their SHA-256 in the publication's manifest) but the run's own, and the code and
    templates that render them. None when the publication has no manifest."""
    publication = Path(os.path.realpath(var_dir / "analyst.duckdb")).parent
    try:
        manifest = json.loads((publication / "manifest.json").read_text(encoding="utf-8"))
        tables = {
            name: [(f["path"], f["sha256"]) for f in entry["files"]]
            for name, entry in manifest["tables"].items()
            if entry.get("kind") == "table" and name not in RUN_TABLES
        }
    except (OSError, ValueError, KeyError, TypeError):
        return None
    digest = hashlib.sha256(json.dumps(sorted(tables.items())).encode())
    package = resources.files("warehouse.report")
    for name in sorted(p.name for p in (package / "templates").iterdir()):
        digest.update((package / "templates" / name).read_bytes())
    for source in (Path(__file__), Path(queries.__file__), *_RENDER_MODULES):
        digest.update(source.read_bytes())
    return digest.hexdigest()


_RENDER_MODULES = tuple(
    Path(__file__).with_name(name) for name in ("charts.py", "evidence.py")
)  # fmt: skip


def _kept_site(writer: SiteWriter, fingerprint: str | None) -> SiteDigest | None:
    """The digest of the pages written from the same data, when they are all still there."""
    if fingerprint is None:
        return None
    state = writer.read_json(SITE_STATE)
    if state.get("fingerprint") != fingerprint:
        return None
    try:
        digest = SiteDigest(**{k: v for k, v in state.items() if k != "fingerprint"})
    except TypeError:
        return None
    if not all(writer.exists(page) for page in digest.pages):
        return None
    return digest


def _encode_cell(cell: Any) -> Any:
    """A list cell as JSON: markup as {"html": ...}, anything else as the text it shows."""
    if isinstance(cell, Markup):
        return {"html": str(cell)}
    return cell if isinstance(cell, str) else str(cell)


def _decode_cell(cell: Any) -> Any:
    return Markup(cell["html"]) if isinstance(cell, dict) else cell


def _index_area(area: dict[str, Any]) -> dict[str, Any]:
    return {
        "href": area["href"], "name": area["name"], "level": area["level"],
        "code": area["code"], "indicators": area["indicators"],
        "document_count": len(area["documents"]), "latest_period": area["latest_period"],
    }  # fmt: skip


def _index_list(listing: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": listing["title"], "headers": listing["headers"], "count": listing["count"],
        "page_count": len(listing["pages"]),
        "first": [[_encode_cell(cell) for cell in row] for row in listing["first"]],
    }  # fmt: skip


def _index_lists(digest: SiteDigest) -> dict[str, dict[str, Any]]:
    return {
        name: {**listing, "first": [[_decode_cell(c) for c in row] for row in listing["first"]]}
        for name, listing in digest.lists.items()
    }


@dataclass
class Site:
    index: str
    """The index page's HTML (the other pages are written by `build_site`)."""
    regions: int
    charts: int
    digest: SiteDigest


def page_name(content_sha256: str) -> str:
    return f"{content_sha256[:16]}.html"


def evidence_href(content_sha256: str, fact_key: str, prefix: str = "../docs/") -> str:
    """The link from a page one folder down (an area, a list) to a fact's sentence."""
    return f"{prefix}{page_name(content_sha256)}#f-{fact_key}"


def area_href(region_code: str, prefix: str = "") -> str:
    return f"{prefix}areas/{region_code}.html"


def build_site(data: ReportData, writer: SiteWriter, kept: SiteDigest | None = None) -> Site:
    """Write the quality, area and list pages; the index as HTML, for the caller to write
    last. Each page is written as it is rendered, piece by piece: an area page lists every
    document of its area (a hundred megabytes for 100,000 documents), which held whole, all
    areas at once, took the process past 4 GB. With `kept`, the area and list pages are as
    they were written: only the quality page is, and the index comes from what `kept` says
    of the others."""
    env = _environment()
    common = {"generated_at": data.generated_at or "", "quality_href": QUALITY_PAGE}
    writer.stream(
        QUALITY_PAGE,
        env.get_template("quality.html").generate(
            runs=_quality_runs(data.quality_history), asset_prefix="", **common
        ),
    )
    digest = kept if kept is not None else _write_data_pages(env, data, common, writer)
    index = env.get_template("index.html").render(
        run=_run_view(data.run),
        quality=_quality_view(data, conflicts=digest.conflicts),
        areas=digest.areas,
        lists=_index_lists(digest),
        documents=digest.documents,
        asset_prefix="",
        plotly_version=get_plotlyjs_version(),
        **common,
    )
    return Site(index=index, regions=len(digest.areas), charts=digest.charts, digest=digest)


def _write_data_pages(
    env: jinja2.Environment, data: ReportData, common: dict[str, Any], writer: SiteWriter
) -> SiteDigest:
    """Write the area and list pages; what the index shows of them."""
    # The conflicting figures grouped once, for the area pages and the list alike: after
    # 100,000 look-alike documents they are 800,000 rows, each copy a gigabyte.
    conflicts = _conflict_groups(data.conflicts, prefix="../docs/")
    areas, charts = _areas(data, conflicts)
    written = []
    for area in areas:
        relative = area_href(area["code"])
        page = env.get_template("area.html").generate(area=area, asset_prefix="../", **common)
        writer.stream(relative, page)
        written.append(relative)
    lists = _lists(data, conflicts)
    for name, listing in lists.items():
        for number, rows in enumerate(listing["pages"], start=1):
            relative = f"lists/{name}-{number}.html"
            writer.stream(relative, env.get_template("list.html").generate(
                listing=listing, rows=rows, number=number, name=name, asset_prefix="../",
                **common,
            ))  # fmt: skip
            written.append(relative)
    return SiteDigest(
        pages=written,
        areas=[_index_area(area) for area in areas],
        lists={name: _index_list(listing) for name, listing in lists.items()},
        documents=len(data.documents),
        conflicts=len(conflicts),
        charts=charts,
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
    env.filters["pager_numbers"] = pager_numbers
    return env


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


def _script_json(value: Any) -> str:
    """JSON safe inside <script type="application/json">."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return text.replace("</", "<\\/")


# --- areas --------------------------------------------------------------------------------


def _areas(
    data: ReportData, conflicts: list[list[dict[str, Any]]]
) -> tuple[list[dict[str, Any]], int]:
    """One record per area with headline figures: its page's content and its index row."""
    colours = indicator_colours([r["indicator_code"] for r in data.headline])
    by_region: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in data.headline:
        by_region[row["region_code"]].append(row)
    documents: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in data.area_documents:
        documents[row["region_code"]].append(
            {**row, "href": f"../docs/{page_name(row['content_sha256'])}"}
        )
    conflicts_by_region: dict[str, list] = defaultdict(list)
    for group in conflicts:
        conflicts_by_region[group[0]["region_code"]].append(group)
    areas, chart_count = [], 0
    for code in sorted(by_region):
        rows = by_region[code]
        figures = area_charts(rows, colours, lambda r: evidence_href(r["content_sha256"],
                                                                     r["fact_key"]))  # fmt: skip
        chart_count += len(figures)
        latest = [{**row, "colour": colours[row["indicator_code"]]} for row in _latest_values(rows)]
        areas.append(
            {
                "code": code,
                "name": rows[0]["region"],
                "level": rows[0]["region_level"],
                "charts": [{"id": f"chart-{name}", "figure": name} for name, _ in figures],
                "figures_json": Markup(_script_json(dict(figures))),
                "latest": latest,
                "latest_period": max((r["end_month"], r["period_label"]) for r in rows)[1],
                "indicators": len({r["indicator_code"] for r in rows}),
                "documents": documents.get(code, []),
                "conflicts": conflicts_by_region.get(code, []),
                "href": area_href(code),
            }
        )
    return areas, chart_count


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

QUALITY_PAGE = "quality.html"
"""Every run's data quality, all its batches: the project's own pages instead of GX Data
Docs (README, "The quality gate": why)."""


def _quality_runs(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The quality history grouped by run, newest first."""
    runs: dict[str, dict[str, Any]] = {}
    for row in history:
        run = runs.setdefault(
            row["load_id"],
            {"load_id": row["load_id"], "started_at": row["started_at"],
             "status": row["run_status"], "mode": row["mode"], "expectations": []},
        )  # fmt: skip
        run["expectations"].append(row)
    for run in runs.values():
        run["caught"] = sum(1 for e in run["expectations"] if e["unexpected_count"])
    return list(runs.values())


def _run_view(run: dict[str, Any] | None) -> dict[str, Any] | None:
    if run is None:
        return None
    stages = json.loads(run["stage_seconds"]) if run.get("stage_seconds") else {}
    return {**run, "stage_seconds": stages, "stage_total": sum(stages.values())}


def _quality_view(data: ReportData, *, conflicts: int) -> dict[str, Any]:
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
    return {
        "checked_run": data.checked_run,
        "is_latest_run": bool(
            data.run and data.checked_run and data.run["load_id"] == data.checked_run["load_id"]
        ),
        "expectations": expectations,
        "failed": sum(1 for e in expectations if e["unexpected_count"]),
        "conflicts": conflicts,
    }


def _conflict_groups(rows: list[dict[str, Any]], *, prefix: str) -> list[list[dict[str, Any]]]:
    """Conflicting figures, each the list of its stated values, the chosen one first. Each
    row gets its link (`href`) in place: they are the report's own records, and a copy of
    them all would double the report's largest holding."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        row["href"] = evidence_href(row["content_sha256"], row["fact_key"], prefix)
        groups[row["chosen_fact_key"]].append(row)
    return list(groups.values())


def _cell(text: Any, href: str | None = None, css: str = "") -> Markup:
    """A table cell's content: text, or a link; escaped."""
    shown = escape("" if text is None else text)
    if href is None:
        return Markup(f'<span class="{css}">{shown}</span>') if css else Markup(shown)
    return Markup(f'<a class="{css}" href="{escape(href)}">{shown}</a>')


def _lists(
    data: ReportData, conflict_groups: list[list[dict[str, Any]]]
) -> dict[str, dict[str, Any]]:
    """The long lists, each in pages: title, column headings, and rows of cells. Links in
    the cells are relative to lists/ (one folder down); the index shows the first rows."""
    documents = [
        [_cell(d["doc_name"], f"../docs/{page_name(d['content_sha256'])}"),
         d["inferred_region"] or "", d["report_date"] or "", d["format"],
         f"{d['facts_loaded']:,}", f"{d['facts_quarantined']:,}"]
        for d in data.documents
    ]  # fmt: skip
    pending = [
        [q["doc"], q["indicator"] or "?", q["region"] or "?", q["period_label"] or "?",
         MEASURE_NAMES.get(q["measure"], q["measure"]),
         _cell(stated(q["value"], q["unit"]) if q["value"] is not None else "?",
               evidence_href(q["content_sha256"], q["fact_key"]), "value-link quarantined"),
         ", ".join(q["failed_expectations"] or []), Markup(f"<code>{escape(q['fact_key'])}</code>")]
        for q in data.pending
    ]  # fmt: skip
    conflicts = [
        [c["region"], c["indicator"], c["period_label"],
         MEASURE_NAMES.get(c["measure"], c["measure"]),
         _cell(stated(c["value"], c["unit"]), c["href"], "value-link"),
         f"{c['doc_name']}" + (f" ({c['report_date']})" if c["report_date"] else ""),
         "chosen" if c["is_chosen"] else ""]
        for group in conflict_groups for c in group
    ]  # fmt: skip
    rejections = [
        [Markup(f"<code>{escape(r['path'])}</code>"), Markup(f"<code>{escape(r['reason'])}</code>"),
         r["message"]]
        for r in data.rejections
    ]  # fmt: skip
    specs = {
        "documents": ("Documents 文档", ["Document", "Area", "As of", "Format", "Facts loaded",
                                        "Quarantined"], documents),
        "pending": ("Quarantined facts awaiting review 待复核的隔离事实",
                    ["Document", "Indicator", "Area", "Period", "Measure", "Value", "Failed",
                     "Fact id"], pending),
        "conflicts": ("Conflicting figures 数据冲突",
                      ["Area", "Indicator", "Period", "Measure", "Value", "Document (as of)", ""],
                      conflicts),
        "rejections": ("Rejected files 拒收文件", ["Path", "Reason", "Message"], rejections),
    }  # fmt: skip
    return {
        name: {
            "title": title,
            "headers": headers,
            "count": len(rows),
            "first": [_index_row(row) for row in rows[:INDEX_LIST_ROWS]],
            "pages": [rows[i : i + LIST_PAGE_ROWS] for i in range(0, len(rows), LIST_PAGE_ROWS)]
            or [[]],
        }
        for name, (title, headers, rows) in specs.items()
    }


def _index_row(row: list[Any]) -> list[Any]:
    """A list row as the index shows it: its links one folder up (`../x` -> `x`)."""
    return [
        Markup(str(cell).replace('href="../', 'href="')) if isinstance(cell, Markup) else cell
        for cell in row
    ]


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
    document: dict[str, Any], facts: list[dict[str, Any]], text: str | None, has_text_table: bool
) -> dict[str, Any]:
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
            if has_text_table
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


# --- writing ------------------------------------------------------------------------------


def _render_version() -> str:
    """A hash of what shapes an evidence page besides its data: its templates, the viewer's
    script and this module's layout; another version writes every page again."""
    digest = hashlib.sha256(EVIDENCE_LAYOUT.encode())
    templates = resources.files("warehouse.report") / "templates"
    for name in ("base.html", "document.html"):
        digest.update((templates / name).read_bytes())
    return digest.hexdigest()[:16]


EVIDENCE_LAYOUT = "2"
"""Bump when _document_page or _marks change what an evidence page shows."""
PAGES_MANIFEST = "docs/pages.json"


@dataclass
class EvidenceResult:
    written: int
    kept: int
    facts_highlighted: int


def _write_evidence_pages(
    connection: duckdb.DuckDBPyConnection, writer: SiteWriter, data: ReportData
) -> EvidenceResult:
    """Write the evidence pages of new and changed documents; remove those of documents no
    longer current. Holds the texts of EVIDENCE_BATCH documents at a time."""
    version = _render_version()
    manifest = writer.read_json(PAGES_MANIFEST)
    previous = manifest.get("pages", {}) if manifest.get("render") == version else {}
    fingerprints = queries.document_fingerprints(connection)
    by_key = {d["document_key"]: d for d in data.documents}
    pages = {page_name(d["content_sha256"]): str(fingerprints.get(k)) for k, d in by_key.items()}
    stale = [
        key for key, d in by_key.items()
        if previous.get(page_name(d["content_sha256"])) != pages[page_name(d["content_sha256"])]
        or not writer.exists(f"docs/{page_name(d['content_sha256'])}")
    ]  # fmt: skip
    env = _environment()
    template = env.get_template("document.html")
    highlighted = 0
    # One pass over the published facts and one over the texts, whatever the number of
    # pages: a query per group of documents read every fact and text again each time, which
    # grew with the square of the documents (11 of the report's 22 s for 10,000, measured).
    facts = queries.document_facts_frame(connection, stale) if stale else pl.DataFrame()
    untexted = set(stale)
    for texts in _text_groups(connection, stale):
        untexted -= texts.keys()
        highlighted += _write_document_pages(template, writer, data, by_key, facts, texts)
    for group in _chunks([key for key in stale if key in untexted], EVIDENCE_BATCH):
        texts = dict.fromkeys(group)
        highlighted += _write_document_pages(template, writer, data, by_key, facts, texts)
    for name in set(previous) - set(pages):
        writer.remove(f"docs/{name}")
    writer.write_json(PAGES_MANIFEST, {"render": version, "pages": pages})
    return EvidenceResult(
        written=len(stale), kept=len(pages) - len(stale), facts_highlighted=highlighted
    )


def _text_groups(
    connection: duckdb.DuckDBPyConnection, keys: list[int]
) -> Iterator[dict[int, str | None]]:
    """The stored texts of these documents, EVIDENCE_BATCH at a time, in the order the
    published files hold them (documents without a stored text are not in them)."""
    return queries.stream_document_texts(connection, keys, EVIDENCE_BATCH)


def _chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _write_document_pages(
    template: jinja2.Template,
    writer: SiteWriter,
    data: ReportData,
    by_key: dict[int, dict[str, Any]],
    facts: pl.DataFrame,
    texts: dict[int, str | None],
) -> int:
    """Write the evidence pages of the documents `texts` names (a text None: not stored);
    the facts they highlight."""
    of_document: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for fact in facts.filter(pl.col("document_key").is_in(list(texts))).to_dicts():
        of_document[fact["document_key"]].append(fact)
    highlighted = 0
    for key, text in texts.items():
        document = by_key[key]
        page = _document_page(document, of_document[key], text, data.has_text_table)
        highlighted += page["highlighted"]
        html = template.render(page=page, generated_at=data.generated_at, asset_prefix="../")
        writer.page(f"docs/{page_name(document['content_sha256'])}", html)
    return highlighted


class SiteWriter:
    """Writes the report's files in place, each whole (aside, then renamed)."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.written: set[str] = set()
        self.largest = 0
        if target.is_symlink() or (target.exists() and not target.is_dir()):
            target.unlink()
        for folder in ("assets", "docs", "areas", "lists"):
            (target / folder).mkdir(parents=True, exist_ok=True)

    def exists(self, relative: str) -> bool:
        return (self.target / relative).is_file()

    def page(self, relative: str, html: str) -> None:
        self.bytes(relative, html.encode("utf-8"))

    def stream(self, relative: str, pieces: Iterable[str]) -> None:
        """A page written as it is rendered (`Template.generate`), never held whole."""
        path = self.target / relative
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with temporary.open("w", encoding="utf-8", newline="", buffering=1 << 20) as handle:
            for piece in pieces:
                handle.write(piece)
        size = temporary.stat().st_size
        os.replace(temporary, path)
        self.written.add(relative)
        if relative.endswith(".html"):
            self.largest = max(self.largest, size)

    def bytes(self, relative: str, content: bytes) -> None:
        path = self.target / relative
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.write_bytes(content)
        os.replace(temporary, path)
        self.written.add(relative)
        if relative.endswith(".html"):
            self.largest = max(self.largest, len(content))

    def read_json(self, relative: str) -> dict[str, Any]:
        try:
            return json.loads((self.target / relative).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def write_json(self, relative: str, value: Any) -> None:
        self.bytes(relative, json.dumps(value, ensure_ascii=False).encode("utf-8"))

    def remove(self, relative: str) -> None:
        (self.target / relative).unlink(missing_ok=True)

    def assets(self) -> None:
        static = resources.files("warehouse.report") / "static"
        for name in STATIC_ASSETS:
            self.bytes(f"assets/{name}", (static / name).read_bytes())
        plotly = self.target / "assets" / "plotly.min.js"
        if not plotly.exists() or get_plotlyjs_version() not in plotly.read_text("utf-8")[:400]:
            self.bytes("assets/plotly.min.js", get_plotlyjs().encode("utf-8"))

    def remove_stale(self, keep: set[str]) -> None:
        """Area and list pages this report did not write (an area with no figure now)."""
        for folder in ("areas", "lists"):
            for path in (self.target / folder).glob("*.html"):
                if f"{folder}/{path.name}" not in keep:
                    path.unlink(missing_ok=True)
