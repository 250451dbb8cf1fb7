"""The quality gate inside real runs: batch hold-back, review round trip, conflicts."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from flows.cli import app

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("prefect")]
runner = CliRunner()

DEQING = """湖州市德清县统计局　2023年8月10日

今年1-7月，全县规上工业增加值182.4亿元，同比增长950%。
固定资产投资同比增长12.3%。社会消费品零售总额98.6亿元，同比增长6.2%。
"""
BROKEN = """湖州市德清县统计局　2023年9月12日

今年1-8月，全县规上工业增加值210.5亿元，同比增长880%。固定资产投资同比增长760%。
社会消费品零售总额111.2亿元，同比增长640%。
"""
STAR_TABLES = ("fact_observation", "quarantine_observation", "dim_document", "dim_period",
               "document_source")  # fmt: skip


def run(inbox: Path, var: Path) -> tuple[int, dict]:
    result = runner.invoke(app, ["run", "--inbox", str(inbox), "--var", str(var), "--json"])
    lines = result.stdout.strip().splitlines()
    return result.exit_code, json.loads(lines[-1]) if lines else {}


def query(var: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(var / "warehouse.duckdb"), read_only=True) as connection:
        return connection.sql(sql).fetchall()


def contents(var: Path) -> dict[str, list[tuple]]:
    return {table: query(var, f"SELECT * FROM {table} ORDER BY ALL") for table in STAR_TABLES}


def test_a_flood_of_failing_facts_holds_the_whole_run_back(
    prefect_harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZHIBIAO_GATE_MIN_FACTS", "3")
    inbox, var = tmp_path / "inbox", tmp_path / "var"
    inbox.mkdir()
    (inbox / "deqing_1_7.txt").write_text(DEQING, encoding="utf-8")
    code, summary = run(inbox, var)
    assert code == 0, summary
    before = contents(var)

    (inbox / "deqing_1_8.txt").write_text(BROKEN, encoding="utf-8")
    code, summary = run(inbox, var)

    assert code == 2
    assert summary["status"] == "held_back"
    assert summary["facts_loaded"] == 0
    assert contents(var) == before, "a held-back run must not change the warehouse"
    statuses = query(var, "SELECT status FROM etl_run ORDER BY started_at")
    assert statuses == [("loaded",), ("held_back",)]

    (inbox / "deqing_1_8.txt").unlink()
    code, summary = run(inbox, var)
    assert code == 0 and summary["documents_new"] == 0, "the held-back file was never recorded"


def test_quarantine_accept_and_reject_round_trip(prefect_harness, tmp_path: Path) -> None:
    inbox, var = tmp_path / "inbox", tmp_path / "var"
    inbox.mkdir()
    (inbox / "deqing_1_7.txt").write_text(DEQING, encoding="utf-8")
    (inbox / "deqing_1_8.txt").write_text(BROKEN, encoding="utf-8")
    assert run(inbox, var)[0] == 0

    listing = runner.invoke(app, ["quarantine", "list", "--var", str(var), "--json"])
    pending = {(r["doc"], r["value"]): r for r in json.loads(listing.stdout)}
    assert {r["status"] for r in pending.values()} == {"pending"}
    accepted = pending[("deqing_1_7.txt", 950.0)]
    refused = pending[("deqing_1_8.txt", 880.0)]
    assert "growth_at_most_yoy_max_pct" in accepted["failed"]

    for empty in ("", "   "):  # a reason is required to accept: an empty one is none
        result = runner.invoke(app, ["quarantine", "accept", accepted["id"][:8], "--var",
                                     str(var), "--reason", empty])  # fmt: skip
        assert result.exit_code == 1 and "needs a reason" in result.stderr, result.output
    result = runner.invoke(app, ["quarantine", "accept", accepted["id"][:8], "--var", str(var),
                                 "--reason", "confirmed with the bureau: a new plant"])  # fmt: skip
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["quarantine", "reject", refused["id"], "--var", str(var)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["quarantine", "accept", "zzzzzzzz", "--var", str(var),
                                 "--reason", "x"])  # fmt: skip
    assert result.exit_code == 1 and "no quarantined fact" in result.stderr

    code, summary = run(inbox, var)  # nothing new in the inbox: the decisions still apply
    assert code == 0 and summary["documents_unchanged"] == 2
    loaded = query(var, f"SELECT value, warnings FROM fact_observation "
                        f"WHERE fact_key = '{accepted['id']}'")  # fmt: skip
    assert loaded == [(950.0, ["accepted:growth_at_most_yoy_max_pct"])]
    assert query(
        var, f"SELECT count(*) FROM fact_observation WHERE fact_key = '{refused['id']}'"
    ) == [(0,)]
    reviewed = query(var, "SELECT fact_key, status, review_reason FROM quarantine_observation "
                          "WHERE status <> 'pending' ORDER BY status")  # fmt: skip
    assert reviewed == [
        (accepted["id"], "accepted", "confirmed with the bureau: a new plant"),
        (refused["id"], "rejected", None),
    ]


def test_documents_that_disagree_are_both_kept_and_the_later_report_wins(
    prefect_harness, tmp_path: Path
) -> None:
    inbox, var = tmp_path / "inbox", tmp_path / "var"
    inbox.mkdir()
    statement = "2021年，全区规上工业增加值{}亿元，同比增长8.5%。\n"
    (inbox / "early.txt").write_text(
        "杭州市萧山区统计局　2022年2月10日\n\n" + statement.format(554.1), encoding="utf-8"
    )
    (inbox / "revised.txt").write_text(
        "杭州市萧山区统计局　2022年5月20日\n\n" + statement.format(556.3), encoding="utf-8"
    )
    assert run(inbox, var)[0] == 0
    both = query(var, "SELECT value FROM fact_observation WHERE measure = 'value' ORDER BY 1")
    assert both == [(554.1,), (556.3,)]
    latest = query(
        var,
        "SELECT value, source_doc, is_conflicting, n_values FROM v_indicator_latest "
        "WHERE indicator_code = 'industrial_va_above_scale' AND region = '萧山区' "
        "ORDER BY measure",
    )
    assert latest == [(556.3, "revised.txt", True, 2), (8.5, "revised.txt", False, 2)]
