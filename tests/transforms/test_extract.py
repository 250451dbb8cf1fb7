"""One short text per phenomenon the extractor must handle (texts written for these tests)."""

import pytest

from transforms.catalog import load_catalog
from transforms.extract import EXTRACTOR_VERSION, extract_document

CATALOG = load_catalog()


def facts(text, doc="t.txt"):
    return {
        (
            f.region,
            f.period_start,
            f.period_end,
            f.indicator,
            f.measure,
            f.qualifier,
            f.denominator,
        ): f.value
        for f in extract_document(doc, text, CATALOG).facts
    }


def keyed(text):
    return {
        (f.indicator, f.measure): f.value for f in extract_document("t.txt", text, CATALOG).facts
    }


def test_version_is_semver():
    assert EXTRACTOR_VERSION.count(".") == 2


def test_value_and_growth_of_a_district():
    got = facts("2022年，长兴县实现规上工业增加值312.5亿元，同比增长6.1%。")
    assert got == {
        ("长兴县", "2022-01", "2022-12", "规模以上工业增加值", "value", None, None): 312.5,
        ("长兴县", "2022-01", "2022-12", "规模以上工业增加值", "yoy_pct", None, None): 6.1,
    }


def test_respectively_distributes_over_listed_indicators():
    got = keyed(
        "2023年，桐乡市工业总产值1180.6亿元、工业销售产值1152.3亿元，分别同比增长6.1%和5.4%。"
    )
    assert got == {
        ("规模以上工业总产值", "value"): 1180.6,
        ("规模以上工业总产值", "yoy_pct"): 6.1,
        ("工业销售产值", "value"): 1152.3,
        ("工业销售产值", "yoy_pct"): 5.4,
    }


def test_elided_list_completes_each_item():
    got = keyed("2021年，海宁市高技术、装备和高新技术等产业制造业增加值分别增长9.6%、7.6%和5.1%。")
    assert got == {
        ("高技术制造业增加值", "yoy_pct"): 9.6,
        ("装备制造业增加值", "yoy_pct"): 7.6,
        ("高新技术产业增加值", "yoy_pct"): 5.1,
    }


def test_list_item_outside_catalogue_keeps_alignment():
    got = keyed("2023年，开化县农林牧渔业、服务业增加值分别增长4.7%、8.5%。")
    assert got == {("服务业增加值", "yoy_pct"): 8.5}


def test_subset_inherits_parent_kind():
    va = keyed("2022年，德清县规上工业增加值260亿元，其中，高新技术产业180.5亿元。")
    assert va[("高新技术产业增加值", "value")] == 180.5
    inv = keyed("2022年，德清县固定资产投资增长9%，其中，高新技术产业增长20.3%。")
    assert inv[("高新技术产业投资", "yoy_pct")] == 20.3


def test_decline_is_negative_and_rate_is_growth():
    got = keyed("2021年，海盐县固定资产投资同比下降8.2%；工业投资增速12.4%。")
    assert got == {("固定资产投资", "yoy_pct"): -8.2, ("工业投资", "yoy_pct"): 12.4}


def test_share_with_denominator():
    got = facts("2022年，嘉善县数字经济核心产业增加值占GDP比重达12.3%。")
    assert list(got.items()) == [
        (
            (
                "嘉善县",
                "2022-01",
                "2022-12",
                "数字经济核心产业增加值",
                "share_pct",
                None,
                "地区生产总值",
            ),
            12.3,
        )
    ]


def test_two_year_average_and_base_comparison():
    got = keyed(
        "2021年1-11月，余姚市规上工业增加值同比增长6.8%，比2019年同期增长14%，两年平均增长7.0%。"
    )
    assert got == {("规模以上工业增加值", "yoy_pct"): 6.8, ("规模以上工业增加值", "avg2y_pct"): 7.0}


def test_targets():
    got = keyed(
        "2021年，上虞区完成工业投资120亿元，超额完成年度目标（市目标增速10%、区目标110亿元）。"
    )
    assert got[("工业投资", "target_yoy_pct")] == 10
    assert got[("工业投资", "target_value")] == 110


@pytest.mark.parametrize("verb", ["力争", "确保"])
def test_a_goal_with_a_number_is_a_target(verb):
    """FACTS.md leaves out plans without a measured number; with one, a goal is a target."""
    got = facts(f"2023年，龙泉市{verb}规上工业增加值达到80亿元，{verb}全年增长7%以上。")
    assert got == {
        ("龙泉市", "2023-01", "2023-12", "规模以上工业增加值", "target_value", None, None): 80,
        ("龙泉市", "2023-01", "2023-12", "规模以上工业增加值", "target_yoy_pct", None, None): 7,
    }


def test_new_and_cumulative_counts():
    got = facts("2022年，诸暨市新增专精特新“小巨人”企业6家，累计达到24家。")
    assert got[("诸暨市", "2022-01", "2022-12", "专精特新小巨人企业数", "value", "新增", None)] == 6
    stock = ("诸暨市", "2022-12", "2022-12", "专精特新小巨人企业数", "value", "累计", None)
    assert got[stock] == 24


def test_count_written_before_its_noun():
    got = facts("2022年绍兴市1200家规模以上工业企业实现工业总产值2100亿元。")
    assert 1200 in got.values() and 2100 in got.values()


@pytest.mark.parametrize(
    "text",
    [
        "2023年划定标准为：规上工业总产值1000亿元以上。",
        "2023年，全县地区生产总值突破100亿元。",
        "2023年，龙泉市力争规上工业企业数量实现新突破。",
        "2023年，龙泉市某公司班产量提高240%，产值3.5亿元。",
    ],
)
def test_not_facts(text):
    assert facts(text) == {}


def test_no_year_no_fact():
    assert facts("全市规上工业增加值同比增长6.8%。") == {}


def test_relative_year_from_publication_line():
    got = facts("发布日期: 2021- 06- 13\n今年1-4月，瑞安市实现规上工业增加值110.46亿元。")
    assert ("瑞安市", "2021-01", "2021-04", "规模以上工业增加值", "value", None, None) in got


def test_own_region_and_other_areas_kept_apart():
    got = facts("2022年，全区规上工业增加值增长5%，全省增长4.1%，全国增长3.6%。萧山区经信局发布。")
    assert got[("萧山区", "2022-01", "2022-12", "规模以上工业增加值", "yoy_pct", None, None)] == 5
    assert got[("浙江省", "2022-01", "2022-12", "规模以上工业增加值", "yoy_pct", None, None)] == 4.1
    assert got[("全国", "2022-01", "2022-12", "规模以上工业增加值", "yoy_pct", None, None)] == 3.6


def test_growth_of_another_noun_is_not_the_subject():
    got = keyed("2021年，永康市规上工业增加值增长9%，其中，电子信息产业增长20.5%。")
    assert got == {("规模以上工业增加值", "yoy_pct"): 9}


def test_same_fact_twice_is_kept_once():
    text = "2021年，义乌市规上工业增加值554亿元。\n2021年，义乌市规上工业增加值554亿元，增长8%。"
    assert len([f for f in extract_document("t", text, CATALOG).facts if f.measure == "value"]) == 1


def test_evidence_offsets_point_into_both_texts():
    raw = "2021年，東陽市實現規上工業增加值554.10\n\n億元。"
    extraction = extract_document("t", raw, CATALOG)
    fact = extraction.facts[0]
    assert extraction.text[fact.start : fact.end] == fact.evidence
    assert raw[fact.raw_start : fact.raw_end].endswith("554.10\n\n億元")


@pytest.mark.parametrize(
    "text",
    ["", "\n\n", "％％％", "<<<>>>", "2021年" * 3, "１" * 500, "增长%分别、、和", "\x00\ufffd"],
)
def test_never_raises_on_odd_text(text):
    assert extract_document("odd", text, CATALOG).facts == []


def test_implausible_growth_is_emitted_as_stated():
    """Plausibility is the quality gate's call (expectations/), not the extractor's."""
    text = (
        "湖州市德清县统计局　2023年8月10日\n\n"
        "今年1-7月，全县规上工业增加值182.4亿元，同比增长950%。\n"
    )
    got = facts(text)
    assert got[("德清县", "2023-01", "2023-07", "规模以上工业增加值", "yoy_pct", None, None)] == 950


def test_doubled_number_without_proof_is_emitted_as_stated():
    got = keyed("2022年，德清县规上工业增加值286286亿元，占GDP比重达150%。")
    assert got[("规模以上工业增加值", "value")] == 286286
    assert got[("规模以上工业增加值", "share_pct")] == 150


def test_land_sold_counted_in_parcels_and_mu():
    got = keyed("2022年，余杭区全年出让工业用地42宗、1268亩。")
    assert got == {("工业用地出让面积", "value"): 1268}


def test_area_created_after_the_division_list_was_built():
    got = facts("临平区统计局　2021年4月28日\n一季度，全区实现规模以上工业增加值152.35亿元。")
    assert got == {
        ("临平区", "2021-01", "2021-03", "规模以上工业增加值", "value", None, None): 152.35
    }


def test_negative_growth_written_with_a_minus_sign():
    got = keyed("2023年上半年，南海区规模以上工业增加值增长-2.3%，固定资产投资同比增长－5.6%。")
    assert got == {("规模以上工业增加值", "yoy_pct"): -2.3, ("固定资产投资", "yoy_pct"): -5.6}


def test_average_annual_growth_is_not_year_on_year():
    assert keyed(
        "“十四五”以来，章丘区规上工业企业数量年均增长10%。2023年，全区规上工业增加值增长8%。"
    ) == {("规模以上工业增加值", "yoy_pct"): 8}


def test_growth_on_a_comparable_basis_is_year_on_year():
    got = keyed("2022年，章丘区一般公共预算收入完成86.2亿元，同口径增长6.1%。")
    assert got == {("一般公共预算收入", "value"): 86.2, ("一般公共预算收入", "yoy_pct"): 6.1}


def test_target_stated_as_a_floor():
    got = keyed("2023年主要预期目标是：章丘区地区生产总值增长6.5%以上，固定资产投资增长12%左右。")
    assert got == {("地区生产总值", "target_yoy_pct"): 6.5, ("固定资产投资", "target_yoy_pct"): 12}


def test_the_past_year_of_a_work_report():
    got = facts(
        "政府工作报告\n2023年1月10日在章丘区人民代表大会上\n"
        "过去一年，全区地区生产总值完成1310亿元，增长4.5%。"
    )
    assert got == {
        ("章丘区", "2022-01", "2022-12", "地区生产总值", "value", None, None): 1310,
        ("章丘区", "2022-01", "2022-12", "地区生产总值", "yoy_pct", None, None): 4.5,
    }


def test_share_of_all_investment_is_a_share_of_the_parent_indicator():
    got = facts("2021年1-5月，寿光市民间投资增长19.8%，占全部投资的比重为71.4%。")
    share = ("寿光市", "2021-01", "2021-05", "民间投资", "share_pct", None, "固定资产投资")
    assert got[share] == 71.4


def test_enterprises_entering_the_above_scale_list_are_added_enterprises():
    got = facts("2022年一季度，猇亭区新增入规企业4家，规上工业企业总数达到108家。")
    assert got[("猇亭区", "2022-01", "2022-03", "规模以上工业企业数", "value", "新增", None)] == 4
    assert got[("猇亭区", "2022-03", "2022-03", "规模以上工业企业数", "value", "累计", None)] == 108


def test_target_count_stated_as_a_floor():
    got = facts("2021年晋江市的主要目标是：新增规上工业企业100家以上。")
    assert got == {
        ("晋江市", "2021-01", "2021-12", "规模以上工业企业数", "target_value", "新增", None): 100
    }


@pytest.mark.parametrize(
    ("wording", "indicator"),
    [
        ("公共财政预算收入", "一般公共预算收入"),
        ("地方一般预算收入", "一般公共预算收入"),
        ("进出口总值", "货物进出口总额"),
        ("外贸出口", "出口总额"),
        ("出口总值", "出口总额"),
    ],
)
def test_older_and_customs_wordings_of_catalogue_indicators(wording, indicator):
    got = keyed(f"2019年，黔东南州社会消费品零售总额386.62亿元；{wording}68.52亿元，增长3.1%。")
    assert got[(indicator, "value")] == 68.52
    assert got[(indicator, "yoy_pct")] == 3.1


def test_counts_written_in_chinese_numerals():
    got = facts(
        "2020年，晋江市新增国家级专精特新“小巨人”企业三家，累计七家；单项冠军示范企业新增两家，总数达十二家。"
    )
    assert got[("晋江市", "2020-01", "2020-12", "专精特新小巨人企业数", "value", "新增", None)] == 3
    assert got[("晋江市", "2020-12", "2020-12", "专精特新小巨人企业数", "value", "累计", None)] == 7
    assert got[("晋江市", "2020-01", "2020-12", "制造业单项冠军企业数", "value", "新增", None)] == 2
    assert (
        got[("晋江市", "2020-12", "2020-12", "制造业单项冠军企业数", "value", "累计", None)] == 12
    )


def test_approximate_figures_keep_their_number_and_say_so():
    got = {
        (f.indicator, f.value, f.is_approximate)
        for f in extract_document(
            "t.txt",
            "2022年上半年，浏阳市规模以上工业企业近1100家；全年累计为企业减负降本约46亿元。",
            CATALOG,
        ).facts
    }
    assert got == {("规模以上工业企业数", 1100, True), ("为企业减负降本金额", 46, True)}


@pytest.mark.parametrize(
    ("text", "report_date"),
    [
        ("发布时间：2024-04-19\n一季度，云南省规上工业增加值增长4.4%。", "2024-04"),
        ("芜湖日报　2024年10月25日　第01版\n前三季度，芜湖市规上工业增加值增长10.2%。", "2024-10"),
        ("1月20日,杭州市公布了2022年经济运行情况。2022年规上工业增加值增长0.3%。", "2023-01"),
        ("2022年，杭州市规上工业增加值增长0.3%。", "2022-12"),
    ],
)
def test_report_date_is_the_documents_own_month(text, report_date):
    assert extract_document("t.txt", text, CATALOG).report_date == report_date


def test_three_industries_written_as_one_word_or_an_elided_ordinal_list():
    assert keyed("2023年，柳州市三次产业增加值分别增长8.1%、7.9%和7.3%。") == {
        ("第一产业增加值", "yoy_pct"): 8.1,
        ("第二产业增加值", "yoy_pct"): 7.9,
        ("第三产业增加值", "yoy_pct"): 7.3,
    }
    got = keyed("2023年，柳州市第一、二、三产业增加值分别为232.85亿元、1190.63亿元和1633.76亿元。")
    assert got[("第二产业增加值", "value")] == 1190.63


def test_an_ordinal_after_a_whole_area_is_no_rank_when_it_names_an_industry():
    got = keyed("2023年，柳州市全市第一产业增加值232.85亿元，增长8.1%。")
    assert got == {("第一产业增加值", "value"): 232.85, ("第一产业增加值", "yoy_pct"): 8.1}


def test_negative_growth_written_as_a_word():
    assert keyed("2023年，柳州市规模以上工业增加值负增长2.1%。") == {
        ("规模以上工业增加值", "yoy_pct"): -2.1
    }


def test_a_level_of_government_before_an_indicator_makes_another_noun():
    assert keyed("2024年1-9月，闵行区完成区级一般公共预算收入186.5亿元，增长3.2%。") == {}


# --- asides, list items and paragraph years (texts written for these tests) ---------------


def test_a_bracketed_national_figure_is_the_nations_and_ends_with_its_bracket():
    got = facts(
        "2023年上半年，吉安市规上工业增加值同比增长6.8%，比全国高3.0个百分点（全国同期增长3.8%），"
        "两年平均增长5.1%（全国同比增长3.9%，两年平均增长4.2%）。其中，装备制造业增加值增长11.2%。"
    )
    span = ("2023-01", "2023-06")
    assert got[("全国", *span, "规模以上工业增加值", "yoy_pct", None, None)] == 3.8
    assert got[("全国", *span, "规模以上工业增加值", "avg2y_pct", None, None)] == 4.2
    assert got[("吉安市", *span, "规模以上工业增加值", "avg2y_pct", None, None)] == 5.1
    assert got[("吉安市", *span, "装备制造业增加值", "yoy_pct", None, None)] == 11.2


def test_a_definition_in_brackets_keeps_the_noun_before_it():
    got = facts("2022年，宜春市新增规上工业企业（年主营业务收入2000万元及以上）136家。")
    assert got == {
        ("宜春市", "2022-01", "2022-12", "规模以上工业企业数", "value", "新增", None): 136
    }


def test_a_stem_and_its_kind_around_a_verb_name_one_indicator():
    got = keyed("2023年上半年，赣县区第二产业实现增加值301.9亿元，同比增长12.4%。")
    assert got == {("第二产业增加值", "value"): 301.9, ("第二产业增加值", "yoy_pct"): 12.4}


def test_a_short_stem_in_a_list_takes_its_parents_kind():
    got = keyed("2023年1-9月，上栗县固定资产投资同比增长10.3%，其中，工业增长15.6%，民间增长2.1%。")
    assert got == {
        ("固定资产投资", "yoy_pct"): 10.3,
        ("工业投资", "yoy_pct"): 15.6,
        ("民间投资", "yoy_pct"): 2.1,
    }


def test_a_short_stem_with_no_parent_is_a_word():
    assert keyed("2023年，上栗县工业增长15.6%。") == {}


def test_an_award_is_a_new_count_and_a_semicolon_ends_a_qualifier():
    got = facts("2022年，萍乡市获评国家级制造业单项冠军企业2个；省级专精特新中小企业达到312家。")
    assert got[("萍乡市", "2022-01", "2022-12", "制造业单项冠军企业数", "value", "新增", None)] == 2
    stock = ("萍乡市", "2022-12", "2022-12", "省级专精特新中小企业数", "value", "累计", None)
    assert got[stock] == 312


def test_a_period_after_now_holds_for_its_clause():
    got = facts(
        "萍乡市工信局 2023年7月15日\n截至目前，全市累计拥有国家级专精特新“小巨人”企业40家，"
        "其中上半年新增三家；省级专精特新中小企业达到312家。"
    )
    assert got[("萍乡市", "2023-01", "2023-06", "专精特新小巨人企业数", "value", "新增", None)] == 3
    assert (
        got[("萍乡市", "2023-07", "2023-07", "省级专精特新中小企业数", "value", "累计", None)]
        == 312
    )


def test_a_bare_period_in_a_paragraph_about_last_year_is_of_that_year():
    got = facts(
        "萍乡日报 2025-04-28\n一季度，萍乡市地区生产总值218.5亿元，同比增长6.2%。\n"
        "回顾去年，全市地区生产总值达到926.3亿元；全年新增规上工业企业8家。"
    )
    assert got[("萍乡市", "2024-01", "2024-12", "地区生产总值", "value", None, None)] == 926.3
    assert got[("萍乡市", "2024-01", "2024-12", "规模以上工业企业数", "value", "新增", None)] == 8
    assert got[("萍乡市", "2025-01", "2025-03", "地区生产总值", "value", None, None)] == 218.5


def test_a_county_short_name_far_from_the_document_is_a_word():
    # 新建 is also 新建区 of 南昌, a province away from 长春.
    got = facts("长春市工信局 2023年1月10日\n2022年，全市新建投产入规企业41家。")
    assert all(key[0] == "长春市" for key in got)


def test_a_county_short_name_inside_a_word_does_not_make_the_document_its_own():
    got = facts(
        "临沂日报　2025年4月24日\n今年一季度，全市实现地区生产总值1492.6亿元。"
        "外部环境复杂多变，下一步将稳增长。"
    )  # 复杂多变 holds 杂多 (杂多县, Qinghai); the local daily names the document's city
    assert got == {("临沂市", "2025-01", "2025-03", "地区生产总值", "value", None, None): 1492.6}


def test_a_table_row_named_by_a_stem_alone():
    got = facts(
        "2021年1-12月吴忠市主要经济指标\n\n| 指标名称 | 计量单位 | 1-12月 | 同比增长(%) |\n"
        "| 地区生产总值 | 万元 | 2,786,541 | 7.8 |\n| 　第一产业 | 万元 | 268,902 | 4.6 |\n"
    )
    assert got[("吴忠市", "2021-01", "2021-12", "第一产业增加值", "value", None, None)] == 268902
    assert got[("吴忠市", "2021-01", "2021-12", "第一产业增加值", "yoy_pct", None, None)] == 4.6


def test_flat_growth_is_zero():
    got = keyed("2018年1-11月，鞍山市工业投资下降8.2%，技改投资与上年同期持平。")
    assert got == {("工业投资", "yoy_pct"): -8.2, ("工业技改投资", "yoy_pct"): 0.0}


def test_a_bases_own_figure_with_its_growth_word():
    got = facts(
        "2022年上半年，株洲市社会消费品零售总额597.3亿元，增长2.3%，好于全国（同期下降0.7%）。"
    )
    assert got[("全国", "2022-01", "2022-06", "社会消费品零售总额", "yoy_pct", None, None)] == -0.7
    assert got[("株洲市", "2022-01", "2022-06", "社会消费品零售总额", "yoy_pct", None, None)] == 2.3


def test_a_level_reached_after_a_new_count_is_a_stock():
    got = facts("2018年，新会区新增上市企业1家，全区上市企业达到5家。")
    assert got == {
        ("新会区", "2018-01", "2018-12", "上市企业数", "value", "新增", None): 1,
        ("新会区", "2018-12", "2018-12", "上市企业数", "value", "累计", None): 5,
    }


def test_a_zone_outside_the_division_list_is_the_documents_area():
    got = facts(
        "赣江新区1-6月经济运行简况\n赣江新区管委会经济发展局　2024年7月18日\n"
        "1-6月，新区规上工业增加值同比增长8.9%。"
    )
    assert got == {
        ("赣江新区", "2024-01", "2024-06", "规模以上工业增加值", "yoy_pct", None, None): 8.9
    }
