"""The gate on real documents: no false alarms on gold facts, no artefact let through."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
import pytest

from flows.batch import gate_extractions
from flows.ingest import inbox_file_for, read_document
from tests.conftest import SAMPLE_INBOX
from transforms.catalog import load_catalog
from transforms.extract import extract_document

KEY = ("doc", "region", "period_start", "period_end", "indicator", "measure")
DOUBLED = re.compile(r"\d\.\.\d|\d(亿元|万元|万平方米|平方米|亩|家|个|项|%)\1")


def gate_folder(paths: list[Path]):
    catalog = load_catalog()
    pairs = []
    for path in paths:
        document, text = read_document(inbox_file_for(path))
        pairs.append((document, extract_document(document.doc_name, text, catalog)))
    gated = gate_extractions(pairs, catalog=catalog, load_id="test")
    quarantined = set(gated.report.quarantined_keys())
    is_quarantined = pl.col("fact_key").is_in(list(quarantined))
    return gated.candidates.filter(is_quarantined), gated.candidates.filter(~is_quarantined)


def gold_keys(path: Path) -> set[tuple]:
    with path.open(encoding="utf-8") as handle:
        return {tuple(json.loads(line)[k] for k in KEY) for line in handle if line.strip()}


def quarantined_gold(quarantined: pl.DataFrame, gold: set[tuple]) -> list[dict]:
    return [row for row in quarantined.iter_rows(named=True) if tuple(row[k] for k in KEY) in gold]


def test_no_gold_fact_of_the_real_corpus_is_quarantined(shared_dir: Path) -> None:
    quarantined, loaded = gate_folder(sorted((shared_dir / "corpus").glob("*.txt")))
    assert loaded.height > 20
    assert quarantined_gold(quarantined, gold_keys(shared_dir / "gold" / "seeds.jsonl")) == []


def test_no_gold_fact_of_the_sample_inbox_is_quarantined() -> None:
    quarantined, loaded = gate_folder(sorted(SAMPLE_INBOX.glob("*.txt")))
    assert loaded.height > 100
    assert quarantined_gold(quarantined, gold_keys(SAMPLE_INBOX / "expected.jsonl")) == []


@pytest.mark.parametrize("folder", ["corpus", "inbox"])
def test_no_doubled_glyph_artefact_is_loaded(folder: str, request: pytest.FixtureRequest) -> None:
    if folder == "corpus":
        paths = sorted((request.getfixturevalue("shared_dir") / "corpus").glob("*.txt"))
    else:
        paths = sorted(SAMPLE_INBOX.glob("*.txt"))
    _, loaded = gate_folder(paths)
    assert [e for e in loaded["evidence"] if DOUBLED.search(e)] == []
