"""Areas: which area a figure is about. An area switches the subject's area only when the
text reports on it: one after a comparison or rank word (`高于全省`, `居全市第二`) is a base,
one before `首批`, `平均` is an attribute, and one that ends its clause qualifying another noun
(`落实泉州市各项政策，`) is given back."""

from __future__ import annotations

from transforms.catalog import Region
from transforms.extract.context import DocumentContext
from transforms.extract.state import SentenceState
from transforms.extract.tokens import Token
from transforms.regions import (
    RegionMention,
    find_region_mentions,
    pick_candidate,
    resolve_self_reference,
)


def read_region(
    ctx: DocumentContext, state: SentenceState, tokens: list[Token], index: int
) -> None:
    token = tokens[index]
    mention = token.data
    assert isinstance(mention, RegionMention)
    if mention.self_reference and state.named_area_end == token.start:
        state.named_area_end = token.end  # 重庆全市, 广西全区: the whole of the area just named
        if state.base_area is not None:
            state.base_area = (token.end, state.base_area[1])
        if state.reference_end == token.start:
            state.reference_end = token.end
        return
    is_base = state.reference_end >= 0 and ctx.patterns.reference_gap.fullmatch(
        ctx.text, state.reference_end, token.start
    )
    attribute = ctx.text[token.end : token.end + 1] in ctx.patterns.area_attribute_starts
    if attribute and not is_base and ctx.lex.area_attribute_after.match(ctx.text, token.end):
        return  # 入选全省首批: an attribute of what follows, not the area reported on
    if not is_base and after_count(tokens, index):
        return  # 新增15家广东省创新型中小企业: an attribute of the noun counted
    if is_stray_short_name(ctx, mention):
        return
    region = resolve_area(ctx, mention)
    if mention.self_reference and not is_base:
        region = sentence_area_of_level(ctx, state, region) or region
    if not mention.self_reference:
        state.named_area_end = token.end
    name = region.name if region else None
    if is_base:
        state.reference_end = token.end  # 高于全国、全省: the bases of a comparison
        state.base_area = (token.end, name) if name else None
        return
    if ctx.patterns.names_noun(ctx.text[state.clause_start : token.start]):
        state.area_pending = (token.end, state.region)  # 落实泉州市…: maybe another noun's
    state.region = name
    state.clause_region = name
    if state.aside is not None:
        state.aside.region_named = name
    if name is not None:
        state.areas.append((token.start, token.end, name))


def after_count(tokens: list[Token], index: int) -> bool:
    """The area right after a count (`15家广东省创新型中小企业`) qualifies the counted noun."""
    if index == 0:
        return False
    before, token = tokens[index - 1], tokens[index]
    q = before.data
    return before.kind == "qty" and before.end == token.start and q.dimension == "count"


def sentence_area_of_level(
    ctx: DocumentContext, state: SentenceState, own: Region | None
) -> Region | None:
    """`全市` after another city named earlier in its sentence (`乙市2020年目标：全市地区生产
    总值增长6%`, in a text about several cities) is that city, not the document's: the last
    area the sentence named, when it is of the self-reference's level."""
    if own is None or not state.areas:
        return None
    name = state.areas[-1][2]
    if name == own.name:
        return None
    named = [r for r in ctx.regions.by_name.get(name, ()) if r.level == own.level]
    return named[0] if len(named) == 1 else None


def is_stray_short_name(ctx: DocumentContext, mention: RegionMention) -> bool:
    """A county's short name outside the document's province is a word (`新建投产` in a
    长春 report is no 新建区): short county names collide with everyday words, and a report
    names such areas of another province in full."""
    area = ctx.document_area
    if mention.self_reference or mention.is_full_name or area is None or area.level == "country":
        return False
    if any(c.level != "district" for c in mention.candidates):
        return False
    province = province_code(ctx, area)
    # By code, which names one area: `Region`'s generated `==` compares every field.
    return province is not None and all(
        province_code(ctx, c) != province for c in mention.candidates
    )


def province_code(ctx: DocumentContext, region: Region) -> str | None:
    """The code of the province `region` lies in, remembered: a text names the same few."""
    code = region.code
    codes = ctx.province_codes
    if code in codes:
        return codes[code]
    province = ctx.regions.province_of(region)
    found = codes[code] = province.code if province is not None else None
    return found


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
    if ctx.patterns.names_noun(ctx.text[area_end:clause_end]):
        state.region = before
        state.clause_region = None


def note_region_code(ctx: DocumentContext, region: Region, sure: bool) -> None:
    """Remember the code a name stands for in this document; a name that was a guess, or
    that stood for two areas, keeps no code (conform then quarantines it unless unique)."""
    name, code = region.name, region.code  # a catalogue `Region`'s fields are slow to read
    codes = ctx.region_codes
    codes[name] = code if sure and codes.get(name, code) == code else None


def area_of_label(ctx: DocumentContext, label: str) -> str | None:
    """The area a row label names in full or short (`宜昌市`, `猇亭`, `全省`), else None."""
    label = label.strip()
    for mention in find_region_mentions(label, ctx.regions):
        # 恩施州: a short name with the everyday suffix of its level
        if mention.start == 0 and label[mention.end :] in ctx.patterns.area_label_suffixes:
            region = resolve_area(ctx, mention)
            return region.name if region else None
    return None
