"""What the extractor knows about the whole document while it reads it: the document's
own area and year, the period in force (the frame and its digressions) and the facts so far."""

from __future__ import annotations

from dataclasses import dataclass, field

from transforms.catalog import Catalog, Region
from transforms.extract.patterns import Patterns
from transforms.facts import Fact
from transforms.lexicon import Lexicon
from transforms.normalise import NormalisedText
from transforms.regions import RegionIndex, RegionMention

# Classes built hundreds of times per document (`Period`, the tokens, `Subject`, `Quantity`,
# `PeriodMention`, `RegionMention`) write their `__init__` out: mypyc compiles a written one
# to C, while the one `dataclass` generates runs as Python, 5x slower. `dataclass` still
# gives them `repr`, `==` and `replace`.


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
    patterns: Patterns
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
    target_list_open: bool = False
    """A sentence of this paragraph opened a list of targets (`主要预期目标是：`): the
    paragraph's later sentences go on listing them, in the targets' year."""
    target_list_return: tuple[Period | None, int | None, bool] | None = None
    """The frame before that list (frame, its year, named): it comes back with the next
    paragraph."""
    last_kind: str = ""
    last_indicator: str = ""
    """The indicator last named: a bare kind opening the next sentence (`其中，7月当月增加值
    增长5.4%`) continues it."""
    last_indicator_at: int = -1
    """Where `last_indicator` was named."""
    other_noun_at: int = -1
    """Where a noun outside the catalogue last opened a subject (`居民收入增长3%`)."""
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
    province_codes: dict[str, str | None] = field(default_factory=dict)
    """Code of an area -> the code of its province (None: none), as asked so far."""
    """Name -> GB/T 2260 code of each area a fact was resolved to (None: not certain)."""
