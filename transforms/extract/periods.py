"""Periods: which period the next figure falls in. The frame (the period the text reports
on) holds until another is named; a digression (`去年同期`, `8月当月` inside `1-8月`, `年末`,
`到2025年`) holds for its sentence or its clause, and the frame comes back; a year named at the
head of a paragraph (`去年，全市...`) holds for the paragraph."""

from __future__ import annotations

from dataclasses import replace

from transforms.extract.context import DocumentContext, Period
from transforms.extract.patterns import CLAUSE_SEP
from transforms.extract.state import SentenceState
from transforms.extract.tokens import Token
from transforms.periods import PLAN_BEFORE, PeriodMention, resolve_year


def read_period(
    ctx: DocumentContext, state: SentenceState, tokens: list[Token], index: int
) -> None:
    token = tokens[index]
    mention = token.data
    assert isinstance(mention, PeriodMention)
    if mention.pair:
        ctx.pair = mention.pair
        return
    rules = ctx.patterns
    before = ctx.text[max(0, token.start - rules.period_base_reach) : token.start]
    is_base = rules.period_base_before.search(before) is not None
    if is_base and mention.rel != -1:
        state.comparator = True  # 比2019年1-11月增长3.2%: growth against a base, not yoy
        return
    if is_base:
        return  # 比上年: the yoy base
    if (
        mention.first_month
        and mention.last_month
        and mention.first_month > 1
        and (
            rules.range_to_before.search(
                ctx.text, max(0, token.start - rules.range_to_reach), token.start
            )
            or rules.running_after.match(ctx.text, token.end)
        )
        and mention.last_month % 3 == 0
        and mention.last_month - mention.first_month == 2
    ):
        mention = replace(mention, first_month=1, is_point=False, is_month_within=False)
    if mention.same_months and ctx.period is not None:  # 去年同期: the running months
        mention = replace(
            mention,
            first_month=ctx.period.first,
            last_month=ctx.period.last,
            is_point=ctx.period.is_point,
        )
    at_point = is_as_of(ctx, token.start)
    saved = (ctx.period, ctx.year)
    period = resolve_mention(ctx, mention)
    if period is not None and (
        in_paragraph_year(ctx, mention) or is_digression(ctx, mention, period, token, at_point)
    ):
        if clause_lead(ctx, state, token) and not month_of_clause(ctx, period, token):
            state.digressed = True
            if state.paragraph_head and not state.content_seen and is_past_year(mention):
                ctx.paragraph_period = period
        elif mention.is_month_within and not clause_lead(ctx, state, token):
            # 全区规上企业10月当月完成产值126.41亿元，同比增长-0.44%: the month named by
            # 当月 inside its subject's clause holds for the figures the sentence gives it
            state.digressed = True
        elif state.clause_saved is None:
            state.clause_saved = saved
    elif period is not None:
        ctx.year = period.year  # 去年 as the text's own period: 全年 after it is that year too
        ctx.frame, ctx.frame_year, ctx.frame_explicit = period, period.year, True
        ctx.paragraph_period = None  # a period the text reports on ends the paragraph's year
        if ctx.monthly is None and period.first is not None:
            ctx.monthly = period.first == period.last
    ctx.period = period
    if period is None:
        return
    if state.now:
        state.now, state.now_held = False, True
    if state.from_index >= 0:
        state.from_periods.append(period)
    if at_point:
        state.point = True


def is_past_year(mention: PeriodMention) -> bool:
    """`去年`, `上年全年`: a whole earlier year, not the same months of it (`去年同期`)."""
    return (
        mention.rel is not None
        and mention.rel < 0
        and not mention.same_months
        and mention.first_month in (None, 1)
        and mention.last_month in (None, 12)
        and not mention.is_point
    )


def resume_period(ctx: DocumentContext) -> None:
    """After a digression: the paragraph's own year when it has one, else the frame."""
    if ctx.paragraph_period is not None:
        ctx.period, ctx.year = ctx.paragraph_period, ctx.paragraph_period.year
    else:
        ctx.period, ctx.year = ctx.frame, ctx.frame_year


def is_digression(
    ctx: DocumentContext, mention: PeriodMention, period: Period, token: Token, at_point: bool
) -> bool:
    """A period the text visits without reporting on it, once it has named the one it reports
    on: last year (去年同期, 去年一季度), a stock date (年末, 截至9月底), a part of the running
    cumulative period (8月当月 in a 1-8月 report, 二季度 in 上半年; a month is the frame of a
    monthly release, though); or a plan year (到2025年) at any time."""
    if ctx.frame_explicit and (
        (mention.rel is not None and mention.rel < 0) or period.is_point or at_point
    ):
        return True  # before any reporting period is named, 去年 or 年末 is the frame
    frame = ctx.frame
    if (
        ctx.frame_explicit
        and frame is not None
        and frame.year == period.year
        and frame.first
        and frame.last
        and period.first
        and period.last
    ):
        span, whole = (period.first, period.last), (frame.first, frame.last)
        within = whole[0] <= span[0] and span[1] <= whole[1] and span != whole
        if within and mention.is_month_within:
            return True  # 8月当月 in a 1-8月 report
        if within and span[0] > whole[0] and not (span[0] == span[1] and ctx.monthly):
            return True  # 5月份 in a 1-5月 release, 二季度 in 上半年: a part of the frame
    before = ctx.text[max(0, token.start - 4) : token.start]
    return mention.year is not None and PLAN_BEFORE.search(before) is not None


def clause_lead(ctx: DocumentContext, state: SentenceState, token: Token) -> bool:
    """The period opens its clause (`去年同期，...`, `其中3月当月增长`), so it holds for the
    rest of the sentence; named mid-clause (`主要受去年同期...影响`) it holds for the clause."""
    return not ctx.patterns.names_noun(ctx.text[state.clause_start : token.start])


def month_of_clause(ctx: DocumentContext, period: Period, token: Token) -> bool:
    """`1-8月…，8月单月增长4.1%，固定资产投资增长3.0%`: one month of the running period,
    with its figure in its own clause, is that clause's; alone in its clause (`8月，…`)
    it holds for the sentence."""
    frame = ctx.frame
    return (
        period.first is not None
        and period.first == period.last
        and frame is not None
        and frame.first == 1
        and frame.last is not None
        and frame.last > 1
        and CLAUSE_SEP.match(ctx.text, token.end) is None
    )


def is_as_of(ctx: DocumentContext, start: int) -> bool:
    """A date right after 截至, 截止到: a stock at that date."""
    rules = ctx.patterns
    return (
        rules.as_of_before.search(ctx.text[max(0, start - rules.as_of_reach) : start]) is not None
    )


def in_paragraph_year(ctx: DocumentContext, mention: PeriodMention) -> bool:
    """A period with no year of its own in a paragraph about another year (`回顾去年，…；全年
    新增规上工业企业8家`) is of that year, and holds no longer than the paragraph does."""
    return ctx.paragraph_period is not None and mention.year is None and mention.rel is None


def resolve_mention(ctx: DocumentContext, mention: PeriodMention) -> Period | None:
    context_year = ctx.year if ctx.year is not None else ctx.document_year
    if ctx.paragraph_period is not None and in_paragraph_year(ctx, mention):
        context_year = ctx.paragraph_period.year
    year = resolve_year(mention, context_year, ctx.document_year)
    if year is None:
        return None
    if is_year_just_ended(ctx, mention, year):
        year -= 1
    if mention.year is not None or mention.rel == 0:
        ctx.year = year
    bare = mention.first_month is None and not mention.is_since and not mention.is_point
    frame = ctx.frame
    since_year = mention.is_since and mention.first_month is None and mention.year is not None
    if (
        ((bare and mention.rel == 0) or since_year)
        and frame is not None
        and frame.year == year
        and (frame.first is not None and not frame.is_since and not frame.is_point)
    ):
        return frame  # 今年, 2023年以来 inside a 1-9月 report: still 1-9月
    return Period(year, mention.first_month, mention.last_month, mention.is_point, mention.is_since)


EARLY_MONTHS = 4
"""A text published by April that says `全年` with no year reports on the year just ended."""


def is_year_just_ended(ctx: DocumentContext, mention: PeriodMention, year: int) -> bool:
    """`全年全县地区生产总值…` in a bulletin dated only by `2024/3/8` at its end, before any
    period is named: the whole of 2023, which has ended; 2024 has barely begun."""
    publication = ctx.publication
    return (
        publication is not None
        and not ctx.frame_explicit
        and mention.year is None
        and mention.rel is None
        and (mention.first_month, mention.last_month) == (1, 12)
        and year == publication[0]
        and publication[1] <= EARLY_MONTHS
    )


def reference_month(ctx: DocumentContext, period: Period) -> int | None:
    """Last month a figure can cover: the stated one, else year end or publication month."""
    last = period.last if period.last else 12
    if ctx.publication and ctx.publication[0] == period.year:
        last = min(last, ctx.publication[1])
    elif period.is_since and not period.last and not after_the_year(ctx, period):
        return None
    return last


def after_the_year(ctx: DocumentContext, period: Period) -> bool:
    """`2021年以来` in a document published in 2022 (a plan-execution report looking back):
    the year has ended, so its figures cover all of it."""
    return ctx.publication is not None and ctx.publication[0] > period.year


def fact_period(
    ctx: DocumentContext,
    state: SentenceState,
    measure: str,
    dimension: str,
    qualifier: str | None,
    override: Period | None,
) -> tuple[str, str] | None:
    period = override or ctx.period
    if state.now and override is None and ctx.document_year is not None:
        period = Period(ctx.document_year, 12, 12, True)
    if period is None:
        return None
    year = period.year
    if measure in ("target_value", "target_yoy_pct"):
        return f"{year}-01", f"{year}-12"
    added = qualifier == "新增" and measure == "value"
    point = state.point or period.is_point
    stock = not added and (point or (dimension == "count" and measure == "value"))
    last = reference_month(ctx, period)
    if last is None:
        if not stock:
            return None  # 今年以来 with no date to end it
        last = 12
    if stock:
        end = f"{year}-{two_digits(last)}"
        return end, end
    first = 1 if added and point else period.first or 1
    if first > last:
        return None
    return f"{year}-{two_digits(first)}", f"{year}-{two_digits(last)}"


TWO_DIGITS = tuple(f"{n:02d}" for n in range(100))


def two_digits(n: int) -> str:
    """`f"{n:02d}"`, looked up: a format spec costs a method call, and every fact asks."""
    return TWO_DIGITS[n] if 0 <= n < len(TWO_DIGITS) else f"{n:02d}"


def from_period(ctx: DocumentContext, state: SentenceState) -> Period | None:
    """`从A增长至B`: A is the first period of the comparison, B the second."""
    index = state.from_index
    state.from_index += 1
    if len(state.from_periods) > index:
        return None  # stated inline: the running period is already right
    if index < len(state.previous_from):
        return state.previous_from[index]  # 同期...从A上升至B: the same two periods again
    if ctx.pair and index < 2:
        return Period(ctx.pair[index], 1, 12)
    return None
