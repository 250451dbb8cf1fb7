"""Asides: what the text says in brackets (`（全国同期增长3.8%）`, `企业（年主营业务收入2000万元
及以上）136家`) is a clause of its own, whose area and nouns end with it."""

from __future__ import annotations

from transforms.extract.context import DocumentContext
from transforms.extract.patterns import BRACKETS
from transforms.extract.state import Aside, SentenceState
from transforms.extract.tokens import Token


def open_aside(
    ctx: DocumentContext, state: SentenceState, after: int, token: Token, sentence_end: int
) -> None:
    """The token is the first inside a bracket opened since the last one: remember what the
    text said before it. The bracket right after a comparison's base (`比重庆全市（5.8%）高`)
    is the base's figure, which `read_base_figure` reads."""
    text = ctx.text
    opening = max(text.rfind("（", after, token.start), text.rfind("(", after, token.start))
    if opening < 0:
        return
    close = text.find(BRACKETS[text[opening]], token.start, sentence_end)
    if close < 0:
        return
    base = state.base_area
    if base is not None and ctx.patterns.base_figure_lead.fullmatch(text, base[0], token.start):
        return  # the base's own figure, which `read_base_figure` reads
    state.aside = Aside(
        close,
        state.subject,
        state.region,
        state.clause_region,
        state.clause_start,
        state.foreign,
    )
    state.clause_start = opening + 1
    state.foreign = False


def end_aside(state: SentenceState) -> None:
    aside = state.aside
    assert aside is not None
    state.subject, state.region, state.clause_region = (
        aside.subject,
        aside.region,
        aside.clause_region,
    )
    state.clause_start, state.foreign = aside.clause_start, aside.foreign
    state.aside = None


def measure_named_in_aside(state: SentenceState) -> None:
    """A growth word inside an aside (`两年平均增长5.8%（全国同比增长12.7%）`) names the
    aside's own measure; a bare figure there (`增长6.8%（全国3.8%）`) keeps the one outside."""
    if state.aside is not None:
        state.avg2y = 0
        state.share_open = state.comparator = False
