"""Measure cues: what a percentage is. A growth word (`同比增长`, `下降`) or a rate word
(`增速`) makes it a year-on-year growth, `两年平均增长` a two-year average, `占...比重` a share
(of the denominator named); a rank (`居全省第二`) and `与上年持平` are facts of their own."""

from __future__ import annotations

import re

from transforms.extract.asides import measure_named_in_aside
from transforms.extract.clauses import clause_has_foreign_subject
from transforms.extract.context import DocumentContext
from transforms.extract.cues import running_months
from transforms.extract.emit import emit
from transforms.extract.state import SentenceState
from transforms.extract.tokens import Token
from transforms.numbers import parse_number


def read_growth(
    ctx: DocumentContext, state: SentenceState, tokens: list[Token], index: int
) -> None:
    token = tokens[index]
    m = token.data
    assert isinstance(m, re.Match)
    lead = m.group("pre")
    if lead and ctx.lex.cue_roles.get(lead) == "qual_cum":
        running_months(ctx, state, m.start("pre") + len(lead))  # 本月…，累计增长5.6%
    if lead in ctx.patterns.not_yoy:
        state.mom = True  # month-on-month or a multi-year average: not yoy
    elif not m.group("level"):
        state.growth = -1 if m.group("down") else 1
        measure_named_in_aside(state)
    state.cue_end = token.end
    if not state.target and clause_has_foreign_subject(ctx, state, tokens, index):
        state.foreign = True


def read_rate(ctx: DocumentContext, state: SentenceState, tokens: list[Token], index: int) -> None:
    state.rate = True
    measure_named_in_aside(state)
    state.cue_end = tokens[index].end
    if not state.target and clause_has_foreign_subject(ctx, state, tokens, index):
        state.foreign = True


def read_avg2y(ctx: DocumentContext, state: SentenceState, tokens: list[Token], index: int) -> None:
    token = tokens[index]
    m = token.data
    assert isinstance(m, re.Match)
    state.avg2y = -1 if m.group("down") else 1
    state.cue_end = token.end


def read_share(ctx: DocumentContext, state: SentenceState, tokens: list[Token], index: int) -> None:
    token = tokens[index]
    m = token.data
    assert isinstance(m, re.Match)
    den_text = m.group("den") or m.group("den2") or ""
    state.share_open = True
    state.share = resolve_denominator(ctx, state, den_text)


def resolve_denominator(ctx: DocumentContext, state: SentenceState, text: str) -> str | None:
    text = ctx.patterns.share_whole_lead.sub("", text)
    if not text:
        return None
    entry = ctx.lex.lookup(text)
    if entry:
        return entry.indicator
    numerator = state.subject.indicator if state.subject else None
    kind = ctx.lex.split_kind(numerator)[1] if numerator else ""
    if numerator and kind and text == kind:
        # 民间投资占全部投资的比重: the whole the numerator is a part of.
        info = ctx.catalog.by_name[numerator]
        parent = next((i for i in ctx.catalog.indicators if i.code == info.parent_code), None)
        return parent.name_zh if parent else None
    for suffix in (kind, *ctx.patterns.share_whole_kinds):
        if suffix:
            entry = ctx.lex.lookup(text + suffix)
            if entry:
                return entry.indicator
    return None


def read_rank(ctx: DocumentContext, state: SentenceState, tokens: list[Token], index: int) -> None:
    token = tokens[index]
    m = token.data
    assert isinstance(m, re.Match)
    subject = state.subject
    if subject is None or subject.indicator is None or state.plan:
        return
    value = (
        1.0
        if m.group("top") in ctx.patterns.rank_first
        else (parse_number(m.group("n")) if m.group("n") else None)
    )
    if value is None:
        return
    emit(ctx, state, subject, "rank", value, None, subject.start, token.end)


def read_flat(ctx: DocumentContext, state: SentenceState, tokens: list[Token], index: int) -> None:
    token = tokens[index]
    subject = state.subject
    if subject is None or subject.indicator is None or state.target or state.plan:
        return
    emit(ctx, state, subject, "yoy_pct", 0.0, "%", subject.start, token.end)


def measure_for_percent(state: SentenceState) -> tuple[str, int] | None:
    if state.share_open:
        return "share_pct", 1
    if state.avg2y:
        return "avg2y_pct", state.avg2y
    if state.mom:
        return None
    if state.target and (state.rate or state.growth):
        return "target_yoy_pct", state.growth or 1
    if state.comparator:
        return None
    if state.rate:
        return "yoy_pct", 1
    if state.growth:
        return "yoy_pct", state.growth
    return None


def cue_reaches(ctx: DocumentContext, cue_end: int, number_start: int) -> bool:
    """The growth cue is this number's: only fillers between (`增长了`, `分别增长`)."""
    between = ctx.text[cue_end:number_start]
    if len(between) > 12 or between.startswith(ctx.patterns.reach_stops):
        return False
    return not ctx.patterns.names_noun(between)
