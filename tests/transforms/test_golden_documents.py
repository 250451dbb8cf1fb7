"""Golden files: each tests/fixtures/documents/NAME.txt beside NAME.jsonl, its expected facts."""

import json
from pathlib import Path

import pytest

from transforms.catalog import load_catalog
from transforms.extract import extract_document
from transforms.facts import CONTRACT_FIELDS

CATALOG = load_catalog()

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "documents"
# The contract's fields but the value (compared rounded) and the evidence (free to differ).
KEY = tuple(field for field in CONTRACT_FIELDS if field not in ("value", "evidence"))


def as_rows(facts):
    return sorted((tuple(f[k] for k in KEY), round(float(f["value"]), 6)) for f in facts)


@pytest.mark.parametrize("source", sorted(FIXTURES.glob("*.txt")), ids=lambda p: p.stem)
def test_golden_file(source):
    expected = [
        json.loads(line)
        for line in source.with_suffix(".jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    got = [
        f.to_contract()
        for f in extract_document(source.name, source.read_text(encoding="utf-8"), CATALOG).facts
    ]
    assert as_rows(got) == as_rows(expected)


def test_fixtures_exist():
    assert len(list(FIXTURES.glob("*.txt"))) >= 2
