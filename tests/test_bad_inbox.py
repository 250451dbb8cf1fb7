"""An inbox of whatever arrived: every file ends loaded or rejected with a reason."""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.ingest import InboxFile, Rejection, _resolve, hash_file, read_document, scan_inbox
from flows.settings import Settings
from tests.documents import docx_bytes, html_bytes, pdf_bytes, scanned_pdf_bytes

runner = CliRunner()
REPORT = """萧山区经信局　2022年1月15日
2021年，全区实现规上工业增加值554.10亿元，同比增长8.5%。
完成工业投资106.08亿元，同比增长17.9%。
"""
TRADITIONAL = """慈溪市統計局　2022年2月10日
2021年，全市規模以上工業增加值812.5億元，同比增長11.2%。
"""


def report(region: str, value: int) -> str:
    """A small report of its own, so that each format's file has distinct content."""
    return REPORT.replace("萧山区", region).replace("554.10", f"{value}.10")


def build_inbox(root: Path) -> tuple[Path, dict[str, str]]:
    """Every format and every bad input; returns the inbox and the expected rejections."""
    inbox = root / "inbox"
    (inbox / "sub dir").mkdir(parents=True)
    outside = root / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(REPORT, encoding="utf-8")

    loaded = {
        "report utf8.txt": report("余杭区", 101).encode("utf-8"),
        "copy of report utf8.txt": report("余杭区", 101).encode("utf-8"),  # same content
        "报告 gb18030.txt": report("萧山区", 202).encode("gb18030"),
        "-dash big5.md": TRADITIONAL.encode("big5"),
        "utf16.txt": report("临平区", 303).encode("utf-16"),
        "bom.md": b"\xef\xbb\xbf" + report("滨江区", 404).encode("utf-8"),
        "page.html": html_bytes(report("富阳区", 505), charset="gbk"),
        "report.pdf": pdf_bytes(report("桐庐县", 606)),
        "report.docx": docx_bytes(report("淳安县", 707)),
        "sub dir/--nested.TXT": report("建德市", 808).encode("utf-8"),
    }
    rejected = {
        "empty.txt": b"",
        "garbage.txt": bytes(range(256)) * 64,
        "scan.pdf": scanned_pdf_bytes(pages=1),
        "truncated.pdf": pdf_bytes(report("西湖区", 909))[:3000],
        "broken.docx": docx_bytes(REPORT)[:1500],
        "table.xlsx": b"PK\x03\x04 not supported",
    }
    for name, data in {**loaded, **rejected}.items():
        (inbox / name).write_bytes(data)
    with (inbox / "huge.txt").open("wb") as handle:  # sparse: 50 MB + 1 byte, never read
        handle.truncate(50 * 1024 * 1024 + 1)
    (inbox / "link out.txt").symlink_to(outside / "secret.txt")
    (inbox / "linked folder").symlink_to(outside, target_is_directory=True)
    (inbox / "dangling.txt").symlink_to(inbox / "nowhere.txt")
    os.mkfifo(inbox / "pipe.txt")
    reasons = {
        "empty.txt": "empty",
        "garbage.txt": "undecodable",
        "scan.pdf": "no_text_layer",
        "truncated.pdf": "corrupt",
        "broken.docx": "corrupt",
        "table.xlsx": "unsupported_format",
        "huge.txt": "too_large",
        "link out.txt": "symlink_outside_inbox",
        "linked folder": "symlink_outside_inbox",
        "dangling.txt": "broken_symlink",
        "pipe.txt": "not_a_file",
    }
    return inbox, reasons


@pytest.mark.slow
@pytest.mark.xdist_group("prefect")
def test_run_over_an_inbox_of_everything(
    prefect_harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ZHIBIAO_MAX_FILE_BYTES", raising=False)  # the default limit, 50 MB
    inbox, reasons = build_inbox(tmp_path)
    var = tmp_path / "var"

    result = runner.invoke(app, ["run", "--inbox", str(inbox), "--var", str(var), "--json"])

    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["status"] == "loaded"
    assert summary["documents_seen"] == 10 + len(reasons)
    assert summary["documents_seen"] == summary["documents_loaded"] + summary["documents_rejected"]
    assert summary["documents_loaded"] == 10
    assert {r["path"]: r["reason"] for r in summary["rejected"]} == reasons

    listed = runner.invoke(app, ["rejected", "list", "--var", str(var), "--json"])
    assert listed.exit_code == 0, listed.output
    records = json.loads(listed.stdout)
    assert {r["path"]: r["reason"] for r in records} == reasons
    by_path = {r["path"]: r for r in records}
    assert by_path["huge.txt"]["content_sha256"] is None  # rejected without being read
    assert by_path["huge.txt"]["size_bytes"] == 50 * 1024 * 1024 + 1
    assert by_path["truncated.pdf"]["content_sha256"] == hash_file(inbox / "truncated.pdf")
    assert all(r["message"] for r in records)

    with duckdb.connect(str(var / "warehouse.duckdb"), read_only=True) as connection:
        documents = dict(
            connection.sql("SELECT content_sha256, format FROM dim_document").fetchall()
        )
        sources = dict(
            connection.sql(
                "SELECT source_path, content_sha256 FROM document_source WHERE status = 'loaded'"
            ).fetchall()
        )
    assert len(sources) == 10
    again = runner.invoke(app, ["run", "--inbox", str(inbox), "--var", str(var), "--json"])
    assert again.exit_code == 0, again.output
    second = json.loads(again.stdout.strip().splitlines()[-1])
    assert second["documents_unchanged"] == second["documents_seen"] == summary["documents_seen"]
    assert (second["documents_loaded"], second["documents_rejected"]) == (10, len(reasons))
    assert sources["report utf8.txt"] == sources["copy of report utf8.txt"]  # both paths
    assert len(documents) == 9  # one document for the two copies
    assert sorted(documents.values()) == [
        "docx",
        "html",
        "md",
        "md",
        "pdf",
        "txt",
        "txt",
        "txt",
        "txt",
    ]


def test_file_that_vanishes_after_listing(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    path = inbox / "gone.txt"
    path.write_text(REPORT, encoding="utf-8")
    (listed,), _ = scan_inbox(Settings(inbox=inbox))
    path.unlink()

    outcome = read_document(listed)
    assert isinstance(outcome, Rejection)
    assert outcome.reason_code == "vanished"
    assert outcome.content_sha256 is None, "a vanished file's content may be read another night"

    inspected = _resolve(path, "gone.txt", inbox.resolve())
    assert isinstance(inspected, Rejection) and inspected.reason_code == "vanished"


def test_file_that_changes_after_listing(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_text(REPORT, encoding="utf-8")
    listed = InboxFile(path, "report.txt", path.stat().st_size, hash_file(path))
    path.write_text(REPORT + "更新", encoding="utf-8")
    outcome = read_document(listed)
    assert isinstance(outcome, Rejection) and outcome.reason_code == "changed_while_reading"


def test_scan_does_not_block_on_a_named_pipe(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    os.mkfifo(inbox / "pipe.txt")
    (inbox / "ok.txt").write_text(REPORT, encoding="utf-8")
    files, rejections = scan_inbox(Settings(inbox=inbox))
    assert [f.source_path for f in files] == ["ok.txt"]
    assert [(r.source_path, r.reason_code) for r in rejections] == [("pipe.txt", "not_a_file")]


def test_each_format_reads_through_read_document(tmp_path: Path) -> None:
    inbox, _ = build_inbox(tmp_path)
    files, _ = scan_inbox(Settings(inbox=inbox))
    outcomes = {f.source_path: read_document(f) for f in files}
    read = {path: o for path, o in outcomes.items() if not isinstance(o, Rejection)}
    assert {path: document.format for path, (document, _) in read.items()} == {
        "-dash big5.md": "md",
        "bom.md": "md",
        "copy of report utf8.txt": "txt",
        "page.html": "html",
        "report utf8.txt": "txt",
        "report.docx": "docx",
        "report.pdf": "pdf",
        "sub dir/--nested.TXT": "txt",
        "utf16.txt": "txt",
        "报告 gb18030.txt": "txt",
    }
    assert all("同比增长" in text or "同比增長" in text for _, text in read.values())


def test_rejected_list_without_a_run_says_what_to_do(tmp_path: Path) -> None:
    result = runner.invoke(app, ["rejected", "list", "--var", str(tmp_path)])
    assert result.exit_code == 1
    assert "zhibiao run" in result.stderr
