"""The document's own area: the one its head (title, publisher, dateline) and its text name
most, comparison bases left out; a functional zone its head names when no catalogue area is."""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import pairwise

from transforms.catalog import Region
from transforms.extract.patterns import SESSION, Patterns
from transforms.lexicon import Lexicon
from transforms.regions import RegionIndex, RegionMention, default_weight

HEAD_LINES = 4
HEAD_LINE_MAX = 60
HEAD_WEIGHT = 2
PUBLISHER_WEIGHT = 3
FOOTER_SPAN = 120  # the last lines: a footer's publisher (`主办：浏阳市人民政府办公室`)
OPENING_SPAN = 150  # the opening sentence, where a street's or town's report names itself


def functional_zone(text: str, head: int, rules: Patterns) -> Region | None:
    """A zone the division list does not hold (`两江新区`, `苏州工业园区`), named in the head of
    a document that names no area of the catalogue: the document's area, with no code."""
    m = rules.functional_zone.search(text, 0, head)
    return Region("", m.group(), (), "district", None) if m else None


def address_prefixes(found: list[RegionMention], index: RegionIndex) -> set[int]:
    """Starts of the mentions that only address the area written right after them
    (`绵阳市` in `绵阳市涪城区`): the parent qualifies its child, it is not named on its own."""
    starts: set[int] = set()
    for before, after in pairwise(found):
        if before.end != after.start or not before.candidates:
            continue
        parents = {c.code for c in before.candidates}
        if any(not parents.isdisjoint(index.ancestor_codes(c)) for c in after.candidates):
            starts.add(before.start)
    return starts


SIBLINGS_FOR_PARENT = 3  # counties named, the picked one included


def parent_of_siblings(
    region: Region, found: list[RegionMention], index: RegionIndex, head: int
) -> Region | None:
    """A county picked from a text that names it beside two or more of its sibling counties,
    one of them as often as it, and never in its head (a city's table by county: 定海区,
    普陀区, 岱山县, 嵊泗县): the text is the city's, its counties are its parts. A county's
    own report names itself more than any neighbour it compares with."""
    if region.level != "district" or region.parent_code is None:
        return None
    named: dict[str, int] = {}
    own_code, parent_code = region.code, region.parent_code  # `Region`'s reads are lookups
    for mention in found:
        if mention.in_other_name or len(mention.candidates) != 1:
            continue
        area = mention.candidates[0]
        code = area.code
        if code == own_code and mention.start < head:
            return None  # the head names the county: its own report
        if area.level == "district" and area.parent_code == parent_code:
            named[code] = named.get(code, 0) + 1
    own = named.pop(own_code, 0)
    if len(named) + 1 < SIBLINGS_FOR_PARENT or max(named.values()) < own:
        return None
    return index.by_code.get(region.parent_code)


def opening_subcounty(text: str, rules: Patterns, found: list[RegionMention]) -> Region | None:
    """A street, town or township (`南湖街道`, `新塍镇`) named in the document's opening
    sentence before any other area, or right after its county (`秀洲区王江泾镇`): a report of
    that sub-county area, whose figures are its own, never its county's or city's. The
    catalogue holds no such area, so it has no code."""
    stop = text.find("。", 0, OPENING_SPAN)
    end = stop if stop >= 0 else OPENING_SPAN
    opening = text[:end]
    if not any(word in opening for word in rules.subcounty_words):
        return None
    m = rules.subcounty_area.search(text, 0, end)
    if m is None:
        return None
    before = [x for x in found if x.candidates and not x.in_other_name and x.start < m.start()]
    if before and before[-1].end != m.start():
        return None  # 2023年，长兴县在和平镇…: the county's text, the town only named in it
    return Region("", m.group(), (), "district", None)


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


def mention_weight(
    text: str, lex: Lexicon, head: int, prefixes: frozenset[int] = frozenset()
) -> Callable[[RegionMention], int]:
    """How much one mention says about the document's own area: a name in the head, or
    before an institution in the head or the footer (`寿光市统计局编`, `（喀什地区统计局
    2022年11月20日）`), says most; a comparison's base (`高于潍坊市`) nothing. An institution
    in the body (`记者从沈阳市统计局获悉`) is a source, not the publisher."""
    foot = text.rfind("\n", 0, max(0, len(text.rstrip()) - FOOTER_SPAN)) + 1
    ends = lex.base_before_ends

    def weight(mention: RegionMention) -> int:
        start = mention.start
        if start in prefixes:
            return 0
        # One character read spares most mentions the search: no base word ends before them.
        before = text[start - 1] if start else ""
        if (ends is None or before in ends or before == "\n") and lex.base_before.search(
            text, max(0, start - 4), start
        ):
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
