"""Every fact is grounded: its evidence is the normalised text between its offsets, its raw
offsets point inside the raw text, and the span covers the indicator's name and the number.

Checked on every text at hand: the fixtures, the sample inbox, and the shared corpus and
development set when they are beside the checkout.
"""

import re
from pathlib import Path

import pytest

from transforms.catalog import load_catalog
from transforms.extract import extract_document
from transforms.normalise import normalise_text

CATALOG = load_catalog()

NUMBER = re.compile(r"\d+(?:\.\d+)?")
CHINESE_COUNT = re.compile(r"[零〇一二两三四五六七八九十百千]+[家个项宗台件人名]$")
REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
TEXTS = sorted(
    [
        *(REPO / "tests" / "fixtures" / "documents").glob("*.txt"),
        *(REPO / "data" / "inbox").glob("*.txt"),
        *(SHARED / "corpus").glob("*.txt"),
        *(SHARED / "devset" / "docs").glob("*.txt"),
    ]
)


@pytest.mark.parametrize("path", TEXTS, ids=lambda p: p.name)
def test_evidence_is_the_span_it_claims(path):
    raw = path.read_text(encoding="utf-8", errors="replace")
    extraction = extract_document(path.name, raw, CATALOG)
    norm = normalise_text(raw, CATALOG)
    assert extraction.text == norm.text
    for fact in extraction.facts:
        assert extraction.text[fact.start : fact.end] == fact.evidence, fact
        assert 0 <= fact.raw_start < fact.raw_end <= len(raw), fact
        assert (fact.raw_start, fact.raw_end) == norm.raw_span(fact.start, fact.end)
        if fact.measure != "rank" and not CHINESE_COUNT.search(fact.evidence):  # 第三, 三家
            written = {float(n) for n in NUMBER.findall(fact.evidence.replace(",", ""))}
            assert abs(fact.value) in written, fact


def test_evidence_covers_the_name_and_the_number():
    text = "2022年，绍兴市1200家规模以上工业企业实现工业总产值2100亿元，同比增长8.1%。"
    facts = extract_document("t.txt", text, CATALOG).facts
    by_measure = {(f.indicator, f.measure): f.evidence for f in facts}
    assert by_measure[("规模以上工业企业数", "value")] == "1200家规模以上工业企业"
    assert by_measure[("规模以上工业总产值", "yoy_pct")] == "工业总产值2100亿元，同比增长8.1%"


def test_there_are_texts_to_check():
    assert len(TEXTS) >= 2
