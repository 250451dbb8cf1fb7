"""What a cue governs and for how long: targets, periods and areas end where the text says.

One short text per phenomenon, written for these tests.
"""

from transforms.catalog import load_catalog
from transforms.extract import extract_document

CATALOG = load_catalog()


def rows(text, doc="t.txt"):
    return {
        (f.region, f.period_start, f.period_end, f.indicator, f.measure): f.value
        for f in extract_document(doc, text, CATALOG).facts
        if f.measure not in ("rank", "pp_change")
    }


def measures(text):
    return {
        (f.indicator, f.measure): f.value for f in extract_document("t.txt", text, CATALOG).facts
    }


# --- targets --------------------------------------------------------------------------------


def test_target_ends_with_its_clause():
    got = measures(
        "2022年，长兴县完成工业投资142.35亿元，同比增长21.4%，超额完成年度目标（目标增速12%）；"
        "其中，制造业投资98.6亿元，同比增长32.7%。"
    )
    assert got[("工业投资", "target_yoy_pct")] == 12
    assert got[("制造业投资", "value")] == 98.6
    assert got[("制造业投资", "yoy_pct")] == 32.7
    assert not {m for _, m in got if m.startswith("target")} - {"target_yoy_pct"}
    assert ("制造业投资", "target_yoy_pct") not in got


def test_targets_listed_after_a_colon_are_all_targets_of_their_year():
    got = rows(
        "2023年，平湖市地区生产总值增长6.1%。\n"
        "今年全市的主要预期目标是：地区生产总值增长6.5%左右；规上工业增加值增长7%；"
        "固定资产投资增长8%。\n发布日期：2024-01-20"
    )
    assert got[("平湖市", "2023-01", "2023-12", "地区生产总值", "yoy_pct")] == 6.1
    assert got[("平湖市", "2024-01", "2024-12", "地区生产总值", "target_yoy_pct")] == 6.5
    assert got[("平湖市", "2024-01", "2024-12", "规模以上工业增加值", "target_yoy_pct")] == 7
    assert got[("平湖市", "2024-01", "2024-12", "固定资产投资", "target_yoy_pct")] == 8
    assert not [k for k in got if k[4] == "yoy_pct" and k[1].startswith("2024")]


# --- periods --------------------------------------------------------------------------------


def test_later_year_in_a_review_does_not_move_its_figures():
    got = rows(
        "余杭区经信局2022年度工作总结\n（2023年1月）\n"
        "2022年，余杭区新增规上工业企业68家。对当年首次纳入规上统计的企业给予奖励。"
        "到2025年，力争规上工业企业数量翻番。新增省级未来工厂2家。"
    )
    assert got[("余杭区", "2022-01", "2022-12", "省级未来工厂数", "value")] == 2
    assert not [k for k in got if k[1].startswith(("2023", "2025"))]


def test_same_period_last_year_is_a_digression_of_one_sentence():
    got = rows(
        "2021年上半年，柯桥区地区生产总值842.36亿元，同比增长14.8%。"
        "去年同期，受疫情冲击，全区地区生产总值同比下降0.5%。"
        "分产业看，第一产业增加值10.25亿元。"
    )
    assert got[("柯桥区", "2020-01", "2020-06", "地区生产总值", "yoy_pct")] == -0.5
    assert got[("柯桥区", "2021-01", "2021-06", "第一产业增加值", "value")] == 10.25


def test_last_year_named_mid_clause_holds_for_that_clause_only():
    got = rows(
        "1-8月，滨江区固定资产投资同比增长5.4%。其中，制造业投资同比下降9.8%，"
        "主要受去年同期重大项目集中入库影响；民间投资同比下降3.6%。\n发布时间：2023-09-15"
    )
    assert got[("滨江区", "2023-01", "2023-08", "民间投资", "yoy_pct")] == -3.6


def test_current_month_inside_a_cumulative_report_ends_with_its_sentence():
    got = rows(
        "1-8月，滨江区规上工业增加值同比增长8.2%。其中，8月当月规上工业增加值同比增长11.6%。"
        "规模以上工业总产值2105.6亿元。\n发布时间：2023-09-15"
    )
    assert got[("滨江区", "2023-08", "2023-08", "规模以上工业增加值", "yoy_pct")] == 11.6
    assert got[("滨江区", "2023-01", "2023-08", "规模以上工业总产值", "value")] == 2105.6


def test_a_monthly_release_keeps_its_month():
    got = rows(
        "浙江省2021年11月规模以上工业增加值增长4.3%\n"
        "11月份，全省规模以上工业增加值同比增长4.3%，1-11月累计增长14.0%。"
        "11月份，规模以上工业新产品产值同比增长22.4%。高技术制造业增加值增长9.6%。"
    )
    assert got[("浙江省", "2021-11", "2021-11", "高技术制造业增加值", "yoy_pct")] == 9.6
    assert got[("浙江省", "2021-01", "2021-11", "规模以上工业增加值", "yoy_pct")] == 14.0


def test_year_end_stock_date_ends_with_its_sentence():
    got = rows(
        "2021年，昆山市新增上市企业8家，年末累计上市企业47家。新增国家级专精特新“小巨人”企业11家。"
    )
    assert got[("昆山市", "2021-12", "2021-12", "上市企业数", "value")] == 47
    assert got[("昆山市", "2021-01", "2021-12", "专精特新小巨人企业数", "value")] == 11


def test_additions_up_to_a_stock_date_count_from_january():
    got = rows("2022年，截至9月底，海盐县新增上市企业3家。")
    assert got == {("海盐县", "2022-01", "2022-09", "上市企业数", "value"): 3}


# --- areas ----------------------------------------------------------------------------------


def test_area_in_a_rank_phrase_is_not_the_subject_area():
    got = rows(
        "2022年，余杭区新增国家级专精特新“小巨人”企业19家，总量居全省区县第一；"
        "新增省级专精特新中小企业186家；规上工业增加值增速居杭州市第二，固定资产投资增长9%。"
    )
    assert got[("余杭区", "2022-01", "2022-12", "省级专精特新中小企业数", "value")] == 186
    assert got[("余杭区", "2022-01", "2022-12", "固定资产投资", "yoy_pct")] == 9
    assert {k[0] for k in got} == {"余杭区"}


def test_area_after_a_comparison_word_is_the_base():
    got = rows(
        "2024年一季度，宁波市地区生产总值3928.6亿元，增速分别高于全国、全省1.2个和0.4个百分点。"
        "其中，第一产业增加值68.2亿元。"
    )
    assert {k[0] for k in got} == {"宁波市"}
    assert got[("宁波市", "2024-01", "2024-03", "第一产业增加值", "value")] == 68.2


def test_area_as_an_attribute_is_not_the_subject_area():
    got = rows("2023年，青州市入选全省首批“链主”企业3家，新增规上工业企业56家。")
    assert got == {("青州市", "2023-01", "2023-12", "规模以上工业企业数", "value"): 56}


def test_provincial_figure_stays_provincial():
    got = rows(
        "2024年一季度，宁波市规上工业增加值增长8.9%。同期，全省规上工业增加值增长8.6%，全国增长6.1%。"
    )
    assert got[("浙江省", "2024-01", "2024-03", "规模以上工业增加值", "yoy_pct")] == 8.6
    assert got[("全国", "2024-01", "2024-03", "规模以上工业增加值", "yoy_pct")] == 6.1


def test_listed_areas_share_out_listed_numbers():
    got = rows(
        "2023年，嘉兴市新增规上工业企业612家。其中，海宁市、桐乡市分别新增规上工业企业96家和88家。"
    )
    assert got == {
        ("嘉兴市", "2023-01", "2023-12", "规模以上工业企业数", "value"): 612,
        ("海宁市", "2023-01", "2023-12", "规模以上工业企业数", "value"): 96,
        ("桐乡市", "2023-01", "2023-12", "规模以上工业企业数", "value"): 88,
    }


# --- nouns ----------------------------------------------------------------------------------


def test_narrower_noun_ending_in_an_indicator_name_is_not_the_indicator():
    got = measures(
        "2023年前三季度，武侯区计算机、通信和其他电子设备制造业增加值同比下降9.3%，"
        "先进制造业增加值增长8.3%，高技术制造业增加值同比增长6.9%；一般贸易出口增长4.6%。"
    )
    assert got == {("高技术制造业增加值", "yoy_pct"): 6.9}


def test_dateline_is_not_the_period_reported_on():
    got = rows(
        "青田县统计局\n（2024年1月）\n去年，全县地区生产总值增长6%。全年规上工业增加值增长7%。"
    )
    assert got == {
        ("青田县", "2023-01", "2023-12", "地区生产总值", "yoy_pct"): 6,
        ("青田县", "2023-01", "2023-12", "规模以上工业增加值", "yoy_pct"): 7,
    }


def test_a_quarter_inside_the_half_year_ends_with_its_sentence():
    got = rows(
        "2023年上半年，鄞州区地区生产总值同比增长6.2%。二季度，全区地区生产总值同比增长7.1%。"
        "规上工业增加值同比增长5.3%。"
    )
    assert got[("鄞州区", "2023-04", "2023-06", "地区生产总值", "yoy_pct")] == 7.1
    assert got[("鄞州区", "2023-01", "2023-06", "规模以上工业增加值", "yoy_pct")] == 5.3


# --- reaches added in 0.3.0 ------------------------------------------------------------------


def test_last_year_leading_a_paragraph_holds_for_the_paragraph():
    got = rows(
        "2025-06-20 08:15　来源：榆林日报\n"
        "前5个月，全市规上工业增加值同比增长6.8%。\n"
        "市长：去年，全市地区生产总值达到2096.7亿元。年末规上工业企业总数达到276家。\n"
        "前5个月，神木市固定资产投资增长9.6%。"
    )
    assert got[("神木市", "2024-01", "2024-12", "地区生产总值", "value")] == 2096.7
    assert got[("神木市", "2024-12", "2024-12", "规模以上工业企业数", "value")] == 276
    assert got[("神木市", "2025-01", "2025-05", "固定资产投资", "yoy_pct")] == 9.6


def test_a_month_singled_out_with_a_lead_word_holds_for_its_sentence():
    got = rows(
        "2025-06-20　来源：榆林日报\n前5个月，神木市规上工业增加值同比增长6.8%。"
        "单看5月份，规上工业增加值增长5.9%。"
    )
    assert got[("神木市", "2025-05", "2025-05", "规模以上工业增加值", "yoy_pct")] == 5.9


def test_a_sentence_that_opens_with_a_target_lists_targets():
    got = measures(
        "2025-06-20　来源：榆林日报\n今年神木市地区生产总值预期增长6%左右，"
        "规上工业增加值增长6.5%，固定资产投资增长10%。"
    )
    assert got == {
        ("地区生产总值", "target_yoy_pct"): 6,
        ("规模以上工业增加值", "target_yoy_pct"): 6.5,
        ("固定资产投资", "target_yoy_pct"): 10,
    }


def test_a_heading_of_targets_makes_its_paragraph_targets():
    got = rows(
        "南宁市2023年计划执行情况\n2023年，全市地区生产总值增长4.0%。\n"
        "二、2024年主要预期目标\n地区生产总值增长6%；规模以上工业增加值增长8%。\n"
        "三、主要任务\n全市规上工业增加值增长6.5%。"
    )
    assert got == {
        ("南宁市", "2023-01", "2023-12", "地区生产总值", "yoy_pct"): 4.0,
        ("南宁市", "2024-01", "2024-12", "地区生产总值", "target_yoy_pct"): 6,
        ("南宁市", "2024-01", "2024-12", "规模以上工业增加值", "target_yoy_pct"): 8,
        ("南宁市", "2023-01", "2023-12", "规模以上工业增加值", "yoy_pct"): 6.5,
    }


def test_respectively_after_a_noun_of_its_own_clause_stays_in_that_clause():
    got = measures(
        "2023年1月6日在准格尔旗人民代表大会上\n今年的主要预期目标是：一般公共预算收入达到220亿元，"
        "城乡居民人均可支配收入分别增长5%和7%。"
    )
    assert got == {("一般公共预算收入", "target_value"): 220}


def test_a_base_areas_own_figure_in_brackets_is_the_bases():
    got = rows(
        "2025-04-24　来源：永川区融媒体中心\n今年一季度，永川区实现地区生产总值331.76亿元，"
        "同比增长6.4%，增速比重庆全市（5.8%）高0.6个百分点。"
    )
    assert got[("永川区", "2025-01", "2025-03", "地区生产总值", "yoy_pct")] == 6.4
    assert got[("重庆市", "2025-01", "2025-03", "地区生产总值", "yoy_pct")] == 5.8


def test_a_difference_from_a_base_is_never_the_bases_figure():
    got = rows("2023年，浏阳市地区生产总值增长5.1%，高于长沙市平均水平0.7个百分点。")
    assert {k[0] for k in got} == {"浏阳市"}
