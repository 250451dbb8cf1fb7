"""Regions: which area a document is about, and which area each mention names.

Names come from the generated `catalog/regions.csv` (full official names and short names).
A short name several areas share (鼓楼) is resolved by the document's context: the
candidate whose parent or province the text also names wins.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from transforms.catalog import Catalog, Region, load_catalog
from transforms.fast_scan import compile_mentions
from transforms.trie import compile_trie

COUNTRY = "全国"
COUNTRY_CODE = "000000000000"
# Self-references resolve to the document's own area (or its province / city). The
# lookahead of every first character lets `re` skip, in C, the positions where none starts.
SELF_REFERENCES = {
    "country": ("全国", "我国"),
    "province": ("全省", "我省", "本省"),
    "city": ("全市", "我市", "本市", "全州", "我州", "全盟", "我盟", "本盟"),
    "district": ("全区", "我区", "本区", "全县", "我县", "本县", "全旗", "我旗", "本旗"),
    "partial": ("市级", "市本级", "区本级", "县本级", "区级", "县级"),
}
"""Words by which a text names its own area (or, `partial`, a part of its area's budget)."""
SELF_REFERENCE_KIND = {word: kind for kind, words in SELF_REFERENCES.items() for word in words}
SELF_REFERENCE = re.compile("|".join(sorted(map(re.escape, SELF_REFERENCE_KIND), key=len)[::-1]))
"""A plain alternation: `re` skips ahead to its first characters, which a pattern opening
with a lookahead or a named group does not get (2.6x quicker on generated reports)."""
PARTIAL_AFTER_WORDS = ("实现", "完成", "地区生产总值", "生产总值", "GDP")
"""`区级` is a part of the area only before its accounts (`区级实现税收...`)."""
PARTIAL_AFTER = re.compile("|".join(map(re.escape, PARTIAL_AFTER_WORDS)))

SUBAREA_AFTER_WORDS = (
    *("经济技术开发区", "经济开发区", "开发区", "高新区", "高新技术产业开发区", "产业园", "园区"),
    *("新区", "保税区", "街道", "镇", "乡", "村", "湾", "港", "大学", "研究院", "日报", "晚报"),
    "钢构",
)
"""A place name followed by one of these names a zone inside it, not the area itself."""
SUBAREA_AFTER = re.compile("|".join(map(re.escape, SUBAREA_AFTER_WORDS)))

MentionKind = tuple[tuple[Region, ...], bool, str | None]
"""What a word found names: its candidates, whether it is a full name, its self-reference."""


@dataclass(slots=True)
class RegionMention:
    """An area named in the text. Treat it as immutable (`replace`)."""

    start: int
    end: int
    candidates: tuple[Region, ...]
    is_full_name: bool
    self_reference: str | None
    """country / province / city / district / partial for 全国, 全省, 全市, 全区, 市级."""
    in_other_name: bool
    """The name is part of another one (`北京日报`, `萧山经济技术开发区`): no figure is about
    the area, but the text is set there (it tells two 朝阳区 apart)."""

    def __init__(
        self,
        start: int,
        end: int,
        candidates: tuple[Region, ...],
        is_full_name: bool,
        self_reference: str | None = None,
        in_other_name: bool = False,
    ) -> None:
        self.start = start
        self.end = end
        self.candidates = candidates
        self.is_full_name = is_full_name
        self.self_reference = self_reference
        self.in_other_name = in_other_name


@dataclass(frozen=True)
class RegionIndex:
    by_code: dict[str, Region]
    by_name: dict[str, tuple[Region, ...]]
    by_short: dict[str, tuple[Region, ...]]
    pattern: re.Pattern[str]
    chains: dict[str, tuple[Region, ...]] = field(default_factory=dict, compare=False)
    """The ancestors of the areas under each parent code, made as first asked for: a document
    asks for the same few chains hundreds of times (each mention's candidates)."""
    chain_codes: dict[str, frozenset[str]] = field(default_factory=dict, compare=False)
    """The codes of `chains[code]`."""
    scanner: Any = field(default=None, compare=False)
    """The mention scan in native code (transforms/fast_scan.py, `compile_mentions`); None
    without it."""
    kinds: list[MentionKind] = field(default_factory=list, compare=False)
    """What each word of `scanner` names: the self-references, then the place names."""

    def ancestors(self, region: Region) -> tuple[Region, ...]:
        code = region.parent_code or ""
        chain = self.chains.get(code)
        if chain is None:
            chain = self.chains[code] = tuple(self.chain_from(code))
        return chain

    def chain_from(self, code: str) -> list[Region]:
        """The area of `code`, its parent, and so on up."""
        chain = []
        while code and code in self.by_code:
            parent = self.by_code[code]
            chain.append(parent)
            code = parent.parent_code or ""
        return chain

    def ancestor_codes(self, region: Region) -> frozenset[str]:
        """The codes of `ancestors(region)`."""
        code = region.parent_code or ""
        codes = self.chain_codes.get(code)
        if codes is None:
            codes = self.chain_codes[code] = frozenset(a.code for a in self.ancestors(region))
        return codes

    def province_of(self, region: Region) -> Region | None:
        if region.level == "province":
            return region
        return next((r for r in self.ancestors(region) if r.level == "province"), None)

    def city_of(self, region: Region) -> Region | None:
        """The prefecture-level area; a municipality (重庆市) is its districts' city."""
        return next((r for r in (region, *self.ancestors(region)) if is_city(r)), None)


def is_city(region: Region) -> bool:
    return region.level == "city" or (region.level == "province" and region.name.endswith("市"))


@cache
def build_index(version: str) -> RegionIndex:
    catalog = load_catalog()
    return index_regions(catalog.regions)


def index_regions(regions: Iterable[Region]) -> RegionIndex:
    by_code: dict[str, Region] = {}
    by_name: dict[str, list[Region]] = defaultdict(list)
    by_short: dict[str, list[Region]] = defaultdict(list)
    for region in regions:
        by_code[region.code] = region
        if region.level == "country":
            continue
        by_name[region.name].append(region)
        for short in region.short_names:
            by_short[short].append(region)
    words = set(by_name) | set(by_short)
    full = {k: tuple(v) for k, v in by_name.items()}
    shorts = {k: tuple(v) for k, v in by_short.items()}
    pattern = compile_trie(words)
    native = compile_mentions(
        selves=list(SELF_REFERENCE_KIND),
        conditional=[kind == "partial" for kind in SELF_REFERENCE_KIND.values()],
        partial_after=list(PARTIAL_AFTER_WORDS),
        places=pattern,
        subarea_after=list(SUBAREA_AFTER_WORDS),
    )
    kinds: list[MentionKind] = []
    if native is not None:
        kinds = [((), False, kind) for kind in SELF_REFERENCE_KIND.values()]
        kinds += [(full.get(w) or shorts.get(w, ()), w in full, None) for w in native[1]]
    return RegionIndex(
        by_code=by_code,
        by_name=full,
        by_short=shorts,
        pattern=pattern,
        scanner=native[0] if native is not None else None,
        kinds=kinds,
    )


def region_index(catalog: Catalog | None = None) -> RegionIndex:
    catalog = catalog or load_catalog()
    if catalog is load_catalog():
        return build_index(catalog.version)
    return index_regions(catalog.regions)


def find_region_mentions(
    text: str, index: RegionIndex, in_other_names: bool = False
) -> Iterator[RegionMention]:
    """Named areas and self-references (全市, 我区...), in order; with `in_other_names`, the
    areas named inside other names too (`北京日报`), marked `in_other_name`. Natively when
    built (`RegionIndex.scanner`), else (or for a text native code cannot take, a lone
    surrogate) by `re` (`regex_region_mentions`, the reference)."""
    if index.scanner is not None:
        try:
            found: list[tuple[int, int, int, bool]] = index.scanner.matches(text, in_other_names)
        except UnicodeEncodeError:
            return regex_region_mentions(text, index, in_other_names)
        kinds = index.kinds
        mentions = []
        for start, end, word, inside in found:
            candidates, full, kind = kinds[word]
            mentions.append(RegionMention(start, end, candidates, full, kind, inside))
        return iter(mentions)
    return regex_region_mentions(text, index, in_other_names)


def regex_region_mentions(
    text: str, index: RegionIndex, in_other_names: bool = False
) -> Iterator[RegionMention]:
    """`find_region_mentions` by `re` and the trie pattern: the reference."""
    mentions: list[RegionMention] = []
    selves = {}
    # Each match's span read once: a text names an area every few dozen characters.
    for m in SELF_REFERENCE.finditer(text):
        start, end = m.span()
        kind = SELF_REFERENCE_KIND[m.group()]
        if kind == "partial" and not PARTIAL_AFTER.match(text, end):
            continue  # no word starts inside one of these, so no match is skipped over
        selves[start] = end
        mentions.append(RegionMention(start, end, (), False, self_reference=kind))
    for m in index.pattern.finditer(text):
        start, end = m.span()
        word = m.group()
        inside = SUBAREA_AFTER.match(text, end) is not None
        if inside and not in_other_names:
            continue
        if selves.get(start) == end:
            continue  # 全州 in a prefecture's text is the prefecture, not 全州县
        full = index.by_name.get(word, ())
        candidates = full or index.by_short.get(word, ())
        mentions.append(RegionMention(start, end, candidates, bool(full), in_other_name=inside))
    mentions.sort(key=lambda x: x.start)
    return iter(mentions)


MentionWeight = Callable[[RegionMention], int]


def default_weight(mention: RegionMention) -> int:
    if mention.in_other_name:
        return 0
    return 2 if mention.is_full_name else 1


def is_uncorroborated(mention: RegionMention, named: set[str], index: RegionIndex) -> bool:
    """A county's short name in the body whose county the text never names in full, nor its
    city or province (`named`): most likely a word (`复杂多变` holds 杂多, a county of
    Qinghai)."""
    if mention.is_full_name or any(c.level != "district" for c in mention.candidates):
        return False
    return not any(
        c.code in named or not named.isdisjoint(index.ancestor_codes(c)) for c in mention.candidates
    )


def infer_document_region(
    text: str,
    index: RegionIndex,
    found: Iterable[RegionMention] | None = None,
    weight: MentionWeight = default_weight,
) -> Region | None:
    """The area the document is about (see `resolve_document_region`)."""
    return resolve_document_region(text, index, found, weight)[0]


def resolve_document_region(
    text: str,
    index: RegionIndex,
    found: Iterable[RegionMention] | None = None,
    weight: MentionWeight = default_weight,
    head_end: int = 0,
) -> tuple[Region | None, bool]:
    """The area the document is about, and whether it is certain (not a guess between areas
    sharing a name): the most-named area, the more specific on a tie, and an area the head
    (`text[:head_end]`: title, publisher, dateline) names inside the most-named one wins
    over it (a district's report names its city more often than itself: `高于潍坊市`).

    `weight` scores one mention (full names count double by default; the caller knows more:
    a title or a publisher line names the document's own area, a comparison's base does
    not). Ambiguous short names go to the candidate whose ancestors the text names too.
    `found`: the text's mentions when the caller has them already.
    """
    if found is None:
        found = find_region_mentions(text, index)
    mentions = [m for m in found if m.candidates]
    if not mentions:
        return None, False
    single = [m for m in mentions if len(m.candidates) == 1]
    named = {m.candidates[0].code for m in single}
    in_full = {m.candidates[0].code for m in single if m.is_full_name}
    corroborating = in_full | {code for code in named if not is_county(code, index)}
    scores: dict[str, int] = {}
    first_seen: dict[str, int] = {}
    certain: dict[str, bool] = {}
    titled: set[str] = set()
    for mention in mentions:
        start = mention.start
        if start >= head_end and is_uncorroborated(mention, corroborating, index):
            continue
        region, sure = pick_candidate(mention.candidates, named, index)
        if region is None:
            continue
        code = region.code  # read once: `Region` is a Python class, each read a lookup
        if start < head_end:
            titled.add(code)
        scores[code] = scores.get(code, 0) + weight(mention)
        first_seen.setdefault(code, start)
        certain[code] = certain.get(code, False) or sure
    scores = {code: score for code, score in scores.items() if score > 0}
    if not scores:
        return None, False
    best = max(scores.values())
    top = [code for code, score in scores.items() if score == best]
    # On a tie a child beats its parent: 慈溪 and 宁波 once each in a 慈溪 bulletin.
    top_set = set(top)
    specific = [c for c in top if not top_set.isdisjoint(index.ancestor_codes(index.by_code[c]))]
    choice = min(specific or top, key=lambda c: first_seen[c])
    inside = [
        code
        for code in titled
        if code in scores and choice in index.ancestor_codes(index.by_code[code])
    ]
    if inside:
        choice = max(inside, key=lambda c: (scores[c], -first_seen[c]))
    return index.by_code[choice], certain[choice]


def is_county(code: str, index: RegionIndex) -> bool:
    return index.by_code[code].level == "district"


def disambiguate(
    candidates: tuple[Region, ...], named: set[str], index: RegionIndex
) -> Region | None:
    return pick_candidate(candidates, named, index)[0]


def pick_candidate(
    candidates: tuple[Region, ...], named: set[str], index: RegionIndex
) -> tuple[Region | None, bool]:
    """The area a name means, and whether the context decided it.

    The candidate with the most ancestors among `named` (the areas the text names) wins. On
    a tie the higher level is taken (浙江 the province over a county called 浙江), a guess
    when the tied candidates are of one level (two 鼓楼区, no city named): the name is
    right, the code is not known.
    """
    if not candidates:
        return None, False
    if len(candidates) == 1:
        return candidates[0], True
    scored = [
        (sum(1 for a in index.ancestors(c) if a.code in named), -i, c)
        for i, c in enumerate(candidates)
    ]
    scored.sort(key=lambda item: (item[0], item[1]), reverse=True)
    best, runner_up = scored[0], scored[1]
    if best[0] != runner_up[0]:
        return best[2], True
    levels = {"province": 0, "city": 1, "district": 2}
    tied = [c for score, _, c in scored if score == best[0]]
    choice = min(tied, key=lambda c: levels.get(c.level, 3))
    same_level = [c for c in tied if levels.get(c.level, 3) == levels.get(choice.level, 3)]
    return choice, len(same_level) == 1


def resolve_self_reference(
    kind: str, document_region: Region | None, index: RegionIndex, word: str = ""
) -> Region | None:
    """全市 -> the document's city; 全省 -> its province; 全国 -> 全国. None: unknown area.

    `全区` is the document's own area when that is a 区 (a district, a 新区, a 地区); in a
    city's or a county's text in an autonomous region it is the region (`比全区（6.3%）高`
    in an 鄂尔多斯市 report)."""
    if kind == "country":
        return index.by_code.get(COUNTRY_CODE)
    if kind == "partial" or document_region is None:
        return None
    if kind == "province":
        return index.province_of(document_region)
    if kind == "city":
        if document_region.name.endswith("市"):
            return document_region
        return index.city_of(document_region)
    if word.endswith("区") and not document_region.name.endswith("区"):
        province = index.province_of(document_region)
        if province is not None and province.name.endswith("自治区"):
            return province
    return document_region
