"""Pipe tables in a report (`| 指标 | 单位 | 8月 | 1-8月 | 1-8月同比增长(%) |`), read into cells.

A statistics bulletin restates its figures in a table, or gives some only there (the month's
own column of a monthly release). This module only finds the tables and says what each
column holds; the extractor decides which indicator a row names and emits the facts.

Normalisation keeps each table row on its own line (`normalise.is_table_row`); an HTML table
arrives here as a pipe table too (`normalise.strip_html`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from transforms.normalise import TABLE_CELL_SEP, is_table_row

LINE = re.compile(r"[^\n]*")
RULE_CELL = re.compile(r"[-—–:：\s]+")
EMPTY_CELL = re.compile(r"[-—–…/／\s]*|[-—–]{1,2}|无|暂无")
NUMBER_CELL = re.compile(r"[-−]?\d{1,3}(?:,\d{3})+(?:\.\d+)?|[-−]?\d+(?:\.\d+)?")
UNIT_IN_BRACKETS = re.compile(r"[(（]\s*(?P<unit>[^()（）]{1,6}?)\s*[)）]")
NUMBER_WITH_SUFFIX = re.compile(r"(?P<number>[-−]?\d[\d,]*(?:\.\d+)?)\s*(?P<suffix>\D{1,4})")
"""A cell carrying its own unit (`498.2亿元`); the caller says whether the suffix is one."""
TITLE_LINES = 2
ROW_NUMBER = re.compile(r"\d{1,3}[.、]?")


@dataclass(frozen=True, slots=True)
class Cell:
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Row:
    start: int
    end: int
    cells: tuple[Cell, ...]

    @property
    def label(self) -> Cell | None:
        return self.cells[0] if self.cells else None


@dataclass(frozen=True, slots=True)
class Column:
    index: int
    header: str
    role: str
    """`label`, `unit`, `value` (a figure), `growth` (a growth rate in %) or `share` (a
    share of a whole in %)."""
    unit: str | None
    """A unit stated in the header (`绝对额(万元)`, `一般公共预算收入 亿元`)."""
    name: str = ""
    """The header without its unit (`一般公共预算收入`)."""


@dataclass(frozen=True, slots=True)
class Table:
    start: int
    end: int
    title: str
    """The lines right above the table (`表1 2023年1-8月正定县主要经济指标`) and title rows."""
    title_start: int
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    """Data rows (the header, rules and section rows left out)."""
    sections: tuple[Cell, ...] = ()
    """Section rows between data rows (`分县(区)生产总值 | ||`): the label of the rows below."""


def split_cells(text: str, start: int, end: int) -> tuple[Cell, ...]:
    """Cells of one row with their offsets; a leading or trailing pipe makes no cell."""
    cells: list[Cell] = []
    pos = start
    line = text[start:end]
    parts = line.split(TABLE_CELL_SEP)
    for i, part in enumerate(parts):
        stripped = part.strip(" \u3000")
        lead = len(part) - len(part.lstrip(" \u3000"))
        if not ((i == 0 or i == len(parts) - 1) and not stripped):
            cells.append(Cell(pos + lead, pos + lead + len(stripped), stripped))
        pos += len(part) + 1
    return tuple(cells)


def is_number(text: str) -> bool:
    return NUMBER_CELL.fullmatch(text) is not None


def is_empty(text: str) -> bool:
    return EMPTY_CELL.fullmatch(text) is not None


@dataclass(frozen=True)
class HeaderWords:
    """Header words from the catalogue (`cues.csv`): what makes a column a growth rate, a
    unit or something else (a share, a rank)."""

    growth: re.Pattern[str]
    unit: re.Pattern[str]
    other: re.Pattern[str]
    share: re.Pattern[str]
    unit_after: re.Pattern[str] = re.compile(r"(?!x)x")
    """A catalogue unit ending a header (`一般公共预算收入 亿元`, `增速%`): group `unit`."""


def classify_column(index: int, header: str, words: HeaderWords) -> Column:
    unit_match = UNIT_IN_BRACKETS.search(header) or words.unit_after.search(header)
    unit = unit_match.group("unit") if unit_match else None
    name = header
    if unit_match:
        name = (header[: unit_match.start()] + header[unit_match.end() :]).strip()
    if index == 0:
        return Column(index, header, "label", None, name)
    if words.unit.search(header):
        return Column(index, header, "unit", None, name)
    growth = words.growth.search(header)
    if words.share.search(header) and not growth:
        return Column(index, header, "share", "%", name)  # 比重(%); 比重比上年增减 is no share
    if words.other.search(header):
        return Column(index, header, "other", None, name)
    if growth:
        return Column(index, header, "growth", "%", name)
    return Column(index, header, "value", unit, name)


def find_tables(text: str, words: HeaderWords) -> Iterator[Table]:
    """Every pipe table: runs of table rows, with their header and title. A run whose header
    comes again further down (a bulletin's tables pasted one under another, each `指标 | 单位
    | …` line with its own columns) holds one table per header."""
    if text.count(TABLE_CELL_SEP) < 2:
        return  # a table row holds two pipes at least: most texts hold none, and no lines
    lines = [(m.start(), m.end()) for m in LINE.finditer(text) if m.end() > m.start()]
    i = 0
    while i < len(lines):
        if not is_table_row(text, *lines[i]):
            i += 1
            continue
        j = i
        while j < len(lines) and is_table_row(text, *lines[j]):
            j += 1
        first, floor = i, 0
        while first < j:
            table, resume = read_table(text, lines, first, j, words, floor)
            if table is not None:
                yield table
            first = floor = max(resume, first + 1)
        i = j


def read_table(
    text: str,
    lines: list[tuple[int, int]],
    first: int,
    stop: int,
    words: HeaderWords,
    floor: int = 0,
) -> tuple[Table | None, int]:
    """The table whose rows start at `lines[first]`, and the line where the next table of the
    run starts (`stop` when none does): the section rows above a repeated header."""
    top = first
    while top > floor and first - top < TITLE_LINES and is_title_line(text[slice(*lines[top - 1])]):
        top -= 1
    title_start = lines[top][0] if top < first else lines[first][0]
    title_parts = [text[s:e] for s, e in lines[top:first]]
    header: Row | None = None
    rows: list[Row] = []
    sections: list[Cell] = []
    section_from: int | None = None
    resume = stop
    for index in range(first, stop):
        start, end = lines[index]
        row = Row(start, end, split_cells(text, start, end))
        filled = [c for c in row.cells if not is_empty(c.text)]
        if all(RULE_CELL.fullmatch(c.text) or not c.text for c in row.cells):
            continue  # |---|---|
        if len(filled) <= 1:
            if header is None:
                title_parts.append(" ".join(c.text for c in filled))  # 表1 2022年地区生产总值 | ||
            elif filled:
                sections.append(filled[0])  # a section row: 按行业分 | ||, 分县(区)生产总值 | ||
                if section_from is None:
                    section_from = index
            continue
        numbers = any(is_number(c.text) for c in row.cells[1:])
        if header is None and not numbers:
            header = row
            continue
        if header is not None and not rows and not numbers and not row.cells[0].text:
            header = merge_headers(header, row)  # 全年 above 绝对额(亿元) | 增速(%)
            continue
        if header is not None and rows and not numbers and is_header_again(row, header, words):
            resume = section_from if section_from is not None else index
            sections = [c for c in sections if c.start < lines[resume][0]]
            break
        section_from = None
        rows.append(row)
    if header is None or not rows:
        return None, resume
    if len(header.cells) > 2 and all(
        r.cells and ROW_NUMBER.fullmatch(r.cells[0].text) for r in rows
    ):  # | 序号 | 指标 | 单位 | …: row numbers, never figures
        header = Row(header.start, header.end, header.cells[1:])
        rows = [Row(r.start, r.end, r.cells[1:]) for r in rows]
    columns = tuple(classify_column(i, c.text, words) for i, c in enumerate(header.cells))
    table = Table(
        start=lines[first][0],
        end=lines[resume - 1][1],
        title=" ".join(title_parts),
        title_start=title_start,
        columns=columns,
        rows=tuple(rows),
        sections=tuple(sections),
    )
    return table, resume


def merge_headers(group: Row, header: Row) -> Row:
    """A group header line over the header proper (`| 指标 | 全年 | |` over `| | 绝对额(亿元) |
    增速(%) |`): each column headed by its group's words, carried right over empty cells, then
    its own."""
    cells: list[Cell] = []
    carried = ""
    for i in range(max(len(group.cells), len(header.cells))):
        upper = group.cells[i].text if i < len(group.cells) else ""
        carried = upper or (carried if i else "")
        lower = header.cells[i] if i < len(header.cells) else None
        text = " ".join(t for t in (carried, lower.text if lower else "") if t)
        at = lower or group.cells[min(i, len(group.cells) - 1)]
        cells.append(Cell(at.start, at.end, text))
    return Row(group.start, header.end, tuple(cells))


def is_header_again(row: Row, header: Row, words: HeaderWords) -> bool:
    """A row with no figures that repeats the header's first cell (`指 标`) or names a unit
    or growth column (`单位`, `±%`): the header of the next table."""
    label, first = row.label, header.label
    if label is not None and first is not None and label.text and label.text == first.text:
        return True
    return any(words.unit.search(c.text) or words.growth.search(c.text) for c in row.cells[1:])


TITLE_LINE_MAX = 60


def is_title_line(line: str) -> bool:
    """A short line that is no sentence (`表1 2023年1-8月正定县主要经济指标`, `三、石家庄市主要
    指标（1-8月）`): a table's title. A note (`注：...。`) or prose is not."""
    line = line.strip()
    return 0 < len(line) <= TITLE_LINE_MAX and line[-1] not in "。！？!?；;"


def split_cell_unit(text: str) -> tuple[float, str] | None:
    """`498.2亿元` -> (498.2, `亿元`): a figure and what follows it, None for anything else."""
    match = NUMBER_WITH_SUFFIX.fullmatch(text)
    if match is None:
        return None
    return float(match.group("number").replace(",", "").replace("−", "-")), match.group("suffix")


def parse_cell_number(text: str) -> float | None:
    """`3,287,419` -> 3287419.0, `-11.3` -> -11.3; None for `—` and words."""
    if not is_number(text):
        return None
    return float(text.replace(",", "").replace("−", "-"))
