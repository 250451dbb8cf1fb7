"""Numbers as reports write them: Arabic or Chinese numerals, 万/亿 multipliers, hedges.

`find_quantities` scans normalised text once with a compiled pattern; Chinese numerals are
converted only on the isolated span the pattern matched, never on running text. With the
native scanner built (transforms/fast_scan.py) the pattern is matched in Rust, from the same
words, as `re` matches it; `re` stays the reference.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from transforms.catalog import Catalog, Unit
from transforms.fast_scan import compile_quantities, native_or_reference

CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
CN_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_BIG = {"万": 10_000, "亿": 100_000_000}
MULTIPLIERS = {"万亿": 1e12, "亿": 1e8, "千万": 1e7, "万": 1e4, "千": 1e3}
APPROX_BEFORE = ("接近", "将近", "大约", "超过", "近", "约", "超", "逾")
APPROX_AFTER = ("余", "多", "左右")
RANGE_DASHES = "-~—–至到"
RANGE_BEFORE = re.compile(rf"\d[%亿万元家个]*[{RANGE_DASHES}]$")
RANGE_LAST = RANGE_DASHES + "\n"
"""The character before a number that `RANGE_BEFORE` can find ending there: a dash (`$` also
matches before a final newline). Few numbers have one, and a look at it costs less than a
search."""
RANGE_REACH = 6  # `300亿元至` at most before the upper end's number


def parse_chinese_numeral(text: str) -> float | None:
    """`十二` -> 12, `两千三百` -> 2300, `三点五` -> 3.5; None when it is not a numeral."""
    if not text:
        return None
    if "点" in text:
        whole, _, frac = text.partition("点")
        head = parse_chinese_numeral(whole) if whole else 0
        if head is None or not frac or any(ch not in CN_DIGITS for ch in frac):
            return None
        return float(f"{int(head)}.{''.join(str(CN_DIGITS[ch]) for ch in frac)}")
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in CN_DIGITS:
            digit = CN_DIGITS[ch]
        elif ch in CN_UNITS:
            section += (1 if digit is None else digit) * CN_UNITS[ch]
            digit = None
        elif ch in CN_BIG:
            total = (total + section + (digit or 0)) * CN_BIG[ch]
            section, digit = 0, None
        else:
            return None
    return float(total + section + (digit or 0))


def parse_number(text: str) -> float | None:
    """Arabic (`1,234.5`, `3.6`) or Chinese numerals, no unit."""
    text = text.strip().replace(",", "")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return parse_chinese_numeral(text)


@dataclass(slots=True)
class Quantity:
    """A number and its unit as the text writes them. Treat it as immutable (`replace`)."""

    start: int
    end: int
    value: float
    unit: str
    dimension: str
    is_approximate: bool
    is_bound: bool
    """`以上`/`以下` follows: a threshold or a bound, not a measured figure."""
    number_start: int
    is_range: bool
    """The upper end of a range (`10-300亿元`): never a figure, not even a target."""
    tail_end: int
    """End of the hedge or bound written after the unit (`以上`, `左右`); `end` without one."""

    def __init__(
        self,
        start: int,
        end: int,
        value: float,
        unit: str,
        dimension: str,
        is_approximate: bool,
        is_bound: bool,
        number_start: int,
        is_range: bool = False,
        tail_end: int = -1,
    ) -> None:
        self.start = start
        self.end = end
        self.value = value
        self.unit = unit
        self.dimension = dimension
        self.is_approximate = is_approximate
        self.is_bound = is_bound
        self.number_start = number_start
        self.is_range = is_range
        self.tail_end = tail_end


QUANTITY_GROUPS = ("approx", "sign", "num", "after", "mult", "unit", "tail")
# The quantity pattern's words and characters, each written once: `compile_quantity_pattern`
# builds the regex from them and the native scanner (`compile_quantities`) is handed them.
SIGNS = "-−"
SIGN_NOT_AFTER = ".%"
"""Besides a digit, what may not stand before a sign (`1.5-2`, `5%-3%`: a range's dash)."""
NUMBER_NOT_AFTER = "."
"""Besides a digit, what may not stand before an Arabic number (a figure's tail)."""
CN_FIGURE = "零〇一二两三四五六七八九十百千"
CN_POINT = "点"
CN_FRACTION = "零〇一二三四五六七八九"
CN_NOT_AFTER = CN_FIGURE + "万亿第"
"""What may not stand before a Chinese numeral (the middle of one, 第 of an ordinal)."""
AFTER_WORDS = ("余", "多")
MULT_WORDS = ("万亿", "亿", "万", "千")
TAIL_WORDS = ("以上", "以下", "左右", "之内", "以内", "级")

QuantityMatch = tuple[
    int, int, int, int, str | None, str | None, str, str | None, str | None, str, str | None
]
"""One match of the quantity pattern: (start, number's start, unit's end, end) and the
groups `QUANTITY_GROUPS`, None where a group did not match."""


def quantity_units(catalog: Catalog) -> tuple[str, ...]:
    symbols = tuple(u.symbol for u in catalog.units if u.symbol)
    return symbols + tuple(catalog.unit_aliases)


def quantity_pattern(catalog: Catalog) -> re.Pattern[str]:
    """One compiled pattern per catalogue version (Catalog itself is not hashable)."""
    return compile_quantity_pattern(quantity_units(catalog))


def unit_alternatives(unit_symbols: tuple[str, ...]) -> list[str]:
    """The units in the order the pattern tries them: the longest first."""
    symbols = set(unit_symbols) | {"%", "个百分点"}
    return sorted(symbols, key=len, reverse=True)


@cache
def compile_quantity_pattern(unit_symbols: tuple[str, ...]) -> re.Pattern[str]:
    bases = unit_alternatives(unit_symbols)
    unit = "|".join(map(re.escape, bases))
    approx_before = "|".join(APPROX_BEFORE)
    cn_digits = CN_FIGURE
    cn = f"[{cn_digits}]+"
    # Every quantity starts with a hedge, a sign or a digit: the lookahead lets the scan skip,
    # in C, the positions where none stands.
    hedges = "".join(sorted({w[0] for w in APPROX_BEFORE}))
    # Then the first two characters a quantity can open with: a hedge before a sign or a
    # figure, a sign before a figure, or a figure's first character before what may follow
    # it (a digit, a point, 余/多, a multiplier, a unit's first character). Many characters
    # let through above (大 of 扩大, 一 of 进一步, 近 of 近年) stop here, before the
    # alternatives below are tried.
    figure = f"\\d{cn_digits}"
    unit_firsts = "".join(sorted({re.escape(symbol[0]) for symbol in bases}))
    mult_firsts = "".join(dict.fromkeys(w[0] for w in MULT_WORDS))
    follows = f"[{figure},.{CN_POINT}{''.join(AFTER_WORDS)}{mult_firsts}{unit_firsts}]"
    opening = rf"(?:{approx_before})[{SIGNS}{figure}]|[{SIGNS}][{figure}]|[{figure}]{follows}"
    return re.compile(
        rf"(?=[{hedges}{re.escape(SIGNS)}{figure}])"
        rf"(?={opening})"
        rf"(?P<approx>{approx_before})?"
        # 增长-2.3%: a decline written as negative growth
        rf"(?P<sign>(?<![\d{SIGN_NOT_AFTER}])[{SIGNS}])?"
        rf"(?P<num>(?<![\d{NUMBER_NOT_AFTER}])\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?"
        rf"|(?<![\d{NUMBER_NOT_AFTER}])\d+(?:\.\d+)?"
        rf"|(?<![{CN_NOT_AFTER}]){cn}(?:{CN_POINT}[{CN_FRACTION}]+)?)"
        rf"(?P<after>{'|'.join(AFTER_WORDS)})?"
        rf"(?P<mult>{'|'.join(MULT_WORDS)})?"
        rf"(?P<unit>{unit})"
        rf"(?P<tail>{'|'.join(TAIL_WORDS)})?"
    )


@cache
def compile_quantity_scanner(unit_symbols: tuple[str, ...]) -> Any:
    """The pattern of `compile_quantity_pattern` matched natively, from the same words; None
    without the native scanner (or with `ZHIBIAO_PURE_SCAN=1`)."""
    return compile_quantities(
        approx=list(APPROX_BEFORE),
        signs=list(SIGNS),
        sign_not_after=SIGN_NOT_AFTER,
        number_not_after=NUMBER_NOT_AFTER,
        cn=CN_FIGURE,
        cn_point=CN_POINT,
        cn_fraction=CN_FRACTION,
        cn_not_after=CN_NOT_AFTER,
        after=list(AFTER_WORDS),
        mult=list(MULT_WORDS),
        units=unit_alternatives(unit_symbols),
        tails=list(TAIL_WORDS),
    )


def regex_quantity_matches(pattern: re.Pattern[str], text: str) -> Iterator[QuantityMatch]:
    """The quantity pattern's matches by `re`: the reference."""
    for m in pattern.finditer(text):
        # One call for every group: a report holds hundreds of quantities.
        approx, sign, raw, after, mult, unit, tail = m.group(*QUANTITY_GROUPS)
        yield (
            m.start(),
            m.start("num"),
            m.end("unit"),
            m.end(),
            approx,
            sign,
            raw,
            after,
            mult,
            unit,
            tail,
        )


def quantity_matches(text: str, catalog: Catalog) -> Iterable[QuantityMatch]:
    """Every match of the quantity pattern in `text`, in order: natively when built (the same
    spans and groups), by `re` otherwise."""
    units = quantity_units(catalog)
    return native_or_reference(
        compile_quantity_scanner(units),
        text,
        lambda text: regex_quantity_matches(compile_quantity_pattern(units), text),
    )


def resolve_unit(mult: str, unit: str, value: float, catalog: Catalog) -> tuple[float, str, str]:
    """Fold a multiplier into the unit when the contract has the combined unit (`亿`+`元`)."""
    return resolve_in(mult, unit, value, catalog.unit_aliases, catalog.unit_by_symbol)


def resolve_in(
    mult: str, unit: str, value: float, aliases: dict[str, str], units: dict[str, Unit]
) -> tuple[float, str, str]:
    """`resolve_unit` with the catalogue's tables read once per text, not once per figure."""
    unit = aliases.get(unit, unit)
    if mult:
        combined = mult + unit
        if combined in units:
            return value, combined, units[combined].dimension
        value *= MULTIPLIERS[mult]
    if unit == "%":
        return value, "%", "ratio"
    if unit == "个百分点":
        return value, unit, "ratio_change"
    dimension = units[unit].dimension if unit in units else "none"
    return value, unit, dimension


def find_quantities(text: str, catalog: Catalog) -> Iterator[Quantity]:
    """Every number that carries a unit, in order."""
    count_units = catalog.count_units
    aliases, units = catalog.unit_aliases, catalog.unit_by_symbol
    for (
        start,
        num_start,
        unit_end,
        end,
        approx,
        sign,
        raw,
        after,
        mult,
        unit,
        tail,
    ) in quantity_matches(text, catalog):
        # `parse_number` on what the pattern matched, without its failed `float` of every
        # Chinese numeral: a figure the pattern matched holds no space, and one that opens
        # with a digit is Arabic (digits, commas, a point), one that does not is Chinese.
        if raw[0].isdigit():
            try:
                value = float(raw.replace(",", ""))
            except ValueError:
                continue
            if sign:
                value = -value
        else:
            if unit not in count_units or mult:
                continue  # 三大产业, 十四五: Chinese numerals only count things, and never in 万
            chinese = parse_chinese_numeral(raw)
            if chinese is None:
                continue
            value = chinese
        value, unit, dimension = resolve_in(mult or "", unit, value, aliases, units)
        tail = tail or ""
        # `10-300亿元`: the upper end of a range is a bound, not a figure.
        is_range = (
            num_start > 0
            and text[num_start - 1] in RANGE_LAST
            and RANGE_BEFORE.search(text, max(0, num_start - RANGE_REACH), num_start) is not None
        )
        yield Quantity(
            start=start,
            end=unit_end,
            value=value,
            unit=unit,
            dimension=dimension,
            is_approximate=bool(approx or after or tail == "左右"),
            is_bound=is_range or tail in ("以上", "以下", "之内", "以内", "级"),
            is_range=is_range,
            number_start=num_start,
            tail_end=end,
        )
