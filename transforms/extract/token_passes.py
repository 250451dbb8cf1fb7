"""Passes over a document's tokens before its sentences are read: each takes the tokens and
returns them with what it found marked on copies (`TOKEN_PASSES`, applied in order)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from transforms.extract.context import DocumentContext
from transforms.extract.tokens import Token


def group_lists(ctx: DocumentContext, tokens: list[Token]) -> list[Token]:
    """Mark quantity runs `4.2%和6.6%` so 分别 can distribute them."""
    text, gap = ctx.text, ctx.patterns.list_gap
    grouped: list[Token] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.kind != "qty":
            grouped.append(token)
            i += 1
            continue
        run = [token]
        j = i + 1
        while (
            j < len(tokens)
            and tokens[j].kind == "qty"
            and gap.match(text[run[-1].end : tokens[j].start])
            and tokens[j].data.unit == token.data.unit
        ):
            run.append(tokens[j])
            j += 1
        if len(run) > 1:
            grouped.append(replace(token, run=tuple(run)))
            grouped.extend(replace(later, in_run=True) for later in run[1:])
        else:
            grouped.append(token)
        i = j
    return grouped


def bind_leading_counts(ctx: DocumentContext, tokens: list[Token]) -> list[Token]:
    """`2097家规模以上工业企业`: a count written before the indicator it counts."""
    text, links = ctx.text, ctx.patterns.count_noun_links
    bound = list(tokens)
    for i in range(len(bound) - 1):
        a, b = bound[i], bound[i + 1]
        if a.kind != "qty" or b.kind != "ind" or text[a.end : b.start] not in links:
            continue
        if getattr(a.data, "dimension", "") == "count" == getattr(b.data, "dimension", ""):
            bound[i] = replace(a, counts_next=True)
            bound[i + 1] = replace(b, leading=bound[i])
    return bound


TOKEN_PASSES: tuple[Callable[[DocumentContext, list[Token]], list[Token]], ...] = (
    group_lists,
    bind_leading_counts,
)
