"""Tables: a pipe, tab or HTML table's rows give facts by their columns' periods and units.

Texts written for these tests.
"""

from transforms.catalog import load_catalog
from transforms.extract import extract_document
from transforms.lexicon import lexicon
from transforms.normalise import normalise_text
from transforms.tables import find_tables, split_cells

CATALOG = load_catalog()


def rows(text):
    return {
        (f.region, f.period_start, f.period_end, f.indicator, f.measure, f.unit): f.value
        for f in extract_document("t.txt", text, CATALOG).facts
    }


MONTHLY = (
    "正定县统计月报\n正定县统计局　2023年9月15日\n"
    "表1　2023年1-8月正定县主要经济指标\n"
    "| 指标名称 | 计量单位 | 8月 | 1-8月 | 1-8月同比增长(%) |\n"
    "|---|---|---|---|---|\n"
    "| 规模以上工业增加值增速 | % | 7.2 | 8.6 | — |\n"
    "| 社会消费品零售总额 | 万元 | 209873 | 1634720 | 6.8 |\n"
    "| 　其中：出口 | 万元 | 10892 | 80547 | -8.6 |\n"
    "| 规模以上工业企业营业收入 | 万元 | — | 3156204 | 6.1 |\n"
)


def test_month_and_cumulative_columns_and_a_growth_column():
    assert rows(MONTHLY) == {
        ("正定县", "2023-08", "2023-08", "规模以上工业增加值", "yoy_pct", "%"): 7.2,
        ("正定县", "2023-01", "2023-08", "规模以上工业增加值", "yoy_pct", "%"): 8.6,
        ("正定县", "2023-08", "2023-08", "社会消费品零售总额", "value", "万元"): 209873,
        ("正定县", "2023-01", "2023-08", "社会消费品零售总额", "value", "万元"): 1634720,
        ("正定县", "2023-01", "2023-08", "社会消费品零售总额", "yoy_pct", "%"): 6.8,
        ("正定县", "2023-08", "2023-08", "出口总额", "value", "万元"): 10892,
        ("正定县", "2023-01", "2023-08", "出口总额", "value", "万元"): 80547,
        ("正定县", "2023-01", "2023-08", "出口总额", "yoy_pct", "%"): -8.6,
    }


def test_a_table_titled_with_another_area_is_that_areas():
    text = (
        "正定县统计局　2023年9月15日\n1-8月，全县规模以上工业增加值同比增长8.6%。\n"
        "三、石家庄市主要指标（1-8月）\n| 指标名称 | 1-8月同比增长(%) |\n|---|---|\n"
        "| 规模以上工业增加值 | 7.4 |\n| 固定资产投资 | 5.1 |\n"
    )
    got = rows(text)
    assert got[("石家庄市", "2023-01", "2023-08", "规模以上工业增加值", "yoy_pct", "%")] == 7.4
    assert got[("石家庄市", "2023-01", "2023-08", "固定资产投资", "yoy_pct", "%")] == 5.1


def test_a_table_restating_the_prose_adds_nothing():
    text = (
        "临平区统计局　2021年4月28日\n"
        "一季度，全区实现规模以上工业增加值152.35亿元，同比增长38.6%。\n"
        "表1　临平区2021年一季度主要经济指标\n指标 | 单位 | 1-3月 | 同比增长(%)\n"
        "规模以上工业增加值 | 万元 | 1523500 | 38.6\n"
    )
    got = extract_document("t.txt", text, CATALOG).facts
    assert [(f.measure, f.unit, f.evidence[:9]) for f in got] == [
        ("value", "亿元", "规模以上工业增加值"),
        ("yoy_pct", "%", "规模以上工业增加值"),
    ]


def test_columns_laid_out_with_tabs():
    text = (
        "泰州市2023年12月统计月报\n泰州市统计局 2024年1月20日\n"
        "指标名称\t计量单位\t12月\t1-12月\t增长%\n"
        "规模以上工业增加值\t%\t—\t—\t8.9\n"
        "社会消费品零售总额\t亿元\t198.6\t1846.2\t6.8\n"
    )
    assert rows(text) == {
        ("泰州市", "2023-01", "2023-12", "规模以上工业增加值", "yoy_pct", "%"): 8.9,
        ("泰州市", "2023-12", "2023-12", "社会消费品零售总额", "value", "亿元"): 198.6,
        ("泰州市", "2023-01", "2023-12", "社会消费品零售总额", "value", "亿元"): 1846.2,
        ("泰州市", "2023-01", "2023-12", "社会消费品零售总额", "yoy_pct", "%"): 6.8,
    }


def test_an_html_table_with_this_month_and_year_to_date_columns():
    text = (
        "<h2>2024年1-6月宜宾市主要经济指标</h2><p>发布时间：2024-07-26</p><table>"
        "<tr><th>指标</th><th>单位</th><th>本月</th><th>1-本月</th><th>比上年同期增长(%)</th></tr>"
        "<tr><td>一般公共预算收入</td><td>亿元</td><td>21.3</td><td>136.9</td><td>4.1</td></tr>"
        "</table>"
    )
    assert rows(text) == {
        ("宜宾市", "2024-06", "2024-06", "一般公共预算收入", "value", "亿元"): 21.3,
        ("宜宾市", "2024-01", "2024-06", "一般公共预算收入", "value", "亿元"): 136.9,
        ("宜宾市", "2024-01", "2024-06", "一般公共预算收入", "yoy_pct", "%"): 4.1,
    }


def test_share_and_rank_columns_are_not_growth():
    text = (
        "2023年巍山县主要经济指标\n| 指标 | 单位 | 2023年 | 占全市比重(%) | 比上年增长(%) |\n"
        "| 地区生产总值 | 亿元 | 112.35 | 8.1 | 4.8 |\n"
    )
    got = rows(text)
    assert got[("巍山彝族回族自治县", "2023-01", "2023-12", "地区生产总值", "yoy_pct", "%")] == 4.8
    assert 8.1 not in got.values()


def test_cells_keep_their_offsets():
    text = "| 规模以上工业总产值 | 万元 | 421563 |"
    cells = split_cells(text, 0, len(text))
    assert [text[c.start : c.end] for c in cells] == ["规模以上工业总产值", "万元", "421563"]


def test_section_and_title_rows_are_not_data():
    text = normalise_text(
        "表1 2022年地区生产总值 | ||\n指标 | 绝对额(万元) | 同比增长(%) |\n"
        "地区生产总值 | 7775365 | 5.7 |\n按行业分 | ||\n工业 | 220264 | 2.1 |\n",
        CATALOG,
    ).text
    (table,) = find_tables(text, lexicon(CATALOG).table_headers)
    assert "2022年地区生产总值" in table.title
    assert [c.role for c in table.columns] == ["label", "value", "growth"]
    assert [r.cells[0].text for r in table.rows] == ["地区生产总值", "工业"]


def test_a_unit_stated_above_the_table_and_counts_in_hu():
    text = (
        "2023年巍山县主要经济指标\n单位：万元\n| 指标 | 2023年 | 比上年增长(%) |\n"
        "| 社会消费品零售总额 | 386500 | 5.2 |\n| 规模以上工业企业(户) | 28 | |\n"
    )
    got = rows(text)
    key = ("巍山彝族回族自治县", "2023-01", "2023-12", "社会消费品零售总额", "value", "万元")
    assert got[key] == 386500
    assert (
        got[("巍山彝族回族自治县", "2023-12", "2023-12", "规模以上工业企业数", "value", "家")] == 28
    )


def test_a_table_of_areas_by_indicator_columns():
    text = (
        "2024年一季度全省各市（州）主要经济指标\n湖北省统计局　2024年4月25日\n"
        "| 地区 | 地区生产总值(亿元) | 增长(%) | 规模以上工业增加值增速(%) |\n|---|---|---|---|\n"
        "| 全省 | 12485.4 | 6.1 | 7.2 |\n| 宜昌市 | 1245.7 | 6.5 | 7.8 |\n"
        "| 恩施州 | 312.6 | 6.2 | 8.3 |\n"
    )
    got = rows(text)
    assert got[("湖北省", "2024-01", "2024-03", "地区生产总值", "value", "亿元")] == 12485.4
    assert got[("宜昌市", "2024-01", "2024-03", "地区生产总值", "yoy_pct", "%")] == 6.5
    assert got[("宜昌市", "2024-01", "2024-03", "规模以上工业增加值", "yoy_pct", "%")] == 7.8
    assert (
        got[("恩施土家族苗族自治州", "2024-01", "2024-03", "地区生产总值", "value", "亿元")]
        == 312.6
    )
    assert len(got) == 9


def test_a_group_header_line_heads_the_columns_below_it():
    text = (
        "| 指标 | 1-9月 | | 9月 | |\n| | 绝对额(亿元) | 增速(%) | 绝对额(亿元) | 增速(%) |\n"
        "| 规上工业增加值 | 260.9 | 6.5 | 30.1 | 7.2 |\n"
    )
    (table,) = find_tables(text, lexicon(CATALOG).table_headers)
    assert [(c.header, c.role, c.unit) for c in table.columns[1:]] == [
        ("1-9月 绝对额(亿元)", "value", "亿元"),
        ("1-9月 增速(%)", "growth", "%"),
        ("9月 绝对额(亿元)", "value", "亿元"),
        ("9月 增速(%)", "growth", "%"),
    ]


def test_row_numbers_and_units_after_a_header_name():
    text = "| 序号 | 地区 | 一般公共预算收入 亿元 | 增长% |\n| 1 | 长兴县 | 80.2 | 5.9 |\n"
    (table,) = find_tables(text, lexicon(CATALOG).table_headers)
    assert [(c.name, c.role, c.unit) for c in table.columns] == [
        ("地区", "label", None),
        ("一般公共预算收入", "value", "亿元"),
        ("增长", "growth", "%"),
    ]
    assert [c.text for c in table.rows[0].cells] == ["长兴县", "80.2", "5.9"]
