"""The same inbox gives the same rows whatever the history that led there: a clean run, run
by run in any order, or a full refresh. Cross-document warnings included."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from flows.cli import app

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("prefect")]
runner = CliRunner()

# Last year's level, and this year's level with a growth 21 points off the one they imply
# (700.0 / 554.1 is +26.3 %, the text says 5.0 %): growth_matches_consecutive_levels.
LAST_YEAR = (
    "萧山区经信局　2022年1月15日\n2021年，全区实现规上工业增加值554.10亿元，同比增长8.5%。\n"
)
THIS_YEAR = (
    "萧山区经信局　2023年1月16日\n2022年，全区实现规上工业增加值700.00亿元，同比增长5.0%。\n"
)
# Two documents of another district, one level a hundred times the other: with one other
# document to compare with, magnitude_agrees_with_one_other_document flags both.
LEVEL = "余杭区统计局　2022年2月1日\n2021年，全区实现规上工业增加值100.00亿元。\n"
HUNDREDFOLD = "余杭区经信局　2022年3月1日\n2021年，全区规上工业增加值10000.0亿元。\n"
DOCUMENTS = {
    "2021.txt": LAST_YEAR,
    "2022.txt": THIS_YEAR,
    "level.txt": LEVEL,
    "hundredfold.txt": HUNDREDFOLD,
}


def run(inbox: Path, var: Path, *options: str) -> dict:
    result = runner.invoke(
        app, ["run", "--inbox", str(inbox), "--var", str(var), "--json", *options]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.strip().splitlines()[-1])


def rows(var: Path) -> list[tuple]:
    """Every fact as analysts get it, lineage aside: key, value, evidence, warnings."""
    with duckdb.connect(str(var / "warehouse.duckdb"), read_only=True) as connection:
        return connection.sql(
            "SELECT fact_key, value, evidence, warnings FROM fact_observation ORDER BY fact_key"
        ).fetchall()


def test_warnings_do_not_depend_on_the_order_documents_arrived_in(tmp_path: Path, prefect_harness):
    def inbox_with(name: str, *documents: str) -> Path:
        inbox = tmp_path / name
        inbox.mkdir(exist_ok=True)
        for document in documents:
            (inbox / document).write_text(DOCUMENTS[document], encoding="utf-8")
        return inbox

    clean = inbox_with("clean", *DOCUMENTS)
    run(clean, tmp_path / "clean-var")
    expected = rows(tmp_path / "clean-var")
    warned = {w for *_, warnings in expected for w in warnings or ()}
    assert warned == {
        "growth_matches_consecutive_levels",
        "magnitude_agrees_with_one_other_document",
    }

    for order in (
        ["2022.txt", "level.txt", "2021.txt", "hundredfold.txt"],
        ["hundredfold.txt", "2021.txt", "level.txt", "2022.txt"],
    ):
        inbox = inbox_with("-".join(order))
        var = tmp_path / f"{inbox.name}-var"
        for document in order:  # one new document a night
            inbox_with(inbox.name, document)
            run(inbox, var)
        assert rows(var) == expected, order
        run(inbox, var, "--full-refresh")
        assert rows(var) == expected, f"{order}, then --full-refresh"

    # A document leaves: the warnings that compared with it go with it.
    (clean / "hundredfold.txt").unlink()
    run(clean, tmp_path / "clean-var")
    fresh = tmp_path / "fresh"
    inbox_with("fresh", "2021.txt", "2022.txt", "level.txt")
    run(fresh, tmp_path / "fresh-var")
    current = {row[0] for row in rows(tmp_path / "fresh-var")}
    assert [r for r in rows(tmp_path / "clean-var") if r[0] in current] == rows(
        tmp_path / "fresh-var"
    )
