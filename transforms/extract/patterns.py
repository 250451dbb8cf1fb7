"""The patterns the extractor's rules match, compiled once per catalogue.

Their words come from the catalogue (`rule_words.csv`, and `cues.csv` for the cue words a
rule also looks for: 其中, 截至, 目前, 分别); only each phrase's shape, punctuation and script
(digits, CJK ranges) are written here. Within a slot a longer word is tried first.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from transforms.catalog import Catalog, load_catalog
from transforms.fast_scan import compile_strip_search, find_chars, scan_from_starts
from transforms.lexicon import lexicon

SENTENCE_END = re.compile(r"[。！？!?\n]")
CLAUSE_SEP = re.compile(r"[，,；;：:]")
SENTENCE_ENDS_AT = find_chars("。！？!?\n")
"""Where `SENTENCE_END`'s characters stand: a whole text's, without a match object each."""
CLAUSE_SEPS_AT = find_chars("，,；;：:")
"""Where `CLAUSE_SEP`'s characters stand."""
CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")
ORDINAL = re.compile(r"第[一二三四五六七八九十]")
CN_DIGIT_START = re.compile(r"[一二三四五六七八九十]")
ORDINAL_LIST = re.compile(
    r"第[一二三四五六七八九十](?:[、和及与]第?[一二三四五六七八九十])+[\u4e00-\u9fff]{2}"
)
"""`第一、第三产业`, `第二、三产业`: ordinals sharing one noun."""
BRACKET_CLOSE = re.compile(r"\s*[)）]")
BRACKET_OPEN = re.compile(r"\s*[(（]\s*")
BRACKETS = {"（": "）", "(": ")"}
SESSION = re.compile(r"第[一二三四五六七八九十\d]+届")
NEVER = "(?!x)x"


@dataclass(frozen=True)
class Patterns:
    growth: re.Pattern[str]
    """`同比增长`, `下降`, `增长至` (a level: group `level`), `环比增长` (group `pre`)."""
    not_yoy: frozenset[str]
    """Leads of `growth` that make the change no year-on-year one (环比, 年均)."""
    flat: re.Pattern[str]
    """`技改投资与上年同期持平`: growth of 0."""
    flat_words: tuple[str, ...]
    """What every `flat` phrase ends with (持平): a text holding none has no flat phrase, and
    `str.__contains__` tells so far quicker than a scan of `flat` (同 of every 同比 starts
    one)."""
    rate: re.Pattern[str]
    rate_after: re.Pattern[str]
    """Right after a percentage (`以7.1%的增速`): the growth word comes after its figure."""
    avg2y: re.Pattern[str]
    share: re.Pattern[str]
    rank: re.Pattern[str]
    rank_first: frozenset[str]
    """Rank words that are rank 1 (首位); the other top words (前列) give no rank."""
    list_gap: re.Pattern[str]
    """Between two listed figures (`4.2%和6.6%`): fullmatch."""
    list_split: re.Pattern[str]
    """Between two listed items (`高技术、装备和高新技术`): split."""
    and_words: frozenset[str]
    reference_gap: re.Pattern[str]
    """Between a comparison word and its base, or two bases (`高于全国、全省`): fullmatch."""
    area_list_gaps: re.Pattern[str]
    """Between listed areas (`海宁市、桐乡市`): fullmatch."""
    list_lead: re.Pattern[str]
    list_trail: re.Pattern[str]
    list_etc: tuple[str, ...]
    list_prefer: tuple[str, ...]
    areas_by_figure: re.Pattern[str]
    """Between listed areas and their figures (`池州、马鞍山以5.4%、4.6%`): fullmatch."""
    bare_kind_before: re.Pattern[str]
    """Before a bare kind word (`，增加值`): search a slice of `bare_kind_reach` characters."""
    bare_kind_reach: int
    stem_before: re.Pattern[str]
    """Before a stem that is an item (`其中，高新技术产业`, `赣县区第二产业`): search a slice of
    `stem_reach` characters."""
    stem_reach: int
    stem_after: re.Pattern[str]
    """After a stem (`高新技术产业48.6亿元`, `…增长`): match."""
    list_item_before: re.Pattern[str]
    """Before a short stem that is a list's item: search `list_item_reach` characters."""
    list_item_reach: int
    stem_verb: re.Pattern[str]
    group_after: re.Pattern[str]
    """Right after an indicator's name (`万亿GDP城市`, `GDP百强县`): the name qualifies a group
    of areas, and names no subject."""
    """Between a stem and its kind word (`第二产业实现增加值`): the two name one indicator."""
    stock_verb: re.Pattern[str]
    count_noun_links: frozenset[str]
    """Between a count and the noun it counts (`2097家规模以上工业企业`), "" included."""
    target_list_after: re.Pattern[str]
    period_base_before: re.Pattern[str]
    """Before a period that is a comparison's base (`比2019年`): search `period_base_reach`."""
    period_base_reach: int
    range_to_before: re.Pattern[str]
    range_to_reach: int
    running_after: re.Pattern[str]
    as_of_before: re.Pattern[str]
    """Before the date of a stock (`截至9月底`): search `as_of_reach` characters."""
    as_of_reach: int
    now_words: tuple[str, ...]
    """目前, 至今: a stock as of the document's own date."""
    in_order_words: frozenset[str]
    """分别: listed figures go to the listed items in order."""
    subset_words: tuple[str, ...]
    """其中: the items of what was named before."""
    base_figure_lead: re.Pattern[str]
    """Between a comparison's base and its own figure: `比重庆全市（5.8%`,
    `好于全国（同期下降0.7%`."""
    reach_stops: tuple[str, ...]
    """Right after a cue (`增长的`): the figure after is not the cue's."""
    share_whole_lead: re.Pattern[str]
    share_whole_kinds: tuple[str, ...]
    functional_zone: re.Pattern[str]
    subcounty_area: re.Pattern[str]
    subcounty_words: tuple[str, ...]
    """What every `subcounty_area` ends with (镇, 街道): an opening holding none names no
    sub-county area, and `str.__contains__` tells so far quicker than a search of the pattern,
    tried at each character."""
    row_label_lead: re.Pattern[str]
    rate_label_end: re.Pattern[str]
    month_column: re.Pattern[str]
    cumulative_column: re.Pattern[str]
    value_column: re.Pattern[str]
    title_unit: re.Pattern[str]
    area_label_suffixes: frozenset[str]
    by_area_lead: re.Pattern[str]
    """After an area's short name in a row label (`恩施州`), "" included."""
    filler: re.Pattern[str] = re.compile(NEVER)
    """The lexicon's filler words (同比, 实现, 全年, 其中...), which name nothing."""
    filler_left: Any = None
    """`names_noun`'s search in native code (`compile_strip_search`), None without it."""
    stem_verb_starts: frozenset[str] = frozenset()
    """The first characters of `stem_verb`'s words: where none stands, it cannot match (a
    look at one character costs far less than `re`'s try of every word)."""
    area_attribute_starts: frozenset[str] = frozenset()
    """The first characters of the lexicon's `area_attribute_after` words."""
    subset_starts: frozenset[str] = frozenset()
    """The first characters of `subset_words`."""

    def names_noun(self, span: str) -> bool:
        """`span` names something besides filler words: a run of CJK is left without them
        (`CJK_RUN.search(filler.sub("", span))`, in native code when built)."""
        if not span:
            return False
        native = self.filler_left
        if native is not None:
            try:
                return bool(native.found_in(span))
            except UnicodeEncodeError:  # a lone surrogate, which native code cannot read
                pass
        return CJK_RUN.search(self.filler.sub("", span)) is not None


RUNNING_GAP = 6
"""Between a quarter and the word that makes it cumulative (`第三季度GDP累计`)."""


def patterns_for(catalog: Catalog) -> Patterns:
    """The catalogue's patterns, compiled once per process for the process's catalogue."""
    return (
        build_patterns(catalog.version) if catalog is load_catalog() else compile_patterns(catalog)
    )


@cache
def build_patterns(version: str) -> Patterns:
    return compile_patterns(load_catalog())


def longest_first(words: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(dict.fromkeys(words), key=len, reverse=True))


def alts(words: Iterable[str]) -> str:
    """`a|b`, the longest first (a never-matching pattern for none): to use inside a group."""
    ordered = longest_first(words)
    return "|".join(map(re.escape, ordered)) if ordered else NEVER


def group(words: Iterable[str]) -> str:
    return f"(?:{alts(words)})"


def lead(words: Iterable[str]) -> str:
    """A phrase's first word: a lone word stays a literal, which `re` can skip to in C."""
    ordered = longest_first(words)
    return re.escape(ordered[0]) if len(ordered) == 1 else group(ordered)


def chars(words: Iterable[str]) -> str:
    """Single characters as the inside of a character class."""
    ordered = sorted(set(words))
    if any(len(word) != 1 for word in ordered):
        raise ValueError(f"rule_words.csv: one character per word here, not {ordered}")
    return "".join(map(re.escape, ordered))


def reach(words: Iterable[str]) -> int:
    return max(map(len, words), default=1)


def firsts(*slots: list[str]) -> str:
    """The characters the words of `slots` start with."""
    return "".join(sorted({word[0] for words in slots for word in words if word}))


def phrase(pattern: str, starts: str, starts_of: str | None = None) -> re.Pattern[str]:
    """A phrase scanned over whole texts, which starts with a character of `starts`: `re`
    tries an alternation of words at every character, native code finds the few places
    where `starts_of` (the pattern when it has no lookaround) matches, and it is tried
    there only (`scan_from_starts`)."""
    return scan_from_starts(re.compile(pattern), starts, starts_of=starts_of or pattern)


def compile_patterns(catalog: Catalog) -> Patterns:
    slots: dict[tuple[str, str], list[str]] = defaultdict(list)
    for row in catalog.rule_words:
        slots[row.rule, row.slot].append(row.word)
    read: set[tuple[str, str]] = set()

    def words(rule: str, slot: str) -> list[str]:
        read.add((rule, slot))
        return slots.get((rule, slot), [])

    def cues(role: str, arg: str | None = None) -> list[str]:
        return [c.term for c in catalog.cues if c.role == role and (arg is None or c.arg == arg)]

    subset, and_words = cues("subset"), words("lists", "and")
    growth_words = [words("growth", s) for s in ("lead", "not_yoy", "up", "up_at_figure")]
    growth_words += [words("growth", s) for s in ("down", "down_at_figure")]
    growth_starts = {word[0] for slot in growth_words for word in slot}
    growth_first = chars(growth_starts)
    rate_words = words("rate", "word")
    rate_leads = "|".join(f"{re.escape(w)}{group(rate_words)}" for w in words("rate", "lead"))
    share_lead, share_of = lead(words("share", "lead")), group(words("share", "of"))
    rank_areas = alts(words("rank", "area"))
    rank_leads = "|".join(f"{re.escape(w)}(?:{rank_areas})" for w in words("rank", "lead"))
    rank_top = words("rank", "first") + words("rank", "near_top")
    as_of, as_of_tail = cues("point", "as_of"), words("periods", "as_of_tail")
    kind_before = words("kinds", "before") + subset
    stem_before = words("stems", "before") + subset
    base_before = words("periods", "base_before")
    range_to = words("periods", "range_to")
    filler = lexicon(catalog).filler
    stem_verbs = words("stems", "verb")

    rate = (
        rf"(?:{rate_leads + '|' if rate_leads else ''}{alts(rate_words)})"
        rf"{group(words('rate', 'link'))}?"
    )
    share_firsts = firsts(words("share", "lead"), words("share", "ratio"))

    def share(at_figure: str) -> str:
        """The share phrase, `at_figure` after the whole's name when no share word follows."""
        return (
            rf"{share_lead}(?P<den>[^，,。；;：:、\n]{{0,16}}?){share_of}?"
            rf"{group(words('share', 'word'))}{group(words('share', 'link'))}?"
            rf"|{share_lead}(?P<den2>[^，,。；;：:、\n\d]{{1,16}}?){share_of}{at_figure}"
            rf"|{lead(words('share', 'ratio'))}{group(words('share', 'ratio_link'))}?"
        )

    # Without its closing lookahead (`not_after`): where native code looks for it.
    rank = (
        rf"(?:{rank_leads + '|' if rank_leads else ''}{rank_areas})"
        rf"[^\d，,。；;：:第{chars({w[0] for w in rank_top})}]{{0,8}}?"
        rf"(?:第(?P<n>[一二三四五六七八九十\d]+){group(words('rank', 'ordinal_end'))}?"
        rf"|(?P<top>{alts(rank_top)}))"
    )

    def growth(at_figure: str) -> str:
        """The growth phrase, `at_figure` after a verb written only before a figure (`增5%`)."""
        return (
            rf"(?P<pre>{alts(words('growth', 'lead') + words('growth', 'not_yoy'))})?"
            rf"(?:(?P<up>{alts(words('growth', 'up'))}|{group(words('growth', 'up_at_figure'))}"
            rf"{at_figure})|(?P<down>{alts(words('growth', 'down'))}"
            rf"|{group(words('growth', 'down_at_figure'))}{at_figure}))"
            rf"{group(words('growth', 'link'))}?(?P<level>{alts(words('growth', 'to'))})?"
        )

    compiled = Patterns(
        # A lookahead of the possible first characters fails at once at every other position;
        # natively built, only the places where one stands are tried (`scan_from_starts`).
        growth=scan_from_starts(
            re.compile(rf"(?=[{growth_first}])" + growth(r"(?=\d)")),
            "".join(sorted(growth_starts)),
            # The figure after `增` taken instead of looked at: without lookaround for native
            # code, and a match still starts at the same places.
            starts_of=growth(r"\d"),
        ),
        not_yoy=frozenset(words("growth", "not_yoy")),
        flat=re.compile(f"{group(words('flat', 'lead'))}{group(words('flat', 'word'))}"),
        flat_words=tuple(words("flat", "word")),
        # Patterns scanned over whole texts open with literal characters where they can: `re`
        # (without native code) then skips to the positions where they start, instead of
        # trying the pattern everywhere (a lookahead or a named group first defeats that; RATE
        # and RANK ran 2.3x quicker so): each lead is written out before what follows it.
        rate=phrase(rate, firsts(words("rate", "lead"), rate_words)),
        rate_after=re.compile(alts(words("rate", "after"))),
        avg2y=phrase(
            rf"{lead(words('avg2y', 'lead'))}(?:(?P<up>{alts(words('avg2y', 'up'))})"
            rf"|(?P<down>{alts(words('avg2y', 'down'))})){group(words('avg2y', 'link'))}?",
            firsts(words("avg2y", "lead")),
        ),
        share=phrase(share(r"(?=\d)"), share_firsts, share(r"\d")),
        rank=phrase(
            rank + rf"(?!{alts(words('rank', 'not_after'))})",  # 全市第一产业增加值: no rank
            firsts(words("rank", "lead"), words("rank", "area")),
            rank,
        ),
        rank_first=frozenset(words("rank", "first")),
        list_gap=re.compile(rf"^(?:[、,，]|{alts(and_words + words('lists', 'figure_gap'))})$"),
        list_split=re.compile(f"、|{alts(and_words)}"),
        and_words=frozenset(and_words),
        reference_gap=re.compile(f"(?:、|{alts(and_words)})?"),
        area_list_gaps=re.compile(f"(?:[、 ]|{alts(and_words)})*"),
        list_lead=re.compile(f"^{group(subset + words('lists', 'lead'))}"),
        list_trail=re.compile(f"{group(words('lists', 'trail'))}+$"),
        list_etc=longest_first(words("lists", "etc")),
        list_prefer=longest_first(words("lists", "prefer")),
        areas_by_figure=re.compile(rf"\s*{group(words('lists', 'by_figure'))}\s*"),
        bare_kind_before=re.compile(rf"(?:^|[，,、；;：:。(（]|{alts(kind_before)})$"),
        bare_kind_reach=reach(kind_before),
        # 赣县区第二产业实现增加值: an area's name (or 全市, 我区) ends in its level
        stem_before=re.compile(rf"(?:^|[，,、；;：:。(（“\"]|{alts(stem_before)})$"),
        stem_reach=reach(stem_before),
        stem_after=re.compile(rf"[\d，,、；;。(（]|{alts(words('stems', 'after') + and_words)}"),
        list_item_before=re.compile(rf"(?:{group(subset)}[，,：:]?|[、；;，,])$"),
        list_item_reach=reach(subset) + 1,
        stem_verb=re.compile(alts(stem_verbs)),
        group_after=re.compile(alts(words("groups", "after"))),
        stock_verb=re.compile(alts(words("counts", "stock_verb"))),
        count_noun_links=frozenset(["", *words("counts", "noun_link")]),
        target_list_after=re.compile(
            # 指标安排，具体为：A增长7%: a comma may stand between the cue and its list word
            f"[，,]?{group(words('targets', 'list_after'))}?[：:]"
            f"|[，,]?{group(words('targets', 'list_after'))}"
        ),
        period_base_before=re.compile(f"{group(base_before)}$"),
        period_base_reach=reach(base_before),
        range_to_before=re.compile(f"{group(range_to)}$"),
        range_to_reach=reach(range_to),
        running_after=re.compile(
            rf"[^，,；;。\n]{{0,{RUNNING_GAP}}}?{group(words('periods', 'running_after'))}"
        ),
        as_of_before=re.compile(f"{group(as_of)}{group(as_of_tail)}?$"),
        as_of_reach=reach(as_of) + reach(as_of_tail),
        now_words=longest_first(cues("point", "now")),
        in_order_words=frozenset(cues("each", "in_order")),
        subset_words=longest_first(subset),
        base_figure_lead=re.compile(
            rf"\s*[(（]\s*{group(words('base_figure', 'lead'))}*"
            rf"(?:(?P<up>{alts(words('base_figure', 'up'))})"
            rf"|(?P<down>{alts(words('base_figure', 'down'))}))?\s*"
        ),
        reach_stops=longest_first(words("reach", "stop")),
        share_whole_lead=re.compile(f"^{group(words('share', 'whole_lead'))}"),
        share_whole_kinds=longest_first(words("share", "whole_kind")),
        functional_zone=re.compile(
            rf"(?:^|(?<=[^\u4e00-\u9fff])|(?<=[{chars(words('zones', 'after'))}]))"
            rf"[\u4e00-\u9fff]{{2,6}}?{group(words('zones', 'suffix'))}",
            re.M,
        ),
        subcounty_area=re.compile(
            rf"(?:^|(?<=[^\u4e00-\u9fff])|(?<=[{chars(words('zones', 'after'))}]))"
            rf"(?:(?![{chars(words('zones', 'not_in'))}])[\u4e00-\u9fff]){{2,4}}?"
            rf"{group(words('zones', 'subcounty'))}",
            re.M,
        ),
        subcounty_words=tuple(words("zones", "subcounty")),
        row_label_lead=re.compile(
            rf"^(?:{group(subset)}[：:]?|[{chars(words('tables', 'row_mark'))}]"
            rf"|\d{{1,2}}[.、]|[(（][一二三四五六七八九十\d]+[)）])+"
        ),
        rate_label_end=re.compile(
            f"{group(words('tables', 'rate_lead'))}?{group(words('tables', 'rate_word'))}$"
        ),
        month_column=re.compile(alts(words("tables", "month"))),
        cumulative_column=re.compile(
            rf"{alts(words('tables', 'cumulative'))}"
            rf"|[1一]\s*[-—–~至到]\s*{group(words('tables', 'to_month'))}"
        ),
        value_column=re.compile(alts(words("tables", "value_word"))),
        title_unit=re.compile(
            rf"{group(cues('table_unit'))}[:：]\s*(?P<unit>[^\s，,、;；)）|]{{1,5}})"
        ),
        area_label_suffixes=frozenset(["", *words("tables", "area_suffix")]),
        by_area_lead=re.compile(f"^{group(words('tables', 'by_area'))}"),
        filler=filler,
        filler_left=compile_strip_search(filler, CJK_RUN),
        stem_verb_starts=frozenset(word[0] for word in stem_verbs),
        area_attribute_starts=frozenset(word[0] for word in cues("area_attribute")),
        subset_starts=frozenset(word[0] for word in subset),
    )
    if unread := set(slots) - read:  # a typo in the file would otherwise go unnoticed
        raise ValueError(f"rule_words.csv: no rule reads the slots {sorted(unread)}")
    return compiled
