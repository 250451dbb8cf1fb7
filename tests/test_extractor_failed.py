"""An extractor error is never a silent loss: the document is rejected with the error, the
run goes on, and every path seen still ends loaded or rejected."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

import flows.batch
from flows.cli import app
from tests.conftest import SAMPLE_INBOX

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("prefect")]

runner = CliRunner()
BROKEN = "2021_kunshan_statistical_bulletin.txt"


def run_json(inbox: Path, var: Path) -> dict:
    result = runner.invoke(app, ["run", "--inbox", str(inbox), "--var", str(var), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_an_extractor_that_raises_on_one_document_rejects_it_and_loads_the_others(
    prefect_harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, var = tmp_path / "inbox", tmp_path / "var"
    shutil.copytree(SAMPLE_INBOX, inbox)
    documents = sorted(p.name for p in inbox.glob("*.txt"))
    extract = flows.batch.extract_document

    def fails_on_one(doc_name: str, text: str, catalog):
        if doc_name == BROKEN:
            raise IndexError("list index out of range in a table reader")
        return extract(doc_name, text, catalog)

    monkeypatch.setattr(flows.batch, "extract_document", fails_on_one)
    summary = run_json(inbox, var)

    assert summary["status"] == "loaded"
    assert summary["documents_seen"] == summary["documents_loaded"] + summary["documents_rejected"]
    assert (summary["documents_loaded"], summary["documents_rejected"]) == (len(documents) - 1, 1)
    (rejected,) = summary["rejected"]
    assert (rejected["path"], rejected["reason"]) == (BROKEN, "extractor_failed")
    assert "IndexError: list index out of range in a table reader" in rejected["message"]
    with duckdb.connect(str(var / "warehouse.duckdb"), read_only=True) as connection:
        loaded = {row[0] for row in connection.sql("SELECT doc_name FROM dim_document").fetchall()}
    assert loaded == set(documents) - {BROKEN}
    listed = runner.invoke(app, ["rejected", "list", "--var", str(var), "--json"])
    assert [(r["path"], r["reason"]) for r in json.loads(listed.stdout)] == [
        (BROKEN, "extractor_failed")
    ]

    # The failure is the extractor's, not the file's: once it is fixed, the next run loads it.
    monkeypatch.setattr(flows.batch, "extract_document", extract)
    again = run_json(inbox, var)
    assert (again["documents_read"], again["documents_loaded"]) == (1, len(documents))
    assert again["documents_rejected"] == 0
