"""Clauses: a separator (`，；：`) ends the clause's cues, its area and its digression."""

from __future__ import annotations

import itertools

from transforms.extract.areas import end_area_clause
from transforms.extract.context import DocumentContext
from transforms.extract.state import SentenceState
from transforms.extract.tokens import Token


def read_separator(
    ctx: DocumentContext, state: SentenceState, tokens: list[Token], index: int
) -> None:
    token = tokens[index]
    if ctx.text[token.start] in "；;":
        state.qualifier = None  # 新增A 5家；B达到312家: each item says its own
    end_area_clause(ctx, state, token.start)
    if state.clause_saved is not None:
        ctx.period, ctx.year = state.clause_saved
        state.clause_saved = None
    state.reset_clause(token.end)
    if state.aside is not None and state.aside.region_named is not None:
        state.clause_region = state.aside.region_named
    if state.now_held:
        state.now, state.now_held = True, False


def clause_has_foreign_subject(
    ctx: DocumentContext, state: SentenceState, tokens: list[Token], index: int
) -> bool:
    """`...,其中电子信息产业增长20.5%`: a growth after a new noun is not the subject's."""
    subject = state.subject
    if subject is None or subject.start >= state.clause_start:
        return False
    start = state.clause_start
    pieces = []
    pos = start
    for token in itertools.islice(tokens, index):
        if token.end <= start:
            continue
        if token.kind in ("ind", "stem", "kind"):
            return False
        pieces.append(ctx.text[pos : token.start])
        pos = max(pos, token.end)
    pieces.append(ctx.text[pos : tokens[index].start])
    return ctx.patterns.names_noun("".join(pieces))
