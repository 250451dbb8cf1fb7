"""The evidence viewer: one page per current document, its text with every fact's evidence
highlighted, written for new and changed documents only.

At 100,000 documents these pages are most of the report's work, and the run's batch
processes are done by then: the pages are shared out among processes (one per core), each
reading its documents' facts and texts from the published database itself.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import jinja2
import polars as pl
from markupsafe import Markup, escape

import warehouse.report_queries as queries
from warehouse.analyst import open_analyst_db
from warehouse.report.charts import stated
from warehouse.report.evidence import Span, locatable, segment_text
from warehouse.report.site_files import SiteWriter, page_name
from warehouse.report.templating import MEASURE_NAMES, environment, script_json

EVIDENCE_BATCH = 1000
"""Documents whose texts are held (and whose facts are looked up) at a time."""
PARALLEL_PAGES = 4000
"""Pages to write from which they are shared out among processes: starting one costs about
a second (its imports), a page about a millisecond."""
SHARE_PAGES = 12_500
"""The most pages a process writes from one reading of their facts and texts. Each reading
costs 3-4 s (every stored text is scanned); the facts of 50,000 documents took a process to
780 MB, of 3,000 to 340 MB; reading the facts of 25,000 took 280 MB, of 12,500 200 MB."""


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
        "facts_json": Markup(script_json({f["fact_key"]: _fact_json(f) for f in facts})),
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


@dataclass(frozen=True)
class EvidenceShare:
    """The pages one process writes: its documents' keys, and what every page shows alike.
    The process reads the documents' records itself: the run's process never holds them all."""

    var_dir: Path
    target: Path
    document_keys: tuple[int, ...]
    has_text_table: bool
    generated_at: str


def write_evidence_pages(
    connection: duckdb.DuckDBPyConnection,
    writer: SiteWriter,
    var_dir: Path,
    *,
    has_text_table: bool,
    generated_at: str,
) -> EvidenceResult:
    """Write the evidence pages of new and changed current documents; remove those of
    documents no longer current. A process holds the facts of SHARE_PAGES documents and the
    texts of EVIDENCE_BATCH at a time."""
    version = _render_version()
    manifest = writer.read_json(PAGES_MANIFEST)
    previous = manifest.get("pages", {}) if manifest.get("render") == version else {}
    hashes = queries.current_document_hashes(connection)
    names = {key: page_name(sha) for key, sha in hashes.items()}
    fingerprints = queries.document_fingerprints(connection)
    pages = {name: str(fingerprints.get(key)) for key, name in names.items()}
    del fingerprints  # 100,000 of them: not held while the pages are written
    stale = [
        key for key, name in names.items()
        if previous.get(name) != pages[name] or not writer.exists(f"docs/{name}")
    ]  # fmt: skip
    processes = _processes(len(stale))
    shares = [
        EvidenceShare(var_dir, writer.target, tuple(keys), has_text_table, generated_at)
        for keys in _share_out(stale, max(processes, -(-len(stale) // SHARE_PAGES)))
    ]  # fmt: skip
    if processes == 1:
        results = [_write_share(connection, writer, share) for share in shares]
    else:
        # Spawned, not forked: the parent runs DuckDB's and Polars' threads.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(processes, mp_context=context) as pool:
            results = list(pool.map(write_evidence_share, shares))
    for name in set(previous) - set(pages):
        writer.remove(f"docs/{name}")
    writer.write_json(PAGES_MANIFEST, {"render": version, "pages": pages})
    writer.largest = max(writer.largest, *(largest for _, largest in results))
    return EvidenceResult(
        written=len(stale),
        kept=len(pages) - len(stale),
        facts_highlighted=sum(highlighted for highlighted, _ in results),
    )


def _processes(pages: int) -> int:
    if pages < PARALLEL_PAGES:
        return 1
    return max(1, min(len(os.sched_getaffinity(0)), pages // (PARALLEL_PAGES // 2)))


def _share_out(keys: list[int], shares: int) -> list[list[int]]:
    """The keys in `shares` runs of nearly equal length, in order (at least one, maybe empty)."""
    size = -(-len(keys) // shares) if keys else 0
    return [keys[i * size : (i + 1) * size] for i in range(shares)] if size else [[]]


def write_evidence_share(share: EvidenceShare) -> tuple[int, int]:
    """A process's part: open the published database, write the share's pages; the facts
    highlighted and the largest page's bytes."""
    # One DuckDB thread: the processes are one per core already, and each thread's working
    # memory counts (a share's facts read with every core: 490 MB at peak, with one: 340).
    connection = open_analyst_db(share.var_dir, threads=1)
    try:
        return _write_share(connection, SiteWriter(share.target), share)
    finally:
        connection.close()


def _write_share(
    connection: duckdb.DuckDBPyConnection, writer: SiteWriter, share: EvidenceShare
) -> tuple[int, int]:
    keys = list(share.document_keys)
    documents = {d["document_key"]: d for d in queries.current_documents(connection, keys)}
    template = environment().get_template("document.html")
    highlighted = 0
    # One pass over the published facts and one over the texts, whatever the number of
    # pages: a query per group of documents read every fact and text again each time, which
    # grew with the square of the documents (11 of the report's 22 s for 10,000, measured).
    facts = queries.document_facts_frame(connection, keys) if keys else pl.DataFrame()
    untexted = set(keys)
    for texts in queries.stream_document_texts(connection, keys, EVIDENCE_BATCH):
        untexted -= texts.keys()
        highlighted += _write_document_pages(template, writer, share, documents, facts, texts)
    for group in _chunks([key for key in keys if key in untexted], EVIDENCE_BATCH):
        texts = dict.fromkeys(group)
        highlighted += _write_document_pages(template, writer, share, documents, facts, texts)
    return highlighted, writer.largest


def _chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _write_document_pages(
    template: jinja2.Template,
    writer: SiteWriter,
    share: EvidenceShare,
    documents: dict[int, dict[str, Any]],
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
        document = documents[key]
        page = _document_page(document, of_document[key], text, share.has_text_table)
        highlighted += page["highlighted"]
        html = template.render(page=page, generated_at=share.generated_at, asset_prefix="../")
        writer.page(f"docs/{page_name(document['content_sha256'])}", html)
    return highlighted
