"""Passes over a document's tokens before its sentences are read: each takes the tokens and
returns them with what it found marked on copies (`TOKEN_PASSES`, applied in order)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from transforms.extract.context import DocumentContext
from transforms.extract.tokens import Token

GROWTH_DIMENSIONS = frozenset({"ratio", "multiple"})
"""Dimensions (units.csv) of growth figures one list may mix (`分别增长1.3倍和35.0%`)."""


def group_lists(ctx: DocumentContext, tokens: list[Token]) -> list[Token]:
    """Mark quantity runs `4.2%和6.6%` so 分别 can distribute them. A run's figures share a
    unit (or are all growths, in % or 倍), stand apart by list gaps or, as percentages,
    by nothing at all (`3.1%4.8%`); a down verb between two (`增长6.1%和下降2.0%`) makes
    the later one a decline."""
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
        members = [token]  # the run's figures and the down verbs between them, in order
        j = i + 1
        while j < len(tokens):
            verb = down_verb_between(text, gap, tokens, j, run[-1])
            at = j + 1 if verb is not None else j
            if at >= len(tokens) or not listed_after(text, gap, run[-1], tokens[at], verb):
                break
            later = tokens[at]
            if verb is not None:
                q = later.data
                later = replace(later, data=replace(q, value=-abs(q.value)))
                members.append(verb)
            run.append(later)
            members.append(later)
            j = at + 1
        if len(run) > 1:
            grouped.append(replace(token, run=tuple(run)))
            grouped.extend(m if m.kind != "qty" else replace(m, in_run=True) for m in members[1:])
        else:
            grouped.append(token)
        i = j
    return grouped


def down_verb_between(
    text: str, gap: re.Pattern[str], tokens: list[Token], j: int, last: Token
) -> Token | None:
    """`增长6.1%和下降2.0%`: the down verb right before the next listed figure."""
    verb = tokens[j]
    if verb.kind != "growth" or j + 1 >= len(tokens) or tokens[j + 1].start != verb.end:
        return None
    m = verb.data
    if not isinstance(m, re.Match) or not m.group("down") or m.group("level"):
        return None
    return verb if gap.match(text[last.end : verb.start]) else None


def listed_after(
    text: str, gap: re.Pattern[str], last: Token, token: Token, verb: Token | None
) -> bool:
    """`token` is the figure listed after `last` (a down verb `verb` between them)."""
    if token.kind != "qty":
        return False
    q, last_q = token.data, last.data
    if q.unit != last_q.unit and not {q.dimension, last_q.dimension} <= GROWTH_DIMENSIONS:
        return False
    if verb is not None:
        return True
    between = text[last.end : token.start]
    # 3.1%4.8%: percentages may stand with nothing between
    return gap.match(between) is not None or (between == "" and last_q.dimension == "ratio")


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
