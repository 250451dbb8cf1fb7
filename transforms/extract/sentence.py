"""Reading one sentence: its tokens left to right, each handed to the rule of its kind
(`HANDLERS`), over a `SentenceState` that starts fresh with the sentence. Every cue has a
reach and nothing outlives it: a clause's cues end at its separator (`clauses.py`), an
aside's at its bracket (`asides.py`), a digression at the sentence's end (`end_sentence`)."""

from __future__ import annotations

from collections.abc import Callable

from transforms.extract.areas import read_region
from transforms.extract.asides import end_aside, open_aside
from transforms.extract.clauses import read_separator
from transforms.extract.context import DocumentContext, Period
from transforms.extract.cues import read_cue
from transforms.extract.measures import (
    read_avg2y,
    read_flat,
    read_growth,
    read_rank,
    read_rate,
    read_share,
)
from transforms.extract.periods import read_period, resume_period
from transforms.extract.quantities import read_quantity_token
from transforms.extract.state import SentenceState
from transforms.extract.subjects import read_indicator, read_kind, read_stem
from transforms.extract.tokens import Token

Handler = Callable[[DocumentContext, SentenceState, list[Token], int], None]
"""A rule reading `tokens[index]` in its sentence."""

HANDLERS: dict[str, Handler] = {
    "sep": read_separator,
    "qty": read_quantity_token,
    "period": read_period,
    "region": read_region,
    "ind": read_indicator,
    "stem": read_stem,
    "kind": read_kind,
    "cue": read_cue,
    "growth": read_growth,
    "rate": read_rate,
    "avg2y": read_avg2y,
    "share": read_share,
    "rank": read_rank,
    "flat": read_flat,
}
"""Token kind -> the rule that reads a token of that kind (every kind of `tokens.PRIORITY`)."""


def read_sentence(
    ctx: DocumentContext, start: int, end: int, tokens: list[Token], carried_region: str | None
) -> str | None:
    """Facts of one sentence; returns the area in force at its end (a next sentence opening
    with 其中 is about it)."""
    text = ctx.text
    rules = ctx.patterns
    starts_with_subset = text[start : start + 1] in rules.subset_starts and text.startswith(
        rules.subset_words, start
    )
    state = SentenceState(carried_region if starts_with_subset else ctx.document_region, start)
    frame_before = (ctx.frame, ctx.frame_year, ctx.frame_explicit)
    begin_sentence(ctx, state, start)
    # Tokens lie inside their sentence: one without a bracket opens no aside.
    bracketed = text.find("（", start, end) >= 0 or text.find("(", start, end) >= 0
    for index, token in enumerate(tokens):
        if state.aside is not None and token.start >= state.aside.close:
            end_aside(state)
        if bracketed and state.aside is None:
            open_aside(ctx, state, tokens[index - 1].end if index else start, token, end)
        read_token(ctx, state, tokens, index, token.kind)
    if state.aside is not None:
        end_aside(state)  # `…（全国同比增长18.3%）。其中，…`: the next sentence is not 全国's
    end_sentence(ctx, state, frame_before, end)
    subject = state.subject
    if subject is not None and subject.indicator and state.reference_end > subject.start:
        return subject.region  # `…列全省第3位。其中，…`: a rank's base is no area to carry
    return state.region


def read_token(
    ctx: DocumentContext, state: SentenceState, tokens: list[Token], index: int, kind: str
) -> None:
    """`HANDLERS[kind](ctx, state, tokens, index)`, each rule called directly: compiled, a
    call through the table costs a dictionary lookup and a boxed call per token. The most
    frequent kinds (in the bench's reports) come first."""
    if kind == "sep":
        read_separator(ctx, state, tokens, index)
    elif kind == "kind":
        read_kind(ctx, state, tokens, index)
    elif kind == "region":
        read_region(ctx, state, tokens, index)
    elif kind == "cue":
        read_cue(ctx, state, tokens, index)
    elif kind == "qty":
        read_quantity_token(ctx, state, tokens, index)
    elif kind == "period":
        read_period(ctx, state, tokens, index)
    elif kind == "growth":
        read_growth(ctx, state, tokens, index)
    elif kind == "ind":
        read_indicator(ctx, state, tokens, index)
    elif kind == "stem":
        read_stem(ctx, state, tokens, index)
    elif kind == "rate":
        read_rate(ctx, state, tokens, index)
    elif kind == "avg2y":
        read_avg2y(ctx, state, tokens, index)
    elif kind == "share":
        read_share(ctx, state, tokens, index)
    elif kind == "rank":
        read_rank(ctx, state, tokens, index)
    elif kind == "flat":
        read_flat(ctx, state, tokens, index)
    else:
        HANDLERS[kind](ctx, state, tokens, index)


def begin_sentence(ctx: DocumentContext, state: SentenceState, start: int) -> None:
    """A paragraph ends the year of the one before (`去年，全市...`); after a heading of
    targets (`二、2024年主要预期目标`), the paragraph lists targets."""
    state.paragraph_head = start == 0 or ctx.text[start - 1] == "\n"
    if state.paragraph_head and ctx.paragraph_period is not None:
        ctx.paragraph_period = None
        ctx.paragraph_target = False
        resume_period(ctx)
    if state.paragraph_head and ctx.target_heading is not None:
        ctx.paragraph_period, ctx.target_heading = ctx.target_heading, None
        ctx.paragraph_target = True
        resume_period(ctx)
    if state.paragraph_head:
        ctx.target_list_open = False
        if ctx.target_list_return is not None:
            ctx.frame, ctx.frame_year, ctx.frame_explicit = ctx.target_list_return
            ctx.target_list_return = None
            resume_period(ctx)
    if ctx.paragraph_target or ctx.target_list_open:
        state.target = state.target_sentence = state.target_seen = True


def end_sentence(
    ctx: DocumentContext,
    state: SentenceState,
    frame_before: tuple[Period | None, int | None, bool],
    end: int,
) -> None:
    """Digressions end here; the year of a sentence of targets (`今年的主要目标是：`, in a
    review of last year) is no frame for what follows."""
    before, _, explicit = frame_before
    heading = ctx.period
    if (
        state.target_seen
        and not state.content_seen
        and ctx.text[end - 1 : end] == "\n"
        and heading is not None
        and before is not None
        and heading.year > before.year
    ):
        # `二、2024年主要预期目标` on a line of its own: its list follows in the next paragraph.
        ctx.target_heading = Period(heading.year, 1, 12)
    if (
        state.target_seen
        and explicit
        and before is not None
        and ctx.frame is not None
        and (ctx.frame.year != before.year)
    ):
        if ctx.target_list_open:
            # the list goes on in the paragraph's next sentences, in its year
            ctx.target_list_return = ctx.target_list_return or frame_before
        else:
            ctx.frame, ctx.frame_year, ctx.frame_explicit = frame_before
    if state.digressed or state.target_seen or state.clause_saved is not None:
        resume_period(ctx)
