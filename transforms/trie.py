"""Compile a word list into one trie-shaped regex.

A flat alternation of thousands of names makes `re` try every name at every position; the
trie shape branches on the first character, so a scan stays linear in the text, and wide
nodes are split into small groups so that no position tries hundreds of branches in turn.
Longer words win over their prefixes (greedy, with the shorter word as the fallback).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from transforms.fast_scan import compile_words

END = ""


def build_trie(words: Iterable[str]) -> dict:
    root: dict = {}
    for word in words:
        if not word:
            continue
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[END] = True
    return root


FAN_OUT = 4
"""Branches tried in turn at one level: `re` tries an alternation's branches one by one, so
a node with hundreds of first characters (3,000 place names) is split into a small tree of
groups, each guarded by a character class of its first characters."""


def char_class(chars: list[str]) -> str:
    return "[" + "".join(re.escape(ch) for ch in chars) + "]"


def split_branches(branches: list[tuple[str, str]]) -> str:
    """An alternation of `branches` ((first character, regex) pairs, sorted) that tries at
    most FAN_OUT alternatives per level."""
    if len(branches) == 1:
        return branches[0][1]
    if len(branches) <= FAN_OUT:
        return "(?:" + "|".join(regex for _, regex in branches) + ")"
    size = -(-len(branches) // FAN_OUT)
    groups = []
    for i in range(0, len(branches), size):
        chunk = branches[i : i + size]
        groups.append("(?=" + char_class([ch for ch, _ in chunk]) + ")" + split_branches(chunk))
    return "(?:" + "|".join(groups) + ")"


def trie_to_regex(node: dict) -> str:
    branches = [
        (ch, re.escape(ch) + trie_to_regex(node[ch])) for ch in sorted(k for k in node if k != END)
    ]
    if not branches:
        return ""
    body = split_branches(branches)
    if END in node:
        return "(?:" + body + ")?"
    return body


def dispatch_after(branches: list[tuple[str, str]]) -> str:
    """The rest of each word after its first character has been consumed: a tree of groups
    that look back at that character (FAN_OUT alternatives per level)."""
    if len(branches) <= FAN_OUT:
        alternatives = [f"(?<={re.escape(ch)})" + regex for ch, regex in branches]
        return alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
    size = -(-len(branches) // FAN_OUT)
    groups = []
    for i in range(0, len(branches), size):
        chunk = branches[i : i + size]
        groups.append("(?<=" + char_class([ch for ch, _ in chunk]) + ")" + dispatch_after(chunk))
    return "(?:" + "|".join(groups) + ")"


def compile_trie(words: Iterable[str]) -> re.Pattern[str]:
    """The longest word at each place, left to right: scanned in native code when it is
    built (transforms/fast_scan.py), else by the trie-shaped regex below."""
    return compile_words([w for w in words if w], compile_trie_regex)


def compile_trie_regex(words: list[str]) -> re.Pattern[str]:
    """The pattern opens with a character class of every first character, which lets `re`
    skip in C the positions where no word starts; the rest dispatches on that character."""
    if not words:
        return re.compile(r"(?!x)x")
    root = build_trie(words)
    firsts = sorted(k for k in root if k != END)
    branches = [(ch, trie_to_regex(root[ch])) for ch in firsts]
    # Place names start with common characters (a third of a report's positions); when no
    # word is a single character, a class of every second character rejects most of those
    # positions before the dispatch below tries its lookbehinds.
    second = ""
    if all(len(w) >= 2 for w in words):
        second = "(?=" + char_class(sorted({w[1] for w in words})) + ")"
    return re.compile(char_class(firsts) + second + dispatch_after(branches))
