"""The repair passes give the same text and the same offsets with the native looks
(transforms/fast_scan.py, native/src/normalise.rs) as with their Python references, on texts
written here (wraps, doubled glyphs, traditional characters, full-width forms, characters
beyond the Basic Multilingual Plane, lone surrogates) and on random ones."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.native_scans import LOCAL_FOLDERS, SHARED_FOLDERS, documents, native
from transforms import fast_scan
from transforms import normalise as n
from transforms.catalog import load_catalog

CATALOG = load_catalog()
UNITS = n.unit_words(CATALOG)
NATIVE_LOOKS = (
    "native_fold",
    "gloss_starts",
    "native_doubled_lines",
    "native_whitespace_runs",
    "decimal_dot_starts",
    "native_doubled_figures",
    "native_wrap_width",
    "native_apply_edits",
)


@contextmanager
def reference() -> Iterator[dict[str, int]]:
    """The passes without their native looks: each look's factory answers None, as when the
    extension is not built; yields how often each was asked (so a look that the compiled build
    called past the swap would show)."""
    asked = dict.fromkeys((*NATIVE_LOOKS, "traditional_lines"), 0)
    saved = {name: getattr(n, name) for name in asked}
    saved_occurs = UNITS.doubled_unit_occurs
    saved_joins = UNITS.line_joins
    saved_idle = UNITS.idle_passes

    def unbuilt(name: str) -> Callable[[], None]:
        def look() -> None:
            asked[name] += 1

        return look

    try:
        for name in saved:
            setattr(n, name, unbuilt(name))
        object.__setattr__(UNITS, "doubled_unit_occurs", None)
        object.__setattr__(UNITS, "line_joins", None)
        object.__setattr__(UNITS, "idle_passes", None)
        yield asked
    finally:
        for name, look in saved.items():
            setattr(n, name, look)
        object.__setattr__(UNITS, "doubled_unit_occurs", saved_occurs)
        object.__setattr__(UNITS, "line_joins", saved_joins)
        object.__setattr__(UNITS, "idle_passes", saved_idle)


def offsets(map_: n.OffsetMap | None, size: int) -> list[int] | None:
    return None if map_ is None else [map_[i] for i in range(size + 1)]


def run_passes(text: str) -> list[tuple[str, str, list[int] | None]]:
    """Each pass's name, text and offsets, the passes chained from `text` as `normalise_text`
    chains them; a pass that raises ends the list with the error's name."""
    found: list[tuple[str, str, list[int] | None]] = []
    for step in n.repair_passes(UNITS):
        name = getattr(step, "func", step).__name__
        try:
            text, step_offsets = step(text)
        except UnicodeEncodeError as error:  # OpenCC takes no lone surrogate
            found.append((name, type(error).__name__, None))
            break
        found.append((name, text, offsets(step_offsets, len(text))))
    return found


def passes_both_ways(text: str) -> list[tuple[str, str, list[int] | None]]:
    natively = run_passes(text)
    with reference() as asked:
        by_reference = run_passes(text)
    assert natively == by_reference
    assert asked["native_whitespace_runs"] or len(natively) < len(n.repair_passes(UNITS))
    return natively


WRITTEN = [
    # Hard wraps inside a sentence and a figure, a dateline, a list, a table's rows.
    "西宁市2020年国民经济和社会发展统计公报\n西宁市统计局　2021年3月10日\n"
    "全年全市地区生产总值1372.98亿元，按可比价格计算，比上年增长1.5%。其中，第一产业增加值\n"
    "43.57亿元，增长4.2%；第二产业增加值\n423.36\n亿元，增长1.7%。\n一、农业\n(1) 粮食\n"
    "| 指标 | 单位 | 1-8月 |\n地区生产总值 | 7775365 | 5.7 |\n2021\n年 GDP  growth 2 3 ab  cd\n",
    # Doubled glyphs, with and without proof, and a doubled heading line.
    "规上工业增加值规上工业增加值\n286286..4242亿元亿元\n7070个个，20232023年年，11月月底，243243..4444万平方米万平方米\n",
    "1111 and 2020年 with no proof; 11月月底 alone.",
    "个个 .7070个个 1.51.5亿元亿元 3.53.5% 12121212年年 ٣٣个个 2020年年底 0.0..00万元万元 55",
    # Traditional characters, a phrase only OpenCC's phrase list changes, a gloss.
    "經(jīng)濟增(zēng)長(zhǎng)，反覆，乾隆年間，學校。\n乾燥\n著名\n么麼\n",
    "增(zeng)(zeng)長 (de) 的(de)(de)",
    # Full-width forms and odd spaces.
    "增长５．３％，ＧＤＰ　达到１２３亿元\u00a0左右\t\r\n「小巨人」『未来工厂』\ufeff",
    # Decimal points printed as other dots, and commas that are no decimal point.
    "增长3。6%，3·6%，6539。\n21亿元，3,6%，3,12家，1,234,567元，٣,٤%，。5",
    # Beyond the Basic Multilingual Plane, around wraps and doubled runs.
    "𠀋𠀋𠀋𠀋𠀋𠀋\n𠀋增长3.5%，\n𠮷野家 12 34\n經濟𠀋學\n𠀋𠀋个个",
    # A lone surrogate: OpenCC fails on it either way; the other passes go on.
    "增长\ud800个个\n学校",
    "增长\ud800個\n學校",
    "",
    "\n",
    " ",
    "个个",
]


@native
@pytest.mark.parametrize("text", WRITTEN)
def test_written_texts_pass_as_the_reference_does(text: str) -> None:
    passes_both_ways(text)


@native
def test_the_native_looks_are_in_use() -> None:
    assert all(getattr(n, name)() is not None for name in NATIVE_LOOKS)
    if fast_scan.opencc_files() is not None:
        assert n.traditional_lines() is not None
    assert UNITS.doubled_unit_occurs is not None
    assert UNITS.line_joins is not None
    assert UNITS.idle_passes is not None
    converted = passes_both_ways("經濟增長\n无繁体")
    assert ("convert_traditional", "经济增长\n无繁体", None) in converted


PIECES = [
    "增长",
    "亿元",
    "个个",
    "年年",
    "..",
    "2020",
    "11",
    "3.5%",
    "经",
    "經",
    "乾",
    "反覆",
    "(jīng)",
    "（de）",
    "５",
    "　",
    "\t",
    " ",
    "  ",
    "\n",
    "\n\n",
    "。",
    "，",
    "ab",
    "𠀋",
    "|",
    "- 3 -",
    "第3页",
]


@native
def test_python_spaces_are_python_s() -> None:
    assert fast_scan.EXTENSION_MODULE is not None
    spaces = "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())
    assert fast_scan.EXTENSION_MODULE.python_spaces() == spaces


@native
@pytest.mark.parametrize("text", WRITTEN)
def test_wrap_width_as_the_reference(text: str) -> None:
    long_lines = "\n".join(
        " " * (k % 3) + "统计" * (7 + k % 11) + "\u3000\x1c\t" * (k % 2) for k in range(40)
    )
    for sample in (text, text * 3, long_lines + text, "\x1f" + long_lines):
        natively = n.wrap_width(sample)
        with reference() as asked:
            assert n.wrap_width(sample) == natively
        assert asked["native_wrap_width"]


@native
@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40))
def test_random_texts_pass_as_the_reference_does(pieces: list[str]) -> None:
    passes_both_ways("".join(pieces))


JOIN_PIECES = [
    *PIECES,
    "2021年3月10日",
    "2021 年 3 月 1 日",
    "2023-10-27",
    "2023/1/5",
    "17:02",
    "9:30:15",
    "一、",
    "(一)",
    "（3）",
    "1.",
    "12 、",
    "3．5",
    "第三章",
    "■",
    "表",
    "。”",
    "”",
    "%",
    ")",
    ".",
    "!",
    "?",
    "!a",
    ",",
    "；",
    "日",
    "²",
    "٣",
    "亿元",
    "554.10",
    "2021",
    "年",
    "万",
    "统计局发布关于全市经济运行情况的通报",
    "全年全市地区生产总值比上年增长",
    "|",
    "a",
    "\t",
]


@native
@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(JOIN_PIECES), max_size=60))
def test_random_texts_join_as_the_reference_does(pieces: list[str]) -> None:
    text = "".join(pieces)
    joined = n.join_wrapped_lines(text, UNITS)
    with reference():
        by_reference = n.join_wrapped_lines(text, UNITS)
    assert joined[0] == by_reference[0]
    assert offsets(joined[1], len(joined[0])) == offsets(by_reference[1], len(joined[0]))


@native
def test_real_texts_join_as_the_reference_does() -> None:
    """Every text at hand, raw and as the passes before the join leave it."""
    paths = documents(SHARED_FOLDERS + LOCAL_FOLDERS)
    if not paths:
        pytest.skip("no texts at hand")
    for path in paths:
        raw = path.read_text(encoding="utf-8")
        before = raw
        for step in n.repair_passes(UNITS):
            if getattr(step, "func", step) is n.join_wrapped_lines:
                break
            before = step(before)[0]
        for text in (raw, before):
            joined = n.join_wrapped_lines(text, UNITS)
            with reference():
                by_reference = n.join_wrapped_lines(text, UNITS)
            assert joined[0] == by_reference[0], path
            assert offsets(joined[1], len(joined[0])) == offsets(by_reference[1], len(joined[0])), (
                path
            )


def idle_passes_do_nothing(text: str) -> None:
    """Every pass the native look calls idle, at every step of the chain, returns its text
    and None, as `normalise_text` takes it to."""
    looks = UNITS.idle_passes
    assert looks is not None
    passes = n.repair_passes(UNITS)
    for k, step in enumerate(passes):
        if n.IDLE_BITS[k]:
            idle = looks(text, n.IDLE_AHEAD[k])
            for later in range(k, len(passes)):
                if n.IDLE_BITS[later] & idle:
                    assert passes[later](text) == (text, None), (passes[later], text)
        try:
            text = step(text)[0]
        except UnicodeEncodeError:  # OpenCC takes no lone surrogate
            return


@native
@pytest.mark.parametrize("text", WRITTEN)
def test_idle_passes_have_nothing_to_do(text: str) -> None:
    idle_passes_do_nothing(text)
    if "\ud800" in text:
        return  # OpenCC fails on it either way
    normalised = n.normalise_text(text, CATALOG)
    with reference():
        by_reference = n.normalise_text(text, CATALOG)
    assert normalised.text == by_reference.text
    size = len(normalised.text)
    assert offsets(normalised.raw_offsets, size) == offsets(by_reference.raw_offsets, size)


@native
@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*JOIN_PIECES, "- 3 -\n", "\n12\n", " 3.5 4.2 ", "(jī)", "．"])))
def test_random_texts_idle_passes_have_nothing_to_do(pieces: list[str]) -> None:
    idle_passes_do_nothing("".join(pieces))


@native
def test_real_texts_idle_passes_have_nothing_to_do() -> None:
    paths = documents(SHARED_FOLDERS + LOCAL_FOLDERS)
    if not paths:
        pytest.skip("no texts at hand")
    for path in paths:
        idle_passes_do_nothing(path.read_text(encoding="utf-8"))
