"""Quantities: a figure closes a fact about the subject, in the measure the clause's cues
say (`measure_for_percent`); listed figures are shared out (`lists.py`); a count written
before a noun counts that noun, and a base area's figure in brackets is the base's; a
growth in a sentence that names only periods and areas continues the indicator before it
(`7月当月增速达13.8%`)."""

from __future__ import annotations

import itertools
from dataclasses import replace

from transforms.extract.clauses import clause_has_foreign_subject
from transforms.extract.context import DocumentContext, Period
from transforms.extract.emit import emit
from transforms.extract.lists import (
    continued_subject,
    list_targets,
    listed_areas,
    listed_periods,
)
from transforms.extract.measures import cue_reaches, measure_for_percent
from transforms.extract.patterns import BRACKET_CLOSE, BRACKET_OPEN
from transforms.extract.periods import from_period
from transforms.extract.state import SentenceState, Subject
from transforms.extract.tokens import Token
from transforms.numbers import Quantity

TIMES_UNIT = "倍"
"""The unit of a growth written as a multiple (units.csv): `增长1.3倍` is 130%."""


def read_quantity_token(
    ctx: DocumentContext, state: SentenceState, tokens: list[Token], index: int
) -> None:
    token = tokens[index]
    state.saw_content()
    if token.in_run or token.counts_next or is_leading_count(ctx.text, token):
        return
    if read_base_figure(ctx, state, token) or read_base_rate(ctx, state, token):
        return
    if read_area_figure(ctx, state, token):
        return
    if read_figures_of_areas(ctx, state, token):
        return
    if state.foreign or (
        not state.target and clause_has_foreign_subject(ctx, state, tokens, index)
    ):
        return
    subject = None
    if state.subject is None and not state.subjects and not token.run:
        subject = rate_continuing(ctx, state, tokens, index)
    read_quantity(ctx, state, token, state.sentence_start, subject)


def grew(ctx: DocumentContext, subject: Subject) -> bool:
    """The last fact is a growth of `subject`'s indicator."""
    last = ctx.facts[-1] if ctx.facts else None
    return last is not None and last.measure == "yoy_pct" and last.indicator == subject.indicator


def rate_continuing(
    ctx: DocumentContext, state: SentenceState, tokens: list[Token], index: int
) -> Subject | None:
    """`…规上工业增加值增长8.6%。7月当月增速达13.8%`: a growth in a sentence naming no noun,
    only periods, areas and cue words before it, is the paragraph's last indicator's."""
    q = tokens[index].data
    if not isinstance(q, Quantity) or q.unit != "%" or not (state.rate or state.growth):
        return None
    if state.target or state.share_open or state.avg2y:
        return None
    pos = state.sentence_start
    for token in itertools.islice(tokens, index):
        if token.end <= pos:
            continue
        if token.kind not in CONTINUING_KINDS or not is_filler(ctx, pos, token.start):
            return None
        pos = token.end
    if not is_filler(ctx, pos, tokens[index].start):
        return None
    return continued_subject(ctx, state.sentence_start, state.clause_start)


CONTINUING_KINDS = frozenset({"period", "region", "sep", "growth", "rate", "cue", "qty"})
"""Tokens a sentence continuing the last indicator may hold before its figure."""


def is_filler(ctx: DocumentContext, start: int, end: int) -> bool:
    return not ctx.patterns.names_noun(ctx.text[start:end])


def read_quantity(
    ctx: DocumentContext,
    state: SentenceState,
    token: Token,
    sentence_start: int,
    subject: Subject | None = None,
) -> None:
    q = token.data
    assert isinstance(q, Quantity)
    run = token.run or (token,)
    if q.unit == "%" and ctx.patterns.rate_after.match(ctx.text, run[-1].end):
        # 分别以7.1%和5.9%的增速: the growth word after the figures is theirs
        state.rate, state.cue_end = True, token.start
    floor_target = state.target and not q.is_range  # 目标：增长6.5%以上
    planned = state.plan and not is_past_estimate(ctx, state)
    if (q.is_bound and not floor_target) or state.bound or planned or state.net:
        return
    if len(run) > 1 and state.each_at >= 0:
        listed = listed_areas(ctx, state, sentence_start, len(run))
        if listed is not None:
            areas, shared = listed
            reaches = cue_reaches(ctx, state.cue_end, run[0].start)
            if q.unit == "%" and measure_for_percent(state) is None and grew(ctx, shared):
                # 甲市增长5.5%，乙县、丙县分别为6.1%、5.0%: rates of the growth just given
                state.rate, reaches = True, True
            named, state.clause_region = state.clause_region, None  # each figure is its area's
            for (area_start, _, name), item in zip(areas, run, strict=True):
                subject = replace(shared, region=name)
                attach_quantity(ctx, state, subject, item, area_start, cue_checked=reaches)
            state.clause_region = named
            return
        periods = listed_periods(ctx, state, sentence_start, len(run))
        of_periods = state.subject
        if periods is not None and of_periods is None and not state.subjects:
            of_periods = continued_subject(ctx, sentence_start, sentence_start)
        if periods is not None and of_periods is not None and of_periods.indicator:
            reaches = cue_reaches(ctx, state.cue_end, run[0].start)
            for period, item in zip(periods, run, strict=True):
                ev_start = min(of_periods.start, item.start)
                attach_quantity(ctx, state, of_periods, item, ev_start, reaches, period)
            return
        targets = list_targets(ctx, state, sentence_start, len(run))
        if targets is not None:
            reaches = cue_reaches(ctx, state.cue_end, run[0].start)
            for target, item in zip(targets, run, strict=bool(targets)):
                attach_quantity(
                    ctx, state, target, item, min(target.start, item.start), cue_checked=reaches
                )
            return
    elif (
        subject is None
        and state.each_at >= state.clause_start
        and list_targets(ctx, state, sentence_start, 1) == []
    ):
        return  # 甲、乙分别增长6.1%和下降2.0%: a lone figure after 分别 pairs with no item
    subject = subject or state.subject
    if subject is None:
        return
    attach_quantity(ctx, state, subject, token, subject.start)


def attach_quantity(
    ctx: DocumentContext,
    state: SentenceState,
    subject: Subject,
    token: Token,
    ev_start: int,
    cue_checked: bool | None = None,
    period: Period | None = None,
) -> None:
    q = token.data
    assert isinstance(q, Quantity)
    if subject.indicator is None:
        return
    ev_start = min(ev_start, token.start)
    ev_end = max(token.end, subject.start + len(subject.text))  # 2097家规模以上工业企业
    period_override = period  # 一季度、上半年分别增长…: each figure its listed period
    if period is None and state.from_index >= 0 and q.unit != "个百分点":
        period_override = from_period(ctx, state)
    if q.unit == "%":
        measure = measure_for_percent(state)
        if measure is None:
            return
        reaches = (
            cue_checked if cue_checked is not None else cue_reaches(ctx, state.cue_end, token.start)
        )
        if measure[0] in ("yoy_pct", "avg2y_pct", "target_yoy_pct") and not reaches:
            return
        name, sign = measure
        if q.value < 0:
            sign = 1  # 负增长-25.1%, 下降-2.1%: the figure carries the sign the verb says
        denominator = state.share if name == "share_pct" else None
        if name == "share_pct" and denominator is None:
            return
        emit(
            ctx,
            state,
            subject,
            name,
            sign * q.value,
            "%",
            ev_start,
            ev_end,
            denominator=denominator,
            approx=q.is_approximate,
            period=period_override,
        )
        return
    if q.unit == TIMES_UNIT:
        # 增长1.3倍: the growth is 1.3 times the base, 130%; 是上年的1.3倍 is no growth.
        reaches = (
            cue_checked if cue_checked is not None else cue_reaches(ctx, state.cue_end, token.start)
        )
        if state.growth > 0 and not state.target and reaches:
            emit(ctx, state, subject, "yoy_pct", q.value * 100, "%", ev_start, ev_end)
        return
    if q.unit == "个百分点":
        if state.growth or state.rate:
            emit(
                ctx,
                state,
                subject,
                "pp_change",
                (state.growth or 1) * q.value,
                q.unit,
                ev_start,
                ev_end,
            )
        return
    if q.dimension != subject.dimension:
        return
    if state.growth and not state.target:
        return  # 增加1755家: a change, not a level
    level_measure = "target_value" if state.target else "value"
    emit(
        ctx,
        state,
        subject,
        level_measure,
        q.value,
        q.unit,
        ev_start,
        ev_end,
        approx=q.is_approximate,
        period=period_override,
    )


def read_base_figure(ctx: DocumentContext, state: SentenceState, token: Token) -> bool:
    """`增速比重庆全市（5.8%）高0.6个百分点`: the bracketed figure is the base area's own
    growth, stated outright (the difference never is). True when the number was the base's."""
    q = token.data
    base = state.base_area
    if base is None or not isinstance(q, Quantity):
        return False
    shared = state.subject or bracket_subject(ctx, state)
    if shared is None:
        return False
    lead = ctx.patterns.base_figure_lead.fullmatch(ctx.text, base[0], q.start)
    close = BRACKET_CLOSE.match(ctx.text, q.end)
    if not lead or not close:
        return False
    state.base_area = None
    if state.reference_end == base[0]:
        # 高于全省(4.9%)、湖州(5.5%): a base's bracketed figure leaves room for the next base
        state.reference_end = close.end()
    subject = replace(shared, region=base[1])
    if q.dimension == subject.dimension and q.unit != "%" and not state.target:
        # 落后于阜阳(3233.3亿元): a base's level, stated outright
        emit(
            ctx,
            state,
            subject,
            "value",
            q.value,
            q.unit,
            subject.start,
            close.end(),
            base_region=base[1],
        )
        return True
    named = lead.group("up") or lead.group("down")
    growth = named or state.rate or state.growth > 0 or state.last_measure == "yoy_pct"
    if q.unit == "%" and growth and not state.target:
        emit(
            ctx,
            state,
            subject,
            "yoy_pct",
            -q.value if lead.group("down") else q.value,
            "%",
            subject.start,
            token.end + 1,
            base_region=base[1],
        )
    return True


def read_base_rate(ctx: DocumentContext, state: SentenceState, token: Token) -> bool:
    """`增长9.8%，高于（同期）全省7.0%的平均增速`: a comparison's base area with a percentage
    right after it and the growth word after that states the base's own growth. True when
    the number was the base's."""
    q = token.data
    subject = state.subject
    if not isinstance(q, Quantity) or q.unit != "%" or subject is None or state.target:
        return False
    if state.reference_end < state.clause_start or not subject.indicator:
        return False  # no comparison word (高于, 低于) in this clause
    base = state.base_area
    if base is None or base[0] != q.start:
        area = state.areas[-1] if state.areas else None
        base = (area[1], area[2]) if area is not None and area[1] == q.start else None
    growth = ctx.patterns.rate_after.match(ctx.text, q.end)
    if base is None or growth is None:
        return False
    emit(
        ctx,
        state,
        replace(subject, region=base[1]),
        "yoy_pct",
        q.value,
        "%",
        state.clause_start,
        growth.end(),
        base_region=base[1],
    )
    return True


def is_past_estimate(ctx: DocumentContext, state: SentenceState) -> bool:
    """`预计2022年地区生产总值增长4.5%左右` in a text of 2023: the estimate of a year that is
    over is its first result, not a plan."""
    period = ctx.period
    return (
        state.estimate
        and not state.target
        and period is not None
        and ctx.document_year is not None
        and period.year < ctx.document_year
    )


def read_area_figure(ctx: DocumentContext, state: SentenceState, token: Token) -> bool:
    """`平湖市（6.8%）、海宁市（-3.0%）`: a figure alone in brackets right after an area is that
    area's figure for the sentence's subject, in the measure of the sentence's last fact (a
    rate after a rate, a level after a level). True when the number was read so."""
    q = token.data
    if not isinstance(q, Quantity) or not state.areas:
        return False
    area_start, area_end, name = state.areas[-1]
    if not BRACKET_OPEN.fullmatch(ctx.text, area_end, q.start):
        return False
    close = BRACKET_CLOSE.match(ctx.text, q.end)
    if close is None or state.target:
        return False
    shared = state.subject or bracket_subject(ctx, state)
    if shared is None:
        return False
    subject = replace(shared, region=name)
    # `阜阳(3233.3亿元)、宿州(2224.6亿元)` in a sentence naming no noun: the paragraph's
    # indicator, a level in its own dimension (a rate only after a growth word)
    level = state.last_measure == "value" or (state.subject is None and not state.last_measure)
    growth = state.last_measure == "yoy_pct" or (state.subject is None and state.growth > 0)
    if q.unit == "%" and growth:
        emit(ctx, state, subject, "yoy_pct", q.value, "%", area_start, close.end())
    elif q.dimension == subject.dimension and level:
        emit(ctx, state, subject, "value", q.value, q.unit, area_start, close.end())
    else:
        return False
    return True


def read_figures_of_areas(ctx: DocumentContext, state: SentenceState, token: Token) -> bool:
    """`经济增速方面，甲市以5.5%领跑，乙市、丙市以5.4%、4.6%位列第二、第三`: areas, then `以`
    and as many figures, are those areas' growths of the sentence's indicator (or the one
    continued from the sentence before), when the sentence has named a growth. True when the
    figures were read so."""
    q = token.data
    if not isinstance(q, Quantity) or q.unit != "%" or not state.areas or state.target:
        return False
    run = token.run or (token,)
    end = run[-1].end
    if state.share_open or ctx.lex.table_headers.share.search(ctx.text, end, end + SHARE_REACH):
        return False  # 甲市以35%的占比居首: a share, not a growth
    areas = area_run(ctx, state.areas, token.start)
    if len(areas) != len(run) or len({name for _, _, name in areas}) != len(run):
        return False
    shared = state.subject or bracket_subject(ctx, state)
    if shared is None or not shared.indicator:
        return False
    rules = ctx.patterns
    sentence = (ctx.text, state.sentence_start, areas[0][0])
    grown = state.subject is None and grew(ctx, shared)  # …增长3.5%。甲市以5.5%领跑
    if not (state.rate or state.growth > 0 or grown or rules.rate.search(*sentence)):
        return False
    named, state.clause_region = state.clause_region, None  # each figure is its area's
    for (area_start, _, name), item in zip(areas, run, strict=True):
        subject = replace(shared, region=name)
        value = item.data.value if isinstance(item.data, Quantity) else None
        if value is not None:
            emit(ctx, state, subject, "yoy_pct", value, "%", area_start, item.end)
    state.clause_region = named
    return True


SHARE_REACH = 4
"""How far after a figure a share word (`的占比`, `的比重`) still makes it a share."""


def area_run(
    ctx: DocumentContext, areas: list[tuple[int, int, str]], figure_start: int
) -> list[tuple[int, int, str]]:
    """The areas listed right before `以` and the figure at `figure_start`, in order."""
    last = areas[-1]
    if not ctx.patterns.areas_by_figure.fullmatch(ctx.text, last[1], figure_start):
        return []
    run = [last]
    gaps = ctx.patterns.area_list_gaps
    for area in reversed(areas[:-1]):
        if area[1] == run[0][0] or not gaps.fullmatch(ctx.text, area[1], run[0][0]):
            break
        run.insert(0, area)
    return run


def bracket_subject(ctx: DocumentContext, state: SentenceState) -> Subject | None:
    """The subject of figures in brackets after areas in a sentence that names no noun."""
    if state.subjects:
        return None
    return continued_subject(ctx, state.sentence_start, state.sentence_start)


def is_leading_count(text: str, token: Token) -> bool:
    """`4家独角兽企业`: a count that quantifies the noun after it, not the subject before."""
    q = token.data
    end = max(token.end, q.tail_end) if isinstance(q, Quantity) else token.end
    nxt = text[end : end + 1]  # 100家以上: the bound word is no noun
    if token.run is not None:
        return False  # 96家和88家: the first of a list of counts
    return isinstance(q, Quantity) and q.dimension == "count" and "\u4e00" <= nxt <= "\u9fff"
