"""The stable command-line surface (../shared/spec/CLI.md) through Typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from transforms.facts import CONTRACT_FIELDS

runner = CliRunner()
REPORT = """余杭区经信局  2022年1月15日

2021年，全区实现规上工业增加值1012.5亿元，同比增长9.6%。
完成工业投资210.3亿元，同比增长15.2%。
"""
RUN_JSON_KEYS = {
    "documents_seen", "documents_new", "documents_changed", "documents_unchanged",
    "documents_removed", "documents_rejected", "facts_loaded", "facts_quarantined", "seconds",
}  # fmt: skip


def test_extract_prints_contract_jsonl(tmp_path: Path) -> None:
    report = tmp_path / "yuhang_2021.txt"
    report.write_text(REPORT, encoding="utf-8")
    result = runner.invoke(app, ["extract", str(report), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    facts = [json.loads(line) for line in result.stdout.splitlines()]
    assert facts, "no facts extracted"
    assert all(set(CONTRACT_FIELDS) <= set(f) for f in facts)
    assert {f["doc"] for f in facts} == {"yuhang_2021.txt"}
    by_key = {(f["indicator"], f["measure"]): f for f in facts}
    value = by_key[("规模以上工业增加值", "value")]
    assert (value["region"], value["period_start"], value["period_end"]) == (
        "余杭区", "2021-01", "2021-12",
    )  # fmt: skip
    assert (value["value"], value["unit"]) == (1012.5, "亿元")
    assert by_key[("工业投资", "yoy_pct")]["value"] == 15.2


def test_extract_reports_unreadable_files_and_exits_1(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = runner.invoke(app, ["extract", str(empty), str(tmp_path / "missing.txt")])
    assert result.exit_code == 1
    assert "empty" in result.stderr
    assert "missing.txt" in result.stderr


def test_extract_reads_a_folder_as_its_files(tmp_path: Path) -> None:
    (tmp_path / "b_yuhang.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "a_yuhang.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "c_yuhang.txt").write_text(REPORT, encoding="utf-8")
    result = runner.invoke(app, ["extract", str(tmp_path)])
    assert result.exit_code == 0, result.output
    docs = [json.loads(line)["doc"] for line in result.stdout.splitlines()]
    assert docs and docs == sorted(docs)
    assert set(docs) == {"a_yuhang.txt", "b_yuhang.txt"}
    assert "nested" in result.stderr and "not read" in result.stderr


def test_sql_without_a_run_says_what_to_do(tmp_path: Path) -> None:
    result = runner.invoke(app, ["sql", "SELECT 1", "--var", str(tmp_path)])
    assert result.exit_code == 1
    assert "zhibiao run" in result.stderr


def test_run_rejects_a_missing_inbox(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["run", "--inbox", str(tmp_path / "nowhere"), "--var", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert "nowhere" in result.stderr


@pytest.mark.slow
@pytest.mark.xdist_group("prefect")
def test_run_json_then_sql(prefect_harness, inbox: Path, tmp_path: Path) -> None:
    var = tmp_path / "var"
    result = runner.invoke(app, ["run", "--inbox", str(inbox), "--var", str(var), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(summary) >= RUN_JSON_KEYS
    assert summary["documents_new"] == summary["documents_seen"] > 0

    query = "SELECT count(*) AS n FROM fact_observation"
    result = runner.invoke(app, ["sql", query, "--var", str(var), "--csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["n", str(summary["facts_loaded"])]

    result = runner.invoke(app, ["sql", "CREATE TABLE t AS SELECT 1", "--var", str(var)])
    assert result.exit_code == 1, "the analyst database is read-only"


def test_help_explains_every_command_and_the_run_options() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("run", "serve", "sql", "extract", "rejected", "quarantine"):
        assert command in result.stdout
    run_help = runner.invoke(app, ["run", "--help"], terminal_width=200).stdout
    for option in ("--full-refresh", "--reextract", "--wait", "--quiet", "--json", "Exit status"):
        assert option in run_help
    serve_help = runner.invoke(app, ["serve", "--help"], terminal_width=200).stdout
    for text in ("02:00 Asia/Shanghai", "PREFECT_API_URL", "prefect server start", "--cron"):
        assert text in serve_help


def test_help_names_values_in_words_and_lists_commands_in_the_order_of_a_day() -> None:
    """No `<bool>`, `<path>` or `<list[Path]>`: a flag shows no value, an option its word."""
    top = runner.invoke(app, ["--help"], terminal_width=200).stdout
    order = [top.index(f" {name} ") for name in ("run", "serve", "sql", "report", "quarantine",
                                                 "rejected", "extract", "gen")]  # fmt: skip
    assert order == sorted(order), top
    for command in ([], ["run"], ["sql"], ["extract"], ["report"], ["rejected", "list"]):
        text = runner.invoke(app, [*command, "--help"], terminal_width=200).stdout
        assert "<" not in text.replace("<code>", ""), (command, text)
    run_help = runner.invoke(app, ["run", "--help"], terminal_width=200).stdout
    assert "--inbox" in run_help and "INBOX" in run_help


def test_version_and_shell_completion() -> None:
    import subprocess
    import sys
    from importlib.metadata import version

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.startswith(f"zhibiao {version('zhibiao')} (extractor ")

    script = Path(sys.executable).with_name("zhibiao")
    environment = {"_ZHIBIAO_COMPLETE": "complete_bash", "COMP_WORDS": "zhibiao sql --f",
                   "COMP_CWORD": "2", "PATH": "/usr/bin:/bin"}  # fmt: skip
    completed = subprocess.run([script], env=environment, capture_output=True, text=True)
    assert completed.stdout.split() == ["--file", "--format"]
    shown = subprocess.run([script, "--show-completion", "bash"], capture_output=True, text=True)
    assert "complete -o default -F _zhibiao_completion zhibiao" in shown.stdout
