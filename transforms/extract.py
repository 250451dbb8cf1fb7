"""Turn one report's text into indicator facts (../shared/spec/FACTS.md).

The text is normalised, scanned once per token family (indicators, quantities, periods,
regions, cue words; all compiled patterns), and the tokens of each sentence are read left
to right by a small state machine: an indicator opens a subject, cue words set the measure
(增长 -> yoy_pct, 两年平均 -> avg2y_pct, 占...比重 -> share_pct, 目标 -> target_*), and a
quantity closes a fact. Period and region carry over from the text around it.

Every cue has a reach, and nothing outlives it:

- a target cue holds for its clause (`目标增速12%`), for its sentence when it announces a
  list (`主要目标是：A增长7%；B增长8%`) or when the sentence opens with a target
  (`GDP预期增长6%左右，规上工业增加值增长6.5%`), and for the next paragraph when it heads
  one of its own (`二、2024年主要预期目标`);
- the period the text reports on (the frame) holds until another is named; a digression
  (`去年同期`, `8月当月` inside `1-8月`, `年末`, `到2025年`) holds for the rest of its sentence
  when it opens a clause, for its clause when named mid-clause, and the frame comes back;
  last year opening a paragraph (`去年，全市...`) holds for the paragraph;
- an area switches the subject's area only when the text reports on it: an area after a
  comparison or rank word (`高于全省`, `居全市第二`) is a base (its own figure in brackets,
  `比重庆全市（5.8%）高`, is the base's), one before `首批`, `平均` is an attribute, and one
  that ends its clause qualifying another noun (`落实泉州市各项政策，`) is given back.

The document's own area is the one its head (title, publisher, dateline) and its text name
most, comparison bases left out; each fact carries the GB/T 2260 code of its area when the
context decided it (two 鼓楼区 and no city named: no code). Tables (pipe, tab-aligned or
HTML) are read by their columns' periods and units after the prose (`read_table`).

No figure is dropped for looking implausible (`增长950%`): the quality gate owns that.
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from operator import itemgetter
from typing import Any

from transforms.catalog import Catalog, Region, load_catalog
from transforms.facts import Extraction, Fact
from transforms.lexicon import Entry, Lexicon, lexicon
from transforms.normalise import NormalisedText, normalise_text
from transforms.numbers import Quantity, find_quantities, parse_number, unit_aliases
from transforms.periods import (
    PLAN_BEFORE,
    PeriodMention,
    find_lead_month,
    find_periods,
    find_publication,
    infer_document_year,
    resolve_year,
)
from transforms.regions import (
    COUNTRY,
    RegionIndex,
    RegionMention,
    default_weight,
    find_region_mentions,
    pick_candidate,
    region_index,
    resolve_document_region,
    resolve_self_reference,
)
from transforms.tables import (
    UNIT_IN_BRACKETS,
    Column,
    Row,
    Table,
    find_tables,
    parse_cell_number,
)

EXTRACTOR_VERSION = "0.4.0"

SENTENCE_END = re.compile(r"[。！？!?\n]")
CLAUSE_SEP = re.compile(r"[，,；;：:]")
# A lookahead of the possible first characters lets `re` skip every other position in C.
GROWTH = re.compile(
    r"(?=[同比较累环年平增上提回下减降负])"
    r"(?P<pre>同比|比上年同期|比上年|较上年同期|较上年|比去年同期|比去年|较去年|累计|环比|年均|平均)?"
    r"(?:(?P<up>增长|增加|上升|提高|提升|回升|增(?=\d))|(?P<down>下降|减少|回落|降低|下滑|下跌|负增长|[减降](?=\d)))"
    r"(?:了|达到|达|为)?(?P<level>[至到])?"
)
FLAT = re.compile(r"(?:与上年同期|与去年同期|与上年|与去年|同比)持平")
"""`技改投资与上年同期持平`: growth of 0."""
# Patterns scanned over whole texts open with literal characters where they can: `re` then
# skips to the positions where they start, instead of trying the pattern everywhere (a
# lookahead or a named group first defeats that; RATE and RANK ran 2.3x quicker so).
RATE_WORD = "增速|增幅|增长率|增长速度"
RATE = re.compile(rf"(?:同比(?:{RATE_WORD})|{RATE_WORD})(?:为|达到|达|是)?")
AVG2Y = re.compile(r"两年平均(?:(?P<up>增长|增速|增幅)|(?P<down>下降))(?:为|达)?")
SHARE = re.compile(
    r"占(?P<den>[^，,。；;：:、\n]{0,16}?)(?:的)?(?:比重|比例|份额)(?:为|达到|达|是)?"
    r"|占(?P<den2>[^，,。；;：:、\n\d]{1,16}?)的(?=\d)"
    r"|占比(?:为|达到|达)?"
)
RANKED_AREA = "(?:全国|全省|全市|全区|全县|省内|市内)"
RANK = re.compile(
    # (排名|位居|位列|居于|居|列|位于|位次)? before the area, spelt out by first character
    rf"(?:排名{RANKED_AREA}|位[居列于次]{RANKED_AREA}|居于?{RANKED_AREA}|列{RANKED_AREA}"
    r"|全[国省市区县]|省内|市内)"
    r"[^\d，,。；;：:第首前之]{0,8}?"
    r"(?:第(?P<n>[一二三四五六七八九十\d]+)(?:位|名)?|(?P<top>首位|前列|前茅|之首))"
    r"(?!产业|次产业|季度|批|个|家)"  # 全市第一产业增加值, 全省第一批: no rank
)
LIST_GAP = re.compile(r"^(?:[、,，]|和|及|与|、和)$")
BARE_KIND_BEFORE = re.compile(r"(?:^|[，,、；;：:。(（]|实现|完成|达到|其中|为|是)$")
STEM_BEFORE = re.compile(
    r"(?:^|[，,、；;：:。(（“\"]|其中|规模以上|规上|[市区县省州旗盟])$"
)  # 赣县区第二产业实现增加值: an area's name (or 全市, 我区) ends in its level
STEM_AFTER = re.compile(
    r"[\d，,、；;。和及与(（等]|同比|增|下降|比上年|较上年|累计|分别|占|实现|完成"
)
STOCK_VERB = re.compile(r"达到|总数|总量|达")
LIST_ITEM_BEFORE = re.compile(r"(?:其中[，,：:]?|[、；;，,])$")
STEM_VERB = re.compile(r"实现了?|完成了?|共?实现|累计实现")
"""Between a stem and its kind word (`第二产业实现增加值`): the two name one indicator."""
CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")
TARGET_LIST_AFTER = re.compile(r"(?:是|为)?[：:]|是|为")
REFERENCE_GAP = re.compile(r"[、和及与]?")
AREA_LIST_GAPS = re.compile(r"[、和及与 ]*")
COMPARATOR_BEFORE = re.compile(r"(?:比|较|相比|对比|与|比去年|比上年)$")
CN_RANK = re.compile(r"[一二三四五六七八九十\d]+")

PRIORITY = {
    "ind": 0,
    "share": 1,
    "rank": 2,
    "avg2y": 3,
    "rate": 4,
    "growth": 5,
    "qty": 6,
    "period": 7,
    "region": 8,
    "stem": 9,
    "kind": 10,
    "cue": 11,
    "sep": 12,
    "flat": 13,
}


# Classes built hundreds of times per document (these, `Quantity`, `PeriodMention`,
# `RegionMention`) write their `__init__` out: mypyc compiles a written one to C, while the
# one `dataclass` generates runs as Python, 5x slower. `dataclass` still gives them `repr`,
# `==` and `replace`.


@dataclass(slots=True)
class Token:
    start: int
    end: int
    kind: str
    data: Any
    """What the token's family found: an `Entry`, `Quantity`, `PeriodMention`,
    `RegionMention`, `re.Match` or word."""
    extra: dict[str, Any]

    def __init__(
        self, start: int, end: int, kind: str, data: Any = None, extra: dict[str, Any] | None = None
    ) -> None:
        self.start = start
        self.end = end
        self.kind = kind
        self.data = data
        self.extra = {} if extra is None else extra


@dataclass(slots=True)
class Subject:
    """What the next number describes; `indicator` None blocks attachment (a non-catalogue
    noun such as 工业增加值 or 农林牧渔业总产值)."""

    indicator: str | None
    dimension: str
    start: int
    text: str
    qualifier: str | None
    region: str | None
    """The area in effect where the subject was named (a later place name is not its)."""

    def __init__(
        self,
        indicator: str | None,
        dimension: str,
        start: int,
        text: str,
        qualifier: str | None = None,
        region: str | None = None,
    ) -> None:
        self.indicator = indicator
        self.dimension = dimension
        self.start = start
        self.text = text
        self.qualifier = qualifier
        self.region = region


@dataclass(slots=True)
class Period:
    year: int
    first: int | None
    last: int | None
    is_point: bool
    is_since: bool

    def __init__(
        self,
        year: int,
        first: int | None,
        last: int | None,
        is_point: bool = False,
        is_since: bool = False,
    ) -> None:
        self.year = year
        self.first = first
        self.last = last
        self.is_point = is_point
        self.is_since = is_since


@dataclass
class DocumentContext:
    doc: str
    text: str
    normalised: NormalisedText
    catalog: Catalog
    lex: Lexicon
    regions: RegionIndex
    document_region: str | None
    document_year: int | None
    publication: tuple[int, int] | None
    period: Period | None = None
    """The period the next figure falls in (the frame, or a digression inside a sentence)."""
    year: int | None = None
    """Year of the last explicit year (or 今年): bare 1-10月 takes it; 去年 does not move it."""
    frame: Period | None = None
    """The period the text reports on: the last one named that is not a digression (去年同期,
    8月当月 inside 1-8月, 年末, 到2025年). Digressions end with their sentence (or their
    clause, when named mid-clause) and the frame comes back; so does the frame after a
    sentence of targets for another year."""
    frame_year: int | None = None
    frame_explicit: bool = False
    """The frame was named in the text (not only the document's year)."""
    monthly: bool | None = None
    """The first frame the text names is one month (`2021年11月...增长4.3%`): a monthly
    release, where `11月份` is the frame, not a digression from `1-11月`."""
    paragraph_period: Period | None = None
    """Last year named at the head of a paragraph (`去年，全市...`): the paragraph reviews that
    year, so it holds until the paragraph ends, then the frame comes back."""
    target_heading: Period | None = None
    """The year of a heading of targets (`二、2024年主要预期目标`): the next paragraph lists
    them."""
    paragraph_target: bool = False
    """This paragraph is a heading's list of targets."""
    last_kind: str = ""
    pair: tuple[int, int] | None = None
    facts: list[Fact] = field(default_factory=list)
    seen: set[tuple] = field(default_factory=set)
    region_mentions: list[RegionMention] = field(default_factory=list)
    dateline: tuple[int, int] | None = None
    """Span of the dateline or publication line: when the text appeared, no period."""
    document_area: Region | None = None
    document_certain: bool = False
    """The document's area is not a guess between areas sharing its name."""
    context_codes: set[str] = field(default_factory=set)
    """Areas the text names unambiguously, with the document's area and its ancestors: they
    decide which of several same-named areas a mention means."""
    region_codes: dict[str, str | None] = field(default_factory=dict)
    """Name -> GB/T 2260 code of each area a fact was resolved to (None: not certain)."""


@dataclass(slots=True)
class Aside:
    """What the text said before a bracket: an aside (`（全国同期增长3.8%）`, `企业（年主营业务
    收入2000万元及以上）136家`) is a clause of its own whose area and nouns end with it."""

    close: int
    subject: Subject | None
    region: str | None
    clause_region: str | None
    clause_start: int
    foreign: bool
    region_named: str | None = None
    """An area the aside names holds for all of it (`（全国同比增长12.7%，两年平均增长5.3%）`)."""


class SentenceState:
    """What the sentence read so far says; fresh for each sentence (and table row)."""

    region: str | None
    subject: Subject | None = None
    subjects: list[Subject]
    qualifier: str | None = None
    point: bool = False
    now: bool = False
    """目前, 截至目前: a stock as of the document's own date."""
    target: bool = False
    """A target clause (`目标增速12%`); it lasts for the sentence only after `目标是：`."""
    target_sentence: bool = False
    last_measure: str = ""
    """The measure of the sentence's last fact (a comparison that follows is about it)."""
    actual_seen: bool = False
    """A figure that is no target was read in this sentence."""
    target_seen: bool = False
    """A target cue was read in this sentence (its year is no frame for the next ones)."""
    digressed: bool = False
    """A digression period led a clause: the frame comes back at the sentence's end."""
    clause_saved: tuple[Period | None, int | None] | None = None
    """A digression period named mid-clause (`主要受去年同期...影响`): restored at its end."""
    reference_end: int = -1
    """End of a comparison word (高于, 比): an area right after it is the comparison's base."""
    areas: list[tuple[int, int, str]]
    """Areas named in the sentence (start, end, name), for `A、B分别...`."""
    each_at: int = -1
    from_periods: list[Period]
    previous_from: list[Period]
    from_index: int = -1
    clause_start: int = 0
    cue_end: int = 0
    # clause-level cues
    growth: int = 0
    rate: bool = False
    avg2y: int = 0
    share: str | None = None
    share_open: bool = False
    bound: bool = False
    plan: bool = False
    net: bool = False
    comparator: bool = False
    mom: bool = False
    clause_region: str | None = None
    """An area named inside this clause (全省增长4.1%) overrides the subject's."""
    paragraph_head: bool = False
    """The sentence opens a paragraph."""
    content_seen: bool = False
    """A noun or a figure was read in this sentence."""
    named_area_end: int = -1
    """End of the last area named by its name (a self-reference right after it is that area)."""
    base_area: tuple[int, str] | None = None
    """(end, name) of the last comparison base (`比重庆全市`): a figure in brackets right after
    it (`（5.8%）`) is the base's own."""
    area_pending: tuple[int, str | None] | None = None
    """(end, area before it) of an area named in this clause and not yet followed by a noun
    or a figure."""
    foreign: bool = False
    """This clause is about a noun outside the catalogue (其中电子信息产业增长20.5%)."""
    aside: Aside | None = None
    """The bracket being read (`（全国同期增长3.8%）`)."""
    qualifier_at: int = -1
    """Where the cue of `qualifier` stands."""
    now_held: bool = False
    """`截至目前…，其中上半年新增3家；…达到312家`: a period named after 目前 holds for its
    clause; 目前 comes back after it."""

    def __init__(self, region: str | None, clause_start: int = 0) -> None:
        self.region = region
        self.clause_start = clause_start
        self.subjects = []
        self.areas = []
        self.from_periods = []
        self.previous_from = []

    def reset_clause(self, start: int) -> None:
        self.clause_start = start
        if not self.target_sentence:
            self.target = False
        self.growth = 0
        self.rate = False
        self.avg2y = 0
        self.share = None
        self.share_open = False
        self.bound = self.plan = self.net = self.comparator = self.mom = False
        self.foreign = False
        self.clause_region = None
        self.base_area = None


# --- tokenising --------------------------------------------------------------------------


def token_order(start: int, end: int, kind: str) -> int:
    """Sort key of a found token: by start, the longest first, then `PRIORITY`, packed in
    one int (compares faster than a tuple; no token is 2**40 characters long)."""
    return (start << 48) - ((end - start) << 8) + PRIORITY[kind]


def scan_tokens(ctx: DocumentContext, period_skip: tuple[int, int] | None) -> list[Token]:
    """Every family's tokens, overlaps resolved left to right (the earliest, longest and
    highest-priority token wins). Candidates stay tuples; only the accepted become Tokens."""
    text, lex = ctx.text, ctx.lex
    found: list[tuple[int, int, int, str, object, dict | None]] = []
    add = found.append
    for m in lex.indicator_pattern.finditer(text):
        entry = lex.lookup(m.group())
        if entry:
            start, end = m.span()
            add((token_order(start, end, "ind"), start, end, "ind", entry, None))
    for m in lex.stem_pattern.finditer(text):
        start, end = m.span()
        if STEM_AFTER.match(text, end) and STEM_BEFORE.search(text[max(0, start - 4) : start]):
            add((token_order(start, end, "stem"), start, end, "stem", m.group(), None))
    for m in lex.short_stem_pattern.finditer(text):
        start, end = m.span()
        if STEM_AFTER.match(text, end) and LIST_ITEM_BEFORE.search(text, max(0, start - 3), start):
            add((token_order(start, end, "stem"), start, end, "stem", m.group(), {"short": True}))
    for m in lex.kind_pattern.finditer(text):
        start, end = m.span()
        bare = BARE_KIND_BEFORE.search(text[max(0, start - 2) : start]) is not None
        add((token_order(start, end, "kind"), start, end, "kind", m.group(), {"bare": bare}))
    for q in find_quantities(text, ctx.catalog):
        add((token_order(q.start, q.end, "qty"), q.start, q.end, "qty", q, None))
    for p in find_periods(text):
        if period_skip and period_skip[0] <= p.start < period_skip[1]:
            continue
        add((token_order(p.start, p.end, "period"), p.start, p.end, "period", p, None))
    for r in ctx.region_mentions:
        add((token_order(r.start, r.end, "region"), r.start, r.end, "region", r, None))
    for m in lex.cue_pattern.finditer(text):
        start, end = m.span()
        add((token_order(start, end, "cue"), start, end, "cue", lex.cue_roles[m.group()], None))
    for kind, pattern in (
        ("growth", GROWTH),
        ("rate", RATE),
        ("avg2y", AVG2Y),
        ("share", SHARE),
        ("rank", RANK),
        ("flat", FLAT),
    ):
        for m in pattern.finditer(text):
            start, end = m.span()
            if end > start:
                add((token_order(start, end, kind), start, end, kind, m, None))
    for m in CLAUSE_SEP.finditer(text):
        start, end = m.span()
        add((token_order(start, end, "sep"), start, end, "sep", None, None))
    found.sort(key=itemgetter(0))  # stable: equal keys keep the order they were found in
    accepted: list[Token] = []
    last_end = -1
    for _, start, end, kind, data, extra in found:
        if start >= last_end:
            accepted.append(Token(start, end, kind, data, extra))
            last_end = end
    return accepted


def split_sentences(text: str, tokens: list[Token]) -> Iterable[tuple[int, int, list[Token]]]:
    bounds = [m.end() for m in SENTENCE_END.finditer(text)]
    if not bounds or bounds[-1] != len(text):
        bounds.append(len(text))
    starts = [token.start for token in tokens]  # sorted: accepted tokens never overlap
    i = 0
    start = 0
    for end in bounds:
        j = bisect_left(starts, end, i)  # the sentence's tokens are tokens[i:j]
        if j > i:
            yield start, end, tokens[i:j]
        i = j
        start = end


# --- periods -----------------------------------------------------------------------------


def in_paragraph_year(ctx: DocumentContext, mention: PeriodMention) -> bool:
    """A period with no year of its own in a paragraph about another year (`回顾去年，…；全年
    新增规上工业企业8家`) is of that year, and holds no longer than the paragraph does."""
    return ctx.paragraph_period is not None and mention.year is None and mention.rel is None


def resolve_mention(ctx: DocumentContext, mention: PeriodMention) -> Period | None:
    context_year = ctx.year if ctx.year is not None else ctx.document_year
    if ctx.paragraph_period is not None and in_paragraph_year(ctx, mention):
        context_year = ctx.paragraph_period.year
    year = resolve_year(mention, context_year, ctx.document_year)
    if year is None:
        return None
    if mention.year is not None or mention.rel == 0:
        ctx.year = year
    bare = mention.first_month is None and not mention.is_since and not mention.is_point
    frame = ctx.frame
    if (
        bare
        and mention.rel == 0
        and frame is not None
        and frame.year == year
        and (frame.first is not None and not frame.is_since and not frame.is_point)
    ):
        return frame  # 今年 inside a 1-9月 report: still 1-9月
    return Period(year, mention.first_month, mention.last_month, mention.is_point, mention.is_since)


def reference_month(ctx: DocumentContext, period: Period) -> int | None:
    """Last month a figure can cover: the stated one, else year end or publication month."""
    last = period.last if period.last else 12
    if ctx.publication and ctx.publication[0] == period.year:
        last = min(last, ctx.publication[1])
    elif period.is_since and not period.last:
        return None
    return last


def fact_period(
    ctx: DocumentContext,
    state: SentenceState,
    measure: str,
    dimension: str,
    qualifier: str | None,
    override: Period | None,
) -> tuple[str, str] | None:
    period = override or ctx.period
    if state.now and override is None and ctx.document_year is not None:
        period = Period(ctx.document_year, 12, 12, True)
    if period is None:
        return None
    year = period.year
    if measure in ("target_value", "target_yoy_pct"):
        return f"{year}-01", f"{year}-12"
    added = qualifier == "新增" and measure == "value"
    point = state.point or period.is_point
    stock = not added and (point or (dimension == "count" and measure == "value"))
    last = reference_month(ctx, period)
    if last is None:
        if not stock:
            return None  # 今年以来 with no date to end it
        last = 12
    if stock:
        return f"{year}-{last:02d}", f"{year}-{last:02d}"
    first = 1 if added and point else period.first or 1
    if first > last:
        return None
    return f"{year}-{first:02d}", f"{year}-{last:02d}"


# --- emitting ----------------------------------------------------------------------------


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
        and STOCK_VERB.search(ctx.text, max(ev_start, state.clause_start), ev_end)
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
    state.last_measure = measure
    if measure.startswith("target_"):
        # The sentence opens with a target (`今年GDP预期增长6%左右，规上工业增加值增长6.5%`):
        # the figures listed after it are targets too.
        state.target_sentence = state.target_sentence or not state.actual_seen
    elif measure not in ("rank", "pp_change"):
        state.actual_seen = True
    key = (region, span[0], span[1], indicator, measure, qualifier, denominator)
    if key in ctx.seen:
        return
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


# --- subjects ----------------------------------------------------------------------------


def parent_subject(state: SentenceState) -> Subject | None:
    return next((s for s in reversed(state.subjects) if s.indicator), None)


def subject_from_kind(ctx: DocumentContext, state: SentenceState, token: Token) -> Subject:
    """A kind word: bare (`增加值增长3.6%` after 工业总产值) completes the parent's stem."""
    kind = str(token.data)
    dimension = ctx.lex.kind_dimension.get(kind, "currency")
    named = state.subject
    if named is not None and STEM_VERB.fullmatch(
        ctx.text, named.start + len(named.text), token.start
    ):
        entry = ctx.lex.lookup(named.text + kind)  # 第一产业实现增加值4.3亿元
        if entry:
            return Subject(entry.indicator, entry.dimension, named.start, named.text + kind)
    parent = parent_subject(state)
    if token.extra.get("bare") and parent and parent.indicator:
        for name in (parent.indicator, parent.text):
            stem, _ = ctx.lex.split_kind(name)
            entry = ctx.lex.lookup(stem + kind)
            if entry:
                return Subject(entry.indicator, entry.dimension, token.start, kind)
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
    if before in "和及与" and not joined:
        # 省级隐形冠军和国家级专精特新"小巨人"企业12家: a combined count, not the indicator's.
        return Subject(None, entry.dimension, token.start, text)
    ctx.last_kind = ctx.lex.split_kind(entry.indicator)[1] or ctx.last_kind
    return Subject(entry.indicator, entry.dimension, token.start, text, entry.qualifier)


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
    rest = ctx.lex.filler.sub("", "".join(pieces))
    return CJK_RUN.search(rest) is not None


# --- lists (分别) --------------------------------------------------------------------------


def split_list_items(segment: str) -> list[str]:
    return [item for item in re.split(r"、|和|及|与", segment) if item]


ORDINAL = re.compile(r"第[一二三四五六七八九十]")
CN_DIGIT_START = re.compile(r"[一二三四五六七八九十]")


def expand_collective(ctx: DocumentContext, segment: str) -> str:
    """`三次产业增加值` -> `第一产业、第二产业、第三产业增加值`: a word naming several
    items (`cues.csv`, role `list_of`) written out as the list it stands for."""
    for term, items in ctx.lex.collectives.items():
        if segment.startswith(term):
            return "、".join(items) + segment[len(term) :]
    return segment


def resolve_list(ctx: DocumentContext, segment: str, start: int) -> list[Subject] | None:
    """`高技术、数字经济、装备和高新技术等产业制造业增加值` -> one subject per item."""
    segment = re.sub(r"^(?:其中|全市|全区|全县|全省|规模以上工业中)", "", segment)
    for m in find_periods(segment):  # 2021年海宁市高技术、...: the list starts after them
        if m.start == 0:
            segment = segment[m.end :]
    named = ctx.regions.pattern.match(segment)
    if named:
        segment = segment[named.end() :]
    segment = re.sub(r"(?:同比|比上年|较上年|增速|增幅)+$", "", segment)
    items = split_list_items(expand_collective(ctx, segment))
    if len(items) < 2:
        return None
    if ORDINAL.match(items[0]):
        # 第一、二、三产业: the later items elide the 第 of the first.
        items = [f"第{item}" if CN_DIGIT_START.match(item) else item for item in items]
    last = items[-1]
    if "等" in last:
        head, _, tail = last.partition("等")
        items[-1] = head
    else:
        _, tail = ctx.lex.split_kind(last)
        if not tail:
            entry = ctx.lex.lookup(last)
            tail = ctx.lex.split_kind(entry.indicator)[1] if entry else ""
        items[-1] = last[: len(last) - len(tail)] if tail and last.endswith(tail) else last
    kind = ctx.lex.split_kind(tail)[1] or tail
    prefer = "制造业" if "制造业" in tail else ""
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


def list_targets(
    ctx: DocumentContext, state: SentenceState, sentence_start: int, count: int
) -> list[Subject] | None:
    each = state.each_at
    boundary = max(ctx.text.rfind(sep, sentence_start, each) for sep in "，,；;：:")
    seg_start = max(boundary + 1, sentence_start)
    segment = ctx.text[seg_start:each]
    if re.search(r"\d", segment) is None:
        listed = resolve_list(ctx, segment, seg_start)
        if listed and len(listed) == count:
            return listed
    # `城乡居民人均可支配收入分别增长5%和7%`: a clause that names its own noun before 分别
    # shares the numbers out among its own nouns, never among earlier clauses'.
    own = any(seg_start <= s.start < each for s in state.subjects)
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
) -> list[tuple[int, int, str]] | None:
    """`海宁市、桐乡市分别新增规上工业企业96家和88家`: one area per listed number."""
    each = state.each_at
    seg_start = max(
        sentence_start, *(ctx.text.rfind(sep, sentence_start, each) + 1 for sep in "，,；;：:")
    )
    areas = [a for a in state.areas if seg_start <= a[0] and a[1] <= each]
    if len(areas) != count:
        return None
    rest = ctx.text[seg_start:each]
    for start, end, _ in reversed(areas):
        rest = rest[: start - seg_start] + rest[end - seg_start :]
    return areas if AREA_LIST_GAPS.fullmatch(rest) else None


# --- the sentence machine ----------------------------------------------------------------


def group_lists(text: str, tokens: list[Token]) -> None:
    """Mark quantity runs `4.2%和6.6%` so 分别 can distribute them."""
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.kind != "qty":
            i += 1
            continue
        run = [token]
        j = i + 1
        while (
            j < len(tokens)
            and tokens[j].kind == "qty"
            and LIST_GAP.match(text[run[-1].end : tokens[j].start])
            and tokens[j].data.unit == token.data.unit
        ):
            run.append(tokens[j])
            j += 1
        if len(run) > 1:
            token.extra["run"] = run
            for later in run[1:]:
                later.extra["in_run"] = True
        i = j


def bind_leading_counts(text: str, tokens: list[Token]) -> None:
    """`2097家规模以上工业企业`: a count written before the indicator it counts."""
    for a, b in itertools.pairwise(tokens):
        if a.kind != "qty" or b.kind != "ind" or text[a.end : b.start] not in ("", "的"):
            continue
        if getattr(a.data, "dimension", "") == "count" == getattr(b.data, "dimension", ""):
            b.extra["leading"] = a
            a.extra["bound_to"] = b


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


def read_sentence(
    ctx: DocumentContext, start: int, end: int, tokens: list[Token], carried_region: str | None
) -> str | None:
    text = ctx.text
    starts_with_subset = text.startswith("其中", start)
    state = SentenceState(
        region=carried_region if starts_with_subset else ctx.document_region, clause_start=start
    )
    frame_before = (ctx.frame, ctx.frame_year, ctx.frame_explicit)
    state.paragraph_head = start == 0 or text[start - 1] == "\n"
    if state.paragraph_head and ctx.paragraph_period is not None:
        ctx.paragraph_period = None
        ctx.paragraph_target = False
        resume_period(ctx)
    if state.paragraph_head and ctx.target_heading is not None:
        ctx.paragraph_period, ctx.target_heading = ctx.target_heading, None
        ctx.paragraph_target = True
        resume_period(ctx)
    if ctx.paragraph_target:
        state.target = state.target_sentence = state.target_seen = True
    previous: Token | None = None
    # The branches below exclude one another; the most frequent kinds are tested first.
    for index, token in enumerate(tokens):
        kind = token.kind
        if state.aside is not None and token.start >= state.aside.close:
            end_aside(state)
        if state.aside is None:
            open_aside(ctx, state, previous.end if previous else start, token, end)
        if kind in ("ind", "stem", "kind", "qty"):
            state.area_pending = None
            state.content_seen = True
        if kind == "sep":
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
        elif kind == "qty":
            if (
                token.extra.get("in_run")
                or token.extra.get("bound_to")
                or is_leading_count(ctx.text, token)
            ):
                previous = token
                continue
            if read_base_figure(ctx, state, token):
                previous = token
                continue
            if state.foreign or (
                not state.target and clause_has_foreign_subject(ctx, state, tokens, index)
            ):
                previous = token
                continue
            read_quantity(ctx, state, token, start)
        elif kind == "period":
            read_period(ctx, state, token)
        elif kind == "region":
            read_region(ctx, state, token)
        elif kind in ("ind", "stem", "kind"):
            if kind == "ind":
                subject = subject_from_indicator(ctx, state, token, previous)
            elif kind == "stem":
                nxt = tokens[index + 1] if index + 1 < len(tokens) else None
                subject = subject_from_stem(ctx, state, token, nxt)
                if subject.indicator is None and token.extra.get("short"):
                    previous = token
                    continue  # 工业 with no parent to take a kind from: just a word
            else:
                subject = subject_from_kind(ctx, state, token)
            subject.region = state.region
            state.clause_region = None
            state.subject = subject
            state.subjects.append(subject)
            state.growth = state.avg2y = 0
            state.rate = state.share_open = False
            leading = token.extra.get("leading")
            if leading is not None and subject.indicator:
                read_quantity(ctx, state, leading, token.start, subject, force=True)
        elif kind == "cue":
            read_cue(ctx, state, token)
        elif kind == "growth":
            m = token.data
            assert isinstance(m, re.Match)
            if m.group("pre") in ("环比", "年均", "平均"):
                state.mom = True  # month-on-month or a multi-year average: not yoy
            elif not m.group("level"):
                state.growth = -1 if m.group("down") else 1
                measure_named_in_aside(state)
            state.cue_end = token.end
            if not state.target and clause_has_foreign_subject(ctx, state, tokens, index):
                state.foreign = True
        elif kind == "rate":
            state.rate = True
            measure_named_in_aside(state)
            state.cue_end = token.end
            if not state.target and clause_has_foreign_subject(ctx, state, tokens, index):
                state.foreign = True
        elif kind == "avg2y":
            m = token.data
            assert isinstance(m, re.Match)
            state.avg2y = -1 if m.group("down") else 1
            state.cue_end = token.end
        elif kind == "share":
            read_share(ctx, state, token)
        elif kind == "rank":
            read_rank(ctx, state, token)
        elif kind == "flat":
            read_flat(ctx, state, token)
        previous = token
    if state.aside is not None:
        end_aside(state)  # `…（全国同比增长18.3%）。其中，…`: the next sentence is not 全国's
    end_sentence(ctx, state, frame_before, end)
    return state.region


BRACKETS = {"（": "）", "(": ")"}


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
    if base is not None and BASE_FIGURE_LEAD.fullmatch(text, base[0], token.start):
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
        ctx.frame, ctx.frame_year, ctx.frame_explicit = frame_before
    if state.digressed or state.target_seen or state.clause_saved is not None:
        resume_period(ctx)


def read_period(ctx: DocumentContext, state: SentenceState, token: Token) -> None:
    mention = token.data
    assert isinstance(mention, PeriodMention)
    if mention.pair:
        ctx.pair = mention.pair
        return
    before = ctx.text[max(0, token.start - 3) : token.start]
    if COMPARATOR_BEFORE.search(before) and mention.rel != -1:
        state.comparator = True  # 比2019年1-11月增长3.2%: growth against a base, not yoy
        return
    if COMPARATOR_BEFORE.search(before):
        return  # 比上年: the yoy base
    if (
        mention.first_month
        and mention.last_month
        and mention.first_month > 1
        and (ctx.text[token.start - 1 : token.start] in ("到", "至") or before.endswith("到"))
        and mention.last_month % 3 == 0
        and mention.last_month - mention.first_month == 2
    ):
        mention = replace(mention, first_month=1, is_point=False, is_month_within=False)
    if mention.same_months and ctx.period is not None:  # 去年同期: the running months
        mention = replace(
            mention,
            first_month=ctx.period.first,
            last_month=ctx.period.last,
            is_point=ctx.period.is_point,
        )
    at_point = text_before_point(ctx.text, token.start)
    saved = (ctx.period, ctx.year)
    period = resolve_mention(ctx, mention)
    if period is not None and (
        in_paragraph_year(ctx, mention) or is_digression(ctx, mention, period, token, at_point)
    ):
        if clause_lead(ctx, state, token):
            state.digressed = True
            if state.paragraph_head and not state.content_seen and is_past_year(mention):
                ctx.paragraph_period = period
        elif state.clause_saved is None:
            state.clause_saved = saved
    elif period is not None:
        ctx.year = period.year  # 去年 as the text's own period: 全年 after it is that year too
        ctx.frame, ctx.frame_year, ctx.frame_explicit = period, period.year, True
        ctx.paragraph_period = None  # a period the text reports on ends the paragraph's year
        if ctx.monthly is None and period.first is not None:
            ctx.monthly = period.first == period.last
    ctx.period = period
    if period is None:
        return
    if state.now:
        state.now, state.now_held = False, True
    if state.from_index >= 0:
        state.from_periods.append(period)
    if at_point:
        state.point = True


def is_past_year(mention: PeriodMention) -> bool:
    """`去年`, `上年全年`: a whole earlier year, not the same months of it (`去年同期`)."""
    return (
        mention.rel is not None
        and mention.rel < 0
        and not mention.same_months
        and mention.first_month in (None, 1)
        and mention.last_month in (None, 12)
        and not mention.is_point
    )


def resume_period(ctx: DocumentContext) -> None:
    """After a digression: the paragraph's own year when it has one, else the frame."""
    if ctx.paragraph_period is not None:
        ctx.period, ctx.year = ctx.paragraph_period, ctx.paragraph_period.year
    else:
        ctx.period, ctx.year = ctx.frame, ctx.frame_year


def is_digression(
    ctx: DocumentContext, mention: PeriodMention, period: Period, token: Token, at_point: bool
) -> bool:
    """A period the text visits without reporting on it, once it has named the one it reports
    on: last year (去年同期, 去年一季度), a stock date (年末, 截至9月底), a part of the running
    cumulative period (8月当月 in a 1-8月 report, 二季度 in 上半年; a month is the frame of a
    monthly release, though); or a plan year (到2025年) at any time."""
    if ctx.frame_explicit and (
        (mention.rel is not None and mention.rel < 0) or period.is_point or at_point
    ):
        return True  # before any reporting period is named, 去年 or 年末 is the frame
    frame = ctx.frame
    if (
        ctx.frame_explicit
        and frame is not None
        and frame.year == period.year
        and frame.first
        and frame.last
        and period.first
        and period.last
    ):
        span, whole = (period.first, period.last), (frame.first, frame.last)
        within = whole[0] <= span[0] and span[1] <= whole[1] and span != whole
        if within and mention.is_month_within:
            return True  # 8月当月 in a 1-8月 report
        if within and span[0] > whole[0] and not (span[0] == span[1] and ctx.monthly):
            return True  # 5月份 in a 1-5月 release, 二季度 in 上半年: a part of the frame
    before = ctx.text[max(0, token.start - 4) : token.start]
    return mention.year is not None and PLAN_BEFORE.search(before) is not None


def clause_lead(ctx: DocumentContext, state: SentenceState, token: Token) -> bool:
    """The period opens its clause (`去年同期，...`, `其中3月当月增长`), so it holds for the
    rest of the sentence; named mid-clause (`主要受去年同期...影响`) it holds for the clause."""
    before = ctx.text[state.clause_start : token.start]
    return CJK_RUN.search(ctx.lex.filler.sub("", before)) is None


def text_before_point(text: str, start: int) -> bool:
    return text[max(0, start - 2) : start] in ("截至", "截止") or text[
        max(0, start - 3) : start
    ] in ("截止到", "截至到")


def read_region(ctx: DocumentContext, state: SentenceState, token: Token) -> None:
    mention = token.data
    assert isinstance(mention, RegionMention)
    if mention.self_reference and state.named_area_end == token.start:
        state.named_area_end = token.end  # 重庆全市, 广西全区: the whole of the area just named
        if state.base_area is not None:
            state.base_area = (token.end, state.base_area[1])
        if state.reference_end == token.start:
            state.reference_end = token.end
        return
    is_base = state.reference_end >= 0 and REFERENCE_GAP.fullmatch(
        ctx.text, state.reference_end, token.start
    )
    if not is_base and ctx.lex.area_attribute_after.match(ctx.text, token.end):
        return  # 入选全省首批: an attribute of what follows, not the area reported on
    if is_stray_short_name(ctx, mention):
        return
    region = resolve_area(ctx, mention)
    if not mention.self_reference:
        state.named_area_end = token.end
    name = region.name if region else None
    if is_base:
        state.reference_end = token.end  # 高于全国、全省: the bases of a comparison
        state.base_area = (token.end, name) if name else None
        return
    lead = ctx.lex.filler.sub("", ctx.text[state.clause_start : token.start])
    if CJK_RUN.search(lead):
        state.area_pending = (token.end, state.region)  # 落实泉州市…: maybe another noun's
    state.region = name
    state.clause_region = name
    if state.aside is not None:
        state.aside.region_named = name
    if name is not None:
        state.areas.append((token.start, token.end, name))


def is_stray_short_name(ctx: DocumentContext, mention: RegionMention) -> bool:
    """A county's short name outside the document's province is a word (`新建投产` in a
    长春 report is no 新建区): short county names collide with everyday words, and a report
    names such areas of another province in full."""
    area = ctx.document_area
    if mention.self_reference or mention.is_full_name or area is None or area.level == "country":
        return False
    if any(c.level != "district" for c in mention.candidates):
        return False
    province = ctx.regions.province_of(area)
    return province is not None and all(
        ctx.regions.province_of(c) != province for c in mention.candidates
    )


def resolve_area(ctx: DocumentContext, mention: RegionMention) -> Region | None:
    """The area a mention names, its code noted when the context decided it."""
    if mention.self_reference:
        word = ctx.text[mention.start : mention.end]
        region = resolve_self_reference(
            mention.self_reference, ctx.document_area, ctx.regions, word
        )
        sure = ctx.document_certain or mention.self_reference == "country"
    else:
        region, sure = pick_candidate(mention.candidates, ctx.context_codes, ctx.regions)
    if region is not None:
        note_region_code(ctx, region, sure)
    return region


def end_area_clause(ctx: DocumentContext, state: SentenceState, clause_end: int) -> None:
    """An area named inside its clause that ends it qualifying another noun (`落实省、泉州市
    各项政策，`, `完成泉州市下达的任务，`) is not the area of what follows: the area before it
    comes back. One that opens its clause is its topic (`南浔区表现亮眼，规上工业...`), and one
    that only frames (`从全省看，`) holds."""
    if state.area_pending is None:
        return
    area_end, before = state.area_pending
    state.area_pending = None
    rest = ctx.lex.filler.sub("", ctx.text[area_end:clause_end])
    if CJK_RUN.search(rest):
        state.region = before
        state.clause_region = None


def note_region_code(ctx: DocumentContext, region: Region, sure: bool) -> None:
    """Remember the code a name stands for in this document; a name that was a guess, or
    that stood for two areas, keeps no code (conform then quarantines it unless unique)."""
    known = ctx.region_codes.get(region.name, region.code)
    ctx.region_codes[region.name] = region.code if sure and known == region.code else None


def read_cue(ctx: DocumentContext, state: SentenceState, token: Token) -> None:
    role = token.data
    if role == "qual_new":
        state.qualifier, state.qualifier_at = "新增", token.start
    elif role == "qual_cum":
        state.qualifier, state.qualifier_at = "累计", token.start
    elif role == "point":
        state.point = True
        word = ctx.text[token.start : token.end]
        if word in ("目前", "至今", "当前") or ctx.text.startswith("目前", token.end):
            state.now = True
    elif role == "bound":
        state.bound = True
    elif role == "plan":
        state.plan = True
    elif role == "net":
        state.net = True
    elif role == "each":
        if ctx.text[token.start : token.end] == "分别":
            state.each_at = token.start
    elif role == "target":
        state.target = state.target_seen = True
        state.plan = False  # 预期目标, 计划目标: the target's own name
        if ctx.lex.cue_args.get(ctx.text[token.start : token.end]) == "growth":
            state.growth = 1  # 预期增长6%: the target and its growth verb in one word
            state.cue_end = token.end
        if TARGET_LIST_AFTER.match(ctx.text, token.end):
            state.target_sentence = True  # 主要目标是：A增长7%；B增长8%
    elif role == "from":
        if state.from_periods:
            state.previous_from = state.from_periods
        state.from_periods = []
        state.from_index = 0
    elif role in ("comparator", "rank_lead"):
        state.reference_end = token.end  # 高于全省, 居潍坊市第二: the area is a base


def read_share(ctx: DocumentContext, state: SentenceState, token: Token) -> None:
    m = token.data
    assert isinstance(m, re.Match)
    den_text = m.group("den") or m.group("den2") or ""
    state.share_open = True
    state.share = resolve_denominator(ctx, state, den_text)


def resolve_denominator(ctx: DocumentContext, state: SentenceState, text: str) -> str | None:
    text = re.sub(r"^(?:全市|全区|全县|全省|全国|全部|我市|我区)", "", text)
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
    for suffix in (kind, "增加值", "总值"):
        if suffix:
            entry = ctx.lex.lookup(text + suffix)
            if entry:
                return entry.indicator
    return None


def read_rank(ctx: DocumentContext, state: SentenceState, token: Token) -> None:
    m = token.data
    assert isinstance(m, re.Match)
    subject = state.subject
    if subject is None or subject.indicator is None or state.plan:
        return
    value = (
        1.0
        if m.group("top") in ("首位", "之首")
        else (parse_number(m.group("n")) if m.group("n") else None)
    )
    if value is None:
        return
    emit(ctx, state, subject, "rank", value, None, subject.start, token.end)


def read_flat(ctx: DocumentContext, state: SentenceState, token: Token) -> None:
    subject = state.subject
    if subject is None or subject.indicator is None or state.target or state.plan:
        return
    emit(ctx, state, subject, "yoy_pct", 0.0, "%", subject.start, token.end)


def read_quantity(
    ctx: DocumentContext,
    state: SentenceState,
    token: Token,
    sentence_start: int,
    subject: Subject | None = None,
    force: bool = False,
) -> None:
    q = token.data
    assert isinstance(q, Quantity)
    floor_target = state.target and not q.is_range  # 目标：增长6.5%以上
    if (q.is_bound and not floor_target) or state.bound or state.plan or state.net:
        return
    run: list[Token] = token.extra.get("run", [token])
    if len(run) > 1 and state.each_at >= 0:
        areas = listed_areas(ctx, state, sentence_start, len(run))
        if areas and state.subject is not None and state.subject.start > state.each_at:
            for (area_start, _, name), item in zip(areas, run, strict=True):
                subject = replace(state.subject, region=name)
                attach_quantity(ctx, state, subject, item, min(area_start, subject.start))
            return
        targets = list_targets(ctx, state, sentence_start, len(run))
        if targets:
            reaches = cue_reaches(ctx, state.cue_end, run[0].start)
            for target, item in zip(targets, run, strict=True):
                attach_quantity(
                    ctx, state, target, item, min(target.start, item.start), cue_checked=reaches
                )
            return
    subject = subject or state.subject
    if subject is None:
        return
    attach_quantity(ctx, state, subject, token, subject.start)


def attach_quantity(
    ctx: DocumentContext,
    state: SentenceState,
    subject: Subject,
    token: Token,
    ev_start: int,
    cue_checked: bool | None = None,
) -> None:
    q = token.data
    assert isinstance(q, Quantity)
    if subject.indicator is None:
        return
    ev_start = min(ev_start, token.start)
    ev_end = max(token.end, subject.start + len(subject.text))  # 2097家规模以上工业企业
    period_override = None
    if state.from_index >= 0 and q.unit != "个百分点":
        period_override = from_period(ctx, state)
    if q.unit == "%":
        measure = measure_for_percent(state)
        if measure is None:
            return
        reaches = (
            cue_checked if cue_checked is not None else cue_reaches(ctx, state.cue_end, token.start)
        )
        if measure[0] in ("yoy_pct", "avg2y_pct", "target_yoy_pct") and not reaches:
            return
        name, sign = measure
        denominator = state.share if name == "share_pct" else None
        if name == "share_pct" and denominator is None:
            return
        emit(
            ctx,
            state,
            subject,
            name,
            sign * q.value,
            "%",
            ev_start,
            ev_end,
            denominator=denominator,
            approx=q.is_approximate,
            period=period_override,
        )
        return
    if q.unit == "个百分点":
        if state.growth or state.rate:
            emit(
                ctx,
                state,
                subject,
                "pp_change",
                (state.growth or 1) * q.value,
                q.unit,
                ev_start,
                ev_end,
            )
        return
    if q.dimension != subject.dimension:
        return
    if state.growth and not state.target:
        return  # 增加1755家: a change, not a level
    level_measure = "target_value" if state.target else "value"
    emit(
        ctx,
        state,
        subject,
        level_measure,
        q.value,
        q.unit,
        ev_start,
        ev_end,
        approx=q.is_approximate,
        period=period_override,
    )


BASE_FIGURE_LEAD = re.compile(
    r"\s*[(（]\s*(?:同期|同比)*(?:(?P<up>增长|增速为?|增幅为?)|(?P<down>下降|回落))?\s*"
)
"""Between a comparison's base and its own figure: `比重庆全市（5.8%`, `好于全国（同期下降0.7%`."""
BRACKET_CLOSE = re.compile(r"\s*[)）]")


def read_base_figure(ctx: DocumentContext, state: SentenceState, token: Token) -> bool:
    """`增速比重庆全市（5.8%）高0.6个百分点`: the bracketed figure is the base area's own
    growth, stated outright (the difference never is). True when the number was the base's."""
    q = token.data
    base = state.base_area
    if base is None or not isinstance(q, Quantity) or state.subject is None:
        return False
    lead = BASE_FIGURE_LEAD.fullmatch(ctx.text, base[0], q.start)
    if not lead or not BRACKET_CLOSE.match(ctx.text, q.end):
        return False
    state.base_area = None
    subject = replace(state.subject, region=base[1])
    named = lead.group("up") or lead.group("down")
    growth = named or state.rate or state.growth > 0 or state.last_measure == "yoy_pct"
    if q.unit == "%" and growth and not state.target:
        emit(
            ctx,
            state,
            subject,
            "yoy_pct",
            -q.value if lead.group("down") else q.value,
            "%",
            state.subject.start,
            token.end + 1,
            base_region=base[1],
        )
    return True


def cue_reaches(ctx: DocumentContext, cue_end: int, number_start: int) -> bool:
    """The growth cue is this number's: only fillers between (`增长了`, `分别增长`)."""
    between = ctx.text[cue_end:number_start]
    if len(between) > 12 or "的" in between[:1]:
        return False
    return CJK_RUN.search(ctx.lex.filler.sub("", between)) is None


def is_leading_count(text: str, token: Token) -> bool:
    """`4家独角兽企业`: a count that quantifies the noun after it, not the subject before."""
    q = token.data
    end = max(token.end, q.tail_end) if isinstance(q, Quantity) else token.end
    nxt = text[end : end + 1]  # 100家以上: the bound word is no noun
    if "run" in token.extra:
        return False  # 96家和88家: the first of a list of counts
    return isinstance(q, Quantity) and q.dimension == "count" and "\u4e00" <= nxt <= "\u9fff"


def from_period(ctx: DocumentContext, state: SentenceState) -> Period | None:
    """`从A增长至B`: A is the first period of the comparison, B the second."""
    index = state.from_index
    state.from_index += 1
    if len(state.from_periods) > index:
        return None  # stated inline: the running period is already right
    if index < len(state.previous_from):
        return state.previous_from[index]  # 同期...从A上升至B: the same two periods again
    if ctx.pair and index < 2:
        return Period(ctx.pair[index], 1, 12)
    return None


# --- the document ------------------------------------------------------------------------


def document_context(
    doc: str, raw_text: str, catalog: Catalog
) -> tuple[DocumentContext, tuple[int, int] | None]:
    normalised = normalise_text(raw_text, catalog)
    text = normalised.text
    regions = region_index(catalog)
    lex = lexicon(catalog)
    found = [
        m
        for m in find_region_mentions(text, regions, in_other_names=True)
        if not is_cue_word(lex, text, m)
    ]
    head = head_end(text)
    region, certain = resolve_document_region(
        text, regions, found, mention_weight(text, lex, head), head
    )
    if region is None:
        region = functional_zone(text, head)
    mentions = [m for m in found if not m.in_other_name]
    dateline = find_publication(text)
    publication = dateline[:2] if dateline else None
    year = publication[0] if publication else infer_document_year(text)
    context_codes = {m.candidates[0].code for m in found if len(m.candidates) == 1}
    if region is not None:
        context_codes |= {region.code} | {a.code for a in regions.ancestors(region)}
    ctx = DocumentContext(
        doc=doc,
        text=text,
        normalised=normalised,
        catalog=catalog,
        lex=lex,
        regions=regions,
        document_region=region.name if region else None,
        document_year=year,
        publication=publication,
        region_mentions=mentions,
        document_area=region,
        document_certain=certain,
        dateline=(dateline[2], dateline[3]) if dateline else None,
        context_codes=context_codes,
    )
    if region is not None:
        note_region_code(ctx, region, certain)
    if year is not None:
        ctx.period = ctx.frame = Period(year, 1, 12)
        ctx.year = ctx.frame_year = year
    return ctx, (dateline[2], dateline[3]) if dateline else None


HEAD_LINES = 4
HEAD_LINE_MAX = 60
HEAD_WEIGHT = 2
PUBLISHER_WEIGHT = 3
FOOTER_SPAN = 120  # the last lines: a footer's publisher (`主办：浏阳市人民政府办公室`)
SESSION = re.compile(r"第[一二三四五六七八九十\d]+届")


FUNCTIONAL_ZONE = re.compile(
    r"(?:^|(?<=[^\u4e00-\u9fff])|(?<=[年月省市县]))"
    r"[\u4e00-\u9fff]{2,6}?(?:新区|经济技术开发区|经济开发区|高新技术产业开发区|高新区|开发区|工业园区)",
    re.M,
)


def functional_zone(text: str, head: int) -> Region | None:
    """A zone the division list does not hold (`两江新区`, `苏州工业园区`), named in the head of
    a document that names no area of the catalogue: the document's area, with no code."""
    m = FUNCTIONAL_ZONE.search(text, 0, head)
    return Region("", m.group(), (), "district", None) if m else None


def head_end(text: str) -> int:
    """End of the document's head: its first short lines (title, publisher, dateline), up to
    the first line of prose."""
    end, seen = 0, 0
    for m in re.finditer(r"[^\n]+", text):
        line = m.group().strip()
        if not line:
            continue
        if len(line) > HEAD_LINE_MAX or seen == HEAD_LINES:
            break
        end, seen = m.end(), seen + 1
    return end


def mention_weight(text: str, lex: Lexicon, head: int) -> Callable[[RegionMention], int]:
    """How much one mention says about the document's own area: a name in the head, or
    before an institution in the head or the footer (`寿光市统计局编`, `（喀什地区统计局
    2022年11月20日）`), says most; a comparison's base (`高于潍坊市`) nothing. An institution
    in the body (`记者从沈阳市统计局获悉`) is a source, not the publisher."""
    foot = text.rfind("\n", 0, max(0, len(text.rstrip()) - FOOTER_SPAN)) + 1

    def weight(mention: RegionMention) -> int:
        if lex.base_before.search(text, max(0, mention.start - 4), mention.start):
            return 0
        score = default_weight(mention)
        if mention.start < head and not mention.in_other_name:
            score += HEAD_WEIGHT
        if mention.start < head or mention.start >= foot:
            after = mention.end
            session = SESSION.match(text, after)
            if lex.publisher_after.match(text, session.end() if session else after):
                score += PUBLISHER_WEIGHT
        return score

    return weight


def is_cue_word(lex: Lexicon, text: str, mention: RegionMention) -> bool:
    """A short name that is also a cue word (大关: 大关县, and 突破…大关) is the cue."""
    if mention.is_full_name or mention.self_reference:
        return False
    return text[mention.start : mention.end] in lex.cue_words


RULES: tuple[Callable[[str, list[Token]], None], ...] = (group_lists, bind_leading_counts)


def read_document(ctx: DocumentContext, tokens: list[Token]) -> None:
    """Prose sentence by sentence; each table where it stands (its period and area are the
    ones in force there), its facts after the prose's (a table restates the prose: the
    prose's wording is the better evidence for the same fact)."""
    tables = list(find_tables(ctx.text, ctx.lex.table_headers))
    framed: list[tuple[Table, str | None, Period | None]] = []
    carried: str | None = ctx.document_region
    for start, end, sentence_tokens in split_sentences(ctx.text, tokens):
        while len(framed) < len(tables) and tables[len(framed)].start <= start:
            framed.append(frame_table(ctx, tables[len(framed)]))
        if any(table.start <= start < table.end for table in tables):
            continue
        carried = read_sentence(ctx, start, end, sentence_tokens, carried)
    for table in tables[len(framed) :]:
        framed.append(frame_table(ctx, table))
    for table, region, period in framed:
        if region is not None and period is not None:
            read_table(ctx, table, region, period)


# --- tables ------------------------------------------------------------------------------


def frame_table(ctx: DocumentContext, table: Table) -> tuple[Table, str | None, Period | None]:
    """A table's area and period: its title's, else those in force where it stands."""
    context_year = ctx.frame_year if ctx.frame_year is not None else ctx.document_year
    title = table.title
    if ctx.dateline is not None and table.title_start <= ctx.dateline[0] < table.start:
        title = title.replace(ctx.text[ctx.dateline[0] : ctx.dateline[1]], "")  # no period
    period = table_period(ctx, title, context_year) or ctx.frame
    return table, table_region(ctx, table), period


ROW_LABEL_LEAD = re.compile(
    r"^(?:其中[：:]?|[#△※*]|\d{1,2}[.、]|[(（][一二三四五六七八九十\d]+[)）])+"
)
RATE_LABEL_END = re.compile(r"(?:同比)?(?:增速|增长率|增幅|增长)$")
MONTH_COLUMN = re.compile(r"本月|当月")
TITLE_UNIT = re.compile(r"单位[:：]\s*(?P<unit>[^\s，,、;；)）|]{1,5})")
CUMULATIVE_COLUMN = re.compile(r"累计|[1一]\s*[-—–~至到]\s*本月|年初|本年")


def table_region(ctx: DocumentContext, table: Table) -> str | None:
    """The area a table's title names (`三、石家庄市主要指标（1-8月）`), else the document's.
    A title naming two areas (`全省、潍坊市主要指标`) leaves the table unread."""
    names: set[str] = set()
    for mention in ctx.region_mentions:
        if not table.title_start <= mention.start < table.start:
            continue
        region = resolve_area(ctx, mention)
        if region is not None:
            names.add(region.name)
    if len(names) > 1:
        return None
    return next(iter(names), ctx.document_region)


def table_period(ctx: DocumentContext, header: str, context_year: int | None) -> Period | None:
    """The period a title or a column header names (`2023年1-8月`, `8月`), its year from
    `context_year` when it states none; None when it names none."""
    for mention in find_periods(header):
        if mention.pair or mention.same_months or mention.is_since:
            continue
        if COMPARATOR_BEFORE.search(header[max(0, mention.start - 3) : mention.start]):
            continue  # 比上年增长(%): the base of the growth, not the column's period
        year = resolve_year(mention, context_year, ctx.document_year)
        if year is None:
            continue
        first = mention.first_month or 1
        last = mention.last_month or 12
        return Period(year, first, last, mention.is_point)
    return None


def column_periods(ctx: DocumentContext, table: Table, default: Period) -> dict[int, Period]:
    """Each figure column's period: its header's (`8月`, `1-8月同比增长(%)`), `本月` the
    table's last month; a growth column naming none belongs to the cumulative column."""
    periods: dict[int, Period] = {}
    cumulative = default
    for column in table.columns:
        if column.role != "value":
            continue
        period = table_period(ctx, column.header, default.year)
        if period is None and CUMULATIVE_COLUMN.search(column.header):
            period = default
        elif period is None and MONTH_COLUMN.search(column.header) and default.last:
            period = Period(default.year, default.last, default.last)
        periods[column.index] = period or default
        if period is not None and period.first == 1 and period.last != 1:
            cumulative = period
    for column in table.columns:
        if column.role == "growth":
            periods[column.index] = table_period(ctx, column.header, default.year) or cumulative
    return periods


def read_table(ctx: DocumentContext, table: Table, region: str, default: Period) -> None:
    """One fact per figure cell of a row that names a catalogue indicator: a value in the
    row's unit, or a growth rate (a `…增速` row, a `%` row, a growth column). A table whose
    rows name areas instead is read by `read_area_table`."""
    periods = column_periods(ctx, table, default)
    if not any(row_indicator(ctx, row) for row in table.rows):
        read_area_table(ctx, table, periods)
        return
    unit_column = next((c.index for c in table.columns if c.role == "unit"), None)
    stated = TITLE_UNIT.search(table.title)  # 单位：万元
    table_unit = stated.group("unit") if stated else None
    for row in table.rows:
        label = row.label
        if label is None:
            continue
        name = ROW_LABEL_LEAD.sub("", label.text).strip()
        row_unit = None
        bracket = UNIT_IN_BRACKETS.search(name)
        if bracket:
            row_unit = bracket.group("unit")
            name = (name[: bracket.start()] + name[bracket.end() :]).strip()
        if unit_column is not None and unit_column < len(row.cells):
            row_unit = row.cells[unit_column].text or row_unit
        rate_name = RATE_LABEL_END.sub("", name)
        is_rate = rate_name != name or row_unit == "%"
        entry = ctx.lex.lookup_label(rate_name if is_rate else name)
        if entry is None:
            continue
        subject = Subject(entry.indicator, entry.dimension, row.start, label.text, region=region)
        state = SentenceState(region=region, clause_start=row.start)
        for column in table.columns:
            if column.index >= len(row.cells) or column.role not in ("value", "growth"):
                continue
            value = parse_cell_number(row.cells[column.index].text)
            if value is None:
                continue
            period = periods[column.index]
            if column.role == "growth" or is_rate:
                # A rate row's figure is a growth rate in whichever column it stands.
                emit(ctx, state, subject, "yoy_pct", value, "%", row.start, row.end, period=period)
                continue
            unit = unit_aliases().get(row_unit or column.unit or table_unit or "")
            unit = unit or row_unit or column.unit or table_unit
            info = ctx.catalog.unit_by_symbol.get(unit or "")
            if info is None or info.dimension != entry.dimension:
                continue
            emit(ctx, state, subject, "value", value, unit, row.start, row.end, period=period)


def row_indicator(ctx: DocumentContext, row: Row) -> Entry | None:
    """The catalogue indicator a row's label names (`　其中：出口`, `…增速`), if any."""
    if row.label is None:
        return None
    name = UNIT_IN_BRACKETS.sub("", ROW_LABEL_LEAD.sub("", row.label.text)).strip()
    return ctx.lex.lookup_label(name) or ctx.lex.lookup_label(RATE_LABEL_END.sub("", name))


def read_area_table(ctx: DocumentContext, table: Table, periods: dict[int, Period]) -> None:
    """Rows are areas and columns indicators (`| 地区 | 地区生产总值(亿元) | 增长(%) |`): a
    figure column names its indicator and unit; a growth column names its indicator
    (`地区生产总值增速(%)`) or follows the figure column of the one it grows."""
    wanted: list[tuple[Column, Entry, str]] = []
    last: Entry | None = None
    for column in table.columns[1:]:
        header = UNIT_IN_BRACKETS.sub("", column.header).strip()
        rate_name = RATE_LABEL_END.sub("", header)
        entry = ctx.lex.lookup(header) or ctx.lex.lookup(rate_name)
        if column.role == "value" and entry is not None and rate_name == header:
            wanted.append((column, entry, "value"))
            last = entry
        elif column.role == "growth" and (grown := entry or last) is not None:
            wanted.append((column, grown, "yoy_pct"))
            last = grown
        else:
            last = None
    for row in table.rows:
        area = area_of_label(ctx, row.label.text if row.label else "")
        if area is None:
            continue
        state = SentenceState(region=area, clause_start=row.start)
        for column, entry, measure in wanted:
            if column.index >= len(row.cells):
                continue
            value = parse_cell_number(row.cells[column.index].text)
            if value is None:
                continue
            subject = Subject(entry.indicator, entry.dimension, row.start, column.header, area)
            unit = "%" if measure == "yoy_pct" else column.unit
            if measure == "value":
                info = ctx.catalog.unit_by_symbol.get(unit or "")
                if info is None or info.dimension != entry.dimension:
                    continue
            period = periods[column.index]
            emit(ctx, state, subject, measure, value, unit, row.start, row.end, period=period)


def area_of_label(ctx: DocumentContext, label: str) -> str | None:
    """The area a row label names in full or short (`宜昌市`, `猇亭`, `全省`), else None."""
    label = label.strip()
    for mention in find_region_mentions(label, ctx.regions):
        # 恩施州: a short name with the everyday suffix of its level
        if mention.start == 0 and label[mention.end :] in ("", "州", "盟", "市", "县", "区"):
            region = resolve_area(ctx, mention)
            return region.name if region else None
    return None


def extract_document(doc: str, raw_text: str, catalog: Catalog | None = None) -> Extraction:
    """Facts of one document; deterministic, and never raises on odd text (no facts then)."""
    catalog = catalog or load_catalog()
    try:
        ctx, skip = document_context(doc, raw_text, catalog)
    except (ValueError, IndexError, KeyError, TypeError, AttributeError, RecursionError):
        return Extraction(doc=doc, text=raw_text, region=None, report_date=None)
    try:
        tokens = scan_tokens(ctx, skip)
        for rule in RULES:
            rule(ctx.text, tokens)
        read_document(ctx, tokens)
        facts = ctx.facts
    except (ValueError, IndexError, KeyError, TypeError, AttributeError, RecursionError):
        facts = []  # a defect on odd text must not stop the night's run
    return Extraction(
        doc=doc,
        text=ctx.text,
        region=ctx.document_region,
        report_date=report_date(ctx, facts),
        facts=facts,
    )


def report_date(ctx: DocumentContext, facts: list[Fact]) -> str | None:
    """`YYYY-MM` of the document's own date: its dateline or publication line; else the
    month of a news lead (`1月20日，杭州市公布...`) in the first year it can fall in after
    the latest period reported; else the end of the year it reports on."""
    if ctx.publication:
        return f"{ctx.publication[0]}-{ctx.publication[1]:02d}"
    month = find_lead_month(ctx.text)
    reported = [f.period_end for f in facts if not f.measure.startswith("target_")]
    if month is not None and (reported or ctx.document_year):
        latest = max(reported) if reported else f"{ctx.document_year}-01"
        year = int(latest[:4])
        if f"{year}-{month:02d}" < latest:
            year += 1  # `1月20日` publishing 2022's figures is January 2023
        return f"{year}-{month:02d}"
    if ctx.document_year:
        return f"{ctx.document_year}-12"
    return None


__all__ = ["COUNTRY", "EXTRACTOR_VERSION", "extract_document"]
