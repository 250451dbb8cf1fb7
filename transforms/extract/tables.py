"""Tables: one fact per figure cell of a row that names a catalogue indicator (or, in a
table whose rows are areas or periods, of a column that names one; in a table whose rows
are measures, of a column that names one, in the row's measure), in the period of its
column and the area of the table's title. A share column gives shares of the table's
whole. A title says what the columns do not: the growth of bare period columns (`…分季度增速
(%)`), the indicator of an area table's `总量 | 增速` columns, a zone's own table (unread)."""

from __future__ import annotations

import re

from transforms.extract.areas import area_of_label, resolve_area
from transforms.extract.context import DocumentContext, Period
from transforms.extract.emit import emit
from transforms.extract.state import SentenceState, Subject
from transforms.lexicon import Entry
from transforms.periods import find_periods, resolve_year
from transforms.regions import find_region_mentions
from transforms.tables import (
    UNIT_IN_BRACKETS,
    Column,
    Row,
    Table,
    parse_cell_number,
    split_cell_unit,
)

YEAR_LABEL = re.compile(r"(?:19|20)\d{2}")
"""A row label that is a year and nothing else (`2021`): the row's period."""


def frame_table(ctx: DocumentContext, table: Table) -> tuple[Table, str | None, Period | None]:
    """A table's area and period: its title's, else those in force where it stands."""
    context_year = ctx.frame_year if ctx.frame_year is not None else ctx.document_year
    title = table.title
    if ctx.dateline is not None and table.title_start <= ctx.dateline[0] < table.start:
        title = title.replace(ctx.text[ctx.dateline[0] : ctx.dateline[1]], "")  # no period
    period = table_period(ctx, title, context_year) or ctx.frame
    return table, table_region(ctx, table), period


def table_region(ctx: DocumentContext, table: Table) -> str | None:
    """The area a table's title names (`三、石家庄市主要指标（1-8月）`), else the document's.
    A title naming two areas (`全省、潍坊市主要指标`) leaves the table unread, and so does one
    naming a zone or a street whose rows are indicators (`长兴经济技术开发区主要指标`): its
    figures are no area's of the catalogue, least of all the parent's."""
    rules = ctx.patterns
    title = table.title
    zone = rules.functional_zone.search(title) or rules.subcounty_area.search(title)
    if zone is not None and any(row_indicator(ctx, row) for row in table.rows):
        return None
    names: set[str] = set()
    for mention in ctx.region_mentions:
        if not table.title_start <= mention.start < table.start:
            continue
        region = resolve_area(ctx, mention)
        if region is not None:
            names.add(region.name)
    if len(names) > 1:
        return None
    return next(iter(names), ctx.document_region)


def table_period(ctx: DocumentContext, header: str, context_year: int | None) -> Period | None:
    """The period a title or a column header names (`2023年1-8月`, `8月`), its year from
    `context_year` when it states none; None when it names none."""
    for mention in find_periods(header):
        if mention.pair or mention.same_months or mention.is_since:
            continue
        reach = ctx.patterns.period_base_reach
        if ctx.patterns.period_base_before.search(
            header[max(0, mention.start - reach) : mention.start]
        ):
            continue  # 比上年增长(%): the base of the growth, not the column's period
        year = resolve_year(mention, context_year, ctx.document_year)
        if year is None:
            continue
        first = mention.first_month or 1
        last = mention.last_month or 12
        return Period(year, first, last, mention.is_point)
    return None


def column_periods(ctx: DocumentContext, table: Table, default: Period) -> dict[int, Period]:
    """Each figure column's period: its header's (`8月`, `1-8月同比增长(%)`), `本月` the
    table's last month; a growth column naming none belongs to the cumulative column."""
    periods: dict[int, Period] = {}
    cumulative = default
    # 累计增速 over | 3月 | 6月 |: each month's column runs from January
    running_months = ctx.patterns.cumulative_column.search(table.title) is not None
    for column in table.columns:
        if column.role != "value":
            continue
        period = table_period(ctx, column.header, default.year)
        month = period.last if period is not None and period.first == period.last else None
        if running_months and period is not None and month is not None and month > 1:
            period = Period(period.year, 1, month)
        if period is None and ctx.patterns.cumulative_column.search(column.header):
            period = default
        elif period is None and ctx.patterns.month_column.search(column.header) and default.last:
            period = Period(default.year, default.last, default.last)
        periods[column.index] = period or default
        # 2023年 | 2022年 | 增长(%): the growth is the latest year's
        running = period is not None and period.first == 1 and period.last != 1
        if period is not None and running and period.year >= cumulative.year:
            cumulative = period
    for column in table.columns:
        if column.role in ("growth", "share"):
            periods[column.index] = table_period(ctx, column.header, default.year) or cumulative
    return periods


def read_table(ctx: DocumentContext, table: Table, region: str, default: Period) -> None:
    """One fact per figure cell of a row that names a catalogue indicator: a value in the
    row's unit, or a growth rate (a `…增速` row, a `%` row, a growth column). A row naming a
    part of the table's area (`其中：定 海`) under an indicator's row or under a section row
    that splits one by area (`分县(区)生产总值`) is that indicator's, for that part. A table
    whose rows name areas instead is read by `read_area_table`."""
    periods = column_periods(ctx, table, default)
    if not any(row_indicator(ctx, row) for row in table.rows):
        if not read_measure_table(ctx, table, periods, region, default):
            read_area_table(ctx, table, periods, region)
        return
    unit_column = next((c.index for c in table.columns if c.role == "unit"), None)
    stated = ctx.patterns.title_unit.search(table.title)  # 单位：万元
    table_unit = stated.group("unit") if stated else None
    whole = table_whole(ctx, table)
    if table_unit is None and unit_column is None and title_says_growth(ctx, table):
        table_unit = "%"  # 分季度增速(%): figure columns with no unit of their own are growths
    current: Entry | None = None  # the indicator the area rows below belong to
    from_section = False
    sections = list(table.sections)
    for row in table.rows:
        while sections and sections[0].start < row.start:
            current, from_section = section_indicator(ctx, sections.pop(0).text), True
        label = row.label
        if label is None:
            continue
        name = ctx.patterns.row_label_lead.sub("", label.text).strip()
        row_unit = None
        bracket = UNIT_IN_BRACKETS.search(name)
        if bracket:
            row_unit = bracket.group("unit")
            name = (name[: bracket.start()] + name[bracket.end() :]).strip()
        if unit_column is not None and unit_column < len(row.cells):
            row_unit = row.cells[unit_column].text or row_unit
        share_of = share_row_name(ctx, name)
        if share_of is not None and (row_unit or table_unit) == "%":
            entry = label_entry(ctx, share_of)  # 高新技术产业增加值占比 | % | 64.5
            if entry is not None:
                read_share_row(ctx, table, row, entry, region, periods)
            current = None
            continue
        rate_name = ctx.patterns.rate_label_end.sub("", name)
        is_rate = rate_name != name or (row_unit or table_unit) == "%"
        entry = label_entry(ctx, rate_name if is_rate else name)
        row_region = region
        if entry is None:
            part = part_of_area(ctx, name, region)
            if part is None or current is None:
                if not from_section:
                    current = None  # 工业产销率: the rows below are its own, not the last one's
                continue
            entry, row_region = current, part
        else:
            current, from_section = entry, False
        units = (row_unit, table_unit)
        read_row(ctx, table, row, entry, row_region, units, is_rate, periods, whole)


def share_row_name(ctx: DocumentContext, name: str) -> str | None:
    """The part a share row names (`高新技术产业增加值占比` -> 高新技术产业增加值), if its
    label ends in a share word."""
    matches = list(ctx.lex.table_headers.share.finditer(name))
    match = matches[-1] if matches else None
    if match is None or match.end() != len(name) or match.start() == 0:
        return None
    return name[: match.start()].removesuffix("占") or None


def read_share_row(
    ctx: DocumentContext,
    table: Table,
    row: Row,
    entry: Entry,
    region: str,
    periods: dict[int, Period],
) -> None:
    """A share row's figures: shares of its indicator's whole in the catalogue, none when it
    has none there (a share of what, the label does not say)."""
    denominator = share_whole(ctx, entry, OWN_TOTAL)
    label = row.label
    if denominator is None or label is None:
        return
    subject = Subject(entry.indicator, entry.dimension, row.start, label.text, region=region)
    state = SentenceState(region, row.start)
    for column in table.columns:
        if column.role != "value" or column.index >= len(row.cells):
            continue
        value = parse_cell_number(row.cells[column.index].text)
        if value is None:
            continue
        emit_share(ctx, state, subject, row, value, denominator, periods[column.index])


def emit_share(
    ctx: DocumentContext,
    state: SentenceState,
    subject: Subject,
    row: Row,
    value: float,
    denominator: str,
    period: Period,
) -> None:
    """A row's figure as a share of `denominator`, its evidence the whole row."""
    emit(
        ctx,
        state,
        subject,
        "share_pct",
        value,
        "%",
        row.start,
        row.end,
        denominator=denominator,
        period=period,
    )


def read_row(
    ctx: DocumentContext,
    table: Table,
    row: Row,
    entry: Entry,
    region: str,
    units: tuple[str | None, str | None],
    is_rate: bool,
    periods: dict[int, Period],
    whole: str | None = None,
) -> None:
    """The facts of one row: its indicator, in its area; `units` the row's and the title's;
    `whole` the indicator the table's share column is a share of, when it says."""
    row_unit, table_unit = units
    label = row.label
    assert label is not None
    subject = Subject(entry.indicator, entry.dimension, row.start, label.text, region=region)
    state = SentenceState(region, row.start)
    for column in table.columns:
        if column.index >= len(row.cells) or column.role not in ("value", "growth", "share"):
            continue
        cell_unit = None
        value = parse_cell_number(row.cells[column.index].text)
        if value is None and column.role == "value":
            value, cell_unit = cell_with_unit(ctx, row.cells[column.index].text)
        if value is None:
            continue
        period = periods[column.index]
        if column.role == "share":
            denominator = share_whole(ctx, entry, whole)
            if denominator is not None and not is_rate:
                emit_share(ctx, state, subject, row, value, denominator, period)
            continue
        if column.role == "growth" or is_rate:
            # A rate row's figure is a growth rate in whichever column it stands.
            emit(ctx, state, subject, "yoy_pct", value, "%", row.start, row.end, period=period)
            continue
        stated = cell_unit or row_unit or column.unit or table_unit
        unit = ctx.catalog.unit_aliases.get(stated or "") or stated
        info = ctx.catalog.unit_by_symbol.get(unit or "")
        if info is None or info.dimension != entry.dimension:
            continue
        emit(ctx, state, subject, "value", value, unit, row.start, row.end, period=period)


def title_says_growth(ctx: DocumentContext, table: Table) -> bool:
    """Figure columns that say nothing of what they hold (`| 指标 | 一季度 | 上半年 |`) under a
    title whose unit is `%` or that names a growth (`…分季度增速(%)`, `…增长情况`)."""
    if any(c.role != "value" or c.unit for c in table.columns[1:]):
        return False
    if title_bracket_unit(table.title) == "%":
        return True
    words = ctx.lex.table_headers
    return bool(words.growth.search(table.title)) and not words.share.search(table.title)


def is_plain_figure_column(ctx: DocumentContext, column: Column) -> bool:
    """A figure column that names nothing but its unit, a period or a word for a figure
    (`总量`, `2023年(亿元)`, `1-9月`): what it holds is what the title names. `人均(元)` is
    another figure."""
    name = "".join(UNIT_IN_BRACKETS.sub("", column.name or column.header).split()[-1:])
    if not name or ctx.patterns.value_column.fullmatch(name):
        return True
    return period_of_label(ctx, name, None) is not None


def title_bracket_unit(title: str) -> str | None:
    """The unit in a title's last brackets (`…一般公共预算收入（亿元）`, `…增速(%)`)."""
    units = UNIT_IN_BRACKETS.findall(title)
    return str(units[-1]) if units else None


def title_indicator(ctx: DocumentContext, title: str) -> Entry | None:
    """The one catalogue indicator a table's title names (`各县区一般公共预算收入（亿元）`)."""
    found = {
        e.indicator: e
        for m in ctx.lex.indicator_pattern.finditer(title)
        if (e := ctx.lex.lookup(m.group()))
    }
    return next(iter(found.values())) if len(found) == 1 else None


def cell_with_unit(ctx: DocumentContext, text: str) -> tuple[float | None, str | None]:
    """A cell's figure and the catalogue unit it carries (`498.2亿元`), else (None, None)."""
    split = split_cell_unit(text)
    if split is None:
        return None, None
    value, suffix = split
    unit = ctx.catalog.unit_aliases.get(suffix) or suffix
    if unit not in ctx.catalog.unit_by_symbol or unit == "%":
        return None, None
    return value, unit


OWN_TOTAL = ""
"""`table_whole` when no row is the whole but the share column names no other area
(`比重(%)`, not `占全省比重`): each row's share is of its catalogue parent."""


def table_whole(ctx: DocumentContext, table: Table) -> str | None:
    """The indicator a table's share column is a share of: the row whose share is 100
    (`地区生产总值 | 1867.07 | 6.5 | 100.0`), if the table has one; else `OWN_TOTAL` when
    the column's header names no area (the whole row may be lost to a broken line)."""
    shares = [c for c in table.columns if c.role == "share"]
    if not shares:
        return None
    for row in table.rows:
        entry = row_indicator(ctx, row)
        cells = row.cells
        if entry is not None and any(
            c.index < len(cells) and parse_cell_number(cells[c.index].text) == 100.0 for c in shares
        ):
            return entry.indicator
    if any(next(find_region_mentions(c.header, ctx.regions), None) for c in shares):
        return None
    return OWN_TOTAL


def share_whole(ctx: DocumentContext, entry: Entry, whole: str | None) -> str | None:
    """The denominator of a row's share: the table's whole when the row's indicator is one
    of its parts in the catalogue (第一产业增加值 of 地区生产总值); a row that is no part
    of it (or the whole itself, at 100) has no share to give. A table with no whole row
    gives none: its shares may be of another area's total (`占全省比重`)."""
    info = ctx.catalog.by_name.get(entry.indicator)
    if whole is None or info is None or not info.parent_code:
        return None
    parent = next((i for i in ctx.catalog.indicators if i.code == info.parent_code), None)
    if parent is None or (whole != OWN_TOTAL and parent.name_zh != whole):
        return None
    return parent.name_zh


def period_of_label(ctx: DocumentContext, label: str, year: int | None) -> Period | None:
    """The period a row label names and nothing else (`一季度`, `1-9月`, `2022年`)."""
    label = "".join(label.split())
    mention = next(iter(find_periods(label)), None)
    if mention is None or mention.start != 0 or mention.end != len(label) or mention.pair:
        return None
    return table_period(ctx, label, year)


def section_indicator(ctx: DocumentContext, text: str) -> Entry | None:
    """The indicator a section row splits by area (`分县(区)工业总产值`), if it does."""
    name = ctx.patterns.row_label_lead.sub("", text).strip()
    lead = ctx.patterns.by_area_lead.match(name)
    return ctx.lex.lookup_label(name[lead.end() :].strip()) if lead else None


def part_of_area(ctx: DocumentContext, label: str, region: str) -> str | None:
    """The area a row label names (`定 海`, spaces inside and all) when it is a part of the
    table's area `region`, else None: a name of another place is no part of this table."""
    name = area_of_label(ctx, "".join(label.split()))
    if name is None:
        return None
    parents = {r.code for r in ctx.regions.by_name.get(region, ())}
    if ctx.document_area is not None and ctx.document_area.name == region:
        parents.add(ctx.document_area.code)
    children = ctx.regions.by_name.get(name, ())
    return name if any(r.parent_code in parents for r in children) else None


def row_indicator(ctx: DocumentContext, row: Row) -> Entry | None:
    """The catalogue indicator a row's label names (`　其中：出口`, `…增速`), if any."""
    if row.label is None:
        return None
    rules = ctx.patterns
    name = UNIT_IN_BRACKETS.sub("", rules.row_label_lead.sub("", row.label.text)).strip()
    return label_entry(ctx, name) or label_entry(ctx, rules.rate_label_end.sub("", name))


def label_entry(ctx: DocumentContext, name: str) -> Entry | None:
    """`lookup_label`, but a label that only completes as a stem and names an area (`全市`,
    `地区` of 地区生产总值) is an area's row, no indicator's."""
    entry = ctx.lex.lookup_label(name)
    if entry is None or ctx.lex.lookup(name) is not None:
        return entry
    if area_of_label(ctx, "".join(name.split())) is not None or ctx.lex.filler.fullmatch(name):
        return None
    return entry


def read_measure_table(
    ctx: DocumentContext,
    table: Table,
    periods: dict[int, Period],
    region: str,
    default: Period,
) -> bool:
    """Indicators as columns and measures as rows (`| 指标 | 地区生产总值 | 第一产业 |`, then
    `| 绝对值(亿元) | … |`, `| 比上年增长(%) | … |`, `| 比重(%) | … |`): each row's figures in
    its measure, in the unit its label or the table's title states. False when the rows
    name no measure (the table is read another way)."""
    named = [
        (column, entry)
        for column in table.columns[1:]
        if (entry := ctx.lex.lookup_label(UNIT_IN_BRACKETS.sub("", column.header).strip()))
    ]
    if not named:
        return False
    words = ctx.lex.table_headers
    stated = ctx.patterns.title_unit.search(table.title)
    read = False
    for row in table.rows:
        label = row.label.text if row.label else ""
        growth = words.growth.search(label) is not None
        share = not growth and words.share.search(label) is not None
        bracket = UNIT_IN_BRACKETS.search(label)
        unit = bracket.group("unit") if bracket else (stated.group("unit") if stated else None)
        unit = ctx.catalog.unit_aliases.get(unit or "") or unit
        if words.other.search(label) or not (growth or share or unit):
            continue
        if area_of_label(ctx, UNIT_IN_BRACKETS.sub("", label)) is not None:
            return False  # `| 长兴县(亿元) | …`: rows of areas
        read = True
        cells = row.cells
        whole = next(
            (
                e.indicator
                for c, e in named
                if share and c.index < len(cells) and parse_cell_number(cells[c.index].text) == 100
            ),
            None,
        )
        state = SentenceState(region, row.start)
        for column, entry in named:
            value = (
                parse_cell_number(cells[column.index].text) if column.index < len(cells) else None
            )
            if value is None:
                continue
            subject = Subject(
                entry.indicator, entry.dimension, row.start, column.header, region=region
            )
            period = periods.get(column.index, default)
            if growth:
                emit(ctx, state, subject, "yoy_pct", value, "%", row.start, row.end, period=period)
            elif share:
                denominator = share_whole(ctx, entry, whole)
                if denominator is not None:
                    emit_share(ctx, state, subject, row, value, denominator, period)
            else:
                info = ctx.catalog.unit_by_symbol.get(unit or "")
                if info is not None and info.dimension == entry.dimension:
                    emit(
                        ctx, state, subject, "value", value, unit, row.start, row.end, period=period
                    )
    return read


def read_area_table(
    ctx: DocumentContext, table: Table, periods: dict[int, Period], region: str
) -> None:
    """Rows are areas and columns indicators (`| 地区 | 地区生产总值(亿元) | 增长(%) |`): a
    figure column names its indicator and unit; a growth column names its indicator
    (`地区生产总值增速(%)`) or follows the figure column of the one it grows. Rows may be
    periods instead (`| 一季度 | 230.5 | 5.1 |`): the table's area's, in the row's period."""
    wanted: list[tuple[Column, Entry, str]] = []
    titled = None  # 各县区一般公共预算收入（亿元） over | 地区 | 总量 | 增速(%) |
    if not any(ctx.lex.lookup(c.name or c.header) for c in table.columns[1:]):
        titled = title_indicator(ctx, table.title)
    last: Entry | None = titled
    title_unit = title_bracket_unit(table.title)
    for column in table.columns[1:]:
        header = UNIT_IN_BRACKETS.sub("", column.name or column.header).strip()
        rate_name = ctx.patterns.rate_label_end.sub("", header).strip()
        entry = ctx.lex.lookup(header) or ctx.lex.lookup(rate_name)
        group, _, own = header.partition(" ")  # 地区生产总值 总量: a group header's indicator
        if entry is None and own and (rate_name != header or is_plain_figure_column(ctx, column)):
            entry = ctx.lex.lookup(group)
        if column.role == "value" and entry is not None and rate_name == header:
            wanted.append((column, entry, "value"))
            last = entry
        elif (
            column.role == "value"
            and titled is not None
            and (column.unit or title_unit)
            and is_plain_figure_column(ctx, column)
        ):
            wanted.append((column, titled, "value"))
            last = titled
        elif column.role == "growth" and (grown := entry or last) is not None:
            wanted.append((column, grown, "yoy_pct"))
            last = grown
        else:
            last = None
    year = next(iter(periods.values())).year if periods else ctx.document_year
    for row in table.rows:
        label = row.label.text if row.label else ""
        area = area_of_label(ctx, label)
        row_period = None if area is not None else period_of_label(ctx, label, year)
        if row_period is None and area is None and YEAR_LABEL.fullmatch(label):
            row_period = period_of_label(ctx, f"{label}年", year)  # | 年份 | … | then | 2021 |
        if row_period is not None:
            area = region
        if area is None:
            continue
        state = SentenceState(area, row.start)
        for column, entry, measure in wanted:
            if column.index >= len(row.cells):
                continue
            value = parse_cell_number(row.cells[column.index].text)
            if value is None:
                continue
            subject = Subject(
                entry.indicator, entry.dimension, row.start, column.header, region=area
            )
            unit = "%" if measure == "yoy_pct" else column.unit or title_unit
            if measure == "value":
                info = ctx.catalog.unit_by_symbol.get(unit or "")
                if info is None or info.dimension != entry.dimension:
                    continue
            period = row_period or periods[column.index]
            emit(ctx, state, subject, measure, value, unit, row.start, row.end, period=period)
