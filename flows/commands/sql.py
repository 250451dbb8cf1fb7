"""`zhibiao sql`: read-only SQL on the published warehouse, for analysts.

Statements run in order, each result printed as it comes (a table at a terminal, CSV into a
pipe, or `--format`); a failed statement is reported with its line and the run goes on, then
exits 1. Without a query it reads `-f FILE`, a pipe, or a person at the prompt (history and
statements over several lines). Helpers in the manner of DuckDB's CLI: `.tables`, `.schema`.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from flows.commands.output import ResultFormat, default_format, write_result

if TYPE_CHECKING:
    import duckdb

errors = Console(stderr=True, soft_wrap=True, highlight=False)
HISTORY_LENGTH = 2000
HELPERS = {
    ".tables": "the published tables and views, with their grain",
    ".schema [NAME]": "columns, types and comments (of one table or view)",
    ".mode FORMAT": "print results as table, csv, tsv, json or markdown",
    ".help": "this list",
    ".quit": "leave (or Ctrl-D)",
}


def sql(
    query: Annotated[
        str | None,
        typer.Argument(
            metavar="QUERY",
            help="Statements to run (end each with ;) or a helper such as .tables. "
            "None: read -f FILE, a pipe, or an interactive shell.",
            show_default=False,
        ),
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option(
            "--file", "-f", metavar="FILE", help="Run the statements of this file ('-': stdin)."
        ),
    ] = None,
    var: Annotated[
        Path, typer.Option(metavar="DIR", help="State folder of the run to read.")
    ] = Path("var"),
    result_format: Annotated[
        ResultFormat | None,
        typer.Option(
            "--format",
            help="table, csv, tsv, json (an array per statement) or markdown. "
            "Default: table at a terminal, csv into a pipe or file.",
            show_default=False,
        ),
    ] = None,
    as_csv: Annotated[bool, typer.Option("--csv", help="The same as --format csv.")] = False,
) -> None:
    """Read-only SQL on the published warehouse (VAR/analyst.duckdb: never blocks a run).

    Queries only: COPY, ATTACH, INSTALL, LOAD and file functions are refused, and no
    file outside the publication can be read (README: the security model).

    Exit status: 0 every statement ran, 1 one failed (its line is on stderr).
    """
    from warehouse.analyst import open_analyst_db

    if query is not None and file is not None:
        errors.print("[red]error:[/] give a QUERY or --file FILE, not both")
        raise typer.Exit(2)
    if query is not None and query.startswith("-") and "\n" not in query:
        # A one-line argument that starts with a dash is a mistyped option (`--fromat`) or a
        # comment with no statement after it: either way nothing would run.
        errors.print(
            f"[red]error:[/] {query!r} is no statement; see `zhibiao sql --help` "
            "(a query starting with a comment needs its statement on the next line)"
        )
        raise typer.Exit(2)
    if file is not None and str(file) != "-" and not file.is_file():
        errors.print(f"[red]error:[/] {file}: no such file")
        raise typer.Exit(2)
    try:
        connection = open_analyst_db(var)
    except OSError as error:  # no publication yet, or a folder here would shadow it
        errors.print(f"[red]error:[/] {error}")
        raise typer.Exit(1) from error
    chosen = ResultFormat.csv if as_csv else result_format
    session = Session(connection, chosen or default_format(sys.stdout))
    try:
        if query is not None:
            session.run_script(query.splitlines())
        elif file is not None and str(file) != "-":
            with file.open(encoding="utf-8") as handle:
                session.run_script(handle)
        elif file is None and sys.stdin.isatty():
            session.interactive(var, chosen)
        else:
            session.run_script(sys.stdin)
    finally:
        connection.close()
    if session.failed:
        raise typer.Exit(1)


@dataclass
class Session:
    """One connection, the format results print in, and whether anything failed."""

    connection: duckdb.DuckDBPyConnection
    result_format: ResultFormat
    failed: int = 0
    printed: int = 0
    stopped: bool = False

    def run_script(self, lines: Iterable[str]) -> None:
        from warehouse.sql_script import split_script

        for item in split_script(lines):
            self.run(item)
            if self.stopped:
                return

    def run(self, item) -> None:
        from warehouse.analyst import QueryError
        from warehouse.sql_script import DotCommand

        try:
            if isinstance(item, DotCommand):
                self._helper(item.name, item.arguments)
            else:
                self._statement(item.text)
        except QueryError as error:
            self.failed += 1
            line = item.line + (error.line - 1 if error.line else 0)
            errors.print(f"[red]error:[/] line {line}: {error}")

    def _statement(self, text: str) -> None:
        from warehouse.analyst import run_analyst_statement

        result = run_analyst_statement(self.connection, text)
        if result.columns:
            self._print(result.columns, result.batches())

    def _print(self, columns: list[str], batches: Iterable[list[tuple]]) -> None:
        if self.printed and self.result_format != ResultFormat.json:
            sys.stdout.write("\n")
        write_result(columns, batches, self.result_format)
        self.printed += 1

    def _helper(self, name: str, arguments: tuple[str, ...]) -> None:
        from warehouse.analyst import QueryError, columns, relations

        if name == "tables":
            header, rows = relations(self.connection)
            self._print(header, [rows])
        elif name == "schema":
            relation = arguments[0] if arguments else None
            header, rows = columns(self.connection, relation)
            if relation and not rows:
                raise QueryError(f"no table or view {relation!r}: .tables lists them")
            self._print(header, [rows])
        elif name == "mode":
            try:
                self.result_format = ResultFormat(arguments[0] if arguments else "")
            except ValueError as error:
                choices = ", ".join(f.value for f in ResultFormat)
                raise QueryError(f".mode takes one of {choices}") from error
        elif name == "help":
            self._print(["helper", "what it does"], [list(HELPERS.items())])
        elif name in ("quit", "exit"):
            self.stopped = True
        else:
            raise QueryError(f"unknown helper .{name}: .help lists them")

    def interactive(self, var: Path, chosen: ResultFormat | None) -> None:
        """A prompt with history (VAR-independent, ~/.zhibiao_history) and statements over
        several lines; each statement is one history entry, however many lines it took."""
        from warehouse.sql_script import StatementBuffer

        history = _open_history()
        errors.print(
            f"zhibiao sql on {var / 'analyst.duckdb'} (read-only). End statements with ;  "
            ".help lists helpers, Ctrl-D leaves."
        )
        buffer = StatementBuffer()
        typed: list[str] = []
        for line in _prompted_lines(buffer):
            if line is None:  # Ctrl-C: the unfinished statement is dropped
                buffer, typed = StatementBuffer(buffer.next_line), []
                continue
            typed.append(line.strip())
            for item in buffer.feed(line):
                self.run(item)
            if buffer.is_empty and typed:
                history.add(" ".join(part for part in typed if part))
                typed = []
            if self.stopped:
                break
        for item in buffer.finish():
            self.run(item)
        history.save()


def _prompted_lines(buffer) -> Iterator[str | None]:
    while True:
        try:
            yield input("zhibiao> " if buffer.is_empty else "     ..> ")
        except EOFError:
            sys.stdout.write("\n")
            return
        except KeyboardInterrupt:
            sys.stdout.write("^C\n")
            yield None


class _History:
    def __init__(self, readline, path: Path) -> None:
        self.readline, self.path = readline, path

    def add(self, entry: str) -> None:
        if self.readline is not None:
            self.readline.add_history(entry)

    def save(self) -> None:
        if self.readline is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.readline.write_history_file(str(self.path))
        except OSError as error:
            errors.print(f"[yellow]warning:[/] history not saved to {self.path}: {error}")


def history_path() -> Path:
    """Where the shell keeps its history: ZHIBIAO_SQL_HISTORY, else ~/.zhibiao_history."""
    configured = os.environ.get("ZHIBIAO_SQL_HISTORY")
    return Path(configured) if configured else Path.home() / ".zhibiao_history"


def _open_history() -> _History:
    path = history_path()
    try:
        import readline
    except ImportError:  # a Python built without it: the prompt works, without history
        return _History(None, path)
    readline.set_auto_history(False)
    readline.set_history_length(HISTORY_LENGTH)
    with contextlib.suppress(OSError):  # the first session: no history yet
        readline.read_history_file(str(path))
    return _History(readline, path)
