"""The catalogue: indicators, units and regions as data files beside this module.

Analysts extend the catalogue by editing the CSV files; no code change is needed. The
catalogue's version is a hash of the files' bytes, recorded on every fact it helped make.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

CATALOG_DIR = Path(__file__).resolve().parent
CATALOG_FILES = (
    "indicators.csv",
    "units.csv",
    "measures.csv",
    "regions.csv",
    "region_changes.csv",
    "cues.csv",
    "phrases.csv",
    "rule_words.csv",
)


@dataclass(frozen=True, slots=True)
class Indicator:
    code: str
    name_zh: str
    name_en: str
    aliases: tuple[str, ...]
    dimension: str
    """Unit dimension the indicator's `value` measure must have (currency, count, area...)."""
    unit: str
    """Default unit, as the indicator is usually reported."""
    category: str
    parent_code: str | None
    """The indicator this one is a part of (a part never exceeds its whole)."""
    is_headline: bool
    yoy_min_pct: float
    yoy_max_pct: float


@dataclass(frozen=True, slots=True)
class Unit:
    symbol: str
    dimension: str
    base_symbol: str
    factor_to_base: float
    name_en: str


@dataclass(frozen=True, slots=True)
class Measure:
    measure: str
    name_zh: str
    name_en: str
    unit_dimension: str | None
    """Dimension its unit must have; None: the indicator's own dimension."""
    is_scored: bool


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    """GB/T 2260 administrative code (12 digits as in the national division data)."""
    name: str
    short_names: tuple[str, ...]
    level: str
    """country, province, city or district (county-level areas are `district`)."""
    parent_code: str | None
    name_en: str = ""


@dataclass(frozen=True, slots=True)
class Cue:
    """A word the extractor reacts to (`cues.csv`): qualifiers, bounds, comparison words, kind
    words... (the words inside the rules' phrases are `RuleWord`s)."""

    term: str
    role: str
    arg: str = ""


@dataclass(frozen=True, slots=True)
class Phrase:
    """A wording that names a catalogue indicator with a fixed qualifier (`phrases.csv`)."""

    phrase: str
    indicator: str
    qualifier: str | None = None


@dataclass(frozen=True, slots=True)
class RuleWord:
    """A word one of the extractor's rules looks for in one slot of its phrase
    (`rule_words.csv`): `growth`, `up`, `增长`."""

    rule: str
    slot: str
    word: str


@dataclass(frozen=True)
class Catalog:
    indicators: tuple[Indicator, ...]
    units: tuple[Unit, ...]
    measures: tuple[Measure, ...]
    regions: tuple[Region, ...]
    version: str
    cues: tuple[Cue, ...] = field(repr=False, default=())
    phrases: tuple[Phrase, ...] = field(repr=False, default=())
    rule_words: tuple[RuleWord, ...] = field(repr=False, default=())
    by_name: dict[str, Indicator] = field(repr=False, default_factory=dict)
    unit_by_symbol: dict[str, Unit] = field(repr=False, default_factory=dict)
    unit_aliases: dict[str, str] = field(repr=False, default_factory=dict)
    """Other ways to write a catalogue unit (`户` for enterprises is `家`): `cues.csv`, role
    `unit_alias`."""
    count_units: frozenset[str] = field(repr=False, default=frozenset())
    """Units of the count dimension and their aliases (家, 个, 户...): the only units a figure
    in Chinese numerals may carry (`三大产业` and `十四五` are no figures)."""

    def indicator(self, name_zh: str) -> Indicator:
        return self.by_name[name_zh]

    def unit(self, symbol: str) -> Unit:
        return self.unit_by_symbol[symbol]


def _read_rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        lines = (line for line in handle if not line.startswith("#"))
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(lines)]


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split("|") if part.strip())


def catalog_version(directory: Path = CATALOG_DIR) -> str:
    digest = hashlib.sha256()
    for name in CATALOG_FILES:
        path = directory / name
        if path.exists():
            digest.update(name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@cache
def load_catalog(directory: Path = CATALOG_DIR) -> Catalog:
    """Read the catalogue files once per process."""
    indicators = tuple(
        Indicator(
            code=row["code"],
            name_zh=row["name_zh"],
            name_en=row["name_en"],
            aliases=_split(row["aliases"]),
            dimension=row["dimension"],
            unit=row["unit"],
            category=row["category"],
            parent_code=row["parent_code"] or None,
            is_headline=row["is_headline"].lower() == "true",
            yoy_min_pct=float(row["yoy_min_pct"]),
            yoy_max_pct=float(row["yoy_max_pct"]),
        )
        for row in _read_rows(directory / "indicators.csv")
    )
    units = tuple(
        Unit(
            symbol=row["symbol"],
            dimension=row["dimension"],
            base_symbol=row["base_symbol"],
            factor_to_base=float(row["factor_to_base"]),
            name_en=row["name_en"],
        )
        for row in _read_rows(directory / "units.csv")
    )
    measures = tuple(
        Measure(
            measure=row["measure"],
            name_zh=row["name_zh"],
            name_en=row["name_en"],
            unit_dimension=row["unit_dimension"] or None,
            is_scored=row["is_scored"].lower() == "true",
        )
        for row in _read_rows(directory / "measures.csv")
    )
    regions = tuple(
        Region(
            code=row["code"],
            name=row["name"],
            short_names=_split(row.get("short_names", "")),
            level=row["level"],
            parent_code=row.get("parent_code") or None,
            name_en=row.get("name_en", ""),
        )
        for row in _read_rows(directory / "regions.csv")
    )
    regions = apply_region_changes(regions, _read_rows(directory / "region_changes.csv"))
    cues = load_cues(directory)
    unit_aliases = {c.term: c.arg for c in cues if c.role == "unit_alias" and c.arg}
    counts = {unit.symbol for unit in units if unit.dimension == "count"}
    return Catalog(
        indicators=indicators,
        units=units,
        measures=measures,
        regions=regions,
        version=catalog_version(directory),
        cues=cues,
        phrases=load_phrases(directory),
        rule_words=load_rule_words(directory),
        by_name={ind.name_zh: ind for ind in indicators},
        unit_by_symbol={unit.symbol: unit for unit in units},
        unit_aliases=unit_aliases,
        count_units=frozenset(counts | {a for a, unit in unit_aliases.items() if unit in counts}),
    )


def apply_region_changes(
    regions: tuple[Region, ...], changes: list[dict[str, str]]
) -> tuple[Region, ...]:
    """Bring the generated division list up to date (`region_changes.csv`).

    `added` and `renamed` rows are areas as they are now; a `former` area (即墨市, now 即墨区)
    stays nameable by its full name but gives up its short name to its successor; an
    `abolished` row was renumbered or merged under the same name and goes.
    """
    by_code = {region.code: region for region in regions}
    for row in changes:
        code, change = row["code"], row["change"]
        if change == "abolished":
            by_code.pop(code, None)
        elif change == "former":
            if code in by_code:
                by_code[code] = replace(by_code[code], short_names=())
        else:
            by_code[code] = Region(
                code=code,
                name=row["name"],
                short_names=_split(row.get("short_names", "")),
                level=row["level"],
                parent_code=row.get("parent_code") or None,
                name_en=row.get("name_en", ""),
            )
    return tuple(by_code.values())


@cache
def load_cues(directory: Path = CATALOG_DIR) -> tuple[Cue, ...]:
    return tuple(
        Cue(term=row["term"], role=row["role"], arg=row.get("arg", ""))
        for row in _read_rows(directory / "cues.csv")
        if row.get("term")
    )


@cache
def load_phrases(directory: Path = CATALOG_DIR) -> tuple[Phrase, ...]:
    return tuple(
        Phrase(
            phrase=row["phrase"], indicator=row["indicator"], qualifier=row.get("qualifier") or None
        )
        for row in _read_rows(directory / "phrases.csv")
        if row.get("phrase")
    )


@cache
def load_rule_words(directory: Path = CATALOG_DIR) -> tuple[RuleWord, ...]:
    return tuple(
        RuleWord(rule=row["rule"], slot=row["slot"], word=row["word"])
        for row in _read_rows(directory / "rule_words.csv")
        if row.get("word")
    )
