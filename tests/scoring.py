"""Scoring extracted facts with the project's scorer (../shared/tools/score_facts.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from transforms.catalog import load_catalog
from transforms.extract import extract_document


def score_documents(docs: Iterable[Path], gold: Path, scorer: Path, tmp_path: Path) -> dict:
    """The scorer's summary (precision, recall, f1...) of the facts extracted from `docs`."""
    catalog = load_catalog()
    pred = tmp_path / "pred.jsonl"
    with pred.open("w", encoding="utf-8") as out:
        for path in sorted(docs):
            text = path.read_text(encoding="utf-8")
            for fact in extract_document(path.name, text, catalog).facts:
                out.write(json.dumps(fact.to_contract(), ensure_ascii=False) + "\n")
    result = subprocess.run(
        [sys.executable, str(scorer), str(gold), str(pred), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])
