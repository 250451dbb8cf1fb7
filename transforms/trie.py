"""Compile a word list into one trie-shaped regex.

A flat alternation of thousands of names makes `re` try every name at every position; the
trie shape branches on the first character, so a scan stays linear in the text.
Longer words win over their prefixes (greedy, with the shorter word as the fallback).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

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


def trie_to_regex(node: dict) -> str:
    branches = []
    for ch in sorted(k for k in node if k != END):
        branches.append(re.escape(ch) + trie_to_regex(node[ch]))
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if END in node:
        return "(?:" + body + ")?"
    return body


def compile_trie(words: Iterable[str]) -> re.Pattern[str]:
    words = [w for w in words if w]
    if not words:
        return re.compile(r"(?!x)x")
    return re.compile(trie_to_regex(build_trie(words)))
