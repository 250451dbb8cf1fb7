"""Numbers as reports write them."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from transforms.catalog import load_catalog
from transforms.numbers import (
    RANGE_BEFORE,
    RANGE_LAST,
    RANGE_REACH,
    find_quantities,
    parse_chinese_numeral,
)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("三", 3),
        ("两", 2),
        ("十二", 12),
        ("二十", 20),
        ("两千三百", 2300),
        ("一万零五", 10005),
        ("三点五", 3.5),
    ],
)
def test_chinese_numerals(text, value):
    assert parse_chinese_numeral(text) == value


def test_not_a_numeral():
    assert parse_chinese_numeral("规上") is None


def quantities(text):
    return [
        (q.value, q.unit, q.is_approximate, q.is_bound)
        for q in find_quantities(text, load_catalog())
    ]


def test_multiplier_folds_into_contract_unit():
    assert quantities("1.45万亿元") == [(1.45, "万亿元", False, False)]
    assert quantities("8万家") == [(80000, "家", False, False)]


@pytest.mark.parametrize("text", ["近300家", "超300家", "约300家", "300余家", "超过300家"])
def test_hedged_numbers_are_approximate(text):
    assert quantities(text) == [(300, "家", True, False)]


@pytest.mark.parametrize("text", ["1000亿元以上", "10-300亿元", "千亿级"])
def test_thresholds_and_ranges_are_bounds(text):
    assert all(bound for *_, bound in quantities(text))


def test_chinese_numerals_only_count_things():
    assert quantities("两家企业、三大产业") == [(2, "家", False, False)]


def test_unknown_unit_is_not_a_quantity():
    assert quantities("用电量11.4442亿瓦时") == []


def test_minus_sign_before_a_number_is_kept():
    values = [
        q.value
        for q in find_quantities("增长-2.3%，下降3%，1-10月增长5%，10-20亿元", load_catalog())
    ]
    assert values[:3] == [-2.3, 3.0, 5.0]


def test_enterprises_counted_in_hu_are_counted_in_jia():
    assert quantities("规上工业企业1132户") == [(1132, "家", False, False)]


def test_a_floor_after_a_count_is_a_bound():
    assert quantities("新增规上工业企业100家以上") == [(100, "家", False, True)]


DIGITS = "零一二三四五六七八九"


def to_chinese(n: int) -> str:
    """1..9999 as reports write them (十二, 二十一, 一百零五, 两千三百)."""
    parts = []
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit, n = divmod(n, value)
        if digit:
            parts.append(("两" if digit == 2 and unit in "千百" else DIGITS[digit]) + unit)
        elif parts and n and parts[-1] != "零":
            parts.append("零")
    text = "".join(parts)
    return text[1:] if text.startswith("一十") else text


@given(st.integers(1, 9999))
def test_any_chinese_numeral_parses_back(n):
    assert parse_chinese_numeral(to_chinese(n)) == n


@given(st.integers(1, 9999), st.sampled_from(["家", "个", "项"]))
def test_any_count_in_chinese_numerals_is_found(n, unit):
    assert quantities(f"新增{to_chinese(n)}{unit}") == [(n, unit, False, False)]


@given(
    st.decimals(min_value=1, max_value=99999, places=2).map(str),
    st.sampled_from(["近", "超", "约", "接近", "超过", ""]),
    st.sampled_from(["余", ""]),
    st.sampled_from(["亿元", "万元", "家"]),
)
def test_hedged_amounts_keep_their_number(number, before, after, unit):
    if unit == "家":
        number = number.split(".")[0]
    found = quantities(f"实现{before}{number}{after}{unit}")
    assert found == [(float(number), unit, bool(before or after), False)]


@given(st.decimals(min_value=0, max_value=999, places=2), st.sampled_from(["万亿", "亿", "万"]))
def test_multipliers_fold_into_the_contract_unit(number, mult):
    ((value, unit, *_),) = quantities(f"{number}{mult}元")
    assert (value, unit) == (float(number), f"{mult}元")


@given(st.text("12%亿万元家个-~—–至到\n增长", max_size=12))
def test_a_range_is_found_only_after_a_dash(text):
    """`find_quantities` looks for `RANGE_BEFORE` only where a `RANGE_LAST` character stands
    before the number: everywhere else it finds nothing."""
    for end in range(len(text) + 1):
        found = RANGE_BEFORE.search(text, max(0, end - RANGE_REACH), end)
        assert found is None or text[end - 1] in RANGE_LAST
