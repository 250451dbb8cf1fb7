"""Regions: which area a document is about, and which area each mention names.

Names come from the generated `catalog/regions.csv` (full official names and short names).
A short name several areas share (鼓楼) is resolved by the document's context: the
candidate whose parent or province the text also names wins.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache

from transforms.catalog import Catalog, Region, load_catalog
from transforms.trie import compile_trie

COUNTRY = "全国"
# Self-references resolve to the document's own area (or its province / city).
SELF_REFERENCE = re.compile(
    r"(?P<country>全国|我国)|(?P<province>全省|我省|本省)|(?P<city>全市|我市|本市)"
    r"|(?P<district>全区|我区|本区|全县|我县|本县|全旗)"
    r"|(?P<partial>市级|市本级|区本级|县本级|区级|县级)(?=实现|完成|地区生产总值|生产总值|GDP)"
)
# A place name followed by one of these names a zone inside it, not the area itself.
SUBAREA_AFTER = re.compile(
    r"(?:经济技术开发区|经济开发区|开发区|高新区|高新技术产业开发区|产业园|园区|新区|保税区|"
    r"街道|镇|乡|村|湾|港|大学|研究院|日报|晚报|钢构)"
)


@dataclass(frozen=True, slots=True)
class RegionMention:
    start: int
    end: int
    candidates: tuple[Region, ...]
    is_full_name: bool
    self_reference: str | None = None
    """country / province / city / district / partial for 全国, 全省, 全市, 全区, 市级."""


@dataclass(frozen=True)
class RegionIndex:
    by_code: dict[str, Region]
    by_name: dict[str, tuple[Region, ...]]
    by_short: dict[str, tuple[Region, ...]]
    pattern: re.Pattern[str]

    def ancestors(self, region: Region) -> list[Region]:
        chain = []
        code = region.parent_code
        while code and code in self.by_code:
            parent = self.by_code[code]
            chain.append(parent)
            code = parent.parent_code
        return chain

    def province_of(self, region: Region) -> Region | None:
        if region.level == "province":
            return region
        return next((r for r in self.ancestors(region) if r.level == "province"), None)

    def city_of(self, region: Region) -> Region | None:
        if region.level == "city" or (region.level == "province" and region.name.endswith("市")):
            return region
        return next((r for r in self.ancestors(region) if r.level == "city"), None)


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
    return RegionIndex(
        by_code=by_code,
        by_name={k: tuple(v) for k, v in by_name.items()},
        by_short={k: tuple(v) for k, v in by_short.items()},
        pattern=compile_trie(words),
    )


def region_index(catalog: Catalog | None = None) -> RegionIndex:
    catalog = catalog or load_catalog()
    if catalog is load_catalog():
        return build_index(catalog.version)
    return index_regions(catalog.regions)


def find_region_mentions(text: str, index: RegionIndex) -> Iterator[RegionMention]:
    """Named areas and self-references (全市, 我区...), in order."""
    mentions: list[RegionMention] = []
    for m in index.pattern.finditer(text):
        word = m.group()
        if SUBAREA_AFTER.match(text, m.end()):
            continue
        full = index.by_name.get(word, ())
        mentions.append(
            RegionMention(m.start(), m.end(), full or index.by_short.get(word, ()), bool(full))
        )
    for m in SELF_REFERENCE.finditer(text):
        kind = m.lastgroup or ""
        mentions.append(RegionMention(m.start(), m.end(), (), False, self_reference=kind))
    mentions.sort(key=lambda x: x.start)
    return iter(mentions)


def infer_document_region(
    text: str, index: RegionIndex, found: Iterable[RegionMention] | None = None
) -> Region | None:
    """The area the document is about: the most-named area, the more specific on a tie.

    Full names count double. Ambiguous short names go to the candidate whose ancestors the
    text names too. `found`: the text's mentions when the caller has them already.
    """
    if found is None:
        found = find_region_mentions(text, index)
    mentions = [m for m in found if m.candidates]
    if not mentions:
        return None
    named = {r.code for m in mentions for r in m.candidates if len(m.candidates) == 1}
    scores: Counter[str] = Counter()
    first_seen: dict[str, int] = {}
    for mention in mentions:
        region = disambiguate(mention.candidates, named, index)
        if region is None:
            continue
        scores[region.code] += 2 if mention.is_full_name else 1
        first_seen.setdefault(region.code, mention.start)
    if not scores:
        return None
    best = max(scores.values())
    top = [code for code, score in scores.items() if score == best]
    # On a tie a child beats its parent: 慈溪 and 宁波 once each in a 慈溪 bulletin.
    top_set = set(top)
    specific = [c for c in top if top_set & {a.code for a in index.ancestors(index.by_code[c])}]
    choice = min(specific or top, key=lambda c: first_seen[c])
    return index.by_code[choice]


def disambiguate(
    candidates: tuple[Region, ...], named: set[str], index: RegionIndex
) -> Region | None:
    if not candidates:
        return None
    if len(candidates) == 1:
        return candidates[0]
    scored = [
        (sum(1 for a in index.ancestors(c) if a.code in named), -i, c)
        for i, c in enumerate(candidates)
    ]
    scored.sort(key=lambda item: (item[0], item[1]), reverse=True)
    best, runner_up = scored[0], scored[1]
    if best[0] == runner_up[0]:
        # Prefer the higher level (浙江 the province over a county called 浙江...), then order.
        levels = {"province": 0, "city": 1, "district": 2}
        return min(candidates, key=lambda c: levels.get(c.level, 3))
    return best[2]


def resolve_self_reference(
    kind: str, document_region: Region | None, index: RegionIndex
) -> str | None:
    """全市 -> the document's city; 全省 -> its province; 全国 -> 全国. None: unknown area."""
    if kind == "country":
        return COUNTRY
    if kind == "partial" or document_region is None:
        return None
    if kind == "province":
        province = index.province_of(document_region)
        return province.name if province else None
    if kind == "city":
        if document_region.name.endswith("市"):
            return document_region.name
        city = index.city_of(document_region)
        return city.name if city else None
    return document_region.name
