"""The word-list regex finds what a plain longest-match scan finds, however wide its nodes."""

from hypothesis import given
from hypothesis import strategies as st

from transforms.trie import compile_trie

ALPHABET = "东南西北中上下江河湖山海城"
words = st.lists(st.text(ALPHABET, min_size=1, max_size=4), min_size=1, max_size=60)


def longest_match_scan(text: str, vocabulary: set[str]) -> list[str]:
    found, i, longest = [], 0, max(map(len, vocabulary))
    while i < len(text):
        for size in range(min(longest, len(text) - i), 0, -1):
            if text[i : i + size] in vocabulary:
                found.append(text[i : i + size])
                i += size
                break
        else:
            i += 1
    return found


@given(words, st.text(ALPHABET + "的了", max_size=80))
def test_trie_regex_finds_the_longest_words_left_to_right(vocabulary, text):
    vocabulary = set(vocabulary)
    pattern = compile_trie(vocabulary)
    assert [m.group() for m in pattern.finditer(text)] == longest_match_scan(text, vocabulary)


def test_a_wide_node_is_split_and_still_matches_every_word():
    vocabulary = {chr(0x4E00 + i) + "州" for i in range(500)}
    pattern = compile_trie(vocabulary)
    assert all(pattern.fullmatch(word) for word in vocabulary)
    assert pattern.search("丁州与不州") is not None
