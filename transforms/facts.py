"""The fact contract (../shared/spec/FACTS.md): one extracted observation, grounded in its text."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

QUALIFIERS = ("新增", "累计")
CONTRACT_FIELDS = (
    "doc",
    "region",
    "period_start",
    "period_end",
    "indicator",
    "measure",
    "value",
    "unit",
    "qualifier",
    "denominator",
    "evidence",
)


def constructor_args(record: object) -> tuple[object, ...]:
    """A dataclass's fields in order, for `__reduce__`: the compiled build (mypyc) of these
    classes is pickled (to and from worker processes) by calling the class again."""
    return tuple(getattr(record, f.name) for f in fields(record))  # type: ignore[arg-type]


@dataclass(slots=True)
class Fact:
    """Treat it as immutable. It is not frozen, and writes its `__init__` out, because the
    extractor makes facts by the thousand: mypyc compiles a written `__init__` to C (see
    `transforms.extract.Token`), and a frozen one sets every field through
    `object.__setattr__`."""

    doc: str
    region: str
    period_start: str
    """First month covered, `YYYY-MM`."""
    period_end: str
    indicator: str
    """Canonical Chinese name (`name_zh` in the catalogue)."""
    measure: str
    value: float
    unit: str | None
    qualifier: str | None
    denominator: str | None
    evidence: str
    start: int
    """Offset of the evidence span in the normalised text."""
    end: int
    raw_start: int
    """Offset of the same span in the raw (decoded, unnormalised) text."""
    raw_end: int
    is_approximate: bool
    """The text hedges the number (近, 超, 约, 余)."""
    region_code: str | None
    """GB/T 2260 code of `region` when the extractor resolved it (names repeat: 鼓楼区)."""

    def __init__(
        self,
        doc: str,
        region: str,
        period_start: str,
        period_end: str,
        indicator: str,
        measure: str,
        value: float,
        unit: str | None,
        qualifier: str | None,
        denominator: str | None,
        evidence: str,
        start: int,
        end: int,
        raw_start: int,
        raw_end: int,
        is_approximate: bool = False,
        region_code: str | None = None,
    ) -> None:
        self.doc = doc
        self.region = region
        self.period_start = period_start
        self.period_end = period_end
        self.indicator = indicator
        self.measure = measure
        self.value = value
        self.unit = unit
        self.qualifier = qualifier
        self.denominator = denominator
        self.evidence = evidence
        self.start = start
        self.end = end
        self.raw_start = raw_start
        self.raw_end = raw_end
        self.is_approximate = is_approximate
        self.region_code = region_code

    def __reduce__(self) -> tuple[type[Fact], tuple[object, ...]]:
        return Fact, constructor_args(self)

    def to_contract(self) -> dict[str, object]:
        """The exchange form of FACTS.md plus the grounding fields (consumers ignore extras)."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Extraction:
    """Everything the extractor learns from one document."""

    doc: str
    text: str
    """The normalised text that fact offsets refer to."""
    region: str | None
    """The document's own area, full official name."""
    report_date: str | None
    """`YYYY-MM` of the document's own date: its dateline or publication line, else the month
    of a news lead (`1月20日，...`); `YYYY-12` of the year it reports on only when nothing more
    precise exists."""
    facts: list[Fact] = field(default_factory=list)

    def __reduce__(self) -> tuple[type[Extraction], tuple[object, ...]]:
        return Extraction, constructor_args(self)
