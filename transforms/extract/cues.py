"""Cue words of `cues.csv` in a sentence: qualifiers (新增, 累计), stocks (截至, 目前), bounds
and plans (突破, 预计: no figure), 分别, targets, `从...到` pairs, comparison and rank words."""

from __future__ import annotations

from transforms.extract.context import DocumentContext, Period
from transforms.extract.state import SentenceState
from transforms.extract.tokens import Token


def read_cue(ctx: DocumentContext, state: SentenceState, tokens: list[Token], index: int) -> None:
    token = tokens[index]
    # A cue's data is its role; as a `str` the comparisons below are compiled ones.
    role = token.data if isinstance(token.data, str) else ""
    if role == "qual_new":
        state.qualifier, state.qualifier_at = "新增", token.start
    elif role == "qual_cum":
        state.qualifier, state.qualifier_at = "累计", token.start
        running_months(ctx, state, token.end)
    elif role == "this_month":
        frame = ctx.frame
        if frame is not None and frame.first is not None and frame.last is not None:
            # 1-8月…，当月增长4.1%: August alone, for this clause
            clause_period(ctx, state, Period(frame.year, frame.last, frame.last))
    elif role == "point":
        state.point = True
        word = ctx.text[token.start : token.end]
        now = ctx.patterns.now_words
        if word in now or ctx.text.startswith(now, token.end):  # 目前, 截至目前
            state.now = True
    elif role == "bound":
        state.bound = True
    elif role == "plan":
        state.plan = True
        state.estimate = ctx.lex.cue_args.get(ctx.text[token.start : token.end]) == "estimate"
    elif role == "net":
        state.net = True
    elif role == "each":
        if ctx.text[token.start : token.end] in ctx.patterns.in_order_words:
            state.each_at = token.start
    elif role == "target":
        state.target = state.target_seen = True
        state.plan = False  # 预期目标, 计划目标: the target's own name
        if ctx.lex.cue_args.get(ctx.text[token.start : token.end]) == "growth":
            state.growth = 1  # 预期增长6%: the target and its growth verb in one word
            state.cue_end = token.end
        listed = ctx.patterns.target_list_after.match(ctx.text, token.end)
        if listed:
            state.target_sentence = True  # 主要目标是：A增长7%；B增长8%
            # 目标是：A增长7%。C占比达到66%左右，D可比增长7.5%: a list after a colon runs to
            # the paragraph's end
            ctx.target_list_open = ctx.text[listed.end() - 1] in "：:"
    elif role == "from":
        if state.from_periods:
            state.previous_from = state.from_periods
        state.from_periods = []
        state.from_index = 0
    elif role in ("comparator", "rank_lead"):
        state.reference_end = token.end  # 高于全省, 居潍坊市第二: the area is a base


def running_months(ctx: DocumentContext, state: SentenceState, end: int) -> None:
    """`2023年8月…本月增长4.1%，累计增长5.6%`: in a release on one month, 累计 right before a
    growth (ending at `end`) is January to that month, for its clause."""
    frame = ctx.frame
    rules = ctx.patterns
    if frame is None or frame.first is None or frame.first != frame.last or frame.first == 1:
        return
    if rules.growth.match(ctx.text, end) or rules.rate.match(ctx.text, end):
        clause_period(ctx, state, Period(frame.year, 1, frame.last))


def clause_period(ctx: DocumentContext, state: SentenceState, period: Period) -> None:
    """A period for the rest of the clause; the one before comes back at its end."""
    if state.clause_saved is None:
        state.clause_saved = (ctx.period, ctx.year)
    ctx.period = period
