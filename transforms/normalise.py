"""Repair extraction artefacts in a report's text while keeping a map back to the raw text.

Every pass is a pure function `str -> (str, offsets)` where `offsets[i]` is the index in the
pass's input of output character `i` (one extra entry maps the end), or None when no
character moved. `normalise_text` runs the passes in order and composes their maps, so a
fact's span in the clean text can always be shown in the raw document.

A map is kept as the runs it was built from (`Offsets`), and the passes' maps are composed
lazily (`ComposedOffsets`): a text maps thousands of characters and a document reads a few
of them (its facts' spans); a list of every index, composed pass by pass, cost more than
the passes' own work.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache, partial

from transforms.catalog import Catalog
from transforms.fast_scan import (
    Edit,
    OffsetRuns,
    char_map,
    chars_after_digits,
    doubled_figure_starts,
    doubled_line_candidates,
    edits_applier,
    followed_by,
    idle_passes_finder,
    line_joiner,
    line_width,
    traditional_lines,
    whitespace_runs,
    words_occur,
)


class OffsetMap:
    """`map[i]`: where character `i` of a text came from in an earlier text; `len(map)`."""

    def __len__(self) -> int:
        raise NotImplementedError

    def __getitem__(self, index: int) -> int:
        raise NotImplementedError

    def position(self, index: int) -> int:
        """`index` counted from the start (a negative one from the end, as a list's), checked."""
        size = len(self)
        if index < 0:
            index += size
        if not 0 <= index < size:
            raise IndexError("offset index out of range")
        return index


class IdentityOffsets(OffsetMap):
    """No character moved: `map[i] == i`."""

    def __init__(self, size: int) -> None:
        self.size = size

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, index: int) -> int:
        return self.position(index)


class Offsets(OffsetMap):
    """A pass's map as its runs, in order: a copied stretch (`copy`) maps one to one, an
    edit's characters (`extend`) each as listed. The same entries as the list of every index
    the runs spell out, without a Python int per character."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        """Index of the map at which each run starts (ascending)."""
        self.firsts: list[int] = []
        """A copied run's first source; -1 for a listed run."""
        self.listed: list[list[int]] = []
        """A listed run's sources; empty for a copied run."""
        self.size = 0

    def copy(self, start: int, end: int) -> None:
        """Entries `start`, `start + 1`, ... `end - 1`."""
        if end > start:
            self.starts.append(self.size)
            self.firsts.append(start)
            self.listed.append([])
            self.size += end - start

    def extend(self, sources: Iterable[int]) -> None:
        listed = list(sources)
        if listed:
            self.starts.append(self.size)
            self.firsts.append(-1)
            self.listed.append(listed)
            self.size += len(listed)

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, index: int) -> int:
        index = self.position(index)
        run = bisect_right(self.starts, index) - 1
        first = self.firsts[run]
        if first >= 0:
            return first + index - self.starts[run]
        return self.listed[run][index - self.starts[run]]


class ComposedOffsets(OffsetMap):
    """A later pass's map (`inner`) read through the map of the passes before it (`outer`)."""

    def __init__(self, outer: OffsetMap, inner: OffsetMap) -> None:
        self.outer = outer
        self.inner = inner

    def __len__(self) -> int:
        return len(self.inner)

    def __getitem__(self, index: int) -> int:
        return self.outer[self.inner[index]]


Pass = Callable[[str], tuple[str, Offsets | None]]
"""A repair pass: the new text and where each of its characters came from, or None when
every character stayed where it was (a 1:1 pass, or no change): nothing to compose then."""


@dataclass(frozen=True)
class NormalisedText:
    text: str
    raw_offsets: OffsetMap
    """`raw_offsets[i]` is the raw index of normalised character `i`; `len(text) + 1` entries."""

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """The raw span covering normalised `[start, end)`."""
        if end <= start:
            return self.raw_offsets[start], self.raw_offsets[start]
        return self.raw_offsets[start], self.raw_offsets[end - 1] + 1


def identity_offsets(text: str) -> list[int]:
    return list(range(len(text) + 1))


class Rewrite:
    """A text rebuilt from copied stretches and edits, with the raw position of each output
    character: copied stretches map one to one, an edit maps as its caller says."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.parts: list[str] = []
        self.offsets = Offsets()
        self.pos = 0

    def edit(self, start: int, end: int, new: str, sources: Iterable[int]) -> None:
        """Replace text[start:end] (at or after the last edit) by `new`, whose characters
        come from `sources` in the input."""
        self.parts.append(self.text[self.pos : start])
        self.offsets.copy(self.pos, start)
        self.parts.append(new)
        self.offsets.extend(sources)
        self.pos = end

    def result(self) -> tuple[str, Offsets | None]:
        """The rebuilt text and its map; the input itself and None when nothing was edited."""
        if not self.parts:
            return self.text, None
        self.parts.append(self.text[self.pos :])
        self.offsets.copy(self.pos, len(self.text) + 1)
        return "".join(self.parts), self.offsets


@cache
def native_apply_edits() -> Callable[[str, list[Edit]], tuple[str, OffsetRuns] | None] | None:
    return edits_applier()


def apply_edits(text: str, edits: list[Edit]) -> tuple[str, Offsets | None]:
    """`text` with `edits` (`(start, end, new)`, in order, none overlapping; character `k` of
    `new` comes from `start + k`), as `Rewrite` makes it: natively when built, in one call
    (a pass that edits a text a few hundred times spent more on the rebuilding than on its
    decisions)."""
    native = native_apply_edits()
    if native is None:
        rewrite = Rewrite(text)
        for start, end, new in edits:
            rewrite.edit(start, end, new, range(start, start + len(new)))
        return rewrite.result()
    return rebuilt(text, native(text, edits))


def rebuilt(text: str, made: tuple[str, OffsetRuns] | None) -> tuple[str, Offsets | None]:
    """A pass's result from a text and map rebuilt natively (None: nothing changed)."""
    if made is None:
        return text, None
    new_text, (starts, firsts, listed, size) = made
    offsets = Offsets()
    offsets.starts = starts
    offsets.firsts = firsts
    offsets.listed = listed
    offsets.size = size
    return new_text, offsets


def substitute(
    text: str, pattern: re.Pattern[str], repl: Callable[[re.Match[str]], str | None]
) -> tuple[str, Offsets | None]:
    """`pattern.sub` that also returns where each output character came from.

    `repl` returning None leaves the match alone. Replacement characters map onto the
    matched span in order (the last one repeats), which is exact for 1:1 and shrinking edits.
    """
    return substitute_matches(text, pattern.finditer(text), repl)


def substitute_matches(
    text: str, matches: Iterable[re.Match[str]], repl: Callable[[re.Match[str]], str | None]
) -> tuple[str, Offsets | None]:
    """`substitute` of these matches of a pattern in `text` (in order, none overlapping)."""
    rewrite = Rewrite(text)
    for match in matches:
        new = repl(match)
        if new is None or new == match.group():
            continue  # left alone: the same text, and the same offsets, without the copying
        start, end = match.span()
        # Character k of `new` comes from `start + min(k, last)`: a run, then the last repeated.
        last = max(end - start - 1, 0)
        sources: Sequence[int] = range(start, start + min(len(new), last + 1))
        if len(new) > last + 1:
            sources = [*sources, *[start + last] * (len(new) - last - 1)]
        rewrite.edit(start, end, new, sources)
    return rewrite.result()


# --- the catalogue's units, as the repairs see them ------------------------------------

DECIMAL_DOTS = "。·•∙,，"
"""What a decimal point is printed as by mistake (`decimal_artefact`)."""
CALENDAR_WORDS = "年月日"
"""A figure's calendar word (`2021年`, `11月`, `19日`): no unit of the catalogue, yet glued to
its figure the same way, so a break or a doubled glyph run between them is an artefact too."""


@dataclass(frozen=True)
class UnitWords:
    """What the repairs need to know of the catalogue's units (units.csv)."""

    figure_tail: frozenset[str]
    """What may follow a figure's last digit and still belong to it: a unit's first
    character, a calendar word, another digit or the decimal point."""
    quantity_ahead: re.Pattern[str]
    """A figure and its unit, maybe split by spaces or a break: a line that opens with one
    continues the line before (`第三产业增加值` / `906.97亿元`); nothing else starts so."""
    decimal_artefact: re.Pattern[str]
    """A decimal point printed as another dot, before the fraction of a figure with a unit."""
    doubled_unit: re.Pattern[str]
    """A unit or calendar word written twice (`个个`, `年年`): searched for, as proof."""
    doubled_unit_occurs: Callable[[str], bool | None] | None
    """Whether `doubled_unit` occurs, looked for natively (None when not built; it answers
    None for a text holding a lone surrogate): most texts hold none, and `re` read all of
    each."""
    doubled_number: re.Pattern[str]
    line_joins: Callable[[str], tuple[str, OffsetRuns] | None] | None
    """`join_wrapped_lines` for these units, natively (None when not built)."""
    idle_passes: Callable[[str, int], int] | None
    """Which passes (`IDLE_*` bits) have nothing to do in a text, natively (None when not
    built)."""


UNIT_WORDS_MADE: dict[int, tuple[tuple[object, ...], UnitWords]] = {}
"""`unit_words` by the catalogue's units (by identity, the tuple kept so that its id stays its
own): a document's text is normalised with the same catalogue as the last one's, and the
symbols' set, sort and cache key cost ~150k instructions a document."""


def unit_words(catalog: Catalog) -> UnitWords:
    made = UNIT_WORDS_MADE.get(id(catalog.units))
    if made is not None and made[0] is catalog.units:
        return made[1]
    symbols = {unit.symbol for unit in catalog.units if unit.symbol}
    words = compile_unit_words(tuple(sorted(symbols, key=lambda s: (-len(s), s))))
    UNIT_WORDS_MADE[id(catalog.units)] = (catalog.units, words)
    return words


@cache
def compile_unit_words(symbols: tuple[str, ...]) -> UnitWords:
    """The patterns for these unit symbols (the longest first), compiled once."""
    starts = frozenset(symbol[0] for symbol in symbols)
    figure_tail = starts | set(CALENDAR_WORDS) | set("0123456789.")
    start_class = "".join(map(re.escape, sorted(starts)))
    units = "|".join(map(re.escape, symbols))
    # Literal alternatives only: `re` then looks for their first characters in C.
    doubled = "|".join(map(re.escape, [*symbols, *CALENDAR_WORDS]))
    return UnitWords(
        figure_tail=figure_tail,
        quantity_ahead=re.compile(rf"\d[\d,.]*[ \n]*[{start_class}]"),
        # The dot comes first (its digit is looked behind for), all dots in one class, so
        # that `re` skips to candidates in C. A dot may be wrapped away from its fraction
        # (`6539。\n21`). A comma is a decimal point only before a share or a sum (`3,6%`):
        # `3,12家` is a list.
        decimal_artefact=re.compile(
            rf"[{DECIMAL_DOTS}](?<=\d.)"
            rf"(?:(?<=[。·•∙])(?=[ \n]*\d{{1,2}}[ \n]*[{start_class}])"
            rf"|(?<=[,，])(?=\d{{1,2}}\s*[%亿万]))"
        ),
        # Each word written out twice: `re` skips between a plain alternation's literals,
        # where `({doubled})\1` tried every alternative and its backreference at every unit.
        doubled_unit=re.compile(
            "|".join(re.escape(word * 2) for word in (*symbols, *CALENDAR_WORDS))
        ),
        doubled_unit_occurs=words_occur([word * 2 for word in (*symbols, *CALENDAR_WORDS)]),
        # Bold PDF fonts print each glyph run twice: 7070个个, 243243..4444万平方米万平方米,
        # 20232023年年. Both branches open with a digit (the lookbehind comes after it) so
        # that `re` skips every other position in C.
        doubled_number=re.compile(
            rf"(?=\d)(?:(?P<i>\d(?<![\d.]\d)\d*)(?P=i)(?:(?P<dd>\.\.)(?P<f>\d+)(?P=f))?(?![\d])"
            rf"(?:(?P<u>{doubled})(?P=u))?"
            rf"|(?P<n>\d(?<![\d.]\d)\d*\.\d+)(?P=n)(?P<u2>{units})(?P=u2))"
        ),
        line_joins=line_joiner(
            "".join(sorted(figure_tail)),
            "".join(sorted(starts)),
            ("".join(sorted(SENTENCE_END)), "".join(sorted(CLOSING_QUOTES)), CLAUSE_MARKS),
            (WRAP_LINE_MIN, WRAP_WIDTH_QUANTILE, WRAP_WIDTH_SHARE, WRAPPED_LINE_MIN),
        ),
        idle_passes=idle_passes_finder(
            "".join(FOLDED),
            GLOSS_LETTERS,
            DECIMAL_DOTS,
            [word * 2 for word in (*symbols, *CALENDAR_WORDS)],
            (DOUBLED_LINE_MIN, DOUBLED_LINE_MAX),
        ),
    )


# --- passes -----------------------------------------------------------------------------

# A hard wrap may fall inside a tag too: `<\ndiv id="a">`.
HTML_TAG = re.compile(r"<\s*[!/]?\s*[A-Za-z][^<>]{0,300}>|&(?:nbsp|amp|lt|gt|quot|#\d{1,6});")
HTML_ENTITIES = {"&nbsp;": " ", "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"'}


CELL_END = re.compile(r"<\s*/\s*t[dh]\s*>", re.IGNORECASE)
BLOCK_END = re.compile(
    r"<\s*/\s*(?:tr|p|div|li|h[1-6]|table|title)\s*>|<\s*br\s*/?\s*>", re.IGNORECASE
)


def strip_html(text: str) -> tuple[str, Offsets | None]:
    """Tags go; entities become their character (mirrors keep markup fragments). A table's
    cells become a pipe table (`</td>` a `|`, `</tr>` a line break) and a paragraph or line
    break ends its line, so tables and paragraphs keep their shape."""
    if "<" not in text and "&" not in text:
        return text, None

    def repl(m: re.Match[str]) -> str:
        token = m.group()
        if token.startswith("&#"):
            return chr(int(token[2:-1]))
        if CELL_END.fullmatch(token):
            return "|"
        if BLOCK_END.fullmatch(token):
            return "\n"
        return HTML_ENTITIES.get(token, "")

    return substitute(text, HTML_TAG, repl)


TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹ"
UNTONED = str.maketrans(TONED, "aaaaeeeeiiiioooouuuuüüüünnn")
# A converter's glosses after a character: `經(jīng)濟`, `增(zeng)(zeng)長`; a wrap may
# fall inside one (`(jī\nng)`) or before it. The run opens with its bracket, which `re`
# finds in C; the character and the spaces before it are looked for by hand.
PINYIN_GLOSSES = re.compile(
    rf"[(（][ \n]*[a-zü{TONED}][a-zü{TONED} \n]{{0,9}}[)）]"
    rf"(?:[ \n]*[(（][ \n]*[a-zü{TONED}][a-zü{TONED} \n]{{0,9}}[)）])*"
)
CJK = re.compile(r"[\u4e00-\u9fff]")
GLOSS = re.compile(r"[(（]([^()（）]*)[)）]")
SYLLABLE = re.compile(
    r"(?:[zcs]h|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:[iu]?ang|iong|ueng|eng|ong|ia[on]?|ua[in]?|[üv]a?n|a[ino]?|e[inr]?|ie|iu|ing?|io"
    r"|ou|uo|ui|un|[uüv]e|[aeiouüv])"
)
"""A Mandarin syllable, tones left out: an initial, then a final."""
GLOSS_LETTERS = f"abcdefghijklmnopqrstuvwxyzü{TONED}"
"""What a gloss opens with, after its bracket and any spaces or breaks."""
MIN_GLOSSES = 3
"""Toneless syllables (`(zeng)`, `(de)`) are glosses only in a text glossed throughout."""


def gloss_tones(m: re.Match[str]) -> list[bool] | None:
    """Whether each gloss of the run is toned; None when one of them is no syllable."""
    toned = []
    for gloss in GLOSS.findall(m.group()):
        written = "".join(gloss.split())
        if not SYLLABLE.fullmatch(written.translate(UNTONED)):
            return None
        toned.append(written.translate(UNTONED) != written)
    return toned


@cache
def gloss_starts() -> Callable[[str], bool] | None:
    """Whether a bracket stands before a gloss's first letter, natively (None when not built):
    most brackets hold Chinese, and a text without such a bracket has no gloss to look at."""
    return followed_by("(（", " \n", GLOSS_LETTERS)


def strip_pinyin_glosses(text: str) -> tuple[str, Offsets | None]:
    if "(" not in text and "（" not in text:
        return text, None
    may_gloss = gloss_starts()
    if may_gloss is not None and not may_gloss(text):
        return text, None
    runs = []
    for m in PINYIN_GLOSSES.finditer(text):
        start = m.start()
        while start and text[start - 1] in " \n":
            start -= 1  # `經\n(jīng)`: a wrap between the character and its gloss
        if start and CJK.match(text, start - 1) and (tones := gloss_tones(m)):
            runs.append((start, m.end(), tones))
    glossed = sum(len(tones) for _, _, tones in runs) >= MIN_GLOSSES
    rewrite = Rewrite(text)
    for start, end, tones in runs:
        if glossed or any(tones):
            rewrite.edit(start, end, "", ())
    return rewrite.result()


@cache
def opencc_converter():  # type: ignore[no-untyped-def]
    import opencc  # imported lazily: the converter loads its dictionaries once

    return opencc.OpenCC("t2s")


def convert_traditional(text: str) -> tuple[str, Offsets | None]:
    """OpenCC t2s, kept 1:1 per character so offsets stay put. Natively, only the lines
    holding a key of its dictionaries that changes something are handed to it (few or none).

    Phrase conversions that change length are rare; a line where that happens is converted
    character by character instead.
    """
    converter = opencc_converter()
    find_lines = traditional_lines()
    spans = find_lines(text) if find_lines is not None else None
    if spans is None:
        converted = converter.convert(text)
    elif not spans:
        return text, None  # no key that changes anything: the conversion would be the text
    else:
        converted = convert_lines(text, spans, converter.convert)
    if len(converted) == len(text):
        return converted, None
    lines = []
    for line in text.split("\n"):
        new = converter.convert(line)
        if len(new) != len(line):
            new = "".join(c if len(c := converter.convert(ch)) == 1 else ch for ch in line)
        lines.append(new)
    return "\n".join(lines), None


def convert_lines(text: str, spans: list[tuple[int, int]], convert: Callable[[str], str]) -> str:
    """The conversion of `text`, converting only the lines at `spans` (those holding a key
    that changes something): no key holds a line break, so OpenCC's longest matches, left to
    right, never cross one, and a line without such a key converts to itself."""
    parts = []
    at = 0
    for start, end in spans:
        parts.append(text[at:start])
        parts.append(convert(text[start:end]))
        at = end
    parts.append(text[at:])
    return "".join(parts)


TABLE_CELL_SEP = "|"
CELL_GAP = re.compile(r"(?<!\d[-–:：/~])(?<!\d [-–:：/~])(?:\t[ \t\u3000]*|[ \u3000]{2,})")
"""Cells apart by a tab or a run of spaces. Spaces after a figure's dash or colon are OCR's
spacing inside a date, a time or a range (`2021-  06 -  13`), not a column's edge; a dash
alone between gaps is an empty cell."""
TABLE_LINE = re.compile(r"[^\n]+")
PROSE_MARK = re.compile(r"[，。；！？…]")
"""Marks of running prose, which a table's cells never hold."""
CELL_NUMBER = re.compile(r"^[-−]?\d[\d,]*(?:\.\d+)?%?$")
MIN_CELL_GAPS = 2
SPREAD_LABEL = re.compile(r"[\u4e00-\u9fff][ \u3000]+[\u4e00-\u9fff](?=\t|[ \u3000]{2,}|$)")
"""A two-character label spread over its cell's width (`地  区`, `全  市`): one cell."""


def mark_table_cells(text: str) -> tuple[str, Offsets | None]:
    """Lines laid out in columns (cells apart by tabs or runs of spaces) become pipe table
    rows, so their cells survive the joining of spaces: a line with a number among its
    cells, and the header line right above such a line."""
    if "\t" not in text and "  " not in text and "\u3000\u3000" not in text:
        return text, None
    rows = []
    for line in TABLE_LINE.finditer(text):
        body = line.group()
        stripped = body.strip(" \t\u3000")
        lead = len(body) - len(body.lstrip(" \t\u3000"))
        gaps = list(CELL_GAP.finditer(stripped))
        spread = SPREAD_LABEL.match(stripped) if len(gaps) >= MIN_CELL_GAPS else None
        if spread is not None:
            gaps = [g for g in gaps if g.start() >= spread.end()]
        if len(gaps) < MIN_CELL_GAPS or stripped.count(TABLE_CELL_SEP) >= 2:
            continue  # too few cells, or a pipe table already (`地区生产总值 |  7775365  |`)
        if PROSE_MARK.search(stripped):
            continue  # a sentence with OCR's spaces around its figures (`区目标  102  亿元）……`)
        numeric = any(CELL_NUMBER.match(c) for c in CELL_GAP.split(stripped)[1:])
        rows.append((line.start() + lead, stripped, gaps, numeric, line.end()))
    marked = []
    for i, (start, stripped, gaps, numeric, end) in enumerate(rows):
        below = rows[i + 1] if i + 1 < len(rows) else None
        header = below is not None and below[3] and text.count("\n", end, below[0]) <= 1
        if numeric or header:
            marked.append((start, stripped, gaps))
    if not marked:
        return text, None
    rewrite = Rewrite(text)
    for start, stripped, gaps in marked:
        cells: list[str] = []
        sources: list[int] = []
        at = 0
        for gap in gaps:
            cells.append(stripped[at : gap.start()] + "|")
            sources.extend(range(start + at, start + gap.start() + 1))
            at = gap.end()
        cells.append(stripped[at:])
        sources.extend(range(start + at, start + len(stripped)))
        rewrite.edit(start, start + len(stripped), "".join(cells), sources)
    return rewrite.result()


SPACED_ROW = re.compile(
    r"^[^\s\d|，。；！？…][^\s|，。；！？…]{0,19}(?: (?:%|[^\s\d|，。；！？…%]{1,3}))?"
    r"(?: (?:[-−]?\d[\d,]*(?:\.\d+)?(?:%|[^\s\d|，。；！？…%]{1,3})?|[-—–…]{1,3})){2,} *$",
    re.M,
)
"""A table row whose cells stand one space apart: a label, maybe a unit (`亿元`), then figures
(`3441.7`, `498.2亿元`) or empty cells (`—`) only (`第一产业 8.18 4.3 0.4`). OCR's spaced
prose puts words between its figures, never only figures."""
MIN_SPACED_ROWS = 2
"""Rows a spaced table needs, or one row under a header line as many cells wide."""
SPACED_ROW_FIGURES = re.compile(r" [-−]?\d")
SPACED_FIGURES = re.compile(r" [-−]?\d[\d,.]*(?:%|[^\s\d]{1,3})? (?:[-−]?\d|[-—–…])")
"""Two figures one space apart: a text without them has no such row (a quick first look;
opening with a literal space lets `re` skip to the spaces in C)."""


def mark_spaced_table_cells(text: str) -> tuple[str, Offsets | None]:
    """Runs of lines laid out as `label figure figure…` with single spaces (and the header
    line right above a run, as many cells wide, with no prose marks) become pipe table rows;
    the joining of wrapped lines would otherwise run them together."""
    if SPACED_FIGURES.search(text) is None:
        return text, None
    rows = [(m.start(), m.end()) for m in SPACED_ROW.finditer(text)]
    if not rows:
        return text, None
    runs: list[list[tuple[int, int]]] = []
    for start, end in rows:
        if runs and text.count("\n", runs[-1][-1][1], start) == 1:
            runs[-1].append((start, end))
        else:
            runs.append([(start, end)])
    rewrite = Rewrite(text)
    edited = False
    for run in runs:
        run = [r for r in run if SPACED_ROW_FIGURES.search(text, *r)]  # not `— —` alone
        if not run:
            continue
        width = len(text[run[0][0] : run[0][1]].split())
        above_end = run[0][0] - 1
        above_start = text.rfind("\n", 0, max(above_end, 0)) + 1
        header = text[above_start:above_end] if above_end > 0 else ""
        lines = list(run)
        if len(header.split()) == width and not PROSE_MARK.search(header):
            lines.insert(0, (above_start, above_end))
        elif len(run) < MIN_SPACED_ROWS:
            continue
        for start, end in lines:
            body = text[start:end].rstrip(" ")
            rewrite.edit(
                start, start + len(body), body.replace(" ", "|"), range(start, start + len(body))
            )
            edited = True
    return rewrite.result() if edited else (text, None)


FULLWIDTH: dict[int, int | str] = {code: code - 0xFEE0 for code in range(0xFF10, 0xFF1A)}  # ０-９
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


FOLDED = {chr(k): v if isinstance(v, str) else chr(v) for k, v in FULLWIDTH.items()}
FULLWIDTH_CHAR = re.compile("[" + "".join(map(re.escape, FOLDED)) + "]")


@cache
def native_fold() -> Callable[[str], str] | None:
    return char_map(FOLDED)


def fold_width(text: str) -> tuple[str, Offsets | None]:
    """Full-width digits, letters and numeric punctuation to ASCII (1:1)."""
    fold = native_fold()
    if fold is not None:
        return fold(text), None
    # `translate` looks every character up; a text holds few to fold, so find them first.
    return FULLWIDTH_CHAR.sub(lambda m: FOLDED[m.group()], text), None


@cache
def decimal_dot_starts() -> Callable[[str], list[int]] | None:
    return chars_after_digits(DECIMAL_DOTS)


def repair_decimal_points(text: str, units: UnitWords) -> tuple[str, Offsets | None]:
    """`3。6%`, `3·6%`, `6539。\n21亿元`: a decimal point rendered as another dot."""
    starts = decimal_dot_starts()
    if starts is None:
        return substitute(text, units.decimal_artefact, lambda m: ".")
    # Natively, the pattern is tried only after a digit (its lookbehind): `re` tried it at
    # every comma of the text. A match is one character, so none overlaps the next start.
    match = units.decimal_artefact.match
    found = [m for at in starts(text) if (m := match(text, at)) is not None]
    return substitute_matches(text, found, lambda m: ".")


PAGE_NUMBER = (
    r"[ \t]*(?:-\s*\d{1,3}\s*-|—\s*\d{1,3}\s*—|第\s*\d{1,3}\s*页(?:\s*/?\s*共\s*\d+\s*页)?|"
    r"\d{1,3}\s*/\s*\d{1,3}|\d{1,3})[ \t]*(?=\n)"
)
PAGE_NUMBER_LINE = re.compile(rf"(?<=\n){PAGE_NUMBER}")
PAGE_NUMBER_AFTER_BREAK = re.compile(rf"\n{PAGE_NUMBER}")
"""The same lines with their line break: a leading literal, which `re` finds fast; most texts
have no page number, and this tells so in one quick pass."""


BARE_PAGE_NUMBER = re.compile(r"[ \t]*\d{1,3}(?:\s*/\s*\d{1,3})?[ \t]*")
PAGE_DIGITS = re.compile(r"\d+")
PAGE_MIN_CHARS = 200
"""A page holds at least this much text, so page numbers this far apart run in sequence."""


def next_to_figure(text: str, start: int, end: int, units: UnitWords) -> bool:
    """Whether the line `[start, end)` sits between the parts of a figure (`12` / `.5%`)."""
    before = text[max(0, start - 20) : start].rstrip()
    after = text[end : end + 20].lstrip()
    if before and (before[-1].isdigit() or before[-1] == "."):
        return True
    return bool(after) and after[0] in units.figure_tail  # `9\n月19日`: a split date


def drop_page_numbers(text: str, units: UnitWords) -> tuple[str, Offsets | None]:
    """Lines holding only a page's number or mark (`- 3 -`, `第3页 共6页`, `3`). A bare number
    beside a figure may be part of it: it goes only when it continues the sequence of the
    page numbers around it, a page away."""
    if PAGE_NUMBER_AFTER_BREAK.search(text) is None:
        return text, None
    marks = list(PAGE_NUMBER_LINE.finditer(text))
    pages = [int(PAGE_DIGITS.findall(m.group())[0]) for m in marks]

    def in_sequence(k: int) -> bool:
        """Whether page mark `k` follows the one before or precedes the one after, a page away
        (the first page, before any mark, is page 1)."""
        start, end = marks[k].span()
        before = (pages[k - 1], marks[k - 1].end()) if k else (1, 0)
        after = (pages[k + 1], marks[k + 1].start()) if k + 1 < len(marks) else None
        return (before[0] == pages[k] - 1 and start - before[1] >= PAGE_MIN_CHARS) or (
            after is not None and after[0] == pages[k] + 1 and after[1] - end >= PAGE_MIN_CHARS
        )

    rewrite = Rewrite(text)
    for k, m in enumerate(marks):
        start, end = m.span()
        if (
            BARE_PAGE_NUMBER.fullmatch(m.group())
            and next_to_figure(text, start, end, units)
            and not in_sequence(k)
        ):
            continue
        rewrite.edit(start, end, "", ())
    return rewrite.result()


FIRST_LINE = re.compile(r"[^\s].*")
LINE_PADDING = " \t\u3000"


def drop_running_heads(text: str) -> tuple[str, Offsets | None]:
    """A later line that repeats the title is a PDF page's running head (`西宁市2020年国民经济和
    社会发展统计公报` between the halves of a sentence): it goes."""
    first = FIRST_LINE.search(text)
    if first is None:
        return text, None
    title = first.group().strip(LINE_PADDING)
    if len(title) < RUNNING_HEAD_MIN or text.count(title, first.end()) == 0:
        return text, None
    line = re.compile(rf"^[{LINE_PADDING}]*{re.escape(title)}[{LINE_PADDING}]*$", re.M)
    rewrite = Rewrite(text)
    for m in line.finditer(text, first.end()):
        rewrite.edit(m.start(), m.end(), "", ())
    return rewrite.result()


RUNNING_HEAD_MIN = 6
WHITESPACE_RUN = re.compile(r"[ \n][ \n]*")  # not `[ \n]+`: `re` skips to a class only
SENTENCE_END = set("。！？!?")
CLOSING_QUOTES = set('”’"」』')
"""A quotation ends with its sentence: `…激发市场活力。”`."""
LIST_MARKER = re.compile(
    r"[一二三四五六七八九十]+、|[(（][一二三四五六七八九十\d]+[)）]|\d{1,2} ?[.、．](?!\d)|"
    r"[■□○●◆◇▲△★☆#>【表图附注]|第[一二三四五六七八九十]+[章节部]"
)
DATE_AT_END = re.compile(
    r"(?:(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|(?:19|20)\d{2}[-/.]\d{1,2}[-/.]\d{1,2}"
    r"|\d{1,2}:\d{2}(?::\d{2})?)[ \t]*$"
)
WRAPPED_LINE_MIN = 14
"""A line this long that stops mid-sentence (after a word, `，` or `,`, `；`...) was wrapped; a
short one is a heading or a list item of its own."""
CLAUSE_MARKS = ",;:"
"""Marks inside a sentence, written the ASCII way (`增长2.3%,按可比价`)."""
WRAP_WIDTH_SHARE = 0.6
"""A wrapped line fills most of the page's width; a title or a dateline is shorter."""
SENTENCE_MARK = re.compile(r"[。！？]|[!?](?![!-~])")  # `?` in a web address ends nothing
"""The first sentence's end ends the document's head (title, publisher, date): at a line's end,
or inside the first line of a wrapped paragraph."""
CLAUSE_MARK = re.compile(r"[，,；;。]")
FULL_DATE = re.compile(
    r"(?:19|20)\d{2}(?:\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|[-/.]\d{1,2}[-/.]\d{1,2})"
)
"""A title has none; a line of prose wrapped early usually has one."""
WRAP_WIDTH_QUANTILE = 0.9
WRAP_LINE_MIN = 14
"""Shorter lines (headings, datelines, list items) say nothing of the page's width."""


@cache
def native_wrap_width() -> Callable[[str], int] | None:
    return line_width(WRAP_LINE_MIN, WRAP_WIDTH_QUANTILE)


def wrap_width(text: str) -> int:
    """The text's line width: a high quantile of its line lengths (a PDF's column width,
    or a web page's paragraph length, where nothing was wrapped). Natively when built (no
    string made of each line)."""
    native = native_wrap_width()
    if native is not None:
        return native(text)
    lengths = sorted(
        len(line)
        for line in (raw.strip() for raw in text.split("\n"))
        if len(line) >= WRAP_LINE_MIN
    )
    if not lengths:
        return 0
    return lengths[math.ceil(WRAP_WIDTH_QUANTILE * (len(lengths) - 1))]


def is_word_char(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def is_table_row(text: str, start: int, end: int) -> bool:
    """A line of a pipe table (`| 指标 | 单位 | 1-8月 |`, `地区生产总值 | 7775365 | 5.7 |`)."""
    return text.count(TABLE_CELL_SEP, start, end) >= 2


RUN_GOES, RUN_ONE_SPACE, RUN_BREAK = 0, 1, 2
"""How `sorted_whitespace_runs` sorts a run: spaces that go, spaces between two ASCII words
or numbers that become one, a run holding a line break (decided by its context)."""


def sorted_whitespace_runs(text: str) -> list[tuple[int, int, int]]:
    """`(start, end, kind)` of every run of spaces and line breaks but a lone space between
    two ASCII words (which stays): natively when built (a text holds a run every few dozen
    characters, and `re` made a match object of each), else by `re`."""
    native = native_whitespace_runs()
    if native is not None:
        return native(text)
    runs = []
    size = len(text)
    for m in WHITESPACE_RUN.finditer(text):
        start, end = m.span()
        if "\n" in m.group():
            runs.append((start, end, RUN_BREAK))
        elif start and end < size and is_word_char(text[start - 1]) and is_word_char(text[end]):
            if end - start > 1:
                runs.append((start, end, RUN_ONE_SPACE))
        else:
            runs.append((start, end, RUN_GOES))
    return runs


@cache
def native_whitespace_runs() -> Callable[[str], list[tuple[int, int, int]]] | None:
    return whitespace_runs()


def join_wrapped_lines(text: str, units: UnitWords) -> tuple[str, Offsets | None]:
    """Hard wraps and blank lines inside sentences and numbers go; paragraph breaks stay.

    Spaces between CJK characters (PDF column joins) go too; a space between two ASCII
    words or two numbers stays, so `2 3` never becomes 23.

    Natively when built, whole (`units.line_joins`): a text holds a break every few dozen
    characters, and each decision here cost thousands of instructions.
    """
    joins = units.line_joins
    if joins is not None:
        return rebuilt(text, joins(text))
    title_max = int(WRAP_WIDTH_SHARE * wrap_width(text))
    first_sentence = SENTENCE_MARK.search(text)
    head_end = first_sentence.start() if first_sentence else len(text)
    # Where the line being read began: a break inside a figure (`2021\n年`) does not start
    # one, so the stub after it is still part of the line it was cut from; nor does a wrap,
    # so the short stub a page break leaves (`度目标（市目标增` / `速10%`) is still wrapped.
    line_from = 0
    reading_from = 0
    size = len(text)
    # `substitute`'s loop written out for this pass (every run becomes "", " " or a break,
    # so each maps onto its run's first character): a text holds a whitespace run every
    # few dozen characters, and a callback per run cost more than the decisions.
    edits: list[Edit] = []
    for start, end, kind in sorted_whitespace_runs(text):
        if kind == RUN_GOES:
            new = ""
        elif kind == RUN_ONE_SPACE:
            new = " "
        else:
            prev = text[start - 1] if start else ""
            nxt = text[end] if end < size else ""
            if (
                (prev.isdigit() or prev == ".")
                and nxt in units.figure_tail
                and not DATE_AT_END.search(text, max(0, start - 20), start)
            ):
                new = ""  # a figure goes on after the break: `554.10\n亿元`, `2021\n年`
            else:
                new, line_goes_on = line_break(
                    text, start, end, prev, nxt, units, title_max, head_end, line_from, reading_from
                )
                line_from = end
                if not line_goes_on:
                    reading_from = end
                if new == text[start:end]:
                    continue  # a lone break that stays: the same text and offsets
        edits.append((start, end, new))
    return apply_edits(text, edits)


def line_break(
    text: str,
    start: int,
    end: int,
    prev: str,
    nxt: str,
    units: UnitWords,
    title_max: int,
    head_end: int,
    line_from: int,
    reading_from: int,
) -> tuple[str, bool]:
    """What a run of whitespace `text[start:end]` holding a line break becomes (nothing or a
    break), and whether the next line goes on with this one: a wrapped line's does.
    `line_from`, `reading_from`: where the line, and the line being read, began."""
    if prev in SENTENCE_END or (prev in CLOSING_QUOTES and text[start - 2] in SENTENCE_END):
        return "\n", False  # what every test below ends with for a sentence's end: skip them
    if not prev or not nxt:
        return "\n", False
    if (prev.isdigit() or prev in "日\t") and DATE_AT_END.search(text, max(0, start - 20), start):
        # A dateline (`统计局　2022年2月10日`, `2023-10-27 17:02`) ends its line. A date
        # ends in 日 or a digit (tabs after it): after anything else, no search.
        return "\n", False
    if not prev.isascii() and units.quantity_ahead.match(text, end):
        return "", False  # a label's figure on a line of its own: no wrap
    if LIST_MARKER.match(text, end):
        return "\n", False
    line_start = text.rfind("\n", 0, start) + 1
    next_end = text.find("\n", end)
    if is_table_row(text, line_start, start) or is_table_row(
        text, end, len(text) if next_end < 0 else next_end
    ):
        return "\n", False  # a table row is a line of its own, and so is its title
    line = text[line_from:start].strip()
    if start < head_end and (
        (len(line) < title_max and not CLAUSE_MARK.search(line)) or FULL_DATE.search(line)
    ):
        return "\n", False  # the head's title, publisher and dateline lines stay apart
    length = start - reading_from
    if prev.isascii() and not prev.isalnum() and prev not in CLAUSE_MARKS:
        # `%`, `)`, `"` end a headline as often as a wrapped line (`…增长3.4%`): only a
        # line of the body as wide as the page's was wrapped. A full stop ends its line.
        wrapped = start >= head_end and length >= max(WRAPPED_LINE_MIN, title_max)
        return ("", True) if wrapped and prev != "." else ("\n", False)
    return ("", True) if length >= WRAPPED_LINE_MIN else ("\n", False)


CALENDAR_RANGE = {"年": (1900, 2099), "月": (1, 12), "日": (1, 31)}
"""The values a calendar word's figure can take: `2020年年底` is no doubled `20年`."""


def is_calendar_value(digits: str, word: str) -> bool:
    low, high = CALENDAR_RANGE[word]
    return (word != "年" or len(digits) == 4) and low <= int(digits) <= high


def undouble(m: re.Match[str]) -> tuple[str, list[int], bool] | None:
    """A doubled figure's single reading, where each of its characters came from, and whether
    the doubled text reads as well as written (`11月月底` is 11月 and 月底, or a doubled 1月):
    None when the match is no doubled figure."""
    if m.group("n"):
        runs = [("n", m.group("n")), ("u2", m.group("u2"))]
        ambiguous = False
    else:
        unit = m.group("u")
        if not (m.group("dd") or unit):
            return None  # a doubled number alone proves nothing: 1111, 2020
        runs = [("i", m.group("i")), ("dd", "." if m.group("dd") else ""), ("f", m.group("f"))]
        runs.append(("u", unit))
        ambiguous = False
        if unit in CALENDAR_RANGE:
            if m.group("dd") or not is_calendar_value(m.group("i"), unit):
                return None
            ambiguous = is_calendar_value(m.group("i") * 2, unit)
    out = ""
    sources: list[int] = []
    for group, run in runs:
        if run:
            # The second copy of each run, so that a span over the figure covers both.
            second = m.start(group) + (1 if group == "dd" else len(run))
            sources.extend(range(second, second + len(run)))
            out += run
    sources[0] = m.start()
    return out, sources, ambiguous


def has_doubled_unit(text: str, units: UnitWords) -> bool:
    occurs = units.doubled_unit_occurs
    found = occurs(text) if occurs is not None else None
    return units.doubled_unit.search(text) is not None if found is None else found


@cache
def native_doubled_figures() -> Callable[[str], list[int]] | None:
    return doubled_figure_starts()


def doubled_numbers(text: str, units: UnitWords) -> Iterable[re.Match[str]]:
    """`units.doubled_number.finditer(text)`. Natively, the pattern is tried only where a
    figure opens with a doubled run (`re` tried its lookahead at every character, ~1.2M
    instructions a text): at each such place from where the last match ended, as `finditer`
    goes on."""
    starts = native_doubled_figures()
    if starts is None:
        return units.doubled_number.finditer(text)
    match = units.doubled_number.match
    found = []
    resume = 0
    for at in starts(text):
        if at >= resume and (m := match(text, at)) is not None:
            found.append(m)
            resume = m.end()
    return found


def repair_doubled_glyphs(text: str, units: UnitWords) -> tuple[str, Offsets | None]:
    """Undo doubled glyph runs, only with proof: a doubled unit or calendar word, or a `..`
    decimal point. A doubling that also reads as written (`11月月底`) is undone only when the
    text holds an unmistakable one too."""
    if ".." not in text and not has_doubled_unit(text, units):
        return text, None  # no proof anywhere: nothing to undo
    found = [
        (m.start(), m.end(), fix)
        for m in doubled_numbers(text, units)
        if (fix := undouble(m)) is not None
    ]
    proven = any(not ambiguous for _, _, (_, _, ambiguous) in found)
    rewrite = Rewrite(text)
    for start, end, (new, sources, ambiguous) in found:
        if proven or not ambiguous:
            rewrite.edit(start, end, new, sources)
    return rewrite.result()


DOUBLED_LINE_MIN = 6
DOUBLED_LINE_MAX = 200
LINE = re.compile(r"[^\n]+")


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


def opens_with_doubled_run(line: str) -> bool:
    """`规上规上…`, `77…`: the line's first run of characters is written twice."""
    half = line.find(line[0], 1)
    while 0 < half <= len(line) // 2:
        if line.startswith(line[:half], half):
            return True
        half = line.find(line[0], half + 1)
    return False


def doubled_line_halves(line: str) -> list[str] | None:
    """The halves of a bold-font line, or None when the line is not one."""
    if not DOUBLED_LINE_MIN <= len(line) <= DOUBLED_LINE_MAX or line != line.strip():
        return None
    if not opens_with_doubled_run(line):
        return None  # a doubled line opens with a doubled run; prose almost never does
    if any(count % 2 for count in Counter(line).values()):
        return None  # doubled runs use every character an even number of times
    halves = split_doubled(line)
    if not halves or not any(len(h) >= 2 and CJK.search(h) for h in halves):
        return None
    return halves


@cache
def native_doubled_lines() -> Callable[[str], list[tuple[int, int]]] | None:
    return doubled_line_candidates(DOUBLED_LINE_MIN, DOUBLED_LINE_MAX)


def doubled_line_spans(text: str) -> list[tuple[int, int]]:
    """The lines that may be doubled: natively, only those of a doubled line's length that
    open with a doubled run (a few of a text's hundreds); else every line."""
    candidates = native_doubled_lines()
    if candidates is not None:
        return candidates(text)
    return [match.span() for match in LINE.finditer(text)]


def repair_doubled_lines(text: str) -> tuple[str, Offsets | None]:
    """A bold PDF heading prints every run twice: `规上工业增加值规上工业增加值`,
    `286286..4242亿元亿元`. Only a whole line made of doubled runs, one of them a doubled
    Chinese word, is proof enough; ordinary prose never is. Each kept character maps to the
    raw character it was copied from."""
    rewrite = Rewrite(text)
    for start, end in doubled_line_spans(text):
        halves = doubled_line_halves(text[start:end])
        if halves is None:
            continue
        sources: list[int] = []
        at = start
        for half in halves:
            sources.extend(range(at, at + len(half)))
            at += 2 * len(half)
        rewrite.edit(start, end, "".join(halves), sources)
    return rewrite.result()


@cache
def repair_passes(units: UnitWords) -> tuple[Pass, ...]:
    """The passes in order; those that must know a figure's unit get the catalogue's."""
    return (
        strip_html,
        mark_table_cells,
        mark_spaced_table_cells,
        fold_width,
        partial(drop_page_numbers, units=units),
        drop_running_heads,
        # After the page marks: a page break may fall inside a gloss (`(g\n- 3 -\nuó)`).
        strip_pinyin_glosses,
        convert_traditional,
        # Before the joins: a dot ends no sentence inside a figure (`6539。\n21亿元`).
        partial(repair_decimal_points, units=units),
        repair_doubled_lines,
        partial(join_wrapped_lines, units=units),
        partial(repair_doubled_glyphs, units=units),
    )


IDLE_TABLES, IDLE_SPACED, IDLE_FOLD, IDLE_PAGES, IDLE_GLOSSES = 1, 2, 4, 8, 16
IDLE_TRADITIONAL, IDLE_DECIMALS, IDLE_DOUBLED_LINES, IDLE_GLYPHS = 32, 64, 128, 256
IDLE_BITS = (
    0,
    IDLE_TABLES,
    IDLE_SPACED,
    IDLE_FOLD,
    IDLE_PAGES,
    0,
    IDLE_GLOSSES,
    IDLE_TRADITIONAL,
    IDLE_DECIMALS,
    IDLE_DOUBLED_LINES,
    0,
    IDLE_GLYPHS,
)
"""Each of `repair_passes`' bit for `UnitWords.idle_passes` (0: the pass always looks for
itself): a pass whose bit the look sets returns its text and None, as its own first look
would have told."""
IDLE_AHEAD = tuple(sum(IDLE_BITS[k:]) for k in range(len(IDLE_BITS)))
"""The bits of each pass and those after it: what is worth looking for from there."""


def compose(outer: OffsetMap, inner: OffsetMap) -> OffsetMap:
    """Offsets of a later pass (`inner`) expressed against the earlier map (`outer`)."""
    return ComposedOffsets(outer, inner)


def normalise_text(raw: str, catalog: Catalog) -> NormalisedText:
    """Run every repair pass, knowing units as `catalog` has them; never raises on odd input."""
    units = unit_words(catalog)
    idle_passes = units.idle_passes
    text = raw
    offsets: OffsetMap | None = None
    # One native look tells which passes have nothing to do in the text, again only when a
    # pass changed it (most texts are changed by the joins alone).
    looked: str | None = None
    idle = 0
    for k, step in enumerate(repair_passes(units)):
        bit = IDLE_BITS[k]
        if bit and idle_passes is not None:
            if text is not looked:
                idle = idle_passes(text, IDLE_AHEAD[k])
                looked = text
            if idle & bit:
                continue
        text, step_offsets = step(text)
        if step_offsets is not None:
            offsets = step_offsets if offsets is None else compose(offsets, step_offsets)
    return NormalisedText(
        text=text, raw_offsets=offsets if offsets is not None else IdentityOffsets(len(raw) + 1)
    )
