"""Repair extraction artefacts in a report's text while keeping a map back to the raw text.

Every pass is a pure function `str -> (str, offsets)` where `offsets[i]` is the index in the
pass's input of output character `i` (one extra entry maps the end). `normalise_text` runs
the passes in order and composes their maps, so a fact's span in the clean text can always
be shown in the raw document.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

from transforms.catalog import load_catalog

Offsets = list[int]
Pass = Callable[[str], tuple[str, Offsets]]


@dataclass(frozen=True)
class NormalisedText:
    text: str
    raw_offsets: tuple[int, ...]
    """`raw_offsets[i]` is the raw index of normalised character `i`; `len(text) + 1` entries."""

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """The raw span covering normalised `[start, end)`."""
        if end <= start:
            return self.raw_offsets[start], self.raw_offsets[start]
        return self.raw_offsets[start], self.raw_offsets[end - 1] + 1


def identity_offsets(text: str) -> Offsets:
    return list(range(len(text) + 1))


def substitute(
    text: str, pattern: re.Pattern[str], repl: Callable[[re.Match[str]], str | None]
) -> tuple[str, Offsets]:
    """`pattern.sub` that also returns where each output character came from.

    `repl` returning None leaves the match alone. Replacement characters map onto the
    matched span in order (the last one repeats), which is exact for 1:1 and shrinking edits.
    """
    parts: list[str] = []
    offsets: Offsets = []
    pos = 0
    for match in pattern.finditer(text):
        new = repl(match)
        if new is None:
            continue
        start, end = match.span()
        parts.append(text[pos:start])
        offsets.extend(range(pos, start))
        parts.append(new)
        last = max(end - start - 1, 0)
        offsets.extend(start + min(k, last) for k in range(len(new)))
        pos = end
    if not parts:
        return text, identity_offsets(text)
    parts.append(text[pos:])
    offsets.extend(range(pos, len(text) + 1))
    return "".join(parts), offsets


# --- passes -----------------------------------------------------------------------------

HTML_TAG = re.compile(r"<[!/]?[A-Za-z][^<>]{0,300}>|&(?:nbsp|amp|lt|gt|quot|#\d{1,6});")
HTML_ENTITIES = {"&nbsp;": " ", "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"'}


def strip_html(text: str) -> tuple[str, Offsets]:
    """Tags go; entities become their character (mirrors keep markup fragments)."""
    if "<" not in text and "&" not in text:
        return text, identity_offsets(text)

    def repl(m: re.Match[str]) -> str:
        token = m.group()
        if token.startswith("&#"):
            return chr(int(token[2:-1]))
        return HTML_ENTITIES.get(token, "")

    return substitute(text, HTML_TAG, repl)


# A converter's gloss: `經(jīng)濟`. Tone marks make it unmistakable; the few toneless
# syllables converters print are listed.
PINYIN_GLOSS = re.compile(
    r"(?<=[\u4e00-\u9fff])[(（]"
    r"(?:[a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹ][a-zü]*|de|le|me|zi|men|ne|ba|ma|ge|zhe|guo)"
    r"[)）]"
)


def strip_pinyin_glosses(text: str) -> tuple[str, Offsets]:
    if "(" not in text and "（" not in text:
        return text, identity_offsets(text)
    return substitute(text, PINYIN_GLOSS, lambda m: "")


@cache
def opencc_converter():  # type: ignore[no-untyped-def]
    import opencc  # imported lazily: the converter loads its dictionaries once

    return opencc.OpenCC("t2s")


def convert_traditional(text: str) -> tuple[str, Offsets]:
    """OpenCC t2s, kept 1:1 per character so offsets stay put.

    Phrase conversions that change length are rare; a line where that happens is converted
    character by character instead.
    """
    converter = opencc_converter()
    converted = converter.convert(text)
    if len(converted) == len(text):
        return converted, identity_offsets(text)
    lines = []
    for line in text.split("\n"):
        new = converter.convert(line)
        if len(new) != len(line):
            new = "".join(c if len(c := converter.convert(ch)) == 1 else ch for ch in line)
        lines.append(new)
    return "\n".join(lines), identity_offsets(text)


FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF10, 0xFF1A)}  # ０-９
FULLWIDTH |= {code: code - 0xFEE0 for code in range(0xFF21, 0xFF3B)}  # Ａ-Ｚ
FULLWIDTH |= {code: code - 0xFEE0 for code in range(0xFF41, 0xFF5B)}  # ａ-ｚ
FULLWIDTH |= {
    ord(k): v
    for k, v in {
        "％": "%",
        "．": ".",
        "＋": "+",
        "－": "-",
        "／": "/",
        "～": "~",
        "＜": "<",
        "＞": ">",
        "\u3000": " ",
        "\xa0": " ",
        "\u2002": " ",
        "\u2003": " ",
        "\u2009": " ",
        "\ufeff": " ",
        "\u200b": " ",
        "\r": "\n",
        "\t": " ",
        # Mirrors vary the quotes around 小巨人, 未来工厂: one pair for the lexicon to match.
        "「": "“",
        "」": "”",
        "『": "“",
        "』": "”",
        "〞": "”",
        "〝": "“",
    }.items()
}


def fold_width(text: str) -> tuple[str, Offsets]:
    """Full-width digits, letters and numeric punctuation to ASCII (1:1)."""
    return text.translate(FULLWIDTH), identity_offsets(text)


# `3。6%`, `3·6%`: a decimal point rendered as another dot.
DECIMAL_ARTEFACT = re.compile(r"(?<=\d)[。·•∙,，](?=\d{1,2}\s*[%亿万])")


def repair_decimal_points(text: str) -> tuple[str, Offsets]:
    return substitute(text, DECIMAL_ARTEFACT, lambda m: ".")


PAGE_NUMBER_LINE = re.compile(
    r"(?<=\n)[ \t]*(?:-\s*\d{1,3}\s*-|—\s*\d{1,3}\s*—|第\s*\d{1,3}\s*页(?:\s*/?\s*共\s*\d+\s*页)?|"
    r"\d{1,3}\s*/\s*\d{1,3}|\d{1,3})[ \t]*(?=\n)"
)
UNIT_START = "亿万千百元%个家项宗台件人名亩平公米倍"


def drop_page_numbers(text: str) -> tuple[str, Offsets]:
    """A line holding only a page number, when neither neighbour line is part of a number."""

    def repl(m: re.Match[str]) -> str | None:
        before = text[: m.start()].rstrip()
        after = text[m.end() :].lstrip()
        if before and (before[-1].isdigit() or before[-1] == "."):
            return None
        if after and (after[0].isdigit() or after[0] in UNIT_START or after[0] == "."):
            return None
        return ""

    return substitute(text, PAGE_NUMBER_LINE, repl)


WHITESPACE_RUN = re.compile(r"[ \n]+")
SENTENCE_END = set("。！？!?")
CLAUSE_END = set("；;：:")
"""A long line ending in one of these was wrapped inside a sentence (a list of targets after
`目标是：`, items joined by `；`); a short one is a heading or a list item of its own."""
LIST_MARKER = re.compile(
    r"[一二三四五六七八九十]+、|[(（][一二三四五六七八九十\d]+[)）]|\d{1,2}[.、．](?!\d)|"
    r"[■□○●◆◇▲△★☆#>【表图附注]|第[一二三四五六七八九十]+[章节部]"
)
DATE_AT_END = re.compile(
    r"(?:(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|(?:19|20)\d{2}[-/.]\d{1,2}[-/.]\d{1,2}"
    r"|\d{1,2}:\d{2}(?::\d{2})?)[ \t]*$"
)
WRAPPED_LINE_MIN = 14  # a line this long that stops mid-sentence was wrapped, not a heading


def is_word_char(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def join_wrapped_lines(text: str) -> tuple[str, Offsets]:
    """Hard wraps and blank lines inside sentences and numbers go; paragraph breaks stay.

    Spaces between CJK characters (PDF column joins) go too; a space between two ASCII
    words or two numbers stays, so `2 3` never becomes 23.
    """

    def repl(m: re.Match[str]) -> str | None:
        start, end = m.span()
        prev = text[start - 1] if start else ""
        nxt = text[end] if end < len(text) else ""
        if "\n" not in m.group():
            if is_word_char(prev) and is_word_char(nxt):
                return None if m.group() == " " else " "
            return ""
        if not prev or not nxt:
            return "\n"
        if DATE_AT_END.search(text, max(0, start - 20), start):
            return "\n"  # a dateline (`统计局　2022年2月10日`, `2023-10-27 17:02`) ends its line
        if (prev.isdigit() or prev == ".") and (nxt.isdigit() or nxt == "." or nxt in UNIT_START):
            return ""
        if prev in SENTENCE_END or LIST_MARKER.match(text, end):
            return "\n"
        line_start = text.rfind("\n", 0, start) + 1
        if start - line_start >= WRAPPED_LINE_MIN and (
            not prev.isascii() or prev.isalnum() or prev in CLAUSE_END
        ):
            return ""
        return "\n"

    return substitute(text, WHITESPACE_RUN, repl)


@cache
def doubled_number_pattern() -> re.Pattern[str]:
    units = sorted(
        {u.symbol for u in load_catalog().units if u.symbol} | {"%"}, key=len, reverse=True
    )
    unit = "|".join(map(re.escape, units))
    # Bold PDF fonts print each glyph run twice: 7070个个, 243243..4444万平方米万平方米.
    return re.compile(
        rf"(?<![\d.])(?P<i>\d+)(?P=i)(?:(?P<dd>\.\.)(?P<f>\d+)(?P=f))?(?![\d])"
        rf"(?:(?P<u>{unit})(?P=u))?"
        rf"|(?<![\d.])(?P<n>\d+\.\d+)(?P=n)(?P<u2>{unit})(?P=u2)"
    )


def repair_doubled_glyphs(text: str) -> tuple[str, Offsets]:
    """Undo doubled glyph runs, only with proof: a doubled unit or a `..` decimal point."""
    pattern = doubled_number_pattern()

    def repl(m: re.Match[str]) -> str | None:
        if m.group("n"):
            return m.group("n") + m.group("u2")
        if not (m.group("dd") or m.group("u")):
            return None
        out = m.group("i")
        if m.group("dd"):
            out += "." + m.group("f")
        return out + (m.group("u") or "")

    return substitute(text, pattern, repl)


DOUBLED_LINE_MIN = 6
DOUBLED_LINE_MAX = 200
LINE = re.compile(r"[^\n]+")
CJK = re.compile(r"[\u4e00-\u9fff]")


def split_doubled(line: str) -> list[str] | None:
    """`286286..4242亿元亿元` -> [`286`, `.`, `42`, `亿元`]: the halves of a line that is
    nothing but doubled runs, or None. Shortest runs first (dynamic programming, no regex
    backtracking)."""
    n = len(line)
    ends: list[int | None] = [None] * (n + 1)  # ends[i]: length of the half starting at i
    ends[n] = 0
    for i in range(n - 1, -1, -1):
        for half in range(1, (n - i) // 2 + 1):
            j = i + 2 * half
            if ends[j] is not None and line[i : i + half] == line[i + half : j]:
                ends[i] = half
                break
    if ends[0] is None:
        return None
    halves, i = [], 0
    while i < n:
        half = ends[i] or 0
        halves.append(line[i : i + half])
        i += 2 * half
    return halves


def doubled_line_halves(line: str) -> list[str] | None:
    """The halves of a bold-font line, or None when the line is not one."""
    if not DOUBLED_LINE_MIN <= len(line) <= DOUBLED_LINE_MAX or line != line.strip():
        return None
    if any(count % 2 for count in Counter(line).values()):
        return None  # doubled runs use every character an even number of times
    halves = split_doubled(line)
    if not halves or not any(len(h) >= 2 and CJK.search(h) for h in halves):
        return None
    return halves


def repair_doubled_lines(text: str) -> tuple[str, Offsets]:
    """A bold PDF heading prints every run twice: `规上工业增加值规上工业增加值`,
    `286286..4242亿元亿元`. Only a whole line made of doubled runs, one of them a doubled
    Chinese word, is proof enough; ordinary prose never is. Each kept character maps to the
    raw character it was copied from."""
    parts: list[str] = []
    offsets: Offsets = []
    pos = 0
    for match in LINE.finditer(text):
        halves = doubled_line_halves(match.group())
        if halves is None:
            continue
        start, end = match.span()
        parts.append(text[pos:start])
        offsets.extend(range(pos, start))
        at = start
        for half in halves:
            parts.append(half)
            offsets.extend(range(at, at + len(half)))
            at += 2 * len(half)
        pos = end
    if not parts:
        return text, identity_offsets(text)
    parts.append(text[pos:])
    offsets.extend(range(pos, len(text) + 1))
    return "".join(parts), offsets


PASSES: tuple[Pass, ...] = (
    strip_html,
    strip_pinyin_glosses,
    convert_traditional,
    fold_width,
    drop_page_numbers,
    repair_doubled_lines,
    join_wrapped_lines,
    repair_decimal_points,
    repair_doubled_glyphs,
)


def compose(outer: Sequence[int], inner: Sequence[int]) -> Offsets:
    """Offsets of a later pass (`inner`) expressed against the earlier map (`outer`)."""
    return [outer[i] for i in inner]


def normalise_text(raw: str) -> NormalisedText:
    """Run every repair pass; never raises on odd input."""
    text = raw
    offsets = identity_offsets(raw)
    for step in PASSES:
        text, step_offsets = step(text)
        offsets = compose(offsets, step_offsets)
    return NormalisedText(text=text, raw_offsets=tuple(offsets))
