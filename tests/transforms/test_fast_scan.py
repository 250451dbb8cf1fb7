"""The native word scanner (Rust, transforms/fast_scan.py) finds what the trie regex finds,
the extractor gives byte-identical facts with either, and a stale build is never run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from transforms import fast_scan
from transforms.trie import compile_trie_regex

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
FOLDERS = [
    ROOT / "tests" / "fixtures" / "documents",
    ROOT / "data" / "inbox",
    SHARED / "corpus",
    SHARED / "devset" / "docs",
    SHARED / "devset2" / "docs",
]
native = pytest.mark.skipif(
    fast_scan.EXTENSION_MODULE is None, reason=f"word scans on {fast_scan.SCAN}"
)

ALPHABET = "全市省区县工业增加值GDPab"
vocabularies = st.lists(st.text(ALPHABET, min_size=1, max_size=5), min_size=1, max_size=40)
texts = st.text(ALPHABET + "，。的 \n𠀋é", max_size=120)


def both(words: list[str]):  # type: ignore[no-untyped-def]
    words = sorted(set(words))
    return fast_scan.NativeWords(words, compile_trie_regex), compile_trie_regex(words)


def found(matches) -> list[tuple[int, int, str]]:  # type: ignore[no-untyped-def]
    return [(m.start(), m.end(), m.group()) for m in matches]


@native
@given(vocabularies, texts)
def test_native_scan_finds_the_words_the_trie_regex_finds(words: list[str], text: str) -> None:
    scanner, regex = both(words)
    assert found(scanner.finditer(text)) == found(regex.finditer(text))
    for pos in range(len(text) + 1):  # offsets count code points, also past 4-byte ones
        got, want = scanner.match(text, pos), regex.match(text, pos)
        assert (got and (got.span(), got.group())) == (want and (want.span(), want.group()))
    got, want = scanner.search(text), regex.search(text)
    assert (got and got.span()) == (want and want.span())


@native
def test_a_word_and_its_prefixes_the_longest_wins() -> None:
    scanner, regex = both(["全市", "全市场", "市场", "GDP", "市"])
    text = "今年全市场GDP和全市市场，全市"
    assert found(scanner.finditer(text)) == [
        (2, 5, "全市场"),
        (5, 8, "GDP"),
        (9, 11, "全市"),
        (11, 13, "市场"),
        (14, 16, "全市"),
    ]
    assert found(scanner.finditer(text)) == found(regex.finditer(text))
    assert scanner.fullmatch("全市场") is not None and scanner.fullmatch("全市场x") is None
    with pytest.raises(IndexError):
        scanner.finditer(text)[0].group(1)


@native
def test_a_text_native_code_cannot_take_goes_to_the_regex() -> None:
    scanner, regex = both(["全市", "市场"])
    text = "全市\udc80市场"  # a lone surrogate (from surrogateescape): not UTF-8
    expected = [(0, 2, "全市"), (3, 5, "市场")]
    assert found(scanner.finditer(text)) == found(regex.finditer(text)) == expected


def test_no_words_never_match() -> None:
    assert fast_scan.compile_words([], compile_trie_regex).search("全市") is None


def test_an_edit_after_the_build_makes_it_stale(tmp_path: Path) -> None:
    manifest = tmp_path / "fast_scan.json"
    assert fast_scan.read_manifest(manifest) == {}  # never built
    fast_scan.write_manifest(built=True, manifest=manifest)
    recorded = fast_scan.read_manifest(manifest)
    assert set(recorded) == set(fast_scan.SOURCES)
    assert fast_scan.stale_sources(recorded) == []
    assert fast_scan.stale_sources({**recorded, "native/src/lib.rs": "0" * 64}) == [
        "native/src/lib.rs"
    ]
    fast_scan.write_manifest(built=False, manifest=manifest)  # tried, not built
    assert fast_scan.read_manifest(manifest) == {}


EXTRACT_ALL = """
import json, sys
from dataclasses import asdict
from pathlib import Path
from transforms.catalog import load_catalog
from transforms.extract import extract_document
from transforms.fast_scan import SCAN
catalog = load_catalog()
docs = {}
for path in sys.argv[1:]:
    found = extract_document(Path(path).name, Path(path).read_text(encoding="utf-8"), catalog)
    docs[path] = [found.text, found.region, found.report_date, [asdict(f) for f in found.facts]]
print(json.dumps({"scan": SCAN, "docs": docs}, ensure_ascii=False, default=str))
"""


def extract_with(pure_scan: bool, paths: list[Path]) -> dict:
    env = {**os.environ, fast_scan.PURE_SCAN_ENV: "1" if pure_scan else "0"}
    done = subprocess.run(
        [sys.executable, "-c", EXTRACT_ALL, *map(str, paths)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=True,
    )
    return json.loads(done.stdout)


@native
def test_native_and_pure_scans_give_byte_identical_facts() -> None:
    """Every text at hand: the fixtures, the sample inbox, and ../shared's real documents
    when they are there."""
    paths = sorted(p for folder in FOLDERS if folder.is_dir() for p in folder.glob("*.txt"))
    with_native, with_re = extract_with(False, paths), extract_with(True, paths)
    assert with_native["scan"].startswith("native")
    assert with_re["scan"] == f"re ({fast_scan.PURE_SCAN_ENV}=1)"
    assert sum(len(doc[3]) for doc in with_re["docs"].values()) > 300
    assert json.dumps(with_native["docs"]) == json.dumps(with_re["docs"])


GROWTH_TEXT = st.text(
    "增长下降同比上年较减降至了达为1.5%，。平均回落提高环比累计年均５٣𝟐𠀋", max_size=80
)


@native
@given(GROWTH_TEXT)
def test_a_scan_from_starts_finds_what_finditer_finds(text: str) -> None:
    """Trying the growth pattern only where its first characters stand finds its matches."""
    from transforms.catalog import load_catalog
    from transforms.extract.patterns import patterns_for

    growth = patterns_for(load_catalog()).growth
    assert isinstance(growth, fast_scan.StartScan)
    assert type(growth.starts).__name__ == "PatternStarts"  # only where a growth verb stands
    found = [(m.span(), m.groups()) for m in growth.finditer(text)]
    assert found == [(m.span(), m.groups()) for m in growth.regex.finditer(text)]


@native
def test_a_pattern_native_code_cannot_read_is_tried_at_every_start() -> None:
    """A lookahead in `starts_of` (`NEVER` of an empty slot): each character of the set."""
    import re

    scan = fast_scan.scan_from_starts(
        re.compile("(?=[增降])(?:增长|降(?!x)x)"), "增降", starts_of="增长|降(?!x)x"
    )
    assert type(scan.starts).__name__ == "CharStarts"  # type: ignore[attr-defined]
    assert [m.span() for m in scan.finditer("增长，降低，增长")] == [(0, 2), (6, 8)]


@native
def test_every_character_a_pattern_can_start_with_is_a_start() -> None:
    """The characters handed to native code are the lookahead's: none of its is left out."""
    import re

    from transforms.catalog import load_catalog
    from transforms.extract.patterns import patterns_for

    growth = patterns_for(load_catalog()).growth
    opening = re.compile(re.match(r"\(\?=(\[[^\]]*\])\)", growth.regex.pattern).group(1))
    for code in range(0x10000):
        char = chr(code)
        if opening.match(char) and not 0xD800 <= code < 0xE000:
            assert fast_scan.EXTENSION_MODULE.CharStarts(growth.chars, False).positions(char) == [0]


@native
@given(st.text("，,；;：:。！？!?\n全市增长𠀋é", max_size=60))
def test_found_characters_are_the_class_matches(text: str) -> None:
    """Native offsets of single characters are `re`'s, in code points past 4-byte ones."""
    import re

    for chars in ("，,；;：:", "。！？!?\n"):
        expected = [m.start() for m in re.finditer(f"[{re.escape(chars)}]", text)]
        assert fast_scan.find_chars(chars)(text) == expected
    assert fast_scan.find_chars("，")("全\udc80，") == [2]  # a lone surrogate: by `re`
