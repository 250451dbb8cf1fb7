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
import itertools
import json
import os
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from importlib import resources
from operator import itemgetter
from pathlib import Path
from typing import Any

import duckdb
import jinja2
import polars as pl
from markupsafe import Markup, escape
from plotly.offline import get_plotlyjs_version

import warehouse.report_queries as queries
from warehouse.analyst import open_analyst_db
from warehouse.report.charts import area_charts, indicator_colours, stated
from warehouse.report.evidence_pages import EvidenceResult, write_evidence_pages
from warehouse.report.site_files import ReportError, SiteWriter, page_name
from warehouse.report.templating import MEASURE_NAMES, environment, script_json

SEVERITY_EFFECT = {"critical": "quarantined", "warning": "loaded, flagged", "info": "loaded, noted"}

REPORT_MEMORY_LIMIT = "300MB"
"""DuckDB's memory for the report's queries, read in the run's process after the load. At
DuckDB's default (80 % of the machine) the conflicts of a 100,000-report publication took
690 MB above the process's base, and the report was the run's peak; at 300MB they took 510
MB and 1.2 s instead of 1.1 (measured)."""

LIST_PAGE_ROWS = 500
"""Rows of a page of a long list (documents, facts awaiting review, conflicts, rejections)."""
AREA_LIST_ROWS = 500
"""Documents, and rows of conflicting figures, an area's page shows; the rest are in the
long lists (all 266,000 rows of an area's conflicts made a 99 MB page at 100,000 documents)."""
INDEX_LIST_ROWS = 50
"""Rows of each long list shown on the index, before the link to its pages."""


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
    connection = open_analyst_db(var_dir, memory_limit=REPORT_MEMORY_LIMIT)
    try:
        writer = SiteWriter(target)
        fingerprint = site_fingerprint(var_dir)
        kept = _kept_site(writer, fingerprint)
        try:
            generated_at = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
            if kept is None:
                writer.assets()
                evidence = write_evidence_pages(
                    connection, writer, var_dir,
                    has_text_table=queries.has_document_text(connection),
                    generated_at=generated_at,
                )  # fmt: skip
                # What the other pages show is read once the evidence pages are written,
                # so that it never shares the memory with the processes writing them (the
                # records of 100,000 documents, 800,000 conflicting values).
                data = _gather(connection, generated_at=generated_at)
                data.conflicts = queries.conflicts(connection)
            else:
                # Nothing the area, list and evidence pages show has changed since they
                # were written: only the run's own pages are, and the index.
                data = _gather(connection, generated_at=generated_at, pages=False)
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
    conflicts: pl.DataFrame | None
    pending: list[dict[str, Any]]
    rejections: list[dict[str, Any]]
    quality_history: list[dict[str, Any]] = field(default_factory=list)
    generated_at: str = ""


def _gather(
    connection: duckdb.DuckDBPyConnection, *, generated_at: str, pages: bool = True
) -> ReportData:
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
        conflicts=None,  # read after the evidence pages (write_report)
        pending=queries.pending_quarantine(connection) if pages else [],
        rejections=queries.current_rejections(connection) if pages else [],
        quality_history=queries.quality_history(connection),
        generated_at=generated_at,
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
    Path(__file__).with_name(name)
    for name in ("charts.py", "evidence.py", "evidence_pages.py", "site_files.py", "templating.py")
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
        "document_count": area["document_count"], "latest_period": area["latest_period"],
    }  # fmt: skip


def _index_list(listing: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": listing["title"], "headers": listing["headers"], "count": listing["count"],
        "page_count": listing["page_count"],
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
    env = environment()
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
    # Held as a frame, made records a page at a time: after 100,000 look-alike documents
    # they are 800,000 rows, 1.3 GB as records.
    conflicts = data.conflicts
    assert conflicts is not None, "read by write_report before the data pages are written"
    areas, charts = _areas(data, conflicts)
    written = []
    for area in areas:
        relative = area_href(area["code"])
        page = env.get_template("area.html").generate(area=area, asset_prefix="../", **common)
        writer.stream(relative, page)
        written.append(relative)
    lists = _lists(data, conflicts)
    for name, listing in lists.items():
        for number, rows in enumerate(_pages(listing), start=1):
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
        conflicts=conflicts["chosen_fact_key"].n_unique(),
        charts=charts,
    )


# --- areas --------------------------------------------------------------------------------


def _areas(data: ReportData, conflicts: pl.DataFrame) -> tuple[list[dict[str, Any]], int]:
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
    numbered = conflicts.with_row_index("row")
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
                "figures_json": Markup(script_json(dict(figures))),
                "latest": latest,
                "latest_period": max((r["end_month"], r["period_label"]) for r in rows)[1],
                "indicators": len({r["indicator_code"] for r in rows}),
                "documents": documents.get(code, [])[:AREA_LIST_ROWS],
                "document_count": len(documents.get(code, [])),
                **_area_conflicts(numbered.filter(pl.col("region_code") == code)),
                "href": area_href(code),
            }
        )
    return areas, chart_count


def _area_conflicts(rows: pl.DataFrame) -> dict[str, Any]:
    """An area's conflicting figures as its page shows them: the groups of its first
    AREA_LIST_ROWS rows (a figure's values are never split), how many figures there are and,
    for the rest, the page of the long list where the area's rows begin."""
    groups = list(_conflict_groups(rows.head(AREA_LIST_ROWS + 1)))
    if rows.height > AREA_LIST_ROWS and len(groups) > 1:
        groups.pop()  # the figure the cut runs through
    shown = sum(len(group) for group in groups)
    first_page = rows["row"][0] // LIST_PAGE_ROWS + 1 if rows.height else 1
    return {
        "conflicts": groups,
        "conflict_count": rows["chosen_fact_key"].n_unique(),
        "conflicts_more": rows.height - shown,
        "conflicts_href": f"../lists/conflicts-{first_page}.html",
    }


def _conflict_records(conflicts: pl.DataFrame) -> Iterator[dict[str, Any]]:
    """The rows of conflicting figures in order, each with its link (from a folder down),
    made records a page at a time."""
    for part in conflicts.iter_slices(LIST_PAGE_ROWS):
        for row in part.to_dicts():
            row["href"] = evidence_href(row["content_sha256"], row["fact_key"])
            yield row


def _conflict_groups(conflicts: pl.DataFrame) -> Iterator[list[dict[str, Any]]]:
    """Each conflicting figure's stated values, the chosen one first (the query orders a
    figure's values together)."""
    for _, group in itertools.groupby(_conflict_records(conflicts), itemgetter("chosen_fact_key")):
        yield list(group)


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


def _cell(text: Any, href: str | None = None, css: str = "") -> Markup:
    """A table cell's content: text, or a link; escaped."""
    shown = escape("" if text is None else text)
    if href is None:
        return Markup(f'<span class="{css}">{shown}</span>') if css else Markup(shown)
    return Markup(f'<a class="{css}" href="{escape(href)}">{shown}</a>')


def _lists(data: ReportData, conflicts: pl.DataFrame) -> dict[str, dict[str, Any]]:
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

    def conflict_rows(rows: pl.DataFrame) -> Iterator[list[Any]]:
        return (
            [c["region"], c["indicator"], c["period_label"],
             MEASURE_NAMES.get(c["measure"], c["measure"]),
             _cell(stated(c["value"], c["unit"]), c["href"], "value-link"),
             f"{c['doc_name']}" + (f" ({c['report_date']})" if c["report_date"] else ""),
             "chosen" if c["is_chosen"] else ""]
            for c in _conflict_records(rows)
        )  # fmt: skip

    rejections = [
        [Markup(f"<code>{escape(r['path'])}</code>"), Markup(f"<code>{escape(r['reason'])}</code>"),
         r["message"]]
        for r in data.rejections
    ]  # fmt: skip
    specs = {
        "documents": ("Documents 文档", ["Document", "Area", "As of", "Format", "Facts loaded",
                                        "Quarantined"],
                      len(documents), documents, documents[:INDEX_LIST_ROWS]),
        "pending": ("Quarantined facts awaiting review 待复核的隔离事实",
                    ["Document", "Indicator", "Area", "Period", "Measure", "Value", "Failed",
                     "Fact id"], len(pending), pending, pending[:INDEX_LIST_ROWS]),
        "conflicts": ("Conflicting figures 数据冲突",
                      ["Area", "Indicator", "Period", "Measure", "Value", "Document (as of)", ""],
                      conflicts.height, conflict_rows(conflicts),
                      list(conflict_rows(conflicts.head(INDEX_LIST_ROWS)))),
        "rejections": ("Rejected files 拒收文件", ["Path", "Reason", "Message"], len(rejections),
                       rejections, rejections[:INDEX_LIST_ROWS]),
    }  # fmt: skip
    return {
        name: {
            "title": title,
            "headers": headers,
            "count": count,
            "page_count": max(1, -(-count // LIST_PAGE_ROWS)),
            "first": [_index_row(row) for row in first],
            "rows": rows,
        }
        for name, (title, headers, count, rows, first) in specs.items()
    }


def _pages(listing: dict[str, Any]) -> Iterator[list[Any]]:
    """A list's rows LIST_PAGE_ROWS at a time (one empty page for an empty list), made as
    each page is written."""
    rows = iter(listing["rows"])
    for _ in range(listing["page_count"]):
        yield list(itertools.islice(rows, LIST_PAGE_ROWS))


def _index_row(row: list[Any]) -> list[Any]:
    """A list row as the index shows it: its links one folder up (`../x` -> `x`)."""
    return [
        Markup(str(cell).replace('href="../', 'href="')) if isinstance(cell, Markup) else cell
        for cell in row
    ]
