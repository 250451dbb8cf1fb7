"""The HTML report without a browser: evidence segments, pages rendered from a real published
warehouse (DuckDB file, Parquet extracts), the run's handling of a failing report, the CLI.

The report in headless Chromium (charts drawn, nothing fetched, a click reaching its
evidence) is tests/test_report_browser.py.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import time
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import polars as pl
import pytest
from typer.testing import CliRunner

import flows.reporting
from flows.batch import (
    dimension_frames,
    document_texts_frame,
    outcomes_frame,
    rejections_frame,
    split_candidates,
    stage_batch,
)
from flows.cli import app
from flows.reporting import write_run_report
from flows.run_summary import RunSummary
from flows.settings import Settings
from tests.factories import document, fact, small_catalog
from transforms.conform import conform_batch
from transforms.facts import Extraction, Fact
from warehouse.publish import publish
from warehouse.report import ReportError, evidence_pages, render, write_report
from warehouse.report.evidence import Span, segment_text
from warehouse.report.templating import pager_numbers
from warehouse.staging import StagingArea
from warehouse.store import RunRecord, Warehouse

TEXT = (
    "萧山区经信局　2022年1月15日\n"
    "2021年，全区实现规上工业增加值554.1亿元，同比增长8.5%。\n"
    "完成工业投资210.3亿元，同比增长950%。"
)


def grounded(evidence: str, **fields) -> Fact:
    """A fact whose evidence is found in TEXT, with its offsets."""
    start = TEXT.index(evidence)
    end = start + len(evidence)
    return replace(
        fact(evidence=evidence, **fields), start=start, end=end, raw_start=start, raw_end=end
    )


FACTS = [
    grounded("规上工业增加值554.1亿元", value=554.1),
    grounded("规上工业增加值554.1亿元，同比增长8.5%", measure="yoy_pct", value=8.5, unit="%"),
    grounded("工业投资210.3亿元", indicator="工业投资", value=210.3),
    grounded("工业投资210.3亿元，同比增长950%", indicator="工业投资", measure="yoy_pct",
             value=950.0, unit="%"),
]  # fmt: skip


def load_and_publish(var: Path, tmp_path: Path) -> dict[str, str]:
    """One run of two documents (the second's text not stored, as before document_text
    existed), the 950 % growth quarantined; published. Returns fact_key by evidence."""
    catalog = small_catalog(tmp_path)
    pairs = [
        (document("xiaoshan.txt", "a" * 64),
         Extraction(doc="xiaoshan.txt", text=TEXT, region="萧山区", report_date="2022-01",
                    facts=FACTS)),
        (document("old.txt", "b" * 64),
         Extraction(doc="old.txt", text=TEXT, region="萧山区", report_date="2021-06",
                    facts=[FACTS[0]])),
    ]  # fmt: skip
    conformed = conform_batch(pairs, catalog, extractor_version="t", load_id="run-1")
    candidates = conformed.candidates
    implausible = candidates.filter(pl.col("value") == 950.0)["fact_key"][0]
    loadable, quarantine = split_candidates(
        candidates, {implausible: ["growth_at_most_yoy_max_pct"]}, {}
    )
    outcome = SimpleNamespace(
        name="growth_at_most_yoy_max_pct", severity="critical", success=False,
        element_count=2, unexpected_count=1, description="Growth is not above its maximum.",
    )  # fmt: skip
    staging = StagingArea(tmp_path / "staging").reset()
    stage_batch(
        staging, "0", conformed, loadable, quarantine, rejections_frame([], "run-1"),
        outcomes_frame([outcome], "run-1"), texts=document_texts_frame(pairs[:1]),
    )  # fmt: skip
    sources = pl.DataFrame(
        {"source_path": ["xiaoshan.txt", "old.txt"], "content_sha256": ["a" * 64, "b" * 64],
         "status": ["loaded", "loaded"]}
    )  # fmt: skip
    run = RunRecord("run-1", None, time.time(), "loaded",
                    {"facts_loaded": loadable.height, "facts_quarantined": 1}, "t",
                    catalog.version, {"extract": 0.1})  # fmt: skip
    with Warehouse(var / "warehouse.duckdb") as warehouse:
        warehouse.load(staging, dimension_frames(catalog), sources, run)
        publish(warehouse.connection, var, "run-1")
    keys = candidates.filter(pl.col("content_sha256") == "a" * 64)
    return dict(zip(keys["evidence"], keys["fact_key"], strict=True))


class Marks(HTMLParser):
    """The <mark> elements of a page (their attributes and text) and every id."""

    def __init__(self) -> None:
        super().__init__()
        self.marks: list[dict[str, str]] = []
        self.ids: set[str] = set()
        self.links: list[str] = []
        self._open: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        if "id" in attributes:
            self.ids.add(attributes["id"])
        for name in ("href", "src"):
            if name in attributes:
                self.links.append(attributes[name])
        if tag == "mark":
            self._open = {**attributes, "text": ""}
            self.marks.append(self._open)

    def handle_endtag(self, tag: str) -> None:
        if tag == "mark":
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open["text"] += data


def parse(path: Path) -> Marks:
    parser = Marks()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def figures(page: Path) -> dict[str, dict]:
    html = page.read_text(encoding="utf-8")
    found = re.search(r'<script type="application/json" id="figures">(.*?)</script>', html, re.S)
    assert found
    return json.loads(found.group(1))


def test_segments_cut_overlapping_evidence_at_every_boundary() -> None:
    text = "地区生产总值3928.6亿元，同比增长6.5%，高于全省0.4个百分点。"
    level = Span("level", 0, 14)
    growth = Span("growth", 0, 22)
    gap = Span("gap", 15, 32, quarantined=True)  # crosses the end of `growth`
    outside = Span("outside", 30, 99)
    segments = segment_text(text, [gap, growth, level, outside])
    assert "".join(s.text for s in segments) == text
    covered = {s.text: s.keys for s in segments}
    assert covered[text[0:14]] == ("level", "growth")  # the most specific first
    assert covered[text[15:22]] == ("gap", "growth")
    assert covered[text[22:32]] == ("gap",)
    assert all("outside" not in s.keys for s in segments)
    first = segments[0]
    assert first.starts == ("level", "growth") and first.loaded and not first.quarantined
    crossing = next(s for s in segments if s.keys == ("gap", "growth"))
    assert crossing.loaded and crossing.quarantined and crossing.starts == ("gap",)


def test_a_list_pager_links_a_bounded_window_of_its_pages() -> None:
    assert pager_numbers(1, 1) == [1]
    assert pager_numbers(5, 3) == [1, 2, 3, 4, 5]
    middle = pager_numbers(1600, 800)
    assert middle[:2] == [1, None] and middle[-2:] == [None, 1600]
    assert middle[2:-2] == list(range(797, 804))
    assert pager_numbers(1600, 1600) == [1, None, 1597, 1598, 1599, 1600]
    # Every page links as many pages however long the list: no page grows with the list.
    assert max(len(pager_numbers(1600, n)) for n in range(1, 1601)) == len(middle)


def test_report_renders_areas_charts_latest_values_quality_and_evidence(tmp_path: Path) -> None:
    var = tmp_path / "var"
    keys = load_and_publish(var, tmp_path)
    result = write_report(var)
    report = var / "report"
    assert result.index == report / "index.html"
    assert (result.regions, result.documents, result.evidence_written) == (1, 2, 2)

    # The index lists the area; its page holds the charts, drawn by the bundled plotly.js.
    index = parse(result.index)
    assert "areas/330109000000.html" in index.links
    area = report / "areas" / "330109000000.html"
    drawn = figures(area)
    assert set(drawn) == {"growth"}  # one period of levels: a value in the table, no chart
    (bars,) = drawn["growth"]["data"]  # the quarantined 950 % is not drawn
    assert (bars["type"], bars["x"], bars["y"]) == ("bar", ["2021年"], [8.5])
    assert (report / "assets" / "plotly.min.js").stat().st_size > 1_000_000
    pages = [result.index, area, report / "schema.html", *sorted((report / "docs").glob("*.html")),
             *sorted((report / "lists").glob("*.html"))]  # fmt: skip
    for page in pages:
        links = parse(page).links
        assert not [link for link in links if re.match(r"^(https?:)?//", link)], page
        for link in links:  # every local link resolves
            target = link.split("#")[0]
            assert not target or (page.parent / target).exists(), (page, link)

    # Every value links to its highlighted sentence.
    level_key = keys["规上工业增加值554.1亿元"]
    html = area.read_text(encoding="utf-8")
    href = re.search(rf'href="(\.\./docs/[0-9a-f]{{16}}\.html)#f-{level_key}"', html)
    assert href, "the level's value links to its evidence"
    viewer = parse(area.parent / href.group(1))
    assert f"f-{level_key}" in viewer.ids
    marked = "".join(
        m["text"] for m in viewer.marks if level_key in m.get("data-facts", "").split()
    )
    assert marked == "规上工业增加值554.1亿元"
    growth_marks = [
        m for m in viewer.marks if keys[FACTS[1].evidence] in m.get("data-facts", "").split()
    ]
    assert "".join(m["text"] for m in growth_marks) == FACTS[1].evidence

    # The quarantined fact is highlighted in the other colour, and listed for review.
    quarantined_key = keys[FACTS[3].evidence]
    q_marks = [m for m in viewer.marks if quarantined_key in m.get("data-facts", "").split()]
    assert q_marks and all("ev-q" in m["class"].split() for m in q_marks)
    level_marks = [m for m in viewer.marks if level_key in m.get("data-facts", "").split()]
    assert level_marks and all("ev-q" not in m["class"].split() for m in level_marks)
    index_html = result.index.read_text(encoding="utf-8")
    assert quarantined_key in index_html and "growth_at_most_yoy_max_pct" in index_html

    # A document loaded before texts were kept: its facts are listed with their evidence.
    old = parse(report / "docs" / f"{'b' * 16}.html")
    assert [m["text"] for m in old.marks if m.get("data-facts")] == ["规上工业增加值554.1亿元"]
    assert "before its text was kept" in (report / "docs" / f"{'b' * 16}.html").read_text()

    # Written again with nothing changed: no evidence page is written again.
    stamps = {p.name: p.stat().st_mtime_ns for p in (report / "docs").glob("*.html")}
    again = write_report(var)
    assert again.evidence_written == 0
    assert {p.name: p.stat().st_mtime_ns for p in (report / "docs").glob("*.html")} == stamps


def test_a_failing_report_is_named_in_the_summary_and_the_run_stands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(_var: Path) -> None:
        raise ReportError("disk full")

    monkeypatch.setattr(flows.reporting, "write_report", broken)
    summary = RunSummary("run-1", "loaded", {}, 0.0, {}, tmp_path / "w.duckdb")
    with caplog.at_level(logging.ERROR):
        seconds = write_run_report(Settings(var=tmp_path), summary, logging.getLogger("test"))
    assert seconds >= 0
    assert summary.report is None
    assert summary.as_json()["report_error"] == "ReportError: disk full"
    assert "the run's load stands" in caplog.text


def test_evidence_pages_shared_out_among_processes_are_the_pages_one_process_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    var = tmp_path / "var"
    load_and_publish(var, tmp_path)
    docs = var / "report" / "docs"

    def pages() -> dict[str, str]:
        footer = re.compile(r'<footer class="footer">Generated [^<]* from')
        return {p.name: footer.sub("", p.read_text("utf-8")) for p in docs.glob("*.html")}

    one = write_report(var)
    written_by_one = pages()
    shutil.rmtree(var / "report")
    monkeypatch.setattr(evidence_pages, "PARALLEL_PAGES", 2)  # two pages: two processes
    shared = write_report(var)
    assert evidence_pages._processes(2) == min(2, len(os.sched_getaffinity(0)))
    assert (shared.evidence_written, shared.facts_highlighted) == (2, one.facts_highlighted)
    assert pages() == written_by_one and len(written_by_one) == 2


def publish_disagreeing_documents(var: Path, tmp_path: Path, count: int) -> None:
    """`count` documents of TEXT, each stating its own level and growth of the same figures
    (the later report date chosen), loaded and published."""
    pairs = []
    for n in range(count):
        text = TEXT.replace("554.1", f"55{n}.1").replace("8.5%", f"8.{n}%")
        facts = [
            replace(f, evidence=f.evidence.replace("554.1", f"55{n}.1").replace("8.5%", f"8.{n}%"),
                    value=float(f"55{n}.1") if f.value == 554.1 else float(f"8.{n}"))
            for f in FACTS[:2]
        ]  # fmt: skip
        pairs.append((
            document(f"doc{n}.txt", f"{n}" * 64),
            Extraction(doc=f"doc{n}.txt", text=text, region="萧山区",
                       report_date=f"2022-0{n + 1}", facts=facts),
        ))  # fmt: skip
    catalog = small_catalog(tmp_path)
    conformed = conform_batch(pairs, catalog, extractor_version="t", load_id="run-1")
    loadable, quarantine = split_candidates(conformed.candidates, {}, {})
    staging = StagingArea(tmp_path / "staging").reset()
    stage_batch(
        staging, "0", conformed, loadable, quarantine, rejections_frame([], "run-1"),
        outcomes_frame([], "run-1"), texts=document_texts_frame(pairs),
    )  # fmt: skip
    sources = pl.DataFrame(
        {"source_path": [d.source_path for d, _ in pairs],
         "content_sha256": [d.content_sha256 for d, _ in pairs], "status": ["loaded"] * count}
    )  # fmt: skip
    run = RunRecord("run-1", None, time.time(), "loaded", {"facts_loaded": loadable.height}, "t",
                    catalog.version, {"extract": 0.1})  # fmt: skip
    with Warehouse(var / "warehouse.duckdb") as warehouse:
        warehouse.load(staging, dimension_frames(catalog), sources, run)
        publish(warehouse.connection, var, "run-1")


def test_conflicting_figures_are_shown_by_area_and_listed_a_page_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    var = tmp_path / "var"
    publish_disagreeing_documents(var, tmp_path, 3)  # two figures, three values each
    monkeypatch.setattr(render, "AREA_LIST_ROWS", 4)  # a cut through the second figure
    monkeypatch.setattr(render, "LIST_PAGE_ROWS", 2)
    result = write_report(var)
    report = var / "report"
    area = (report / "areas" / "330109000000.html").read_text("utf-8")
    conflicts = area[area.index('<section id="conflicts">') :]
    # The first figure whole, its latest document's value chosen; the cut one left to the list.
    shown = re.findall(
        r'<a class="value-link" href="[^"]+" data-fact="[^"]+">([^<]+)</a>', conflicts
    )
    assert shown == ["552.1 亿元", "551.1 亿元", "550.1 亿元"]
    assert (
        conflicts.index("doc2.txt (2022-03)")
        < conflicts.index("pill-loaded")
        < conflicts.index("doc1.txt")
    )
    assert "3 more stated values" in conflicts and 'href="../lists/conflicts-1.html"' in conflicts
    assert '<span class="count">(2)</span>' in conflicts  # figures, not values
    pages = sorted(p.name for p in (report / "lists").glob("conflicts-*.html"))
    assert pages == ["conflicts-1.html", "conflicts-2.html", "conflicts-3.html"]
    listed = [
        re.findall(r">([0-9.]+ ?(?:亿元|%))</a>", (report / "lists" / page).read_text("utf-8"))
        for page in pages
    ]
    assert listed == [["552.1 亿元", "551.1 亿元"], ["550.1 亿元", "8.2 %"], ["8.1 %", "8 %"]]
    index = result.index.read_text("utf-8")
    assert re.search(r'card-n">2</div><div class="card-l">conflicting figures', index)


def test_report_command_writes_the_report_or_says_to_run_first(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["report", "--var", str(tmp_path / "var")])
    assert result.exit_code == 1
    assert "zhibiao run" in result.stderr

    load_and_publish(tmp_path / "var", tmp_path)
    result = runner.invoke(app, ["report", "--var", str(tmp_path / "var")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "var" / "report" / "index.html").exists()
    assert "2 documents" in result.stdout


def test_a_report_with_nothing_new_keeps_the_area_and_list_pages(tmp_path: Path) -> None:
    var = tmp_path / "var"
    load_and_publish(var, tmp_path)
    report = var / "report"
    first = write_report(var)
    kept = [*(report / "areas").glob("*.html"), *(report / "lists").glob("*.html")]
    stamps = {p: p.stat().st_mtime_ns for p in kept}
    index = without_times(first.index)

    # The same publication: the area and list pages stay; the index says the same.
    again = write_report(var)
    assert (again.documents, again.regions, again.charts) == (
        first.documents, first.regions, first.charts,
    )  # fmt: skip
    assert {p: p.stat().st_mtime_ns for p in kept} == stamps
    assert without_times(again.index) == index

    # A publication whose documents differ: the pages that show them are written again.
    with Warehouse(var / "warehouse.duckdb") as warehouse:
        warehouse.connection.execute(
            "UPDATE dim_document SET doc_name = 'renamed.txt' WHERE content_sha256 = ?",
            ["b" * 64],
        )
        publish(warehouse.connection, var, "run-1")
    write_report(var)
    assert "renamed.txt" in (report / "lists" / "documents-1.html").read_text(encoding="utf-8")
    assert "renamed.txt" in (report / "index.html").read_text(encoding="utf-8")


def without_times(page: Path) -> str:
    """A page's HTML without the minute it was generated (a second report may be a minute on)."""
    return re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d", "", page.read_text(encoding="utf-8"))


def test_a_list_table_escapes_its_text_once_and_keeps_its_links() -> None:
    from markupsafe import Markup

    from warehouse.report.templating import list_table

    link = Markup('<a href="../docs/x.html">1.5 亿元</a>')
    table = str(list_table(["Area", "Value"], [["A<&>", link], ["A<&>", "2"], [None, 3]]))

    assert table.count("<td>A&lt;&amp;&gt;</td>") == 2  # escaped, the same both times
    assert f'<td class="num">{link}</td>' in table  # a link stays a link, as a number
    assert "<td>None</td>" in table and '<td class="num">3</td>' in table
    assert '<th class="num">Value</th>' in table
    empty = str(list_table(["Area", "Value"], iter([])))
    assert '<td colspan="2" class="empty">None.</td>' in empty
