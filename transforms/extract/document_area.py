"""The document's own area: the one its head (title, publisher, dateline) and its text name
most, comparison bases left out; a functional zone its head names when no catalogue area is."""

from __future__ import annotations

import re
from collections.abc import Callable

from transforms.catalog import Region
from transforms.extract.patterns import SESSION, Patterns
from transforms.lexicon import Lexicon
from transforms.regions import RegionMention, default_weight

HEAD_LINES = 4
HEAD_LINE_MAX = 60
HEAD_WEIGHT = 2
PUBLISHER_WEIGHT = 3
FOOTER_SPAN = 120  # the last lines: a footer's publisher (`主办：浏阳市人民政府办公室`)


def functional_zone(text: str, head: int, rules: Patterns) -> Region | None:
    """A zone the division list does not hold (`两江新区`, `苏州工业园区`), named in the head of
    a document that names no area of the catalogue: the document's area, with no code."""
    m = rules.functional_zone.search(text, 0, head)
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
