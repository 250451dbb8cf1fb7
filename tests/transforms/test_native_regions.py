"""The native mention scan (Rust, transforms/fast_scan.py `compile_mentions`) finds what the
Python reference (transforms/regions.py, `regex_region_mentions`) finds: the same mentions
in the same order, on texts written here, on random texts, and on ../shared's documents when
they are there."""

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
from transforms.regions import (
    RegionMention,
    find_region_mentions,
    regex_region_mentions,
    region_index,
)

Found = list[tuple[int, int, tuple[str, ...], bool, str | None, bool]]


def fields(mentions: list[RegionMention]) -> Found:
    return [
        (
            m.start,
            m.end,
            tuple(c.code for c in m.candidates),
            m.is_full_name,
            m.self_reference,
            m.in_other_name,
        )
        for m in mentions
    ]


def both(text: str, in_other_names: bool) -> tuple[Found, Found]:
    index = region_index()
    assert index.scanner is not None
    got = fields(list(find_region_mentions(text, index, in_other_names)))
    return got, fields(list(regex_region_mentions(text, index, in_other_names)))


# A self-reference spanning a place name (全州: 全州县), one starting with it, the conditional
# ones (区级 only before its accounts), names inside other names, characters beyond the BMP.
WRITTEN = """\
全州经济：全州县、全州实现增长，全市区级实现税收，区级财政，市本级完成，县级GDP。
萧山经济技术开发区入选，北京日报，杭州湾，鼓楼区、鼓楼，南京市鼓楼区，全国、我国、本省。
𠀋杭州市𠀋全市𠀋萧山区，全区全县全旗，我盟本盟全盟，市级生产总值，县本级地区生产总值。
"""
EDGES = ["", "全", "全州", "全州县", "区级", "区级实现", "杭州", "杭州湾", "𠀋", "萧山\n区"]


@native
def test_written_texts_match_the_reference() -> None:
    for text in [*WRITTEN.splitlines(), WRITTEN, *EDGES]:
        for in_other_names in (False, True):
            got, want = both(text, in_other_names)
            assert got == want, text
    assert len(both(WRITTEN, True)[1]) > 25


WORDS = ["全州", "县", "全", "市", "区", "级", "本", "实现", "GDP", "杭州", "湾", "日报", "鼓楼"]


@native
@settings(max_examples=500)
@given(st.lists(st.sampled_from([*WORDS, "𠀋", "，", "\n"]), max_size=30))
def test_random_texts_match_the_reference(words: list[str]) -> None:
    text = "".join(words)
    for in_other_names in (False, True):
        got, want = both(text, in_other_names)
        assert got == want


@native
def test_a_text_native_code_cannot_take_goes_to_the_reference() -> None:
    text = "杭州市\udc80全市区级实现"  # a lone surrogate (from surrogateescape): not UTF-8
    found = fields(list(find_region_mentions(text, region_index())))
    assert found == fields(list(regex_region_mentions(text, region_index())))
    assert [(m[0], m[1], m[4]) for m in found] == [(0, 3, None), (4, 6, "city"), (6, 8, "partial")]


@native
def test_local_documents_match_the_reference() -> None:
    paths = documents(LOCAL_FOLDERS)
    assert paths
    for path in paths:
        text = path.read_text(encoding="utf-8")
        for in_other_names in (False, True):
            got, want = both(text, in_other_names)
            assert got == want, path.name


@native
@on_shared_documents
def test_shared_documents_match_the_reference() -> None:
    total = 0
    for name, text in shared_texts():
        got, want = both(text, True)
        assert got == want, name
        total += len(want)
    assert total > 1000
