"""The native quantity matcher (Rust, transforms/fast_scan.py) finds what the quantity regex
(transforms/numbers.py) finds: the same matches, spans and groups, on texts written here, on
random texts and unit lists, and on ../shared's documents when they are there."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.native_scans import (
    LOCAL_FOLDERS,
    documents,
    native,
    on_shared_documents,
    shared_texts,
)
from transforms import fast_scan
from transforms.catalog import load_catalog
from transforms.numbers import (
    compile_quantity_pattern,
    compile_quantity_scanner,
    quantity_matches,
    quantity_units,
    regex_quantity_matches,
)

UNITS = quantity_units(load_catalog())


def both(text: str, units: tuple[str, ...] = UNITS) -> tuple[list, list]:  # type: ignore[type-arg]
    scanner = compile_quantity_scanner(units)
    assert scanner is not None
    return scanner.matches(text), list(
        regex_quantity_matches(compile_quantity_pattern(units), text)
    )


# Each line tries a turn of the regex's backtracking or one of its lookbehinds.
WRITTEN = """\
全市生产总值1,234.5亿元，增长-2.3%，比上年下降3个百分点，1-10月增长5%，10-20亿元。
投资3万元、5万亿元、两千三百万人、三点五个百分点、十四五规划、三大产业、第三个项目。
1,23亿元；12,345,6元；1,234,567.89亿元；1.2.3亿元；.5亿元；5%-3%；1.5-2%；%-4%。
接近-3%，将近五十万人，大约300家，超过100亿元以上，近千名，约两成，超5000户，逾万人。
增长５％，新增２０００家，٣٤٥元，1٢3个；〇点五倍；五点两亿元；百余家；千余人；3余万元。
1,000,000元左右；200亿元以内；10级；3万千瓦时；8亿千瓦时；4万平方米以上；6平方公里之内。
"""
EDGES = [
    "",
    "元",
    "3",
    "3元",
    "-",
    "-3%",
    "一",
    "万元",
    "1,",
    "1,000",
    "接近",
    "第一万人",
    "点五元",
]


@native
def test_written_texts_match_as_the_regex_does() -> None:
    for text in [*WRITTEN.splitlines(), WRITTEN, *EDGES]:
        got, want = both(text)
        assert got == want, text
    assert len(both(WRITTEN)[1]) > 30


FIGURES = "0123456789٣５,.%-−点余多万亿千零〇一二两三四五六七八九十百第"
WORDS = "元个人家亩以上下左右之内级接近将大约超过逾增长，。 \n"
texts = st.text(FIGURES + WORDS + "𠀋", max_size=80)
unit_lists = st.lists(st.text(FIGURES + WORDS, min_size=1, max_size=3), min_size=1, max_size=8)


@native
@settings(max_examples=400)
@given(texts)
def test_random_texts_match_as_the_regex_does(text: str) -> None:
    got, want = both(text)
    assert got == want


@native
@settings(max_examples=300, deadline=None)
@given(unit_lists, texts)
def test_any_units_match_as_the_regex_does(units: list[str], text: str) -> None:
    """Units that start with a digit, a multiplier (万) or a hedge's character, or that are a
    prefix of another: the backtracking into the number and the multiplier is `re`'s."""
    got, want = both(text, tuple(units))
    assert got == want


@native
def test_a_lone_surrogate_is_read_as_the_regex_reads_it() -> None:
    """Native code reads the code points as Python stores them: a lone surrogate (from
    surrogateescape, not UTF-8) is one more character, in no set."""
    text = "增长3%\udc80新增5家\ud800１２元"
    assert compile_quantity_scanner(UNITS).matches(text) == both(text)[1]
    found = list(quantity_matches(text, load_catalog()))
    assert found == list(regex_quantity_matches(compile_quantity_pattern(UNITS), text))
    assert [m[6] for m in found] == ["3", "5", "１２"]


@native
def test_the_digits_handed_over_are_the_regex_digits(tmp_path: Path) -> None:
    """`\\d` of a `str` pattern: every code point that `re` takes for a digit, and no other,
    as the build records them and as picked out of native code's numeric characters."""
    expected = "".join(re.findall(r"\d", "".join(map(chr, range(sys.maxunicode + 1)))))
    assert fast_scan.decimal_digits() == expected
    assert fast_scan.every_char(str.isdecimal) == expected
    numeric = fast_scan.EXTENSION_MODULE.numeric_chars()  # type: ignore[union-attr]
    assert "".join(c for c in numeric if c.isdecimal()) == expected
    manifest = tmp_path / "fast_scan.json"
    fast_scan.write_manifest(built=True, manifest=manifest)
    assert fast_scan.recorded_chars("digits", manifest) == expected
    fast_scan.write_manifest(built=False, manifest=manifest)
    assert fast_scan.recorded_chars("digits", manifest) is None


@native
def test_local_documents_match_as_the_regex_does() -> None:
    paths = documents(LOCAL_FOLDERS)
    assert paths
    for path in paths:
        got, want = both(path.read_text(encoding="utf-8"))
        assert got == want, path.name


@native
@on_shared_documents
def test_shared_documents_match_as_the_regex_does() -> None:
    total = 0
    for name, text in shared_texts():
        got, want = both(text)
        assert got == want, name
        total += len(want)
    assert total > 1000
