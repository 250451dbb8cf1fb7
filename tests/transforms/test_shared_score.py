"""Score the extractor on the shared corpus and devset with the project's scorer."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from transforms.catalog import load_catalog
from transforms.extract import extract_document

CATALOG = load_catalog()

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO / ".." / "shared"
INBOX = REPO / "data" / "inbox"
SCORER = SHARED / "tools" / "score_facts.py"

pytestmark = pytest.mark.skipif(
    not SCORER.exists(), reason=f"shared corpus and scorer not found at {SHARED.resolve()}"
)


def score(docs, gold, tmp_path):
    pred = tmp_path / "pred.jsonl"
    with pred.open("w", encoding="utf-8") as out:
        for path in sorted(docs):
            for fact in extract_document(
                path.name, path.read_text(encoding="utf-8"), CATALOG
            ).facts:
                out.write(json.dumps(fact.to_contract(), ensure_ascii=False) + "\n")
    result = subprocess.run(
        [sys.executable, str(SCORER), str(gold), str(pred), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_seeds_precision_and_recall(tmp_path):
    summary = score((SHARED / "corpus").glob("*.txt"), SHARED / "gold" / "seeds.jsonl", tmp_path)
    assert summary["precision"] >= 0.95
    assert summary["recall"] >= 0.95


def test_devset_f1(tmp_path):
    summary = score(
        (SHARED / "devset" / "docs").glob("*.txt"), SHARED / "gold" / "devset.jsonl", tmp_path
    )
    assert summary["f1"] >= 0.95


@pytest.mark.skipif(not (INBOX / "expected.jsonl").exists(), reason="no sample inbox gold")
def test_sample_inbox_f1(tmp_path):
    """The sample inbox was written independently of the rules: a check against overfitting."""
    summary = score(INBOX.glob("*.txt"), INBOX / "expected.jsonl", tmp_path)
    assert summary["f1"] >= 0.9
