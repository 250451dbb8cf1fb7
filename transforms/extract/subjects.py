"""Subjects: the indicator the next figures describe. An indicator's name opens one; a stem
(`其中，高新技术产业48.6亿元`) or a kind word (`增加值增长3.6%`) completes the name of the one
before; a narrower noun (`电子设备制造业增加值`) or a combined count opens a subject that blocks
attachment."""

from __future__ import annotations

from transforms.extract.context import DocumentContext
from transforms.extract.quantities import read_quantity
from transforms.extract.state import SentenceState, Subject
from transforms.extract.tokens import Token
from transforms.lexicon import Entry
from transforms.periods import find_periods

KIND_REACH = 16
"""At most this many characters between a stem and the kind word its verb reaches."""


def read_indicator(
    ctx: DocumentContext, state: SentenceState, tokens: list[Token], index: int
) -> None:
    state.saw_content()
    token = tokens[index]
    if ctx.patterns.group_after.match(ctx.text, token.end):
        return  # 居长三角万亿GDP城市第2位，总量1200亿元: the total is still the subject's
    previous = tokens[index - 1] if index else None
    open_subject(ctx, state, token, subject_from_indicator(ctx, state, token, previous))


def read_stem(ctx: DocumentContext, state: SentenceState, tokens: list[Token], index: int) -> None:
    state.saw_content()
    token = tokens[index]
    following = tokens[index + 1] if index + 1 < len(tokens) else None
    subject = subject_from_stem(ctx, state, token, following)
    if subject.indicator is None and token.short:
        return  # 工业 with no parent to take a kind from: just a word
    open_subject(ctx, state, token, subject)


def read_kind(ctx: DocumentContext, state: SentenceState, tokens: list[Token], index: int) -> None:
    state.saw_content()
    open_subject(ctx, state, tokens[index], subject_from_kind(ctx, state, tokens[index]))


def open_subject(
    ctx: DocumentContext, state: SentenceState, token: Token, subject: Subject
) -> None:
    """The figures that follow describe `subject`, in the area in effect where it is named;
    the clause's growth and rate cues were about the subject before it."""
    subject.region = state.region
    state.clause_region = None
    if subject.indicator:
        ctx.last_indicator, ctx.last_indicator_at = subject.indicator, token.start
    else:
        ctx.other_noun_at = token.start
    state.subject = subject
    state.subjects.append(subject)
    state.growth = state.avg2y = 0
    state.rate = state.share_open = False
    leading = token.leading
    if leading is not None and subject.indicator:
        read_quantity(ctx, state, leading, token.start, subject)


def parent_subject(state: SentenceState) -> Subject | None:
    return next((s for s in reversed(state.subjects) if s.indicator), None)


def subject_from_kind(ctx: DocumentContext, state: SentenceState, token: Token) -> Subject:
    """A kind word: bare (`增加值增长3.6%` after 工业总产值) completes the parent's stem."""
    kind = str(token.data)
    dimension = ctx.lex.kind_dimension.get(kind, "currency")
    named = state.subject
    verb = None
    if named is not None:
        after = named.start + len(named.text)
        if ctx.text[after : after + 1].isdigit() and token.start - after <= KIND_REACH:
            # 规上工业1-10月实际完成增加值: the period the stem's figures cover may come between
            after += next((m.end for m in find_periods(ctx.text[after : token.start])), 0)
        if ctx.text[after : after + 1] in ctx.patterns.stem_verb_starts:
            verb = ctx.patterns.stem_verb.match(ctx.text, after, token.start)
    # 第一产业实现增加值4.3亿元; 规上工业完成工业增加值: the verb's object may restate the
    # stem's last word before the kind
    if named is not None and verb and named.text.endswith(ctx.text[verb.end() : token.start]):
        # 规上企业完成产值: what the counted enterprises made is their kind (规上产值)
        stem = ctx.lex.split_kind(named.text)[0] if named.dimension == "count" else named.text
        entry = ctx.lex.lookup(named.text + kind) or ctx.lex.lookup(stem + kind)
        if entry:
            return Subject(entry.indicator, entry.dimension, named.start, named.text + kind)
    parent = parent_subject(state)
    if token.bare and parent and parent.indicator:
        for name in (parent.indicator, parent.text):
            stem, _ = ctx.lex.split_kind(name)
            entry = ctx.lex.lookup(stem + kind)
            if entry:
                return Subject(entry.indicator, entry.dimension, token.start, kind)
    opened = state.subjects[-1] if state.subjects else None
    if (
        token.bare
        and opened is not None
        and opened.indicator is None
        and opened.text in ctx.lex.stems
    ):
        # 服务业较快增长，实现增加值964.92亿元: the kind completes the stem the clause before
        # opened with (a subject of its own blocks, as 工业增加值 after 规上 does)
        entry = ctx.lex.lookup(opened.text + kind)
        if entry:
            return Subject(entry.indicator, entry.dimension, opened.start, opened.text + kind)
    last = ctx.lex.lookup(ctx.last_indicator) if ctx.last_indicator else None
    continues = last is not None and ctx.lex.split_kind(last.indicator)[1] == kind
    if token.bare and not state.subjects and last is not None and continues:
        return Subject(last.indicator, last.dimension, token.start, kind)  # 7月当月增加值增长
    return Subject(None, dimension, token.start, kind)


def subject_from_stem(
    ctx: DocumentContext, state: SentenceState, token: Token, next_token: Token | None
) -> Subject:
    """`其中,高新技术产业48.6亿元` inherits the parent's kind (增加值 or 投资)."""
    stem = str(token.data)
    kinds = ctx.lex.stems.get(stem, {})
    parent = parent_subject(state)
    kind = ""
    if parent and parent.indicator:
        kind = ctx.lex.split_kind(parent.indicator)[1]
    elif next_token is not None and next_token.kind == "growth" and ctx.last_kind:
        kind = ctx.last_kind
    if kind in kinds:
        entry = ctx.lex.entries.get(kinds[kind])
        if entry:
            return Subject(entry.indicator, entry.dimension, token.start, stem)
    return Subject(None, "currency", token.start, stem)


def subject_from_indicator(
    ctx: DocumentContext, state: SentenceState, token: Token, previous: Token | None
) -> Subject:
    entry = token.data
    assert isinstance(entry, Entry)
    text = ctx.text[token.start : token.end]
    before = ctx.text[token.start - 1] if token.start else ""
    if (
        previous is not None
        and previous.end == token.start
        and previous.kind == "cue"
        and (previous.data == "per_unit")
    ):
        return Subject(None, entry.dimension, token.start, text)  # 人均GDP is another statistic
    adjoining = (
        previous is not None
        and previous.end == token.start
        and previous.kind in ("region", "period", "qty")
    )
    if not adjoining and ctx.lex.narrower_before.search(
        ctx.text, max(0, token.start - 4), token.start
    ):
        return Subject(None, entry.dimension, token.start, text)  # 电子设备制造业增加值
    joined = (
        previous is not None
        and previous.end == token.start - 1
        and previous.kind in ("ind", "stem", "qty")
    )
    if (before == "" or before in ctx.patterns.and_words) and not joined:
        # 省级隐形冠军和国家级专精特新"小巨人"企业12家: a combined count, not the indicator's.
        # (`before` is "" at the text's very start, which has always counted as such a joint.)
        return Subject(None, entry.dimension, token.start, text)
    ctx.last_kind = ctx.lex.split_kind(entry.indicator)[1] or ctx.last_kind
    return Subject(entry.indicator, entry.dimension, token.start, text, entry.qualifier)
