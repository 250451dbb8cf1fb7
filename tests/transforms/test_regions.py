"""The document's own area and the areas its mentions name."""

from transforms.regions import find_region_mentions, infer_document_region, region_index


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
