"""Score the extractor on the shared corpus and devset with the project's scorer."""

from pathlib import Path

import pytest

from tests.scoring import score_documents

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO / ".." / "shared"
INBOX = REPO / "data" / "inbox"
SCORER = SHARED / "tools" / "score_facts.py"

pytestmark = pytest.mark.skipif(
    not SCORER.exists(), reason=f"shared corpus and scorer not found at {SHARED.resolve()}"
)


def score(docs, gold, tmp_path):
    return score_documents(docs, gold, SCORER, tmp_path)


def test_seeds_precision_and_recall(tmp_path):
    summary = score((SHARED / "corpus").glob("*.txt"), SHARED / "gold" / "seeds.jsonl", tmp_path)
    assert summary["precision"] >= 0.95
    assert summary["recall"] >= 0.95


def test_devset_f1(tmp_path):
    summary = score(
        (SHARED / "devset" / "docs").glob("*.txt"), SHARED / "gold" / "devset.jsonl", tmp_path
    )
    assert summary["f1"] >= 0.95


def test_devset2_f1(tmp_path):
    """Devset2 is real text from other provinces and work reports: the generality floor."""
    summary = score(
        (SHARED / "devset2" / "docs").glob("*.txt"), SHARED / "gold" / "devset2.jsonl", tmp_path
    )
    assert summary["f1"] >= 0.90


@pytest.mark.skipif(not (INBOX / "expected.jsonl").exists(), reason="no sample inbox gold")
def test_sample_inbox_f1(tmp_path):
    """The sample inbox was written independently of the rules: a check against overfitting."""
    summary = score(INBOX.glob("*.txt"), INBOX / "expected.jsonl", tmp_path)
    assert summary["f1"] >= 0.9
