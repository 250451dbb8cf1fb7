"""A SQL script as statements, each with the line it starts on, cut by DuckDB's tokenizer.

A `;` inside a string, a quoted name, a `$$` string or a comment ends nothing: DuckDB's own
tokenizer knows them, so no hand-written scanner has to. Input arrives line by line (a file,
a pipe or a person at the prompt) and a statement is handed over once its `;` has come; a
line starting with `.` between statements is a helper command (`.tables`, `.schema`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import duckdb

TokenType = duckdb.token_type


@dataclass(frozen=True)
class Statement:
    text: str
    line: int
    """Line of the script where the statement's first word is (1 = the first line)."""


@dataclass(frozen=True)
class DotCommand:
    name: str
    """Without the dot: `tables`, `schema`..."""
    arguments: tuple[str, ...]
    line: int


class StatementBuffer:
    """Lines in, complete statements out; what is left is an unfinished statement."""

    def __init__(self, first_line: int = 1) -> None:
        self.text = ""
        self.first_line = first_line
        """Script line of the buffer's first character."""
        self.next_line = first_line

    @property
    def is_empty(self) -> bool:
        """Nothing but white space and comments is waiting."""
        return not _words(self.text)

    def feed(self, line: str) -> Iterator[Statement | DotCommand]:
        """Add one line (with or without its newline); yield what it completes."""
        if not line.endswith("\n"):
            line += "\n"
        number = self.next_line
        self.next_line += 1
        if self.is_empty and line.lstrip().startswith("."):
            self._reset()
            name, *arguments = line.strip()[1:].split()
            yield DotCommand(name=name.lower(), arguments=tuple(arguments), line=number)
            return
        self.text += line
        ends = _statement_ends(self.text)
        if not ends:
            return
        start = 0
        for end in ends:
            statement = self._statement(start, end + 1)
            if statement:
                yield statement
            start = end + 1
        rest = self.text[start:]
        self.first_line += self.text[:start].count("\n")
        self.text = rest
        if self.is_empty:
            self._reset()

    def finish(self) -> Iterator[Statement]:
        """The end of input: a last statement without its `;` still runs."""
        statement = self._statement(0, len(self.text))
        self._reset()
        if statement:
            yield statement

    def _statement(self, start: int, end: int) -> Statement | None:
        text = self.text[start:end]
        words = _words(text)
        if not words:
            return None
        first = start + words[0]
        line = self.first_line + self.text[:first].count("\n")
        # From its first word: DuckDB's `LINE n` in a message then counts from that line.
        return Statement(text=self.text[first:end].rstrip(), line=line)

    def _reset(self) -> None:
        self.first_line = self.next_line
        self.text = ""


def split_script(lines: Iterable[str], first_line: int = 1) -> Iterator[Statement | DotCommand]:
    """Every statement and helper command of a script, in order."""
    buffer = StatementBuffer(first_line)
    for line in lines:
        yield from buffer.feed(line)
    yield from buffer.finish()


def _tokens(text: str) -> list[tuple[int, TokenType]]:
    """DuckDB's tokens of `text`, at character offsets (DuckDB counts UTF-8 bytes)."""
    tokens = duckdb.tokenize(text)
    if text.isascii():
        return tokens
    encoded = text.encode("utf-8")
    return [(len(encoded[:at].decode("utf-8", errors="ignore")), kind) for at, kind in tokens]


def _words(text: str) -> list[int]:
    """Offsets of the tokens that are not comments."""
    return [offset for offset, kind in _tokens(text) if kind != TokenType.comment]


def _statement_ends(text: str) -> list[int]:
    """Offsets of the `;` that end statements (operators only: not in strings or comments)."""
    tokens = _tokens(text)
    ends = []
    for index, (offset, kind) in enumerate(tokens):
        if kind != TokenType.operator:
            continue
        stop = tokens[index + 1][0] if index + 1 < len(tokens) else len(text)
        ends.extend(offset + i for i, char in enumerate(text[offset:stop]) if char == ";")
    return ends
