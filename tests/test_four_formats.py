"""One report as .txt, .pdf, .docx and .html gives the same facts (scored like the gold)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.documents import docx_bytes, html_bytes, pdf_bytes

runner = CliRunner()
MIN_F1 = 0.98


def extract(path: Path, as_doc: str) -> list[dict]:
    """`zhibiao extract` on one file; facts renamed to one doc name so that they compare."""
    result = runner.invoke(app, ["extract", str(path), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    facts = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    return [{**fact, "doc": as_doc} for fact in facts]


def score(scorer: Path, gold: list[dict], predicted: list[dict], folder: Path) -> dict:
    folder.mkdir()
    gold_path, predicted_path = folder / "gold.jsonl", folder / "predicted.jsonl"
    for path, facts in ((gold_path, gold), (predicted_path, predicted)):
        path.write_text(
            "".join(json.dumps(f, ensure_ascii=False) + "\n" for f in facts), encoding="utf-8"
        )
    completed = subprocess.run(
        [sys.executable, str(scorer), str(gold_path), str(predicted_path), "--json"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_same_report_in_four_formats_gives_the_same_facts(shared_dir: Path, tmp_path: Path) -> None:
    """Each corpus report, made into a PDF, a Word file and a web page: F1 against its .txt."""
    scorer = shared_dir / "tools" / "score_facts.py"
    if not scorer.is_file():
        pytest.skip(f"{scorer} is not here: the four-format check needs the scorer")
    reports = sorted((shared_dir / "corpus").glob("*.txt"))
    assert reports, "no corpus text to build the four formats from"
    f1: dict[tuple[str, str], float] = {}
    for report in reports:
        folder = tmp_path / report.stem
        folder.mkdir()
        text = report.read_text(encoding="utf-8")
        files = {
            "txt": text.encode("utf-8"),
            "pdf": pdf_bytes(text),
            "docx": docx_bytes(text, header="萧山经信"),
            "html": html_bytes(text, title=text.strip().splitlines()[0].strip()),
        }
        for suffix, data in files.items():
            (folder / f"report.{suffix}").write_bytes(data)
        gold = extract(folder / "report.txt", report.name)
        assert len(gold) >= 3, f"{report.name}: too few facts in the text to compare"
        for suffix in ("pdf", "docx", "html"):
            predicted = extract(folder / f"report.{suffix}", report.name)
            f1[report.stem, suffix] = score(scorer, gold, predicted, folder / suffix)["f1"]
    print({f"{stem} {suffix}": round(value, 3) for (stem, suffix), value in f1.items()})
    assert {key: value for key, value in f1.items() if value < MIN_F1} == {}
