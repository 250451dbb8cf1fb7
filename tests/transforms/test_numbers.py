"""Numbers as reports write them."""

import pytest

from transforms.numbers import find_quantities, parse_chinese_numeral


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
    return [(q.value, q.unit, q.is_approximate, q.is_bound) for q in find_quantities(text)]


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
    values = [q.value for q in find_quantities("增长-2.3%，下降3%，1-10月增长5%，10-20亿元")]
    assert values[:3] == [-2.3, 3.0, 5.0]
