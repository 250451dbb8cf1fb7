"""Files no run should trip over: link loops, names that are not UTF-8, a file swapped for a
pipe after the scan, hard links to files outside the inbox. Each ends as that file's
rejection (or loads), never as the run's failure or hang."""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.inbox_files import identity_of
from flows.ingest import Rejection, _inspect, _resolve, read_document, scan_inbox
from flows.settings import Settings
from tests.conftest import SAMPLE_INBOX

runner = CliRunner()
REPORT = "萧山区经信局　2022年1月15日\n2021年，全区实现规上工业增加值554.10亿元，同比增长8.5%。\n"
SECRET = "root:x:0:0:root:/root:/bin/bash 一份不应入库的口令文件\n"
NOT_UTF8 = os.fsdecode(b"bad\xff\xfe.txt")


def finishes(call, seconds: float = 10.0):
    """call() in a thread: its result, or a failure if it is still blocked after `seconds`."""
    outcome: list = []
    worker = threading.Thread(target=lambda: outcome.append(call()), daemon=True)
    worker.start()
    worker.join(seconds)
    assert outcome, f"still blocked after {seconds} s"
    return outcome[0]


@pytest.mark.slow
@pytest.mark.xdist_group("prefect")
def test_link_loops_folder_cycles_and_non_utf8_names_do_not_stop_the_run(
    prefect_harness, tmp_path: Path
) -> None:
    inbox, var = tmp_path / "inbox", tmp_path / "var"
    shutil.copytree(SAMPLE_INBOX, inbox)
    (inbox / "loop.txt").symlink_to("loop.txt")
    (inbox / "a").symlink_to("b", target_is_directory=True)  # two folder links, each
    (inbox / "b").symlink_to("a", target_is_directory=True)  # pointing at the other
    (inbox / "sub").mkdir()
    (inbox / "sub" / "up").symlink_to("..", target_is_directory=True)  # a cycle to the top
    (inbox / NOT_UTF8).write_text(REPORT, encoding="utf-8")

    result = runner.invoke(app, ["run", "--inbox", str(inbox), "--var", str(var), "--json"])

    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["documents_seen"] == summary["documents_loaded"] + summary["documents_rejected"]
    assert {r["path"]: r["reason"] for r in summary["rejected"]} == {
        "loop.txt": "symlink_loop",
        "a": "symlink_loop",
        "b": "symlink_loop",
        "sub/up": "folder_link",
    }
    with duckdb.connect(str(var / "warehouse.duckdb"), read_only=True) as connection:
        names = connection.sql(
            "SELECT d.doc_name, s.source_path FROM dim_document d "
            "JOIN document_source s USING (content_sha256) WHERE s.source_path LIKE 'bad%'"
        ).fetchall()
    assert names == [("bad\\xff\\xfe.txt", "bad\\xff\\xfe.txt")]  # the bytes, shown escaped
    again = runner.invoke(app, ["run", "--inbox", str(inbox), "--var", str(var), "--json"])
    assert again.exit_code == 0, again.output
    assert (
        json.loads(again.stdout.strip().splitlines()[-1])["documents_unchanged"]
        == (summary["documents_seen"])
    )


def test_a_file_swapped_for_a_pipe_after_the_scan_is_rejected_not_waited_for(
    tmp_path: Path,
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    path = inbox / "report.txt"
    path.write_text(REPORT, encoding="utf-8")
    (listed,), _ = scan_inbox(Settings(inbox=inbox))
    path.unlink()
    os.mkfifo(path)  # nobody ever writes to it: opening it to read would wait forever

    outcome = finishes(lambda: read_document(listed))
    assert isinstance(outcome, Rejection)
    assert outcome.reason_code == "not_a_file"

    # The same between the scan's listing and its hashing.
    path.unlink()
    path.write_text(REPORT, encoding="utf-8")
    item = _resolve(path, "report.txt", inbox.resolve())
    path.unlink()
    os.mkfifo(path)
    names_here = {identity_of(item.status): 1}
    inspected = finishes(lambda: _inspect(item, Settings(inbox=inbox), names_here))
    assert isinstance(inspected, Rejection) and inspected.reason_code == "not_a_file"


def test_a_file_replaced_by_another_after_the_scan_is_not_read(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (tmp_path / "secret.txt").write_text(SECRET, encoding="utf-8")
    path = inbox / "report.txt"
    path.write_text(REPORT, encoding="utf-8")
    (listed,), _ = scan_inbox(Settings(inbox=inbox))
    path.unlink()
    path.symlink_to(tmp_path / "secret.txt")  # a link out, where the report was

    outcome = read_document(listed)
    assert isinstance(outcome, Rejection)
    assert outcome.reason_code == "changed_while_reading"


def hard_linked_inbox(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    outside = tmp_path / "etc"
    outside.mkdir()
    (outside / "passwd").write_text(SECRET, encoding="utf-8")
    os.link(outside / "passwd", inbox / "x.txt")  # ln /etc/passwd inbox/x.txt
    (inbox / "report.txt").write_text(REPORT, encoding="utf-8")
    os.link(inbox / "report.txt", inbox / "same report.txt")  # both names in the inbox
    return inbox


def test_a_hard_link_to_a_file_outside_the_inbox_is_rejected(tmp_path: Path) -> None:
    inbox = hard_linked_inbox(tmp_path)

    files, rejections = scan_inbox(Settings(inbox=inbox))

    assert sorted(f.source_path for f in files) == ["report.txt", "same report.txt"]
    assert [(r.source_path, r.reason_code) for r in rejections] == [
        ("x.txt", "hard_link_outside_inbox")
    ]
    assert rejections[0].content_sha256 is None, "rejected before a byte of it is read"
    assert "2 names" in rejections[0].message and "1 of them in the inbox" in rejections[0].message

    allowed, refused = scan_inbox(Settings(inbox=inbox, allow_hard_links=True))
    assert "x.txt" in {f.source_path for f in allowed} and refused == []


@pytest.mark.slow
@pytest.mark.xdist_group("prefect")
def test_a_hard_linked_password_file_is_neither_loaded_nor_published(
    prefect_harness, tmp_path: Path
) -> None:
    inbox, var = hard_linked_inbox(tmp_path), tmp_path / "var"

    result = runner.invoke(app, ["run", "--inbox", str(inbox), "--var", str(var), "--json"])

    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert [(r["path"], r["reason"]) for r in summary["rejected"]] == [
        ("x.txt", "hard_link_outside_inbox")
    ]
    texts = pq.ParquetDataset(var / "exports" / "document_text").read().to_pylist()
    assert texts and not any("root:x:0:0" in row["normalised_text"] for row in texts)


def test_any_error_of_a_reader_is_that_files_rejection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import transforms.formats

    def breaks(_data: bytes):
        raise RuntimeError("PDFium: unexpected object stream")

    monkeypatch.setitem(transforms.formats.READERS, "txt", breaks)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "report.txt").write_text(REPORT, encoding="utf-8")
    (listed,), _ = scan_inbox(Settings(inbox=inbox))

    outcome = read_document(listed)

    assert isinstance(outcome, Rejection)
    assert outcome.reason_code == "reader_failed"
    assert (
        outcome.message == "the txt reader failed: RuntimeError: PDFium: unexpected object stream"
    )
