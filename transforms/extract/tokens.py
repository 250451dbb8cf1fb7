"""Tokens: what each family's scan found in the text (indicators, stems and kind words,
quantities, periods, areas, cue words, growth and share phrases, clause separators), with
overlaps resolved, and the sentences they fall in."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, cast

from transforms.extract.context import DocumentContext
from transforms.extract.patterns import CLAUSE_SEPS_AT, SENTENCE_ENDS_AT, Patterns
from transforms.fast_scan import WordFamily, word_families
from transforms.lexicon import Lexicon
from transforms.numbers import find_quantities
from transforms.periods import find_periods

PRIORITY = {
    "ind": 0,
    "share": 1,
    "rank": 2,
    "avg2y": 3,
    "rate": 4,
    "growth": 5,
    "qty": 6,
    "period": 7,
    "region": 8,
    "stem": 9,
    "kind": 10,
    "cue": 11,
    "sep": 12,
    "flat": 13,
}
"""Token kinds; of two tokens starting at one place and as long, the lower number wins."""


@dataclass(slots=True)
class Token:
    """Treat it as immutable: the token passes (`token_passes.py`) return changed copies."""

    start: int
    end: int
    kind: str
    data: Any
    """What the token's family found: an `Entry`, `Quantity`, `PeriodMention`,
    `RegionMention`, `re.Match` or word."""
    bare: bool
    """A kind word right after punctuation or a verb (`，增加值增长3.6%`): it may complete the
    stem of the indicator named before it."""
    short: bool
    """A stem too short to name an indicator alone (工业): only as an item under a parent."""
    run: tuple[Token, ...] | None
    """The first of figures listed together (`4.2%和6.6%`): all of them, this one first."""
    in_run: bool
    """A later figure of a run: the run's first figure holds it."""
    leading: Token | None
    """A count written before this indicator, counting it (`2097家规模以上工业企业`)."""
    counts_next: bool
    """This count is the `leading` count of the indicator right after it."""

    def __init__(
        self,
        start: int,
        end: int,
        kind: str,
        data: Any = None,
        bare: bool = False,
        short: bool = False,
        run: tuple[Token, ...] | None = None,
        in_run: bool = False,
        leading: Token | None = None,
        counts_next: bool = False,
    ) -> None:
        self.start = start
        self.end = end
        self.kind = kind
        self.data = data
        self.bare = bare
        self.short = short
        self.run = run
        self.in_run = in_run
        self.leading = leading
        self.counts_next = counts_next


def token_order(start: int, end: int, kind: str) -> int:
    """Sort key of a found token: by start, the longest first, then `PRIORITY`, packed in
    one int (compares faster than a tuple; no token is 2**40 characters long)."""
    return (start << 48) - ((end - start) << 8) + PRIORITY[kind]


Candidate = tuple[int, int, int, str, object, bool, bool]
"""`(token_order, start, end, kind, data, bare, short)`: a token found, before overlaps are
resolved."""


def scan_tokens(ctx: DocumentContext, period_skip: tuple[int, int] | None) -> list[Token]:
    """Every family's tokens, overlaps resolved left to right (the earliest, longest and
    highest-priority token wins). Candidates stay tuples; only the accepted become Tokens."""
    text, lex, rules = ctx.text, ctx.lex, ctx.patterns
    found = word_candidates(text, lex, rules)
    add = found.append
    for q in find_quantities(text, ctx.catalog):
        add((token_order(q.start, q.end, "qty"), q.start, q.end, "qty", q, False, False))
    for p in find_periods(text):
        if period_skip and period_skip[0] <= p.start < period_skip[1]:
            continue
        add((token_order(p.start, p.end, "period"), p.start, p.end, "period", p, False, False))
    for r in ctx.region_mentions:
        add((token_order(r.start, r.end, "region"), r.start, r.end, "region", r, False, False))
    phrases = [
        ("growth", rules.growth),
        ("rate", rules.rate),
        ("avg2y", rules.avg2y),
        ("share", rules.share),
        ("rank", rules.rank),
    ]
    if any(word in text for word in rules.flat_words):  # most texts hold no 持平
        phrases.append(("flat", rules.flat))
    for kind, pattern in phrases:
        for m in pattern.finditer(text):
            start, end = m.span()
            if end > start:
                add((token_order(start, end, kind), start, end, kind, m, False, False))
    found.sort(key=itemgetter(0))  # stable: equal keys keep the order they were found in
    # Clause separators (a text holds one every dozen characters) are found in order, one
    # character each: each goes in among the sorted candidates where its key falls, without a
    # candidate tuple and a place in the sort of its own.
    seps = CLAUSE_SEPS_AT(text)
    sep_count = len(seps)
    next_sep = 0
    accepted: list[Token] = []
    last_end = -1
    for key, start, end, kind, data, bare, short in found:
        while next_sep < sep_count and sorts_before(seps[next_sep], start, key):
            at = seps[next_sep]
            next_sep += 1
            if at >= last_end:
                accepted.append(Token(at, at + 1, "sep"))
                last_end = at + 1
        if start >= last_end:
            accepted.append(Token(start, end, kind, data, bare, short))
            last_end = end
    for at in seps[next_sep:]:
        if at >= last_end:
            accepted.append(Token(at, at + 1, "sep"))
            last_end = at + 1
    return accepted


def word_candidates(text: str, lex: Lexicon, rules: Patterns) -> list[Candidate]:
    """The candidates of the catalogue-word families (indicators, stems, kind and cue words),
    found natively in one call when built (`fast_scan.word_families`), sorted by their
    order; else by `reference_word_candidates`, family by family (`scan_tokens` sorts)."""
    families = native_families(lex, rules)
    if families is not None:
        try:
            return cast(list[Candidate], families.candidates(text))
        except UnicodeEncodeError:  # a lone surrogate, which native code cannot read
            pass
    return reference_word_candidates(text, lex, rules)


def reference_word_candidates(text: str, lex: Lexicon, rules: Patterns) -> list[Candidate]:
    """`word_candidates` by the families' patterns, a word at a time: the reference."""
    stem_before, stem_after = rules.stem_before, rules.stem_after
    found: list[Candidate] = []
    add = found.append
    for m in lex.indicator_pattern.finditer(text):
        entry = lex.lookup(m.group())
        if entry:
            start, end = m.span()
            add((token_order(start, end, "ind"), start, end, "ind", entry, False, False))
    for m in lex.stem_pattern.finditer(text):
        start, end = m.span()
        if stem_after.match(text, end) and stem_before.search(
            text[max(0, start - rules.stem_reach) : start]
        ):
            add((token_order(start, end, "stem"), start, end, "stem", m.group(), False, False))
    for m in lex.short_stem_pattern.finditer(text):
        start, end = m.span()
        if stem_after.match(text, end) and rules.list_item_before.search(
            text, max(0, start - rules.list_item_reach), start
        ):
            add((token_order(start, end, "stem"), start, end, "stem", m.group(), False, True))
    for m in lex.kind_pattern.finditer(text):
        start, end = m.span()
        before = text[max(0, start - rules.bare_kind_reach) : start]
        bare = rules.bare_kind_before.search(before) is not None
        add((token_order(start, end, "kind"), start, end, "kind", m.group(), bare, False))
    for m in lex.cue_pattern.finditer(text):
        start, end = m.span()
        role = lex.cue_roles[m.group()]
        add((token_order(start, end, "cue"), start, end, "cue", role, False, False))
    return found


NATIVE_FAMILIES: dict[tuple[int, int], tuple[Lexicon, Patterns, Any]] = {}
"""(id of the lexicon, id of the patterns) -> both, and their native families (None when not
native): built once per catalogue, not per text."""


def native_families(lex: Lexicon, rules: Patterns) -> Any:
    key = (id(lex), id(rules))
    cached = NATIVE_FAMILIES.get(key)
    if cached is None or cached[0] is not lex or cached[1] is not rules:
        if len(NATIVE_FAMILIES) >= 8:  # tests build catalogues of their own
            NATIVE_FAMILIES.clear()
        cached = (lex, rules, word_families(family_specs(lex, rules)))
        NATIVE_FAMILIES[key] = cached
    return cached[2]


def family_specs(lex: Lexicon, rules: Patterns) -> list[WordFamily]:
    """The families of `reference_word_candidates`, as `fast_scan.word_families` takes them."""

    def same(word: str) -> object:
        return word

    def role(word: str) -> object:
        return lex.cue_roles[word]

    after, priority = rules.stem_after, PRIORITY
    return [
        (lex.indicator_pattern, "ind", priority["ind"], lex.lookup, None, None, 0, False, False),
        (
            lex.stem_pattern,
            "stem",
            priority["stem"],
            same,
            after,
            rules.stem_before,
            rules.stem_reach,
            False,
            False,
        ),
        (
            lex.short_stem_pattern,
            "stem",
            priority["stem"],
            same,
            after,
            rules.list_item_before,
            rules.list_item_reach,
            False,
            True,
        ),
        (
            lex.kind_pattern,
            "kind",
            priority["kind"],
            same,
            None,
            rules.bare_kind_before,
            rules.bare_kind_reach,
            True,
            False,
        ),
        (lex.cue_pattern, "cue", priority["cue"], role, None, None, 0, False, False),
    ]


def sorts_before(sep: int, start: int, key: int) -> bool:
    """Whether the clause separator at `sep` sorts before the candidate at `start` whose
    `token_order` is `key` (the key is made only when both start at one place)."""
    return sep < start or (sep == start and token_order(sep, sep + 1, "sep") < key)


def split_sentences(text: str, tokens: list[Token]) -> Iterable[tuple[int, int, list[Token]]]:
    """(start, end, tokens) of each sentence that holds a token."""
    bounds = [at + 1 for at in SENTENCE_ENDS_AT(text)]
    if not bounds or bounds[-1] != len(text):
        bounds.append(len(text))
    # Tokens are in order (accepted tokens never overlap), so one walk along them finds each
    # sentence's: a sentence holds a few tokens, and a bisection per sentence cost more.
    count = len(tokens)
    i = 0
    start = 0
    for end in bounds:
        j = i
        while j < count and tokens[j].start < end:
            j += 1  # the sentence's tokens are tokens[i:j]
        if j > i:
            yield start, end, tokens[i:j]
        i = j
        start = end
