"""`Patterns.names_noun` in native code (Rust, `StripSearch`) answers as its reference,
`CJK_RUN.search(filler.sub("", span))`, does: on spans written here, on random ones, and on
every clause of the documents at hand (../shared's too, when there)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.native_scans import LOCAL_FOLDERS, SHARED_FOLDERS, documents, native
from transforms.catalog import load_catalog
from transforms.extract.patterns import CJK_RUN, Patterns, patterns_for
from transforms.fast_scan import compile_strip_search

SPANS = [
    "",
    "同比",
    "同比增长了",
    "全年实现",
    "的工业",
    "第三",
    "第三产业",
    "排名第十",
    "按可比价格计算，",
    "其中电子信息产业",
    "A的B",
    "工的业",
    "规上工业",
    "\ud800工业",
    "全市全区",
    "1-10月，全市规上",
]


def rules() -> Patterns:
    found = patterns_for(load_catalog())
    assert found.filler_left is not None and found.filler_left.by_words
    return found


def reference(rules: Patterns, span: str) -> bool:
    return CJK_RUN.search(rules.filler.sub("", span)) is not None


@native
def test_written_spans_answer_as_the_reference() -> None:
    patterns = rules()
    for span in SPANS:
        assert patterns.names_noun(span) == reference(patterns, span), span
    assert patterns.names_noun("的工业") and not patterns.names_noun("同比增长了")


@native
@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["同比", "实现", "的", "第", "三", "工", "业", "1", "，", "年"])))
def test_random_spans_answer_as_the_reference(pieces: list[str]) -> None:
    patterns, span = rules(), "".join(pieces)
    assert patterns.names_noun(span) == reference(patterns, span), span


@native
def test_clauses_of_documents_answer_as_the_reference() -> None:
    patterns = rules()
    checked = 0
    for path in documents(LOCAL_FOLDERS + SHARED_FOLDERS)[:400]:
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        for clause in re.split(r"[，,；;：:。！？!?\n]", text):
            for span in (clause, clause[:12], clause[-12:]):
                assert patterns.names_noun(span) == reference(patterns, span), span
                checked += 1
    assert checked > 100


@native
def test_words_are_taken_out_in_the_order_re_tries_them() -> None:
    """`ab|abc` takes `ab` out of `abcd` (re's first alternative), not the longest word."""
    for strip in ("ab|abc", "a[bc]|abc", "x|ab(?:c|cd)"):
        search = compile_strip_search(re.compile(strip), re.compile("c"))
        assert search is not None and search.by_words, strip
        for text in ("abcd", "abcabc", "xabcd", "cab", ""):
            want = re.search("c", re.sub(strip, "", text)) is not None
            assert search.found_in(text) == want, (strip, text)
    # not a finite set of words: the crate's search
    search = compile_strip_search(re.compile("a+b"), re.compile("c"))
    assert search is not None and not search.by_words
    assert search.found_in("aaabc") and not search.found_in("aab")


def test_patterns_it_cannot_read_as_re_does_stay_with_re() -> None:
    assert compile_strip_search(re.compile("a(?=b)"), CJK_RUN) is None
    assert compile_strip_search(re.compile("a*"), CJK_RUN) is None
    assert compile_strip_search(re.compile("a", re.I), CJK_RUN) is None
