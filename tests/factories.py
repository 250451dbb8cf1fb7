"""Hand-built facts and catalogues for tests of the layers after extraction."""

from __future__ import annotations

import shutil
from pathlib import Path

from transforms.catalog import CATALOG_DIR, Catalog, load_catalog
from transforms.conform import SourceDocument
from transforms.facts import Extraction, Fact

REGIONS_CSV = """code,name,short_names,level,parent_code,name_en
000000000000,全国,,country,,China
330000000000,浙江省,浙江,province,000000000000,Zhejiang
330100000000,杭州市,杭州,city,330000000000,Hangzhou
330109000000,萧山区,萧山,district,330100000000,Xiaoshan
"""


def small_catalog(tmp_path: Path) -> Catalog:
    folder = tmp_path / "catalog"
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("indicators.csv", "units.csv", "measures.csv"):
        shutil.copy(CATALOG_DIR / name, folder / name)
    (folder / "regions.csv").write_text(REGIONS_CSV, encoding="utf-8")
    return load_catalog(folder)


def fact(
    indicator: str = "规模以上工业增加值",
    measure: str = "value",
    value: float = 554.1,
    unit: str | None = "亿元",
    *,
    doc: str = "report.txt",
    region: str = "萧山区",
    period: tuple[str, str] = ("2021-01", "2021-12"),
    qualifier: str | None = None,
    denominator: str | None = None,
    evidence: str = "规上工业增加值554.10亿元",
) -> Fact:
    return Fact(
        doc=doc,
        region=region,
        period_start=period[0],
        period_end=period[1],
        indicator=indicator,
        measure=measure,
        value=value,
        unit=unit,
        qualifier=qualifier,
        denominator=denominator,
        evidence=evidence,
        start=0,
        end=len(evidence),
        raw_start=0,
        raw_end=len(evidence),
    )


def document(name: str = "report.txt", sha: str = "a" * 64) -> SourceDocument:
    return SourceDocument(
        content_sha256=sha, source_path=name, doc_name=name, format="txt", encoding="utf-8",
        size_bytes=100,
    )  # fmt: skip


def extraction(facts: list[Fact], name: str = "report.txt") -> Extraction:
    return Extraction(doc=name, text="x" * 100, region="萧山区", report_date="2021-12", facts=facts)
