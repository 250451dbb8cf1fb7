"""Period phrases map to months; the document's own date."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from transforms.periods import (
    EXPLICIT_YEAR,
    PUBLICATION,
    find_lead_month,
    find_periods,
    find_publication_date,
    infer_document_year,
    publication_matches,
)


def months(text):
    found = list(find_periods(text))
    assert found, text
    m = found[0]
    return m.first_month, m.last_month, m.is_point


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("全年", (1, 12, False)),
        ("1-10月", (1, 10, False)),
        ("1—10月", (1, 10, False)),
        ("1~10月", (1, 10, False)),
        ("前10个月", (1, 10, False)),
        ("前10月", (1, 10, False)),
        ("一季度", (1, 3, False)),
        ("首季", (1, 3, False)),
        ("上半年", (1, 6, False)),
        ("前三季度", (1, 9, False)),
        ("到3季度", (1, 9, False)),
        ("8月", (8, 8, False)),
        ("11月份", (11, 11, False)),
        ("8月当月", (8, 8, False)),
        ("年末", (12, 12, True)),
        ("二季度末", (6, 6, True)),
        ("1至11月", (1, 11, False)),
    ],
)
def test_period_phrases(text, expected):
    assert months(text) == expected


def test_date_is_not_a_period():
    assert all(p.first_month != 11 for p in find_periods("11月10日召开"))


@given(st.integers(1, 12), st.sampled_from(["-", "—", "~", "至", "－"]))
def test_any_month_range_maps_to_its_months(last, dash):
    text = f"1{dash}{last}月"
    found = list(find_periods(text.replace("－", "-")))
    assert (found[0].first_month, found[0].last_month) == (1, last)


@given(st.integers(1, 12))
def test_first_n_months(n):
    assert months(f"前{n}个月")[:2] == (1, n)


def test_relative_years():
    found = list(find_periods("今年前4月，去年全年"))
    assert (found[0].rel, found[1].rel) == (0, -1)


def test_publication_line_with_spaces():
    assert find_publication_date("首页\n发布日期: 2021- 06- 13 10: 37 浏览次数") == (2021, 6)


def test_event_date_in_prose_is_not_a_dateline():
    text = "2024年7月，萧山召开新型工业化推进大会，进一步确立了工业的发展地位并在全省首推行动。"
    assert find_publication_date(text) is None


def test_document_year_ignores_plan_years():
    assert infer_document_year("2022年全市实现增长，预计到2035年建成。") == 2022


def test_base_year_implies_later_report_year():
    assert infer_document_year("投资比2019年1-11月增长3.2%，两年平均增长1.6%") == 2021


def test_publication_month_in_brackets_under_a_title():
    assert find_publication_date("余杭区经信局2022年度工作总结\n\n（2023年1月）\n\n2022年") == (
        2023,
        1,
    )


CN_MONTHS = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"]


@given(st.integers(1, 12), st.sampled_from(["至", "-", "—"]), st.booleans())
def test_month_ranges_in_chinese_numerals(last, dash, with_fen):
    text = f"一{dash}{CN_MONTHS[last - 1]}月{'份' if with_fen else ''}"
    assert months(text)[:2] == (1, last)


@given(
    st.sampled_from([("一", 3), ("二", 6), ("三", 9), ("四", 12)]), st.sampled_from(["前", "1-"])
)
def test_cumulative_quarters(quarter, lead):
    word, last = quarter
    if lead == "1-":
        word = str(last // 3)
    assert months(f"{lead}{word}季度")[:2] == (1, last)


@given(st.integers(2000, 2030), st.integers(1, 12), st.integers(1, 28))
def test_dateline_with_anything_after_it_on_a_short_line(year, month, day):
    text = f"芜湖日报　{year}年{month}月{day}日　第01版\n本报讯 前三季度，全市..."
    assert find_publication_date(text) == (year, month)


def test_month_only_dateline_under_a_bulletins_title():
    text = "滨海新区2023年国民经济和社会发展统计公报\n天津市滨海新区统计局　2024年4月\n全年..."
    assert find_publication_date(text) == (2024, 4)


def test_a_monthly_reports_title_is_no_dateline():
    assert find_publication_date("2023年12月全市经济运行情况\n12月份，全市...") is None


def test_lead_date_without_year_is_found_near_the_top():
    assert find_lead_month("1月20日,杭州市公布了2022年经济运行情况。") == 1
    assert find_lead_month("浏阳日报7月21日讯（记者 周婷）今天") == 7
    assert find_lead_month("全市...。" * 80 + "\n5月3日，") is None


DATE_PIECES = st.sampled_from(
    ("20", "21", "2023", "年", "月", "日", "-", "/", ".", ":", "：", " ", "\n", "\t", "\u3000",
     "发布", "日期", "时间", "更新", "5", "12", "统计局")
)  # fmt: skip


@given(st.lists(DATE_PIECES, max_size=14).map("".join))
def test_publication_matches_are_finditers(head):
    """Trying the pattern only around years finds what `finditer` finds everywhere."""
    expected = [(m.span(), m.groups()) for m in PUBLICATION.finditer(head)]
    assert [(m.span(), m.groups()) for m in publication_matches(head)] == expected


@pytest.mark.parametrize("text", ["2023年", "12023年", "x2023年", "1920年到2020年", "2021-2023年"])
def test_explicit_year_needs_no_digit_before_it(text):
    """The lookbehind written after the century still looks before it."""
    reference = r"(?<!\d)((?:19|20)\d{2})\s*年(?!\s*[-—–~至到]\s*(?:19|20)\d{2})"
    assert [m.span() for m in EXPLICIT_YEAR.finditer(text)] == [
        m.span() for m in re.finditer(reference, text)
    ]
