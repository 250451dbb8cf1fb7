"""Emitting a fact: its area, period and qualifier decided, each fact once per document."""

from __future__ import annotations

from transforms.extract.context import DocumentContext, Period
from transforms.extract.periods import fact_period
from transforms.extract.state import SentenceState, Subject
from transforms.facts import Fact


def emit(
    ctx: DocumentContext,
    state: SentenceState,
    subject: Subject,
    measure: str,
    value: float,
    unit: str | None,
    ev_start: int,
    ev_end: int,
    *,
    denominator: str | None = None,
    approx: bool = False,
    period: Period | None = None,
    base_region: str | None = None,
) -> None:
    indicator = subject.indicator
    region = base_region or state.clause_region or subject.region or state.region
    if indicator is None or region is None:
        return
    info = ctx.catalog.by_name.get(indicator)
    if info is None:
        return
    qualifier = subject.qualifier or state.qualifier
    if (
        qualifier == "新增"
        and subject.qualifier is None
        and state.qualifier_at < state.clause_start
        and info.dimension == "count"
        and ctx.patterns.stock_verb.search(ctx.text, max(ev_start, state.clause_start), ev_end)
    ):
        qualifier = None  # 新增上市企业1家，全区上市企业达到5家: a level reached is a stock
    if measure not in ("value", "target_value"):
        qualifier = None
    elif info.dimension == "count" and qualifier is None and measure == "value":
        qualifier = "累计"
    elif info.dimension not in ("count", "currency"):
        qualifier = None
    span = fact_period(ctx, state, measure, info.dimension, qualifier, period)
    if span is None:
        return
    if measure != "rank":
        # 增长7.3%，居全市第一，高于全省(4.9%): a rank between keeps the growth a base compares
        state.last_measure = measure
    if measure.startswith("target_"):
        # The sentence opens with a target (`今年GDP预期增长6%左右，规上工业增加值增长6.5%`):
        # the figures listed after it are targets too.
        state.target_sentence = state.target_sentence or not state.actual_seen
    elif measure not in ("rank", "pp_change"):
        state.actual_seen = True
    key = (region, span[0], span[1], indicator, measure, qualifier, denominator)
    if key in ctx.seen or (qualifier is not None and (*key[:5], None, denominator) in ctx.seen):
        return  # a figure given again (`在总量上，蚌埠(2012.3亿元)`) is no stock of its own
    ctx.seen.add(key)
    raw_start, raw_end = ctx.normalised.raw_span(ev_start, ev_end)
    ctx.facts.append(
        Fact(
            doc=ctx.doc,
            region=region,
            period_start=span[0],
            period_end=span[1],
            indicator=indicator,
            measure=measure,
            value=value,
            unit=unit,
            qualifier=qualifier,
            denominator=denominator,
            evidence=ctx.text[ev_start:ev_end],
            start=ev_start,
            end=ev_end,
            raw_start=raw_start,
            raw_end=raw_end,
            is_approximate=approx,
            region_code=ctx.region_codes.get(region),
        )
    )
