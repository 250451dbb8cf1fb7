"""Golden cases per rule family: tests/fixtures/extract/FAMILY.jsonl holds, one per line, a
short text written for it and the facts the extractor gives for it (none, where the family
correctly gives none), as sqlglot keeps one fixture file per optimizer rule.

A line is `{"text": ..., "context": {"head": ...}, "facts": [...]}`: `context.head`, when
given, is the document's head (title, publisher, dateline) written on the line before the
text. Facts are compared on every field of the fact contract but `doc`, and on any other
field their line names (`region_code`); in any order.
"""

import json
from pathlib import Path

import pytest

import transforms.extract as extract
from transforms.catalog import load_catalog
from transforms.extract import extract_document
from transforms.facts import CONTRACT_FIELDS

CATALOG = load_catalog()
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "extract"
PACKAGE = Path(extract.__file__).resolve().parent
NOT_RULES = {"context", "document", "patterns", "sentence", "state", "tokens", "token_passes"}
"""Modules of the package that hold no rule family: the machinery the rules run in."""


def cases():
    for path in sorted(FIXTURES.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                yield pytest.param(json.loads(line), id=f"{path.stem}:{number}")


def compared(facts, fields):
    return sorted(json.dumps([fact[f] for f in fields], ensure_ascii=False) for fact in facts)


@pytest.mark.parametrize("case", list(cases()))
def test_rule_case(case):
    head = case.get("context", {}).get("head")
    text = f"{head}\n{case['text']}" if head else case["text"]
    expected = case["facts"]
    fields = [f for f in CONTRACT_FIELDS if f != "doc"]
    fields += sorted({key for fact in expected for key in fact} - set(fields))
    got = [fact.to_contract() for fact in extract_document("case.txt", text, CATALOG).facts]
    assert compared(got, fields) == compared(expected, fields)


def test_every_rule_family_has_a_fixture_file():
    families = {p.stem for p in PACKAGE.glob("[!_]*.py")} - NOT_RULES
    assert families == {p.stem for p in FIXTURES.glob("*.jsonl")}
    for family in families:
        assert (FIXTURES / f"{family}.jsonl").read_text(encoding="utf-8").count("\n") >= 4
