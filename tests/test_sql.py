"""`zhibiao sql` as an analyst's tool, on a real published warehouse (no Prefect needed):
every statement's result in order, output formats that are never cut, errors with their
line, scripts from files and pipes, helpers, and the interactive shell in a real terminal."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.factories import fact
from tests.test_warehouse import load_run
from warehouse.publish import publish
from warehouse.store import Warehouse

runner = CliRunner()
LONG = "指标" * 150
"""A value far wider than any terminal."""


@pytest.fixture(scope="module")
def var(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A published warehouse with two facts; the writer closed, as after a run."""
    root = tmp_path_factory.mktemp("sql")
    var = root / "var"
    with Warehouse(var / "warehouse.duckdb") as warehouse:
        load_run(warehouse, root, [fact(), fact(measure="yoy_pct", value=8.5, unit="%")], "l1")
        publish(warehouse.connection, var, "run-1")
    return var


def sql(var: Path, *arguments: str, stdin: str | None = None):
    return runner.invoke(app, ["sql", "--var", str(var), *arguments], input=stdin)


def test_every_statement_prints_its_result_in_order_and_nothing_is_cut(var: Path) -> None:
    result = sql(var, f"SELECT 1 AS first; SELECT '{LONG}' AS wide; SELECT 3 AS third")
    assert result.exit_code == 0, result.output
    assert result.stdout.split("\n\n") == ["first\n1", f"wide\n{LONG}", "third\n3\n"]

    table = sql(var, "--format", "table", f"SELECT '{LONG}' AS wide, 2 AS n")
    assert table.exit_code == 0, table.output
    assert LONG in table.stdout and "…" not in table.stdout  # one line, as wide as it is


def test_a_failed_statement_exits_1_naming_its_line_and_the_others_still_run(var: Path) -> None:
    result = sql(var, stdin="select 1 AS a;\nselec 2;\n\nselect 3 AS c;\n")
    assert result.exit_code == 1
    assert "line 2:" in result.stderr and "selec" in result.stderr
    assert result.stdout.split("\n\n") == ["a\n1", "c\n3\n"]

    # A statement over several lines: the line DuckDB points at, counted in the script.
    result = sql(var, stdin="-- header\nSELECT 1;\nSELECT\n  2,\n  nosuchcolumn\nFROM dim_unit;\n")
    assert result.exit_code == 1
    assert "line 5:" in result.stderr, result.stderr


def test_formats_for_scripts_and_documents(var: Path) -> None:
    query = "SELECT 'a\tb|c' AS text, NULL AS nothing, [1, 2] AS list, 2.5 AS x"
    as_json = sql(var, "--format", "json", f"{query}; SELECT 1 AS one")
    assert as_json.exit_code == 0, as_json.output
    assert [json.loads(line) for line in as_json.stdout.splitlines()] == [
        [{"text": "a\tb|c", "nothing": None, "list": [1, 2], "x": 2.5}],
        [{"one": 1}],
    ]
    tsv = sql(var, "--format", "tsv", query)
    assert tsv.stdout.splitlines() == ["text\tnothing\tlist\tx", "a\\tb|c\t\t[1, 2]\t2.5"]
    markdown = sql(var, "--format", "markdown", query)
    assert markdown.stdout.splitlines()[2] == "| a\tb\\|c |  | [1, 2] | 2.5 |"
    for option in (["--csv"], ["--format", "csv"], []):  # CSV is also what a pipe gets
        out = sql(var, *option, "SELECT indicator_code, value FROM v_indicator_latest ORDER BY 2")
        rows = list(csv.reader(io.StringIO(out.stdout)))
        assert rows == [["indicator_code", "value"], ["industrial_va_above_scale", "8.5"],
                        ["industrial_va_above_scale", "554.1"]], option  # fmt: skip


def test_a_query_may_start_with_a_comment_and_a_script_may_come_from_a_file(
    var: Path, tmp_path: Path
) -> None:
    result = sql(var, "-- 1. the answer\nSELECT 42 AS answer")
    assert result.exit_code == 0, result.output
    assert result.stdout == "answer\n42\n"
    mistyped = sql(var, "--fromat")  # an option that does not exist runs nothing
    assert mistyped.exit_code == 2

    script = tmp_path / "queries.sql"
    script.write_text(
        "-- facts per measure\nSELECT measure, count(*) AS n FROM fact_observation\n"
        "GROUP BY measure ORDER BY measure;\n.schema dim_unit\nSELECT ';' AS semicolon;\n",
        encoding="utf-8",
    )
    result = sql(var, "-f", str(script))
    assert result.exit_code == 0, result.output
    measures, schema, semicolon = result.stdout.split("\n\n")
    assert measures.splitlines() == ["measure,n", "value,1", "yoy_pct,1"]
    assert "dim_unit,factor_to_base,DOUBLE," in schema
    assert semicolon == "semicolon\n;\n"


def test_tables_and_schema_helpers_list_what_is_published(var: Path) -> None:
    tables = sql(var, "--format", "json", ".tables")
    assert tables.exit_code == 0, tables.output
    kinds = {row["name"]: row["kind"] for row in json.loads(tables.stdout)}
    assert kinds["fact_observation"] == "table" and kinds["v_indicator_latest"] == "view"
    missing = sql(var, ".schema no_such_table")
    assert missing.exit_code == 1 and "no table or view" in missing.stderr


# --- the read-only surface (issue 14): each of these worked before -------------------------

ATTACKS = {
    "attach the warehouse and delete": (
        "ATTACH '{var}/warehouse.duckdb' AS w (READ_WRITE); DELETE FROM w.fact_observation"
    ),
    "read_csv": "SELECT * FROM read_csv('/etc/passwd', sep = ':')",
    "read_text": "SELECT content FROM read_text('/etc/passwd')",
    "glob": "SELECT * FROM glob('/etc/*')",
    "copy to": "COPY (SELECT 'x') TO '{var}/exports/dim_unit/written.csv'",
    "install": "INSTALL httpfs",
    "set afterwards": "SET enable_external_access = false",
    "explain analyze copy": "EXPLAIN ANALYZE COPY (SELECT 1) TO '{var}/exports/explained.csv'",
    "a file as a table": "FROM '{var}/exports/dim_unit/dim_unit.parquet'",
    "sql as text": "SELECT * FROM query('SELECT 1')",
}


@pytest.mark.parametrize("attack", ATTACKS.values(), ids=ATTACKS.keys())
def test_what_is_not_a_query_of_the_publication_is_refused(var: Path, attack: str) -> None:
    before = _warehouse_facts(var)
    files_before = sorted(p.name for p in (var / "exports").resolve().rglob("*"))
    result = sql(var, attack.format(var=var))
    assert result.exit_code == 1, result.output
    assert "refused" in result.stderr
    assert "root:" not in result.stdout
    assert _warehouse_facts(var) == before == 2
    assert sorted(p.name for p in (var / "exports").resolve().rglob("*")) == files_before


def test_duckdb_itself_keeps_the_connection_to_the_publication(var: Path) -> None:
    """The second layer: statements that pass no check of ours still cannot leave."""
    import duckdb

    from warehouse.analyst import open_analyst_db

    connection = open_analyst_db(var)
    try:
        assert connection.execute("SELECT count(*) FROM fact_observation").fetchall() == [(2,)]
        for statement in (
            f"ATTACH '{var}/warehouse.duckdb' AS w",
            "SELECT * FROM read_text('/etc/passwd')",
            f"SELECT * FROM read_blob('{var}/warehouse.duckdb')",
            "COPY (SELECT 1) TO '/tmp/zhibiao-should-not-exist.csv'",
            "SET enable_external_access = true",
            "SET allowed_directories = ['/']",
            "RESET lock_configuration",
            "LOAD httpfs",
        ):
            with pytest.raises(duckdb.Error):
                connection.execute(statement)
    finally:
        connection.close()
    assert not Path("/tmp/zhibiao-should-not-exist.csv").exists()


def _warehouse_facts(var: Path) -> int:
    with Warehouse(var / "warehouse.duckdb") as warehouse:
        rows = warehouse.connection.execute("SELECT count(*) FROM fact_observation").fetchall()
    return rows[0][0]


# --- the interactive shell, in a real terminal ---------------------------------------------


class Terminal:
    """`zhibiao sql` on a pseudo-terminal: type lines, wait for what it prints."""

    def __init__(self, var: Path, history: Path) -> None:
        self.master, slave = pty.openpty()
        environment = {**os.environ, "ZHIBIAO_SQL_HISTORY": str(history), "TERM": "xterm",
                       "COLUMNS": "120", "LINES": "40"}  # fmt: skip
        self.process = subprocess.Popen(
            [sys.executable, "-m", "flows.cli", "sql", "--var", str(var)],
            stdin=slave, stdout=slave, stderr=slave, env=environment, close_fds=True,
        )  # fmt: skip
        os.close(slave)
        self.output = ""

    def type(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def enter(self, keys: str, expected: str) -> None:
        """Type a line, wait for `expected`, then for the next prompt (keys typed while a
        result prints are not read by the prompt: the terminal is not in its mode then)."""
        self.output = ""
        self.type(keys + "\r")
        self.wait_for(expected)
        self.output = self.output[self.output.index(expected) :]
        self.wait_for("zhibiao> ")

    def wait_for(self, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"{text!r} never came; the terminal shows:\n{self.output}"
            if select.select([self.master], [], [], remaining)[0]:
                try:
                    self.output += os.read(self.master, 65536).decode(errors="replace")
                except OSError:  # the process ended
                    break
        assert text in self.output, self.output

    def close(self) -> int:
        """Ctrl-D, reading on meanwhile: a process whose output nobody reads stops writing."""
        self.type("\x04")
        deadline = time.monotonic() + 30
        while self.process.poll() is None and time.monotonic() < deadline:
            if select.select([self.master], [], [], 0.1)[0]:
                try:
                    self.output += os.read(self.master, 65536).decode(errors="replace")
                except OSError:
                    break
        code = self.process.wait(timeout=5)
        os.close(self.master)
        return code


def test_the_shell_takes_statements_over_lines_and_keeps_them_in_its_history(
    var: Path, tmp_path: Path
) -> None:
    history = tmp_path / "history"
    terminal = Terminal(var, history)
    try:
        terminal.wait_for("zhibiao> ")
        terminal.type("SELECT\r")
        terminal.wait_for("..> ")  # the statement goes on
        terminal.enter("  40 + 2 AS answer;", "42")
        terminal.enter(".tables", "fact_observation")
    finally:
        assert terminal.close() == 0
    assert history.read_text(encoding="utf-8").splitlines()[-2:] == [
        "SELECT 40 + 2 AS answer;",
        ".tables",
    ]

    again = Terminal(var, history)  # a new session recalls the statement with ↑ ↑
    try:
        again.wait_for("zhibiao> ")
        again.enter("\x1b[A\x1b[A", "42")
    finally:
        assert again.close() == 0
