"""The catalogue-word families scanned natively (`word_candidates`, Rust) give the candidates
their `re` reference gives, and the phrase patterns tried only where native code finds them
start (`scan_from_starts`) find what `finditer` finds: on texts written here, on random
texts, and on ../shared's documents when they are there."""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.native_scans import LOCAL_FOLDERS, SHARED_FOLDERS, documents, native
from transforms import fast_scan
from transforms.catalog import load_catalog
from transforms.extract.document import lexicon
from transforms.extract.patterns import Patterns, patterns_for
from transforms.extract.tokens import (
    Candidate,
    native_families,
    reference_word_candidates,
    word_candidates,
)
from transforms.lexicon import Lexicon

PHRASES = ("growth", "rate", "avg2y", "share", "rank")


@cache
def catalogue() -> tuple[Lexicon, Patterns]:
    catalog = load_catalog()
    return lexicon(catalog), patterns_for(catalog)


def both(text: str) -> tuple[list[Candidate], list[Candidate]]:
    lex, rules = catalogue()
    assert native_families(lex, rules) is not None
    reference = sorted(reference_word_candidates(text, lex, rules), key=lambda c: c[0])
    return word_candidates(text, lex, rules), reference


def phrase_matches(text: str) -> tuple[list[tuple], list[tuple]]:
    rules = catalogue()[1]
    got, want = [], []
    for name in PHRASES:
        scan = getattr(rules, name)
        assert isinstance(scan, fast_scan.StartScan), name
        got += [(name, m.span(), m.groupdict()) for m in scan.finditer(text)]
        want += [(name, m.span(), m.groupdict()) for m in scan.regex.finditer(text)]
    return got, want


# Each line puts a word where one of its family's checks decides: a stem after a list's mark
# or an area's level, before a figure or verb; a kind word after punctuation, a verb, a
# newline or at the start; a short stem as an item.
WRITTEN = """\
增加值增长5%，增加值，其中：工业增长3%，工业、建筑业分别增长2%和4%。
全市规模以上工业增加值同比增长6.1%；高新技术产业48.6亿元，高新技术产业增长9%。
"高新技术产业"实现增加值；赣县区第二产业增长；规上高技术制造业和装备制造业增长。
增加值
增长；市\n增加值；其中\n工业增长；增速为3%，同比增速回落，两年平均增长4%，占比达到12%。
占全省的比重为8%，占GDP的5.6%，位居全省第二位，排名全市前列，全市第一产业增加值。
𠀋增加值，é工业，𠀋高新技术产业增长5%，１２增加值；ＧＤＰ增长5％。
"""
EDGES = ["", "增", "增加值", "\n增加值", "，\n增加值", "工业", "，工业增长", "𠀋", "占", "全省第"]


@native
def test_written_texts_give_the_reference_candidates() -> None:
    for text in [*WRITTEN.splitlines(), WRITTEN, *EDGES]:
        got, want = both(text)
        assert got == want, text
        got_phrases, want_phrases = phrase_matches(text)
        assert got_phrases == want_phrases, text
    found = both(WRITTEN)[1]
    assert {c[3] for c in found} >= {"ind", "stem", "kind", "cue"}
    assert any(c[5] for c in found) and any(c[6] for c in found)  # bare kinds, short stems
    assert {m[0] for m in phrase_matches(WRITTEN)[1]} == set(PHRASES)


@native
def test_a_text_native_code_cannot_take_goes_to_the_reference() -> None:
    text = "，增加值增长5%\ud800，工业增长3%"
    got, want = both(text)
    assert sorted(got, key=lambda c: c[0]) == want and got


@native
@given(
    st.text(
        "增加值工业高新技术产业其中，、：\n市区全省占比重为位居第二两年平均增长速度5%𠀋é",
        max_size=80,
    )
)
def test_random_texts_give_the_reference_candidates(text: str) -> None:
    got, want = both(text)
    assert got == want
    got_phrases, want_phrases = phrase_matches(text)
    assert got_phrases == want_phrases


@native
@pytest.mark.parametrize("group", ["local", "shared"])
def test_documents_give_the_reference_candidates(group: str) -> None:
    paths = documents(LOCAL_FOLDERS if group == "local" else SHARED_FOLDERS)
    if not paths:
        pytest.skip(f"no {group} documents")
    for path in paths:
        text = path.read_text(encoding="utf-8")
        got, want = both(text)
        assert got == want, path.name
        got_phrases, want_phrases = phrase_matches(text)
        assert got_phrases == want_phrases, path.name


@native
def test_escapes_the_crate_refuses_become_the_characters() -> None:
    assert fast_scan.crate_regex(r"[，\"\-]|a\ b\.c") == r'[，"\-]|a b\.c'
