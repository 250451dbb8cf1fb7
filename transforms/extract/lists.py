"""Lists (`分别`): listed figures shared out among listed indicators (`城乡居民人均可支配收入
分别增长5%和7%`, `高技术、装备和高新技术等产业制造业增加值分别增长...`) or listed areas
(`海宁市、桐乡市分别新增规上工业企业96家和88家`) or listed periods (`一季度、上半年分别增长…`),
in order, as many items as figures or none; and the indicator a sentence naming none
continues from the sentence before (`…增长6%。其中，甲市、乙市分别增长…`)."""

from __future__ import annotations

import re

from transforms.extract.context import DocumentContext, Period
from transforms.extract.patterns import CN_DIGIT_START, ORDINAL, ORDINAL_LIST, SENTENCE_END
from transforms.extract.periods import resolve_mention
from transforms.extract.state import SentenceState, Subject
from transforms.periods import PeriodMention, find_periods


def split_list_items(ctx: DocumentContext, segment: str) -> list[str]:
    return [item for item in ctx.patterns.list_split.split(segment) if item]


def expand_collective(ctx: DocumentContext, segment: str) -> str:
    """`三次产业增加值` -> `第一产业、第二产业、第三产业增加值`: a word naming several
    items (`cues.csv`, role `list_of`) written out as the list it stands for."""
    for term, items in ctx.lex.collectives.items():
        if segment.startswith(term):
            return "、".join(items) + segment[len(term) :]
    return segment


def resolve_list(ctx: DocumentContext, segment: str, start: int) -> list[Subject] | None:
    """`高技术、数字经济、装备和高新技术等产业制造业增加值` -> one subject per item."""
    rules = ctx.patterns
    segment = rules.list_lead.sub("", segment)
    for m in find_periods(segment):  # 2021年海宁市高技术、...: the list starts after them
        if m.start == 0:
            segment = segment[m.end :]
    named = ctx.regions.pattern.match(segment)
    if named:
        segment = segment[named.end() :]
    segment = rules.list_trail.sub("", segment)
    items = split_list_items(ctx, expand_collective(ctx, segment))
    if len(items) < 2:
        return None
    if ORDINAL.match(items[0]):
        # 第一、二、三产业: the later items elide the 第 of the first.
        items = [f"第{item}" if CN_DIGIT_START.match(item) else item for item in items]
    last = items[-1]
    etc = next((word for word in rules.list_etc if word in last), None)
    if etc is not None:
        head, _, tail = last.partition(etc)
        items[-1] = head
    else:
        _, tail = ctx.lex.split_kind(last)
        if not tail:
            entry = ctx.lex.lookup(last)
            tail = ctx.lex.split_kind(entry.indicator)[1] if entry else ""
        items[-1] = last[: len(last) - len(tail)] if tail and last.endswith(tail) else last
    kind = ctx.lex.split_kind(tail)[1] or tail
    prefer = next((word for word in rules.list_prefer if word in tail), "")
    subjects = []
    for item in items:
        entry = ctx.lex.lookup(item + tail) or ctx.lex.lookup(item)
        if entry is None and kind:
            _, own_kind = ctx.lex.split_kind(item)
            entry = None if own_kind else ctx.lex.complete(item, kind, prefer)
        if entry is None:
            subjects.append(Subject(None, "currency", start, item))
        else:
            subjects.append(Subject(entry.indicator, entry.dimension, start, item, entry.qualifier))
    return subjects


def earlier_ordinals(
    ctx: DocumentContext, sentence_start: int, seg_start: int, segment: str
) -> list[Subject] | None:
    """`第一、第三产业增速领跑，增加值分别是A、B`: the clause before 分别 names only the kind
    (增加值); the items are the ordinals an earlier clause of the sentence listed."""
    if ctx.patterns.list_split.search(segment):
        return None
    found = list(ORDINAL_LIST.finditer(ctx.text, sentence_start, seg_start))
    if not found:
        return None
    listed = resolve_list(ctx, found[-1].group() + segment.strip(), found[-1].start())
    if listed is None or any(s.indicator is None for s in listed):
        return None
    return listed


def list_targets(
    ctx: DocumentContext, state: SentenceState, sentence_start: int, count: int
) -> list[Subject] | None:
    """The subjects `count` listed figures go to, in order; [] when the clause lists as
    many items as can be told and their count is not the figures' (nothing pairs then);
    None when the clause lists nothing."""
    each = state.each_at
    boundary = max(ctx.text.rfind(sep, sentence_start, each) for sep in "，,；;：:")
    seg_start = max(boundary + 1, sentence_start)
    segment = ctx.text[seg_start:each]
    if re.search(r"\d", segment) is None:
        listed = resolve_list(ctx, segment, seg_start) or earlier_ordinals(
            ctx, sentence_start, seg_start, segment
        )
        if listed and len(listed) == count:
            state.last_list = listed
            return listed
        if listed:
            return []  # 甲、乙分别增长1%、2%和3%: a count unlike the list's pairs nothing
    # `城乡居民人均可支配收入分别增长5%和7%`: a clause that names its own noun before 分别
    # shares the numbers out among its own nouns, never among earlier clauses'.
    own = any(seg_start <= s.start < each for s in state.subjects)
    if not own and state.last_list:
        # 分别是A、B，分别增长C、D: the same items, a second time (as many, or none of them)
        return state.last_list if len(state.last_list) == count else []
    recent: list[Subject] = []
    for subject in reversed(state.subjects):
        if subject.start >= each or (own and subject.start < seg_start):
            continue
        if all(s.indicator != subject.indicator or s.indicator is None for s in recent):
            recent.insert(0, subject)
        if len(recent) == count:
            return recent
    return None


def listed_areas(
    ctx: DocumentContext, state: SentenceState, sentence_start: int, count: int
) -> tuple[list[tuple[int, int, str]], Subject] | None:
    """One area per listed number, and the subject they share: named after 分别
    (`海宁市、桐乡市分别新增规上工业企业96家和88家`), between the areas and 分别
    (`甲市、乙县规上工业增加值分别增长6.1%、5.4%`), or earlier in the sentence or the one
    before (`规上工业增加值增长6%。其中，甲市、乙市分别增长8.1%、7.2%`). The areas are the
    last run of names joined only by list gaps; another count of areas than of figures
    pairs nothing."""
    each = state.each_at
    seg_start = max(
        sentence_start, *(ctx.text.rfind(sep, sentence_start, each) + 1 for sep in "，,；;：:")
    )
    areas = [a for a in state.areas if seg_start <= a[0] and a[1] <= each]
    gaps = ctx.patterns.area_list_gaps
    run: list[tuple[int, int, str]] = []
    for area in areas:
        if run and (run[-1][1] == area[0] or not gaps.fullmatch(ctx.text, run[-1][1], area[0])):
            run = []
        run.append(area)
    if len(run) != count or len({name for _, _, name in run}) != count:
        return None
    subject = state.subject
    if subject is not None and subject.start > each:
        return run, subject  # 甲市、乙市分别新增规上工业企业96家和88家
    between = ctx.text[run[-1][1] : each]
    if subject is not None and run[-1][1] <= subject.start < each:
        # 甲市、乙市规上工业增加值增速分别为: only the subject's name and its cues between
        rest = between.replace(subject.text, "", 1)
        return (run, subject) if lone_cues(ctx, rest) else None
    lead = ctx.patterns.list_lead.sub("", ctx.text[seg_start : run[0][0]].strip())
    if not lone_cues(ctx, between) or lead:
        return None
    if subject is None and not state.subjects:
        subject = continued_subject(ctx, sentence_start, run[0][0])
    return (run, subject) if subject is not None and subject.indicator else None


def continued_subject(ctx: DocumentContext, sentence_start: int, start: int) -> Subject | None:
    """For a sentence that names no noun (`规上工业增加值增长8.6%，居24个万亿GDP城市第4位。
    7月当月增速达13.8%`; `13个市规上工业增加值实现增长。其中，甲市、乙市分别增长…`): the
    indicator the sentence before last reported a figure of, else the one it last named (a
    name inside a rank phrase is no report). Only the sentence right before, in the same
    paragraph, and with no noun outside the catalogue named since (`居民收入增长3%。其中…`)."""
    last = next((f for f in reversed(ctx.facts) if f.measure in ("value", "yoy_pct")), None)
    candidates = [(ctx.last_indicator, ctx.last_indicator_at)]
    if last is not None and last.end <= sentence_start:
        candidates.insert(0, (last.indicator, last.start))
    for name, at in candidates:
        if name and 0 <= at < sentence_start and follows(ctx, at, sentence_start):
            entry = ctx.lex.lookup(name)
            return Subject(entry.indicator, entry.dimension, start, "") if entry else None
    return None


def follows(ctx: DocumentContext, at: int, sentence_start: int) -> bool:
    """The sentence at `sentence_start` comes right after the one holding `at`."""
    if ctx.other_noun_at > at:
        return False
    ends = SENTENCE_END.findall(ctx.text, at, sentence_start)
    return len(ends) <= 1 and "\n" not in ends


def lone_cues(ctx: DocumentContext, text: str) -> bool:
    """Nothing but rate and growth words and fillers (`增速`, `同比`): no other noun."""
    text = ctx.patterns.list_trail.sub("", ctx.lex.filler.sub("", text))
    return not text.strip() or ctx.patterns.list_trail.fullmatch(text) is not None


def listed_periods(
    ctx: DocumentContext, state: SentenceState, sentence_start: int, count: int
) -> list[Period] | None:
    """`一季度、上半年、前三季度地区生产总值分别增长6.2%、5.8%和6.0%`, `其中7月、8月分别增长…`:
    one period per listed figure, the periods joined only by list gaps in the clause before
    分别; another count of periods than of figures pairs nothing."""
    each = state.each_at
    seg_start = max(
        sentence_start, *(ctx.text.rfind(sep, sentence_start, each) + 1 for sep in "，,；;：:")
    )
    segment = ctx.text[seg_start:each]
    gaps = ctx.patterns.area_list_gaps
    run: list[PeriodMention] = []
    for mention in find_periods(segment):
        if mention.pair or mention.same_months:
            return None
        if run and (
            run[-1].end == mention.start or not gaps.fullmatch(segment, run[-1].end, mention.start)
        ):
            run = []
        run.append(mention)
    if len(run) != count or count < 2:
        return None
    periods: list[Period] = []
    for mention in run:
        period = resolve_mention(ctx, mention)
        if period is None or period in periods:
            return None
        periods.append(period)
    return periods
