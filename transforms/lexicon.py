"""The indicator vocabulary the extractor matches: aliases, stems and kind words.

Everything here is derived from the catalogue files (`indicators.csv`, `phrases.csv`,
`cues.csv`); this module only compiles it. An indicator name splits into a stem and a kind
(`高新技术产业` + `增加值`): a `其中` item that names only the stem inherits its parent's kind,
and an elided list (`高技术、装备和高新技术等产业制造业增加值`) is completed the same way.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache

from transforms.catalog import Catalog, Cue, load_catalog
from transforms.tables import HeaderWords
from transforms.trie import compile_trie

NEVER = re.compile(r"(?!x)x")

QUOTES = "“”\"'‘’「」"
QUOTE_STRIP = str.maketrans("", "", QUOTES)
QUOTE_CHAR = re.compile(f"[{re.escape(QUOTES)}]")
SPLIT_CACHE_MAX = 100_000
STEM_MIN = 3  # shorter stems (工业, 出口) are too common to mean an indicator alone


def strip_quotes(text: str) -> str:
    return text.translate(QUOTE_STRIP)


def quote_variants(alias: str) -> set[str]:
    """`专精特新“小巨人”企业` also as `"小巨人"` and without quotes (mirrors vary)."""
    if not any(q in alias for q in QUOTES):
        return {alias}
    bare = strip_quotes(alias)
    ascii_quoted = re.sub(r"[“”‘’「」]", '"', alias)
    return {alias, bare, ascii_quoted}


@dataclass(frozen=True)
class Entry:
    indicator: str
    """Canonical name_zh."""
    dimension: str
    qualifier: str | None = None


@dataclass(frozen=True)
class Lexicon:
    entries: dict[str, Entry]
    """Quote-free alias (and canonical name, and phrase) -> entry."""
    indicator_pattern: re.Pattern[str]
    kinds: tuple[str, ...]
    """Kind words, longest first."""
    kind_dimension: dict[str, str]
    kind_pattern: re.Pattern[str]
    stems: dict[str, dict[str, str]]
    """stem -> kind -> canonical name."""
    stem_pattern: re.Pattern[str]
    short_stem_pattern: re.Pattern[str]
    """Stems shorter than `STEM_MIN` (工业, 民间): read only as items of a list under a parent
    whose kind they take (`固定资产投资增长10.3%，其中，工业增长15.6%`)."""
    cue_roles: dict[str, str]
    """term -> role (`增长` is no cue: growth verbs are a pattern of their own)."""
    cue_pattern: re.Pattern[str]
    names_by_kind: dict[str, tuple[str, ...]]
    """kind -> every alias/name ending in it (for prefix completion)."""
    narrower_before: re.Pattern[str] = re.compile(r"(?!x)x")
    """Words that, written right before an indicator's name, make a narrower noun of it
    (`电子设备` + `制造业增加值`, `现代` + `服务业增加值`): match with `search(text, 0, start)`."""
    area_attribute_after: re.Pattern[str] = re.compile(r"(?!x)x")
    """Words after an area reference that make it an attribute, not the area a figure is about
    (`入选全省首批`, `全省唯一`, `全省平均`): match with `match(text, end)`."""
    publisher_after: re.Pattern[str] = re.compile(r"(?!x)x")
    """Institutions after an area's name (`寿光市统计局`, `晋江市工业和信息化局`): the area
    that publishes the text, which is the area it is about: match with `match(text, end)`."""
    base_before: re.Pattern[str] = re.compile(r"(?!x)x")
    """Comparison and rank words (`高于`, `居`) right before an area: the area is a base, not
    the one reported on: match with `search(text, 0, start)`."""
    base_before_ends: frozenset[str] | None = None
    """The last characters of `base_before`'s words: before an area that follows none of them
    (nor a line break, which `$` may stand before) the search finds nothing. None: unknown."""
    filler: re.Pattern[str] = re.compile(r"(?!x)x")
    """Words that carry no noun of their own (同比, 实现, 全年, 其中...): what is left of a span
    without them tells whether it names something else; use with `sub("", span)`."""
    cue_words: frozenset[str] = frozenset()
    """Every cue term of every role but the fillers (a place name spelt like one is the cue)."""
    cue_args: dict[str, str] = field(default_factory=dict)
    """term -> the cue's argument (`预期增长`: a target that is a growth verb too)."""
    collectives: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """A word naming several listed items (`三次产业` -> 第一产业, 第二产业, 第三产业)."""
    table_headers: HeaderWords = field(
        default_factory=lambda: HeaderWords(NEVER, NEVER, NEVER, NEVER)
    )
    """What a table's column header says the column holds (growth, unit, other, share)."""
    split_cache: dict[str, tuple[str, str]] = field(default_factory=dict, compare=False, repr=False)
    """`split_kind`'s answers: a report names the same few indicators over and over."""

    def lookup(self, text: str) -> Entry | None:
        # Every key is quote-free: a name without quotes is looked up as written (`translate`
        # is slow, and a report looks up thousands of names, most of them no key at all).
        entry = self.entries.get(text)
        if entry is None and QUOTE_CHAR.search(text):
            entry = self.entries.get(strip_quotes(text))
        return entry

    def lookup_label(self, label: str) -> Entry | None:
        """A table row's label: a name, or a stem the catalogue completes one way only
        (`　第一产业` under 地区生产总值 is 第一产业增加值)."""
        entry = self.lookup(label)
        if entry is None:
            names = set(self.stems.get(label, {}).values())
            entry = self.entries.get(names.pop()) if len(names) == 1 else None
        return entry

    def split_kind(self, name: str) -> tuple[str, str]:
        """(`高新技术产业`, `增加值`); (`name`, ``) when no kind word ends it."""
        split = self.split_cache.get(name)
        if split is None:
            split = self.split_kind_uncached(name)
            if len(self.split_cache) < SPLIT_CACHE_MAX:  # names cut from text vary: bounded
                self.split_cache[name] = split
        return split

    def split_kind_uncached(self, name: str) -> tuple[str, str]:
        for kind in self.kinds:
            if name.endswith(kind) and len(name) > len(kind):
                return name[: -len(kind)], kind
        return name, ""

    def complete(self, head: str, kind: str, prefer: str = "") -> Entry | None:
        """An indicator whose name starts with `head` and ends with `kind`.

        `高技术` + `增加值` -> 高技术制造业增加值. Names containing `prefer` (制造业 when the
        list said 产业制造业增加值) win; then the shortest.
        """
        exact = self.lookup(head + kind)
        if exact:
            return exact
        candidates = [n for n in self.names_by_kind.get(kind, ()) if n.startswith(head)]
        if not candidates or len(head) < 2:
            return None
        candidates.sort(key=lambda n: (prefer not in n if prefer else False, len(n)))
        chosen = {self.entries[n].indicator for n in candidates}
        if len(chosen) > 1 and not prefer:
            # Two different indicators fit equally: ambiguous, no guess.
            shortest = len(candidates[0])
            if len({self.entries[n].indicator for n in candidates if len(n) == shortest}) > 1:
                return None
        return self.entries[candidates[0]]


def lexicon(catalog: Catalog) -> Lexicon:
    """The catalogue's lexicon, compiled once per process for the process's catalogue."""
    return build_lexicon(catalog.version) if catalog is load_catalog() else compile_lexicon(catalog)


@cache
def build_lexicon(version: str) -> Lexicon:
    return compile_lexicon(load_catalog())


def compile_lexicon(catalog: Catalog) -> Lexicon:
    entries: dict[str, Entry] = {}
    surface: set[str] = set()
    for ind in catalog.indicators:
        for name in (ind.name_zh, *ind.aliases):
            entries.setdefault(strip_quotes(name), Entry(ind.name_zh, ind.dimension))
            surface |= quote_variants(name)
    for phrase in catalog.phrases:
        if phrase.indicator in catalog.by_name:
            dim = catalog.by_name[phrase.indicator].dimension
            entries[strip_quotes(phrase.phrase)] = Entry(phrase.indicator, dim, phrase.qualifier)
            surface |= quote_variants(phrase.phrase)
    cues = catalog.cues
    kind_dimension = {c.term: c.arg for c in cues if c.role == "kind"}
    kinds = tuple(sorted(kind_dimension, key=len, reverse=True))
    stems: dict[str, dict[str, str]] = defaultdict(dict)
    names_by_kind: dict[str, list[str]] = defaultdict(list)
    lex = Lexicon(
        entries,
        re.compile("x^"),
        kinds,
        kind_dimension,
        re.compile("x^"),
        {},
        re.compile("x^"),
        re.compile("x^"),
        {},
        re.compile("x^"),
        {},
    )
    for name, entry in entries.items():
        stem, kind = lex.split_kind(name)
        if kind:
            stems[stem].setdefault(kind, entry.indicator)
            names_by_kind[kind].append(name)
    scanned_stems = {s for s in stems if len(s) >= STEM_MIN and s not in entries}
    short_stems = {s for s in stems if len(s) < STEM_MIN and s not in entries}
    word_lists: tuple[str, ...] = ("kind", "narrower", "area_attribute", "publisher", "filler")
    word_lists += ("table_growth", "table_unit", "table_other", "table_share", "unit_alias")
    word_lists += ("list_of",)
    cue_roles = {c.term: c.role for c in cues if c.role not in word_lists}
    units = {u.symbol for u in catalog.units if u.symbol} | set(filter(None, catalog.unit_aliases))
    return Lexicon(
        entries=entries,
        indicator_pattern=compile_trie(surface),
        kinds=kinds,
        kind_dimension=kind_dimension,
        kind_pattern=compile_trie(kinds),
        stems=dict(stems),
        stem_pattern=compile_trie(scanned_stems),
        short_stem_pattern=compile_trie(short_stems),
        cue_roles=cue_roles,
        cue_pattern=compile_trie(cue_roles),
        names_by_kind={k: tuple(v) for k, v in names_by_kind.items()},
        narrower_before=alternation(cues, "narrower", "(?:{})$"),
        area_attribute_after=alternation(cues, "area_attribute", "(?:{})"),
        publisher_after=alternation(cues, "publisher", "(?:{})"),
        base_before=alternation(cues, ("comparator", "rank_lead"), "(?:{})$"),
        base_before_ends=word_ends(cues, ("comparator", "rank_lead")),
        cue_words=frozenset(c.term for c in cues if c.role != "filler"),
        cue_args={c.term: c.arg for c in cues if c.arg and c.role not in word_lists},
        collectives={
            c.term: tuple(c.arg.split("|")) for c in cues if c.role == "list_of" and c.arg
        },
        table_headers=HeaderWords(
            growth=alternation(cues, "table_growth", "{}"),
            unit=alternation(cues, "table_unit", "{}"),
            other=alternation(cues, "table_other", "{}"),
            share=alternation(cues, "table_share", "{}"),
            unit_after=re.compile(
                rf"\s*(?P<unit>{'|'.join(sorted(map(re.escape, units), key=len, reverse=True))})$"
            ),
        ),
        # `第三`: an ordinal (排名第三) names nothing either; a pattern, not a word.
        filler=alternation(cues, "filler", "{}|第[一二三四五六七八九十]"),
    )


def word_ends(cues: tuple[Cue, ...], roles: tuple[str, ...]) -> frozenset[str] | None:
    """The last characters of the cue words of `roles`; None when one is empty (it ends
    anywhere)."""
    terms = [c.term for c in cues if c.role in roles]
    return frozenset(t[-1] for t in terms) if all(terms) else None


def alternation(
    cues: tuple[Cue, ...], role: str | tuple[str, ...], template: str
) -> re.Pattern[str]:
    """The cue words of some roles as one pattern, longest first (never matches when none)."""
    roles = (role,) if isinstance(role, str) else role
    terms = sorted((c.term for c in cues if c.role in roles), key=len, reverse=True)
    if not terms:
        return re.compile(r"(?!x)x")
    return re.compile(template.format("|".join(map(re.escape, terms))))
