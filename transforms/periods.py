"""Period phrases (全年, 1-10月, 前三季度, 11月份, 年末...) and the document's own date.

A phrase is parsed into a `PeriodMention` without deciding its year; `resolve_period` adds
the year from the phrase itself, from `今年`/`去年` relative to the document's year, or from
the running context the extractor keeps.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from transforms.fast_scan import compile_not_after, compile_periods, native_or_reference
from transforms.numbers import parse_number

CN_MONTH_CHARS = "一二三四五六七八九十"
CN_MONTH = f"[{CN_MONTH_CHARS}]{{1,3}}"
MONTH = rf"(?:1[0-2]|0?[1-9]|{CN_MONTH})"
DASH = r"\s*[-—–~～至到]\s*"

PAIR = rf"(?P<pair>(?P<y1>(?:19|20)\d{{2}})年?{DASH}(?P<y2>(?:19|20)\d{{2}})年)"
YEAR_PART = (
    r"(?:(?P<year>(?:19|20)\d{2})\s*年度?|(?P<rel>今年|本年|当年|去年|上年|前年|过去的?一年))"
)
MONTH_WORD, MONTH_TAIL, MONTH_ENDS = "月", "份", ("末", "底", "当月")
MONTH_NOT_BEFORE = rf"[\d{CN_MONTH_CHARS}]+日|[上中下]旬"
"""What may not follow a single month (`11月10日`, `3月上旬`): a day of it, not a period."""
MONTH_TAILS = [
    (MONTH_WORD + tail + end, end or None) for tail in (MONTH_TAIL, "") for end in (*MONTH_ENDS, "")
]
"""What a single month's figure can be followed by (`月份末`, ... `月`) and its `mend`, in
the order `re` tries them when `MONTH_NOT_BEFORE` stands after one: the native scanner
retries them so, having no lookahead."""


def sub_part(month_check: str) -> str:
    """`SUB_PART` with `month_check` after a single month (`MONTH_NOT_BEFORE`'s lookahead)."""
    return (
        rf"(?P<sub>"
        rf"(?P<r1>{MONTH})(?:月份?)?{DASH}(?P<r2>{MONTH})月份?"  # 1-7月, 1月至7月
        rf"|前(?P<first>{MONTH})个?月份?"
        rf"|(?:前|1{DASH}|一{DASH}|[到至])(?P<qn>[一二三四1234两])(?:个)?季度"
        rf"|(?:第?[一1]|首)季度?|(?P<qs>[二三四234])季度(?P<qend>末)?"
        rf"|(?P<half>上半年|下半年)"
        rf"|(?P<full>全年)"
        rf"|(?P<yend>年末|年底)"
        rf"|(?P<since>以来)"
        rf"|(?P<same>同期)"
        rf"|(?P<m>{MONTH}){MONTH_WORD}{MONTH_TAIL}?(?P<mend>{'|'.join(MONTH_ENDS)})?{month_check}"
        rf")"
    )


SUB_PART = sub_part(f"(?!{MONTH_NOT_BEFORE})")


def unnamed(pattern: str) -> str:
    """The same pattern without its group names (a pattern may name a group only once)."""
    return re.sub(r"\?P<\w+>", "?:", pattern)


AFTER_MONTH = rf"[{CN_MONTH_CHARS}月季\s\-—–~～至到]"
"""What follows a month's or quarter's figure: 月, 季, or a range's dash (`DASH`)."""
PERIOD_OPENING = (
    r"(?:19|20)\d\d"
    r"|1[0-2][月\s\-—–~～至到]|0?[1-9][月季\s\-—–~～至到]"
    rf"|[{CN_MONTH_CHARS}]{AFTER_MONTH}"
    r"|年[末底]|全年|以来|同期|上[年半]|下半|今年|本年|当年|去年|前年|过去|首季|第[一1]"
    rf"|前[\d{CN_MONTH_CHARS}两]|[到至][一二三四1234两]"
)
"""The first two or three characters of every period phrase that is not empty (`YEAR_PART`,
`SUB_PART`, `PAIR`): a year, a month's or quarter's figure before 月, 季 or a dash, a relative
year, 全年, 以来, 同期... Most characters the first lookahead lets through (全 of `全市`,
同 of `同比`, the digits of a figure) stop here on a few literals, before the phrase's
alternatives are tried (a third of the scan's work); only empty matches, which
`find_periods` drops, are lost."""

PERIOD_FIRST = rf"[\d{''.join(sorted(set(CN_MONTH_CHARS)))}两今本当去上下前过全年同首第到至以]"
"""Every character a period phrase can start with."""

# Year and phrase are both optional, so the bare pattern matches the empty string at every
# character; the lookahead lets the scan skip, in C, every position where neither starts.
PERIOD_PATTERN = re.compile(
    rf"(?={PERIOD_FIRST})"
    rf"(?={PERIOD_OPENING})"
    rf"(?=(?:19|20)\d{{2}}|{unnamed(YEAR_PART)}|{unnamed(SUB_PART)})"
    rf"(?:{PAIR}|{YEAR_PART}?{SUB_PART}?)"
)
PERIOD_GROUPS = (
    *("pair", "y1", "y2", "year", "rel", "sub", "r1", "r2", "first", "qn", "qs", "qend"),
    *("half", "full", "yend", "since", "same", "m", "mend"),
)
"""The groups `parse_period` reads, in the order a `PeriodMatch` holds them."""
PeriodMatch = tuple[int, int, tuple[str | None, ...]]
"""A period phrase found: its start, its end and `PERIOD_GROUPS` (None: not matched)."""
QUARTER_NUMBER = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
REL_YEAR = {
    "今年": 0,
    "本年": 0,
    "当年": 0,
    "去年": -1,
    "上年": -1,
    "前年": -2,
    "过去一年": -1,
    "过去的一年": -1,
}
CONTEXT_YEAR = frozenset({"当年"})
"""`当年` is the year under discussion (`对当年首次纳入规上统计的企业`), not the document's."""


@dataclass(slots=True)
class PeriodMention:
    """A period phrase as the text writes it. Treat it as immutable (`replace`)."""

    start: int
    end: int
    year: int | None
    """Explicit year in the phrase."""
    rel: int | None
    """0 for 今年, -1 for 去年 ..."""
    first_month: int | None
    last_month: int | None
    """None: the whole year (or up to the reference month for `since`)."""
    is_point: bool
    """年末, 11月末: a stock at one month."""
    is_since: bool
    """今年以来: from January to an end the text does not state."""
    pair: tuple[int, int] | None
    """`2012年到2021年`: the two ends of a comparison, not a period of its own."""
    same_months: bool
    """`去年同期`: the months of the running period, in another year."""
    in_context: bool
    """`当年`: the running year, whatever the document's own year is."""
    is_month_within: bool
    """`8月当月`: one month singled out of the running cumulative period (`1-8月`)."""

    def __init__(
        self,
        start: int,
        end: int,
        year: int | None,
        rel: int | None,
        first_month: int | None,
        last_month: int | None,
        is_point: bool,
        is_since: bool,
        pair: tuple[int, int] | None = None,
        same_months: bool = False,
        in_context: bool = False,
        is_month_within: bool = False,
    ) -> None:
        self.start = start
        self.end = end
        self.year = year
        self.rel = rel
        self.first_month = first_month
        self.last_month = last_month
        self.is_point = is_point
        self.is_since = is_since
        self.pair = pair
        self.same_months = same_months
        self.in_context = in_context
        self.is_month_within = is_month_within


def month_number(text: str) -> int | None:
    value = parse_number(text)
    return int(value) if value is not None and 1 <= value <= 12 else None


def parse_period(found: PeriodMatch) -> PeriodMention | None:
    start, end, groups = found
    pair, y1, y2, year_text, rel_text, sub, r1, r2, first_text, qn, qs, qend = groups[:12]
    half, full, yend, since_text, same_text, m, mend = groups[12:]
    if pair:
        assert y1 is not None and y2 is not None
        return PeriodMention(
            start, end, None, None, None, None, False, False, pair=(int(y1), int(y2))
        )
    year = int(year_text) if year_text else None
    rel = REL_YEAR.get(rel_text or "")
    if year is None and rel is None and not sub:
        return None
    first = last = None
    point = since = same = month_only = False
    if same_text:
        if year is None and rel is None:
            return None  # bare 同期: the running period, nothing new
        same = True
        sub = None
    if sub:
        if r1 and r2:
            first, last = month_number(r1), month_number(r2)
            if first is None or last is None or first > last:
                return None
        elif first_text:
            last = month_number(first_text)
            first = 1 if last else None
            if last is None:
                return None
        elif qn:
            first, last = 1, 3 * QUARTER_NUMBER[qn]
        elif qs:
            quarter = QUARTER_NUMBER[qs]
            first, last = 3 * quarter - 2, 3 * quarter
            if qend:
                first, point = last, True
        elif half:
            first, last = (1, 6) if half == "上半年" else (7, 12)
        elif full:
            first, last = 1, 12
        elif yend:
            first, last, point = 12, 12, True
        elif since_text:
            if year is None and rel is None:
                return None
            since = True
        elif m:
            month = month_number(m)
            if month is None:
                return None
            first = last = month
            point = mend in ("末", "底")
            month_only = mend == "当月"
        else:  # 一季度 / 首季
            first, last = 1, 3
    return PeriodMention(
        start,
        end,
        year,
        rel,
        first,
        last,
        point,
        since,
        same_months=same,
        in_context=(rel_text or "") in CONTEXT_YEAR,
        is_month_within=month_only,
    )


def regex_period_matches(text: str) -> Iterator[PeriodMatch]:
    """`PERIOD_PATTERN`'s matches that are not empty, by `re`: the reference."""
    for m in PERIOD_PATTERN.finditer(text):
        if m.end() > m.start():
            yield m.start(), m.end(), m.group(*PERIOD_GROUPS)


@cache
def period_scanner() -> Any:
    """`PERIOD_PATTERN` matched natively (transforms/fast_scan.py); None without the native
    scanner. Its regexes have no lookaround: what the pattern's lookaheads do is said to it
    apart (`PERIOD_FIRST`, `PERIOD_OPENING`; the third only skips places where no phrase
    starts) and a single month's is retried by hand (`MONTH_TAILS`, `MONTH_NOT_BEFORE`)."""
    month = sub_part("")
    return compile_periods(
        finder=unnamed(f"{PAIR}|{YEAR_PART}|{month}"),
        pattern=f"{PAIR}|{YEAR_PART}?{month}?",
        lookaheads=[PERIOD_FIRST, PERIOD_OPENING],
        groups=list(PERIOD_GROUPS),
        month_tails=MONTH_TAILS,
        month_not_before=MONTH_NOT_BEFORE,
    )


def period_matches(text: str) -> Iterable[PeriodMatch]:
    """Every period phrase `PERIOD_PATTERN` finds in `text`, in order: natively when built
    (the same spans and groups), by `re` otherwise or for a text native code cannot take (a
    lone surrogate)."""
    # `native_or_reference` by hand: that helper runs interpreted (fast_scan is not
    # compiled), and the scan is asked for on every document and on many short segments.
    scanner = period_scanner()
    if scanner is not None:
        try:
            found: list[PeriodMatch] = scanner.matches(text)
            return found
        except UnicodeEncodeError:
            pass
    return regex_period_matches(text)


def find_periods(text: str) -> Iterator[PeriodMention]:
    for found in period_matches(text):
        mention = parse_period(found)
        if mention is not None:
            yield mention


# --- the document's own date ------------------------------------------------------------

PUBLICATION_WORDS = ("发布日期", "发布时间", "发表时间", "更新时间", "日期", "时间", "发布")
PUBLICATION = re.compile(
    rf"(?:{'|'.join(PUBLICATION_WORDS)})?[:：]?\s*"
    r"(?P<y>20\d{2})\s*(?:[-/.]\s*(?P<m>\d{1,2})\s*[-/.]\s*\d{1,2}(?!\d)|年\s*(?P<m2>\d{1,2})\s*月"
    r"(?P<d>\s*\d{1,2}\s*日)?)"
)
PUBLICATION_LEAD = max(map(len, PUBLICATION_WORDS)) + 1
"""The most a publication line writes before its date's spaces: a word and its colon."""
PUBLICATION_OPENS = frozenset([*(w[0] for w in PUBLICATION_WORDS), ":", "：", "2"])
"""What a publication date can open with besides a space (`\\s`): a word, a colon, its year."""
YEAR_DIGITS = re.compile(r"20\d{2}")
"""What every publication date holds; a literal, which `re` skips to in C."""
DATELINE_AFTER = re.compile(r"\s*(?:[)）]|\n|\d{1,2}:|在|$)")
"""What may follow a written-out date on a dateline (`（2023年1月）`, `2023年1月10日在...`)."""
DATELINE_LINE_MAX = 40
PROSE_AFTER = "，,、；;的"
# `(?<!\d)` written after the century (`(?<!\d..)`): the pattern then opens with its literal
# digits, which `re` skips to in C instead of trying the lookbehind at every character (5x).
EXPLICIT_YEAR = re.compile(r"((?:19|20)(?<!\d..)\d{2})\s*年(?!\s*[-—–~至到]\s*(?:19|20)\d{2})")
PLAN_BEFORE = re.compile(r"(?:到|至|预计|力争|目标|计划|规划|展望|远景|[-—–~])$")
BASE_WORDS = ("比", "较", "对比", "相比", "与")
BASE_YEAR = re.compile(rf"(?:{'|'.join(BASE_WORDS)})\s*((?:19|20)\d{{2}})\s*年")
YEAR_WITH_WORD = re.compile(r"((?:19|20)(?<!\d..)\d{2})\s*年")
"""`EXPLICIT_YEAR` without its lookahead: every year `BASE_YEAR` or `EXPLICIT_YEAR` finds is
one of these (a base year has no digit before it), at the same span, and no match of either
starts inside one of these."""
YEAR_RANGE_AFTER = re.compile(r"\s*[-—–~至到]\s*(?:19|20)\d{2}")
"""`EXPLICIT_YEAR`'s lookahead: the year opens a span of years (`2023年-2025年`)."""
YEAR_WITHOUT_LOOKBEHIND = r"((?:19|20)\d{2})\s*年"
"""`YEAR_WITH_WORD` for native code, which checks its lookbehind (no digit before the year)
itself."""
YearMatch = tuple[int, int, str]
"""A match of `YEAR_WITH_WORD`: its start, its end and its year's digits."""


@cache
def year_scanner() -> Any:
    """`YEAR_WITH_WORD` matched natively (transforms/fast_scan.py); None without native code."""
    return compile_not_after(YEAR_WITHOUT_LOOKBEHIND, digits=True)


def year_matches(text: str) -> Iterable[YearMatch]:
    """`YEAR_WITH_WORD`'s matches: natively when built, by `re` otherwise or for a text native
    code cannot take (a lone surrogate)."""
    return native_or_reference(year_scanner(), text, regex_year_matches)


def regex_year_matches(text: str) -> Iterator[YearMatch]:
    """`YEAR_WITH_WORD`'s matches by `re`: the reference."""
    for m in YEAR_WITH_WORD.finditer(text):
        yield m.start(), m.end(), m.group(1)


def find_publication_date(text: str) -> tuple[int, int] | None:
    """A dateline or publication line near the top (`发布日期: 2021-06-13`, `2022/6/2 16:02`).

    Only the first fifth of the text (at least 400 characters) is searched: dates further
    down are events the report talks about.
    """
    found = find_publication(text)
    return None if found is None else (found[0], found[1])


def publication_matches(head: str) -> Iterator[re.Match[str]]:
    """`PUBLICATION.finditer(head)`, tried only where a date can start: a year's lead words
    and spaces before it. The pattern opens with optional words, so `finditer` would try it
    at every character; these are a few per year, and a year is a literal `re` skips to."""
    resume = 0  # where the next match may start: after the last one
    year = YEAR_DIGITS.search(head)
    while year is not None:
        lead = year_start = year.start()
        while lead and head[lead - 1].isspace():
            lead -= 1
        for at in range(max(resume, lead - PUBLICATION_LEAD, 0), year_start + 1):
            char = head[at]
            if char not in PUBLICATION_OPENS and not char.isspace():
                continue  # no match opens here: a call of `re` spared (most prose years)
            m = PUBLICATION.match(head, at)
            if m is not None:
                yield m
                resume = m.end()
                break
        year = YEAR_DIGITS.search(head, max(year_start + 1, resume))


def find_publication(text: str) -> tuple[int, int, int, int] | None:
    """`find_publication_date` with the date's span: (year, month, start, end). The date says
    when the text appeared, not what period it reports on (`（2023年1月）` above a 2022
    review)."""
    head = text[: max(400, len(text) // 5)]
    for m in publication_matches(head):
        month = int(m.group("m") or m.group("m2") or 0)
        if not 1 <= month <= 12:
            continue
        line_start = head.rfind("\n", 0, m.start()) + 1
        line_end = head.find("\n", m.end())
        line = head[line_start : line_end if line_end >= 0 else len(head)]
        if m.group("m2") and not is_dateline(head, m, line):
            continue
        return int(m.group("y")), month, m.start("y"), m.end()
    return None


LEAD_DATE = re.compile(
    r"(?:^|\n|讯|电|报|[)）])\s*(?P<m>1[0-2]|0?[1-9])月(?P<d>[1-3]?\d)日(?=\s*(?:讯|电|[,，]))"
)
LEAD_SPAN = 300


def find_lead_month(text: str) -> int | None:
    """The month of a news lead's date, written without its year (`1月20日,杭州市公布...`,
    `浏阳日报7月21日讯`, `本报讯（记者 陈晨）10月24日，`): near the top only."""
    head = text[:LEAD_SPAN]
    # Every lead date writes its 日: `in` rules out, at once, the heads that hold none (most),
    # where the pattern, opening with `^` among its alternatives, is tried at every character.
    m = LEAD_DATE.search(head) if "日" in head else None
    return int(m.group("m")) if m else None


def is_dateline(text: str, m: re.Match[str], line: str) -> bool:
    """A written-out date (`2023年1月10日`) dates the text when it closes its line or a
    bracket, or opens `在...会议上`; or when it stands, with its day, on a short header line
    (`芜湖日报　2024年10月25日　第01版`). One in running prose (`2024年7月，萧山召开...`) is
    an event."""
    after = text[m.end() : m.end() + 3].lstrip()
    if after[:1] in PROSE_AFTER and after:
        return False
    if DATELINE_AFTER.match(text, m.end()):
        return len(line) <= DATELINE_LINE_MAX or after.startswith("在")
    return bool(m.group("d")) and len(line) <= DATELINE_LINE_MAX


def infer_document_year(text: str) -> int | None:
    """The latest year the text reports on.

    Years in plans (`到2035年`, `2023-2025年`) do not count. A base year of a comparison
    (`比2019年...两年平均`, `对比2020年全年`) implies the text reports on a later year.
    """
    # One scan of the years (`YEAR_WITH_WORD`), each then checked as `EXPLICIT_YEAR` and
    # `BASE_YEAR` would find it: a second scan for the base words cost as much as the first
    # (比 stands in every 同比) and found a base year in few reports.
    # Only the latest counts: a year that cannot pass it (most: a report repeats its year)
    # is not checked.
    latest: int | None = None
    for start, end, digits in year_matches(text):
        year = int(digits)
        if (latest is None or year > latest) and not YEAR_RANGE_AFTER.match(text, end):
            before = text[max(0, start - 4) : start]  # an `EXPLICIT_YEAR`
            if not PLAN_BEFORE.search(before) and not BASE_YEAR.match(text, max(0, start - 3)):
                latest = year
        if latest is not None and year + 2 <= latest:
            continue
        word_end = start
        while word_end and text[word_end - 1].isspace():  # what `\s*` matches, backwards
            word_end -= 1
        if text.endswith(BASE_WORDS, 0, word_end):  # a `BASE_YEAR`
            later = 2 if "两年平均" in text[end : min(len(text), end + 60)] else 1
            if latest is None or year + later > latest:
                latest = year + later
    return latest


def resolve_year(
    mention: PeriodMention, context_year: int | None, document_year: int | None
) -> int | None:
    if mention.year is not None:
        return mention.year
    if mention.in_context and context_year is not None:
        return context_year
    if mention.rel is not None:
        return None if document_year is None else document_year + mention.rel
    return context_year
