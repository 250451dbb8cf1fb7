"""What the sentence read so far says: the subjects it named, the cues in force in its
clause, the bracket being read. Fresh for each sentence (and each table row)."""

from __future__ import annotations

from dataclasses import dataclass

from transforms.extract.context import Period


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
    sentence_start: int
    """Where the sentence (or table row) starts."""
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
    last_list: list[Subject]
    """The items the sentence's last `分别` shared figures out to (`分别是A、B，分别增长C、D`)."""
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
    estimate: bool = False
    """The plan word is an estimate (预计): of a year already over, a result."""
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

    def __init__(self, region: str | None, start: int) -> None:
        self.region = region
        self.sentence_start = start
        self.clause_start = start
        self.subjects = []
        self.areas = []
        self.last_list = []
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
        self.bound = self.plan = self.estimate = self.net = self.comparator = self.mom = False
        self.foreign = False
        self.clause_region = None
        self.base_area = None

    def saw_content(self) -> None:
        """A noun or a figure: an area named before it in the clause is not pending any more."""
        self.area_pending = None
        self.content_seen = True
