"""The native period and year matchers (Rust, transforms/fast_scan.py) find what the period
and year regexes (transforms/periods.py) find: the same matches, spans and groups, on texts
written here, on random texts, and on ../shared's documents when they are there."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.native_scans import (
    LOCAL_FOLDERS,
    documents,
    native,
    on_shared_documents,
    shared_texts,
)
from transforms.periods import (
    PeriodMatch,
    find_periods,
    period_matches,
    period_scanner,
    regex_period_matches,
    regex_year_matches,
    year_matches,
    year_scanner,
)


def both(text: str) -> tuple[list[PeriodMatch], list[PeriodMatch]]:
    scanner = period_scanner()
    assert scanner is not None
    return scanner.matches(text), list(regex_period_matches(text))


# Each line tries an alternative of the pattern, a turn of its backtracking or a lookahead.
WRITTEN = """\
2023年全市生产总值增长5%，1-10月规上工业增加值增长6.1%，1月至7月投资增长3%。
今年一季度、上半年、前三季度、全年；去年同期；前年12月末；过去的一年，过去一年。
2012年到2021年，2019年-2022年，2020年度，2021 年 1—11 月，2023年 ～ 2025年。
11月10日召开；11月份10日；3月上旬；十二月底；8月当月；10月份末；一至三季度，到四季度。
前4个月，前十一月份，首季，第一季度，1季度，二季度末，两个季度，前两季度，至3季度。
１－１０月增长５％，２０２３年１２月，٢٠٢٣年，2023\x1c年，2023\u3000年末，今年以来。
年末余额，年底，本年，当年，上年，上半年度，下半年，以来，同期，同比增长，全市，全年。
𠀋2023年𠀋3月𠀋，𝟐𝟎𝟐𝟑年，2023年🙂1-3月，三四月份，十三月，0月，13月，00月，010月。
"""
EDGES = ["", "年", "2023", "2023年", "月", "1月", "11月1", "11月10", "11月10日", "三月上", "𠀋"]


@native
def test_written_texts_match_as_the_regex_does() -> None:
    for text in [*WRITTEN.splitlines(), WRITTEN, *EDGES]:
        got, want = both(text)
        assert got == want, text
    assert len(both(WRITTEN)[1]) > 40


@native
def test_a_day_after_a_month_is_retried_as_the_regex_does() -> None:
    """`11月份10日`: the month without 份 (no day follows it then); `2023年3月5日`: the year
    alone; `3月5日`: nothing."""
    assert both("11月份10日")[1] == [(0, 3, both("11月份10日")[1][0][2])]
    assert [m[:2] for m in both("2023年3月5日")[0]] == [(0, 5)]
    assert both("3月5日") == ([], [])


FIGURES = "0123456789٣１𝟐一二两三四五六七八九十"
WORDS = "年月份度日旬末底当季个前首第上中下半全以来同期今本去过的到至-—~～ \u3000\x1c，𠀋"
texts = st.text(FIGURES + WORDS, max_size=60)


@native
@settings(max_examples=800)
@given(texts)
def test_random_texts_match_as_the_regex_does(text: str) -> None:
    got, want = both(text)
    assert got == want


@native
def test_a_text_native_code_cannot_take_goes_to_the_regex() -> None:
    text = "2023年1-3月\udc80上半年"  # a lone surrogate (from surrogateescape): not UTF-8
    found = list(period_matches(text))
    assert found == list(regex_period_matches(text))
    assert [m[:2] for m in found] == [(0, 9), (10, 13)]
    assert [p.last_month for p in find_periods(text)] == [3, 6]


YEARS = "2023年，12019年，2020 年，2021\u3000年，٢2022年，𝟐2023年，2024年-2025年，20201年，1999"


@native
@settings(max_examples=800)
@given(st.text("1920٢０𝟐3年 \u3000\x1c\n-至比", max_size=40))
def test_years_match_as_the_regex_does(text: str) -> None:
    """`YEAR_WITH_WORD` natively: its lookbehind (no digit, of any script, before a year)
    checked by hand, a year it rejects tried again a character on."""
    scanner = year_scanner()
    assert scanner is not None
    for written in (text, YEARS):
        assert scanner.matches(written) == list(regex_year_matches(written))
    assert [m[2] for m in scanner.matches(YEARS)] == ["2023", "2020", "2021", "2024", "2025"]
    assert list(year_matches("2023年\udc80")) == [(0, 5, "2023")]  # a lone surrogate: `re`


@native
def test_local_documents_match_as_the_regex_does() -> None:
    paths = documents(LOCAL_FOLDERS)
    assert paths
    for path in paths:
        text = path.read_text(encoding="utf-8")
        got, want = both(text)
        assert got == want, path.name
        assert year_scanner().matches(text) == list(regex_year_matches(text)), path.name


@native
@on_shared_documents
def test_shared_documents_match_as_the_regex_does() -> None:
    total = 0
    for name, text in shared_texts():
        got, want = both(text)
        assert got == want, name
        assert year_scanner().matches(text) == list(regex_year_matches(text)), name
        total += len(want)
    assert total > 500
