"""The document's own area and the areas its mentions name."""

from transforms.catalog import load_catalog
from transforms.extract import extract_document
from transforms.regions import find_region_mentions, infer_document_region, region_index

CATALOG = load_catalog()


def doc_region(text):
    region = infer_document_region(text, region_index())
    return region.name if region else None


def test_short_name_resolves_to_full_official_name():
    assert doc_region("萧山工业强。区经信局推进萧山制造业转型，杭州市经信局支持。萧山") == "萧山区"


def test_child_wins_a_tie_with_its_parent():
    assert doc_region("高质量建设新慈溪，在宁波各县中列第四位。") == "慈溪市"


def test_ambiguous_short_name_uses_the_city_in_the_text():
    assert doc_region("福州市鼓楼区统计局：鼓楼经济稳中有进。") == "鼓楼区"
    region = infer_document_region("南京市鼓楼区：鼓楼经济稳中有进。", region_index())
    assert region is not None and region.parent_code == "320100000000"


def test_zone_inside_an_area_is_not_the_area():
    mentions = list(find_region_mentions("萧山经济技术开发区入选", region_index()))
    assert not [m for m in mentions if m.candidates]


def test_self_references():
    mentions = find_region_mentions("全国、全省、全市、我区", region_index())
    kinds = [m.self_reference for m in mentions]
    assert kinds == ["country", "province", "city", "district"]


def test_regions_catalogue_has_country_and_parents():
    index = region_index()
    assert index.by_code["000000000000"].name == "全国"
    xiaoshan = index.by_name["萧山区"][0]
    assert [a.name for a in index.ancestors(xiaoshan)] == ["杭州市", "浙江省", "全国"]


def test_division_changes_apply_on_top_of_the_generated_list():
    index = region_index()
    assert [r.name for r in index.by_short["即墨"]] == ["即墨区"]  # 即墨市 became 即墨区 (2017)
    assert index.by_name["即墨市"][0].short_names == ()  # old name: full name only
    assert doc_region("钱塘区经济运行：钱塘新区") == "钱塘区"
    assert "下城区" in index.by_name and "江干区" in index.by_name


# --- the document's own area and the codes of the areas facts are about ------------------


def areas(text):
    """(region, region_code) of every fact."""
    return {(f.region, f.region_code) for f in extract_document("t.txt", text, CATALOG).facts}


def test_publisher_line_names_the_documents_own_area():
    text = (
        "寿光统计月报\n寿光市统计局编　2021年6月18日\n"
        "1-5月，全市规模以上工业增加值同比增长17.6%，增速高于潍坊市1.3个百分点。\n"
        "附：潍坊市主要指标\n潍坊市固定资产投资增长9%。潍坊市社会消费品零售总额增长8%。\n"
    )
    assert extract_document("t.txt", text, CATALOG).region == "寿光市"


def test_an_area_after_a_comparison_word_does_not_count_for_the_document():
    text = (
        "2022年，全县规上工业增加值增长9%，高于宜昌市2个百分点，比宜昌市平均水平高，"
        "增速居宜昌市第一。长阳县固定资产投资增长8%。"
    )
    assert extract_document("t.txt", text, CATALOG).region == "长阳土家族自治县"


def test_a_short_name_that_is_a_cue_word_is_the_cue():
    got = areas("2022年，准格尔旗财政总收入突破500亿元大关；一般公共预算收入212.5亿元。")
    assert got == {("准格尔旗", "150622000000")}


def test_ambiguous_district_takes_the_city_the_text_names_and_its_code():
    assert areas("2023年，福州市鼓楼区规上工业增加值增长5%。") == {("鼓楼区", "350102000000")}
    assert areas("2023年，南京市鼓楼区规上工业增加值增长5%。") == {("鼓楼区", "320106000000")}


def test_ambiguous_district_with_no_context_has_no_code():
    """Two 鼓楼区 and nothing to choose: the name is right, the code would be a guess."""
    assert areas("2023年，鼓楼区规上工业增加值增长5%。") == {("鼓楼区", None)}


def test_a_newspaper_named_after_a_city_sets_the_context():
    text = (
        "朝阳区前三季度经济数据\n2023年10月26日　来源：北京日报\n"
        "前三季度，朝阳区规上工业增加值增长5%。"
    )
    assert areas(text) == {("朝阳区", "110105000000")}


def test_an_area_qualifying_another_noun_is_not_the_next_clauses_area():
    got = areas(
        "2020年，晋江市工信局认真落实国家、省、泉州市各项惠企政策，全年累计为企业减负降本约46亿元。"
    )
    assert got == {("晋江市", "350582000000")}


def test_whole_city_in_a_municipalitys_district_is_the_municipality():
    got = areas("永川区统计局　2025年4月24日\n一季度，全区规上工业增加值增长9.7%，全市增长7.2%。")
    assert got == {("永川区", "500118000000"), ("重庆市", "500000000000")}


def test_whole_region_in_a_city_of_an_autonomous_region_is_the_region():
    got = extract_document(
        "t.txt",
        "鄂尔多斯市统计局　2022年1月28日\n"
        "2021年，全市地区生产总值增长8.1%，比全区（6.3%）高1.8个百分点。",
        CATALOG,
    ).facts
    assert {(f.region, f.value) for f in got} == {("鄂尔多斯市", 8.1), ("内蒙古自治区", 6.3)}


def test_whole_prefecture_is_the_prefecture_not_a_county_called_quanzhou():
    got = areas("恩施州统计局　2024年1月30日\n2023年，全州地区生产总值增长5.8%。")
    assert got == {("恩施土家族苗族自治州", "422800000000")}


def test_an_area_opening_its_clause_is_the_topic_of_what_follows():
    got = extract_document(
        "t.txt",
        "湖州市统计局　2023年8月1日\n2023年上半年，湖州市规上工业增加值增长6%。"
        "南浔区表现亮眼，规上工业增加值增长12%。",
        CATALOG,
    ).facts
    assert {(f.region, f.value) for f in got} == {("湖州市", 6), ("南浔区", 12)}


def test_a_source_named_in_the_body_is_not_the_publisher():
    text = (
        "铁西区1至5月工业经济持续向好\n2023-06-21　来源：沈阳日报\n"
        "本报讯 记者从沈阳市统计局获悉，1至5月，铁西区规上工业增加值同比增长10.8%。"
    )
    assert extract_document("t.txt", text, CATALOG).region == "铁西区"


def test_an_area_the_title_names_inside_the_most_named_one_is_the_documents():
    text = (
        "顺德前5个月规上工业增加值增长6.1%\n2024-06-26　佛山日报\n"
        "今年前5个月，规上工业增加值同比增长6.1%。佛山市下达的任务完成良好，"
        "佛山市全市规上工业增加值增长4.5%。"
    )
    got = extract_document("t.txt", text, CATALOG)
    assert got.region == "顺德区"
    assert {(f.region, f.value) for f in got.facts if f.measure == "yoy_pct"} == {
        ("顺德区", 6.1),
        ("佛山市", 4.5),
    }
