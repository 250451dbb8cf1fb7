"""Text repair keeps a faithful map back to the raw text."""

import shutil

from hypothesis import given
from hypothesis import strategies as st

from transforms.catalog import CATALOG_DIR, load_catalog
from transforms.normalise import Rewrite, compose, normalise_text
from transforms.numbers import find_quantities

CATALOG = load_catalog()

FULL_WIDTH = str.maketrans("0123456789.%", "０１２３４５６７８９．％")


def test_hard_wrap_inside_number_is_joined():
    assert (
        "554.10亿元" in normalise_text("实现规上工业增加值554.10\n\n亿元，同比增长", CATALOG).text
    )


def test_short_heading_line_keeps_its_break():
    text = normalise_text("全年工作综述\n规上工业增加值增长5%。", CATALOG).text
    assert text == "全年工作综述\n规上工业增加值增长5%。"


def test_long_wrapped_line_is_joined_without_space():
    raw = "随着新旧动能的加速转换，全区主要经济\n\n指标实现了高速增长。"
    assert (
        normalise_text(raw, CATALOG).text
        == "随着新旧动能的加速转换，全区主要经济指标实现了高速增长。"
    )


def test_doubled_bold_glyphs_are_undone():
    raw = "项目7070个个，面积约243243..4444万平方米万平方米，土地35353535..9797亩亩"
    text = normalise_text(raw, CATALOG).text
    assert "70个" in text and "243.44万平方米" in text and "3535.97亩" in text


def test_doubled_year_without_proof_is_left_alone():
    assert normalise_text("2020年年底完成", CATALOG).text == "2020年年底完成"


def test_full_width_digits_and_decimal_artefact():
    assert "3.6%" in normalise_text("增长３。６％", CATALOG).text


def test_traditional_and_pinyin_glosses():
    assert normalise_text("經(jīng)濟統(tǒng)計", CATALOG).text == "经济统计"


def test_html_debris_is_removed():
    assert normalise_text('<div id="a">增长<b>5%</b></div>&nbsp;', CATALOG).text.startswith(
        "增长5%"
    )


def test_page_number_line_is_dropped():
    raw = "规上工业增加值同比增长8.5%，增幅创\n\n12\n\n近五年来新高。"
    assert "12" not in normalise_text(raw, CATALOG).text


def test_offsets_point_back_to_raw_span():
    raw = "前言\n全年實現規上工業增加值554.10\n\n億元"
    norm = normalise_text(raw, CATALOG)
    assert len(norm.raw_offsets) == len(norm.text) + 1
    start = norm.text.index("554.10")
    raw_start, raw_end = norm.raw_span(start, start + len("554.10亿元"))
    assert raw[raw_start:raw_end] == "554.10\n\n億元"


EDITS = st.lists(
    st.tuples(st.integers(0, 3), st.integers(0, 3), st.text("xyz", max_size=3)), max_size=6
)


def listed_rewrite(text, edits):
    """The map as a list of every index: what `Offsets` keeps as runs."""
    offsets, pos, out = [], 0, []
    for gap, length, new in edits:
        start = min(pos + gap, len(text))
        end = min(start + length, len(text))
        out.append(text[pos:start] + new)
        offsets += [*range(pos, start), *[start] * len(new)]
        pos = end
    out.append(text[pos:])
    return "".join(out), [*offsets, *range(pos, len(text) + 1)]


def run_rewrite(text, edits):
    rewrite, pos = Rewrite(text), 0
    for gap, length, new in edits:
        start = min(pos + gap, len(text))
        end = min(start + length, len(text))
        rewrite.edit(start, end, new, [start] * len(new))
        pos = end
    return rewrite.result()


@given(st.text("abcd", max_size=12), EDITS, EDITS)
def test_offset_runs_read_as_the_list_of_every_index(text, first, second):
    """A pass's runs, and two passes composed, give the entries of the plain lists."""
    middle, runs = run_rewrite(text, first)
    expected_middle, listed = listed_rewrite(text, first)
    assert middle == expected_middle
    if runs is None:
        return
    assert [runs[i] for i in range(len(runs))] == listed
    _, later = run_rewrite(middle, second)
    _, later_listed = listed_rewrite(middle, second)
    if later is not None:
        composed = compose(runs, later)
        assert [composed[i] for i in range(len(composed))] == [listed[i] for i in later_listed]


def test_space_between_two_numbers_is_kept():
    assert normalise_text("表 2 3 行", CATALOG).text == "表2 3行"


numbers = st.decimals(min_value=0, max_value=99999, places=2, allow_nan=False).map(str)


@given(
    numbers,
    st.sampled_from(["亿元", "万平方米", "%", "家"]),
    st.sampled_from(["plain", "fullwidth", "wrapped", "doubled"]),
)
def test_any_written_number_parses_back(number, unit, style):
    written = number + unit
    if style == "fullwidth":
        written = written.translate(FULL_WIDTH)
    elif style == "wrapped":
        cut = len(number) // 2 or 1
        written = number[:cut] + "\n\n" + number[cut:] + unit
    elif style == "doubled":
        whole, _, frac = number.partition(".")
        written = whole * 2 + (".." + frac * 2 if frac else "") + unit * 2
    text = normalise_text("规上工业增加值达" + written + "，同比", CATALOG).text
    quantities = list(find_quantities(text, CATALOG))
    assert quantities, text
    assert abs(quantities[0].value - float(number)) < 1e-9


def test_doubled_bold_heading_lines_are_undone():
    raw = (
        "2022年成绩单\n规上工业增加值规上工业增加值\n\n"
        "286286..4242亿元亿元\n\n同比增长同比增长66..33%%\n"
    )
    norm = normalise_text(raw, CATALOG)
    # The figure's line continues its label's (a key-figure card): see the test below.
    assert norm.text == "2022年成绩单\n规上工业增加值286.42亿元\n同比增长6.3%\n"
    start = norm.text.index("286.42亿元")
    raw_start, raw_end = norm.raw_span(start, start + len("286.42亿元"))
    assert raw[raw_start:raw_end].startswith("286286..4242亿元")


def test_prose_and_short_repeats_are_not_doubled_lines():
    raw = "2020\n看看\n常常来往，人人参与\n增长8%，增长8%"
    assert normalise_text(raw, CATALOG).text == raw


def test_long_line_ending_in_a_semicolon_was_wrapped():
    raw = "今年全区的主要预期目标是：地区生产总值增长7%左右；\n\n规上工业增加值增长8%。"
    assert normalise_text(raw, CATALOG).text == (
        "今年全区的主要预期目标是：地区生产总值增长7%左右；规上工业增加值增长8%。"
    )


def test_dateline_keeps_its_line_break():
    raw = "杭州市萧山区统计局　2022年2月10日\n\n2021年，全区规上工业增加值554.1亿元。\n"
    assert normalise_text(raw, CATALOG).text.startswith("杭州市萧山区统计局2022年2月10日\n2021年")
    raw = "发布时间：2023-10-27 17:02\n2023年前三季度"
    assert normalise_text(raw, CATALOG).text == raw


def test_title_publisher_and_dateline_lines_of_the_head_stay_apart():
    raw = (
        "滨海新区2023年国民经济和社会发展统计公报\n天津市滨海新区统计局　2024年4月\n"
        "全年地区生产总值7251.83亿元，比上年增长5.0%。规模以上工业增加值增长4.3%。全年固定资产"
        "投资比上年增长3.6%。全年社会消费品零售总额1035.5亿元，增长6.9%。\n"
    )
    lines = normalise_text(raw, CATALOG).text.split("\n")
    assert lines[:2] == [
        "滨海新区2023年国民经济和社会发展统计公报",
        "天津市滨海新区统计局2024年4月",
    ]


def test_a_wrapped_sentence_in_the_head_is_still_joined():
    raw = "初步核算，2023年全县实现地区生产总值\n1020.45亿元，按可比价格计算，比上年增长6.4%。\n"
    assert normalise_text(raw, CATALOG).text.startswith(
        "初步核算，2023年全县实现地区生产总值1020.45亿元"
    )


def test_table_rows_and_their_title_keep_their_lines():
    raw = (
        "表1　临平区2021年一季度主要经济指标\n指标 | 单位 | 1-3月 | 同比增长(%)\n"
        "规模以上工业增加值 | 万元 | 1523500 | 38.6\n规模以上工业总产值 | 万元 | 6928000 | 41.2\n"
    )
    assert normalise_text(raw, CATALOG).text.split("\n")[:4] == [
        "表1临平区2021年一季度主要经济指标",
        "指标|单位|1-3月|同比增长(%)",
        "规模以上工业增加值|万元|1523500|38.6",
        "规模以上工业总产值|万元|6928000|41.2",
    ]


def test_html_table_cells_become_a_pipe_table():
    raw = "<table><tr><td>社会消费品零售总额</td><td>亿元</td><td>736.8</td></tr></table>"
    assert normalise_text(raw, CATALOG).text.strip() == "社会消费品零售总额|亿元|736.8|"


def test_columns_apart_by_tabs_or_spaces_become_a_pipe_table():
    raw = "指标名称\t计量单位\t1-12月\n社会消费品零售总额   亿元   1846.2\n"
    norm = normalise_text(raw, CATALOG)
    assert norm.text == "指标名称|计量单位|1-12月\n社会消费品零售总额|亿元|1846.2\n"
    start = norm.text.index("1846.2")
    raw_start, raw_end = norm.raw_span(start, start + 6)
    assert raw[raw_start:raw_end] == "1846.2"


def test_prose_with_a_double_space_is_no_table():
    raw = "全年地区生产总值  增长5%，规上工业增加值增长6%。\n"
    assert "|" not in normalise_text(raw, CATALOG).text


def test_a_line_opening_with_a_figure_continues_the_line_before():
    norm = normalise_text(
        "全年全市实现地区生产总值1372.98亿元。其中，第三产业增加值\n\n906.97亿元，增长1.8%。",
        CATALOG,
    )
    assert "第三产业增加值906.97亿元，增长1.8%" in norm.text


def test_a_running_head_that_repeats_the_title_goes():
    raw = (
        "西宁市2020年国民经济和社会发展统计公报\n\n全年第三产业增加值\n\n— 2 —\n\n"
        "西宁市2020年国民经济和社会发展统计公报\n906.97亿元，增长1.8%。\n"
    )
    norm = normalise_text(raw, CATALOG)
    assert norm.text.count("统计公报") == 1
    assert "全年第三产业增加值906.97亿元，增长1.8%。" in norm.text
    start = norm.text.index("906.97")
    raw_start, raw_end = norm.raw_span(start, start + 6)
    assert raw[raw_start:raw_end] == "906.97"


def raw_of(raw: str, piece: str) -> str:
    """The raw text behind the first `piece` of the normalised text."""
    norm = normalise_text(raw, CATALOG)
    start = norm.text.index(piece)
    raw_start, raw_end = norm.raw_span(start, start + len(piece))
    return raw[raw_start:raw_end]


# --- doubled bold glyphs in periods, years, units and counts ------------------------------


def test_doubled_months_and_years_are_undone():
    raw = "20232023年年前1111月月，全县新增企业1212家家，进出口额增长33..55%%。"
    text = normalise_text(raw, CATALOG).text
    assert text == "2023年前11月，全县新增企业12家，进出口额增长3.5%。"
    assert raw_of(raw, "2023年前11月") == "20232023年年前1111月月"
    assert raw_of(raw, "12家") == "1212家家"


def test_doubled_points_and_units_of_several_characters():
    raw = "比上年提高0.80.8个百分点个百分点，用电量4545亿千瓦时亿千瓦时。"
    text = normalise_text(raw, CATALOG).text
    assert "提高0.8个百分点" in text and "用电量45亿千瓦时" in text


def test_a_year_or_month_followed_by_its_own_word_is_not_doubled():
    for raw in ("2020年年底完成", "1919年年初", "11月月底前完成", "2024年12月月末"):
        assert normalise_text(raw, CATALOG).text == raw


def test_a_doubling_that_also_reads_as_written_needs_proof_elsewhere():
    assert normalise_text("截至11月月底，", CATALOG).text == "截至11月月底，"
    text = normalise_text("截至11月月底，全市新增企业3030家家。", CATALOG).text
    assert text == "截至1月底，全市新增企业30家。"


# --- figures split by spaces and line breaks, hard wraps, page breaks ---------------------


def test_spaces_and_breaks_inside_a_figure_and_before_its_unit():
    raw = "今年 1-4\n月 ，全区完成工业投资 106.08\n亿元 ，同比增长 17.9 % 。"
    norm = normalise_text(raw, CATALOG)
    assert norm.text == "今年1-4月，全区完成工业投资106.08亿元，同比增长17.9%。"
    assert raw_of(raw, "106.08亿元") == "106.08\n亿元"


def test_a_split_year_does_not_end_the_line():
    raw = (
        "在过去一年里全区上下攻坚克难，2024\n年 全区主要经济\n\n指标稳中有进。\n"
        "各项工作扎实推进\n新动能持续壮大。"
    )
    assert normalise_text(raw, CATALOG).text == (
        "在过去一年里全区上下攻坚克难，2024年全区主要经济指标稳中有进。\n"
        "各项工作扎实推进\n新动能持续壮大。"
    )


def test_a_label_and_its_figure_on_lines_of_their_own():
    raw = "全年成绩单\n社会消费品零售总额\n 736.8\n亿元\n同比增长 4.2%\n"
    assert normalise_text(raw, CATALOG).text == (
        "全年成绩单\n社会消费品零售总额736.8亿元\n同比增长4.2%\n"
    )


def test_wraps_after_ascii_punctuation_are_joined():
    raw = (
        "全市经济运行总体平稳,主要指标好于预期。\n"
        "据统计,全年全市实现地区生产总值1280.5亿元,\n"
        "按可比价格计算,同比增长6.1%,增速比前三季度\n"
        "回落0.3个百分点;规上工业增加值增长7.4%\n"
        ",两年平均增长5.2%。\n"
    )
    lines = normalise_text(raw, CATALOG).text.split("\n")
    assert lines[1] == (
        "据统计,全年全市实现地区生产总值1280.5亿元,按可比价格计算,同比增长6.1%,"
        "增速比前三季度回落0.3个百分点;规上工业增加值增长7.4%,两年平均增长5.2%。"
    )


def test_a_headline_ending_in_a_figure_keeps_its_line():
    raw = "全市规上工业增加值增长7.4%\n来源：市统计局\n全年全市规上工业增加值增长7.4%，好于预期。\n"
    assert normalise_text(raw, CATALOG).text.split("\n")[0] == "全市规上工业增加值增长7.4%"


def test_a_quotation_that_ends_a_sentence_ends_its_line():
    raw = "“我们将持续优化营商环境，激发市场主体活力。”\n\n深化改革 激活存量\n\n工业投资增长9.1%。"
    assert normalise_text(raw, CATALOG).text.split("\n")[:2] == [
        "“我们将持续优化营商环境，激发市场主体活力。”",
        "深化改革激活存量",
    ]


def test_the_head_ends_at_the_first_sentence_of_a_wrapped_paragraph():
    raw = (
        "示范县经济运行综述\n县统计局\n全年经济稳中向好。面对复杂多变的外部环境,全\n"
        "县上下坚持稳中求进工作总基调,各项\n主要指标保持增长。\n"
    )
    assert normalise_text(raw, CATALOG).text.split("\n")[2] == (
        "全年经济稳中向好。面对复杂多变的外部环境,全县上下坚持稳中求进工作总基调,各项"
        "主要指标保持增长。"
    )


def test_a_decimal_point_printed_as_a_full_stop_and_wrapped():
    raw = "上半年全市生产总值为６５３９。\n２１億元，同比增長１３．８％。"
    assert normalise_text(raw, CATALOG).text == "上半年全市生产总值为6539.21亿元，同比增长13.8%。"


# --- page breaks ------------------------------------------------------------------------


def test_page_marks_inside_a_sentence_and_a_figure_go():
    filler = "各项工作有序推进，重点项目建设加快，营商环境持续优化。" * 10
    raw = (
        f"{filler}全年完成工业投资12\n第2页 共3页\n6.5亿元，同比增长8.1%。{filler}"
        f"全区新增规上企业1\n3\n5家。{filler}"
    )
    norm = normalise_text(raw, CATALOG)
    assert "完成工业投资126.5亿元" in norm.text
    assert "新增规上企业15家" in norm.text  # page 3 follows page 2 a page later
    assert raw_of(raw, "126.5亿元") == "12\n第2页 共3页\n6.5亿元"


def test_a_lone_number_beside_a_figure_out_of_sequence_stays():
    raw = "全年新增规上企业\n1\n35家，其中高新技术企业\n2\n8家。"
    assert "135家" in normalise_text(raw, CATALOG).text


# --- pinyin glosses -----------------------------------------------------------------------


def test_pinyin_glosses_cut_by_a_wrap_or_repeated_or_without_tones():
    raw = "經(jīng)濟(jì)增(zeng)(zeng)長(zhang)速(sù\n)度(d\nù)"
    assert normalise_text(raw, CATALOG).text == "经济增长速度"


def test_a_lone_toneless_word_in_brackets_is_kept():
    assert normalise_text("方案(a)已经通过", CATALOG).text == "方案(a)已经通过"
    assert normalise_text("开发区(GDP)增长", CATALOG).text == "开发区(GDP)增长"


def test_an_html_tag_cut_by_a_wrap_goes():
    assert normalise_text('<\ndiv class="x">增长5%</div\n>', CATALOG).text.strip() == "增长5%"


# --- tables and OCR spacing ---------------------------------------------------------------


def test_ocr_spacing_in_a_date_or_in_prose_makes_no_table():
    raw = (
        "发布日期: 2023-  06 -  13   10 : 37\n"
        "超额完成年度目标（目标增速  10%、目标  102  亿元）……\n"
    )
    assert "|" not in normalise_text(raw, CATALOG).text


def test_a_pipe_table_with_spaced_cells_keeps_its_cells():
    raw = "指标 | 单位 | 数值\n地区生产总值 |  万元  |  7775365  |\n"
    assert normalise_text(raw, CATALOG).text.split("\n")[1] == "地区生产总值|万元|7775365|"


def test_an_empty_cell_between_gaps_is_a_cell():
    raw = "指标名称    单位    上年    本年\n一般公共预算收入    万元    —    235678\n"
    assert normalise_text(raw, CATALOG).text.split("\n")[1] == "一般公共预算收入|万元|—|235678"


# --- the catalogue's units ----------------------------------------------------------------


def test_units_come_from_the_catalogue_it_is_given(tmp_path):
    folder = tmp_path / "catalog"
    shutil.copytree(CATALOG_DIR, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    with (folder / "units.csv").open("a", encoding="utf-8") as units:
        units.write("吨,mass,吨,1,tonnes\n")
    with_tonnes = load_catalog(folder)
    raw = "粮食产量4545吨吨\n新增12\n吨\n"
    assert normalise_text(raw, CATALOG).text == raw  # no such unit: nothing to repair
    assert normalise_text(raw, with_tonnes).text == "粮食产量45吨\n新增12吨\n"
