"""The catalogue-word scans in native code (a Rust extension, native/) when it is built,
`re` otherwise.

`compile_trie` (transforms/trie.py) hands its words here: with the extension they are
scanned by an Aho-Corasick automaton (leftmost-longest, as the trie-shaped regex matches),
without it by that regex. Both find the same words at the same places, in code points
(tests/transforms/test_fast_scan.py); the regex stays the reference.

The extension also finds where a pattern opening with a lookahead of its first characters
can start (`scan_from_starts`): `re` tries such a pattern at every character, and a pattern
whose tries are cheap (a few literal words: growth verbs) is then tried only there. And it
matches the quantity pattern of transforms/numbers.py (`compile_quantities`), handed its
words (the catalogue's units among them), with `re`'s backtracking and lookbehinds
reproduced: the same spans and groups (tests/transforms/test_native_quantities.py). The
period phrases and the years of transforms/periods.py (`compile_periods`,
`compile_not_after`), and where a `StartScan` pattern matches (`starts_of`), it finds with
the `regex` crate's DFA, the patterns written without their lookarounds (`\\d` and `\\s`
as `re`'s: `native_regex`) and those checked by hand (tests/transforms/
test_native_periods.py, test_fast_scan.py).

The repair passes of transforms/normalise.py ask it where (or whether) a text holds what
they look for, reading the text as Python stores it (native/src/normalise.rs): a look over
a text's characters costs less there than `re`'s scan or a conversion; the passes' Python
code stays the reference (tests/transforms/test_native_normalise.py).

`tools/build_scanner.py` (run by `make install`) builds the extension with cargo, offline,
from Debian's packaged crates, copies it beside this module and records the hash of every
source it was built from in `fast_scan.json`. An edit to native/ made after the build would
run old code, so a recorded source that changed sends the scans back to `re` (with a
warning); so do `ZHIBIAO_PURE_SCAN=1` (this scanner only) and `ZHIBIAO_PURE_PYTHON=1` (the
whole extractor's Python source, transforms/native.py).
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import re
import subprocess
import sys
import tempfile
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar, cast

from transforms.native import PURE_PYTHON_ENV, source_digest

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = Path(__file__).resolve().with_name("fast_scan.json")
EXTENSION = "transforms._fast_scan"
SOURCES = (
    "native/Cargo.toml",
    *sorted(f"native/src/{path.name}" for path in (ROOT / "native" / "src").glob("*.rs")),
)
"""What the extension is built from, relative to the repository's root."""
PURE_SCAN_ENV = "ZHIBIAO_PURE_SCAN"


def source_digests() -> dict[str, str]:
    return {path: source_digest(ROOT / path) for path in SOURCES if (ROOT / path).exists()}


def read_manifest(manifest: Path = MANIFEST) -> dict[str, str]:
    """Source path -> sha256 it was built from; empty when nothing was built."""
    try:
        return dict(json.loads(manifest.read_text(encoding="utf-8"))["sources"])
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def write_manifest(built: bool, manifest: Path = MANIFEST) -> None:
    sources = source_digests() if built else {}
    found: dict[str, object] = {"sources": sources}
    if built:
        # Each class for this interpreter's Unicode version, listed once at build time
        # (~80 ms each) instead of in every process.
        for kind, test in RECORDED_CLASSES.items():
            found[kind] = {"unicode": unicodedata.unidata_version, "chars": every_char(test)}
        if (keys := opencc_changing_keys()) is not None:
            found["opencc"] = keys
    manifest.write_text(json.dumps(found, indent=2) + "\n", encoding="utf-8")


RECORDED_CLASSES: dict[str, Callable[[str], bool]] = {
    "spaces": str.isspace,  # `re`'s `\\s` in a `str` pattern: the period pattern (`spaces`)
    "digits": str.isdecimal,  # `re`'s `\\d` (`decimal_digits`)
    "isdigit": str.isdigit,  # a few more (`²`, `①`): the joining of wrapped lines
}
"""The character classes the build records in the manifest (`recorded_chars`)."""


def every_char(test: Callable[[str], bool]) -> str:
    """Every character `test` takes, in code-point order."""
    return "".join(c for c in map(chr, range(sys.maxunicode + 1)) if test(c))


def opencc_files() -> tuple[str, list[Path]] | None:
    """OpenCC's version and the dictionaries its t2s conversion reads, when installed."""
    try:
        import opencc
    except ImportError:
        return None
    share = Path(opencc.__file__).parent / "clib" / "share" / "opencc"
    try:
        config = json.loads((share / "t2s.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return str(opencc.__version__), [share / name for name in dictionary_files(config)]


def dictionary_files(config: object) -> list[str]:
    """Every dictionary file an OpenCC configuration names, its groups' included."""
    if isinstance(config, dict):
        found = [str(config["file"])] if "file" in config else []
        return found + [name for value in config.values() for name in dictionary_files(value)]
    if isinstance(config, list):
        return [name for value in config for name in dictionary_files(value)]
    return []


def opencc_changing_keys() -> dict[str, object] | None:
    """The keys of OpenCC's t2s dictionaries whose conversion (its first candidate) differs
    from them, as the build finds them (dumped by OpenCC's `opencc_dict`): single characters,
    and the longer keys none of whose characters is one. A text holding none of them is
    its own conversion (`traditional_lines`). None when OpenCC or its tool is missing."""
    found = opencc_files()
    if found is None:
        return None
    version, files = found
    tool = files[0].parents[2] / "bin" / "opencc_dict" if files else Path("opencc_dict")
    keys: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        for path in files:
            dumped = Path(folder) / f"{path.stem}.txt"
            command = [str(tool), "-i", str(path), "-o", str(dumped), "-f", "ocd2", "-t", "text"]
            try:
                if path.suffix != ".ocd2":
                    dumped = path
                elif subprocess.run(command, capture_output=True).returncode != 0:
                    return None
                lines = dumped.read_text(encoding="utf-8").splitlines()
            except OSError:  # no tool (a build of OpenCC without it), or no dictionary
                return None
            for line in lines:
                key, _, values = line.partition("\t")
                if key and values.split(" ")[0] != key:
                    keys.append(key)
    chars = {key for key in keys if len(key) == 1}
    words = sorted({key for key in keys if len(key) > 1 and chars.isdisjoint(key)})
    digests = {path.name: source_digest(path) for path in files}
    return {"version": version, "files": digests, "chars": "".join(sorted(chars)), "words": words}


def stale_sources(built: dict[str, str]) -> list[str]:
    """Sources that changed (or vanished) since the extension was built from them."""
    current = source_digests()
    return [path for path, digest in built.items() if current.get(path) != digest]


def load_extension() -> tuple[ModuleType | None, str]:
    """The extension when it may run, and which scanner runs and why."""
    built = read_manifest()
    if not built:
        return None, "re (native scanner not built)"
    for env in (PURE_PYTHON_ENV, PURE_SCAN_ENV):
        if os.environ.get(env) == "1":
            return None, f"re ({env}=1)"
    if stale := stale_sources(built):
        reason = f"re (native scanner older than {', '.join(stale)}: run `make install`)"
        warnings.warn(f"zhibiao word scans: {reason}", stacklevel=2)
        return None, reason
    try:
        return importlib.import_module(EXTENSION), "native (Rust, Aho-Corasick)"
    except ImportError as error:
        return None, f"re (native scanner does not load: {error})"


EXTENSION_MODULE, SCAN = load_extension()
"""`SCAN`: which scanner this process runs, and why."""


class NativeWords:
    """The words of a trie pattern, scanned in native code: what the extractor calls of a
    `re.Pattern` (`finditer`, `match`, `fullmatch`, `search`). A text native code cannot
    take (a lone surrogate, which UTF-8 cannot hold) goes to the regex."""

    __slots__ = ("_regex", "compile_regex", "scanner", "words")

    def __init__(
        self, words: list[str], compile_regex: Callable[[list[str]], re.Pattern[str]]
    ) -> None:
        assert EXTENSION_MODULE is not None
        self.words = words
        self.scanner: Any = EXTENSION_MODULE.WordScanner(words)
        self.compile_regex = compile_regex
        self._regex: re.Pattern[str] | None = None

    def regex(self) -> re.Pattern[str]:
        if self._regex is None:
            self._regex = self.compile_regex(self.words)
        return self._regex

    @property
    def pattern(self) -> str:
        return self.regex().pattern

    def finditer(self, string: str) -> Any:
        try:
            return self.scanner.finditer(string)
        except UnicodeEncodeError:
            return self.regex().finditer(string)

    def match(self, string: str, pos: int = 0) -> Any:
        try:
            return self.scanner.match(string, pos)
        except UnicodeEncodeError:
            return self.regex().match(string, pos)

    def fullmatch(self, string: str) -> Any:
        """The longest word at 0 is the whole string when any word is."""
        found = self.match(string)
        return found if found is not None and found.end() == len(string) else None

    def search(self, string: str) -> Any:
        try:
            return self.scanner.search(string)
        except UnicodeEncodeError:
            return self.regex().search(string)


class StartScan:
    """`finditer` of a pattern that opens with a lookahead of the characters it can start
    with (`(?=[...])`): `re` gets no skipping from a lookahead and tries such a pattern at
    every character (~250 instructions each); native code finds the places where one of
    those characters stands, and the pattern is tried there only. The same matches, for a
    pattern whose empty match at a place means no other match there; every other method is
    the pattern's own. A text native code cannot take goes to `finditer`. With `starts_of`
    (`scan_from_starts`) native code also drops the places where the pattern cannot match."""

    __slots__ = ("chars", "regex", "starts")

    def __init__(
        self, regex: re.Pattern[str], chars: str, digits: bool, starts_of: str | None = None
    ) -> None:
        assert EXTENSION_MODULE is not None
        self.regex = regex
        self.chars = chars
        self.starts: Any = native_starts(chars, digits, starts_of)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.regex, name)

    def finditer(self, string: str) -> Any:
        try:
            starts = self.starts.positions(string)
        except UnicodeEncodeError:
            return self.regex.finditer(string)
        return self.matches(string, starts)

    def matches(self, string: str, starts: list[int]) -> Iterator[re.Match[str]]:
        match = self.regex.match
        resume = 0  # `finditer` goes on where the last match ended
        for at in starts:
            if at >= resume and (found := match(string, at)) is not None:
                yield found
                resume = found.end()


def native_starts(chars: str, digits: bool, starts_of: str | None) -> Any:
    """Where `StartScan` tries its pattern: each character of `chars` (`CharStarts`), or only
    those where `starts_of` matches (`PatternStarts`) when native code reads it."""
    assert EXTENSION_MODULE is not None
    if starts_of is not None and hasattr(EXTENSION_MODULE, "PatternStarts"):
        # Lookaround (an empty slot's `NEVER`) is not for the `regex` crate: every place then.
        with contextlib.suppress(ValueError):
            return EXTENSION_MODULE.PatternStarts(chars, digits, native_regex(starts_of))
    return EXTENSION_MODULE.CharStarts(chars, digits)


def scan_from_starts(
    regex: re.Pattern[str], chars: str, digits: bool = False, starts_of: str | None = None
) -> re.Pattern[str]:
    """`regex`, whose matches start only at a character of `chars` (or at a digit, `\\d`, with
    `digits`), with its `finditer` tried only there when native code is built (`StartScan`).
    `starts_of`, a pattern without lookaround that matches where `regex` does (or at more
    places), narrows those places natively to where it matches: the regex is then tried only
    where it finds something. Typed as `re.Pattern` so that callers keep their types."""
    if EXTENSION_MODULE is None or not hasattr(EXTENSION_MODULE, "CharStarts"):
        return regex
    return cast(re.Pattern[str], StartScan(regex, chars, digits, starts_of))


def find_chars(chars: str) -> Callable[[str], list[int]]:
    """Offsets of every character of `chars` in a text, in order: natively when built (no
    match object per character, which `finditer` makes), else by `re`."""
    regex = re.compile(f"[{re.escape(chars)}]")

    def by_regex(text: str) -> list[int]:
        return [m.start() for m in regex.finditer(text)]

    if EXTENSION_MODULE is None or not hasattr(EXTENSION_MODULE, "CharFinder"):
        return by_regex
    starts = EXTENSION_MODULE.CharFinder(chars)

    def natively(text: str) -> list[int]:
        try:
            return cast(list[int], starts.positions(text))
        except UnicodeEncodeError:
            return by_regex(text)

    return natively


def compile_words(
    words: list[str], compile_regex: Callable[[list[str]], re.Pattern[str]]
) -> re.Pattern[str]:
    """A pattern of `words` (non-empty strings) that finds, left to right, the longest word
    at each place: native when built, else `compile_regex(words)`. Typed as `re.Pattern` so
    that callers keep their types; only `finditer`, `match`, `fullmatch` and `search` may be
    called on it."""
    if EXTENSION_MODULE is None or not words:
        return compile_regex(words)
    return cast(re.Pattern[str], NativeWords(words, compile_regex))


@cache
def recorded_numeric(kind: str) -> str:
    """A class of numeric characters (`digits`, `isdigit`): as the build recorded it, else
    picked out of the numeric characters native code lists (~12 ms; a few thousand checks
    instead of one per code point)."""
    assert EXTENSION_MODULE is not None
    recorded = recorded_chars(kind)
    if recorded is not None:
        return recorded
    return "".join(c for c in EXTENSION_MODULE.numeric_chars() if RECORDED_CLASSES[kind](c))


def decimal_digits() -> str:
    """What `re`'s `\\d` matches in a `str` pattern (`str.isdecimal`)."""
    return recorded_numeric("digits")


def recorded_chars(kind: str, manifest: Path = MANIFEST) -> str | None:
    """The characters of a class of `RECORDED_CLASSES` the build recorded, when recorded for
    this interpreter's Unicode version."""
    try:
        chars = json.loads(manifest.read_text(encoding="utf-8"))[kind]
        if chars["unicode"] == unicodedata.unidata_version:
            return str(chars["chars"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


@cache
def spaces() -> str:
    """What `re`'s `\\s` matches in a `str` pattern: as the build recorded it, else listed."""
    recorded = recorded_chars("spaces")
    return every_char(str.isspace) if recorded is None else recorded


def char_class(chars: str) -> str:
    """`chars` as a class of the `regex` crate, in ranges of code points."""
    codes = sorted(map(ord, chars))
    ranges: list[list[int]] = []
    for code in codes:
        if ranges and code == ranges[-1][1] + 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "[" + "".join(rf"\x{{{a:x}}}-\x{{{b:x}}}" for a, b in ranges) + "]"


def native_regex(pattern: str) -> str:
    """A `re` pattern without lookaround as the `regex` crate reads it: `\\d` and `\\s`
    written out as the characters `re` takes for them (the crate's own are Unicode's, of
    another version and, for `\\s`, other characters: U+001C..U+001F)."""
    return pattern.replace(r"\d", char_class(decimal_digits())).replace(r"\s", char_class(spaces()))


def compile_periods(
    *,
    finder: str,
    pattern: str,
    lookaheads: list[str],
    groups: list[str],
    month_tails: list[tuple[str, str | None]],
    month_not_before: str,
) -> Any:
    """The period pattern (transforms/periods.py, `period_scanner`) matched natively: `finder`
    finds where a phrase may start, the lookaheads must match there, `pattern` (named
    `groups`) gives its groups, and a single month (`m`) is retried with each of
    `month_tails` until `month_not_before` does not follow. Its `matches(text)` gives the
    pattern's matches that are not empty as `(start, end, groups)`. None when native code is
    not built or not to be run."""
    if EXTENSION_MODULE is None or not hasattr(EXTENSION_MODULE, "PeriodScanner"):
        return None
    return EXTENSION_MODULE.PeriodScanner(
        native_regex(finder),
        native_regex(pattern),
        [native_regex(lookahead) for lookahead in lookaheads],
        groups,
        month_tails,
        native_regex(month_not_before),
    )


def compile_strip_search(strip: re.Pattern[str], find: re.Pattern[str]) -> Any:
    """`find.search(strip.sub("", text))` in native code: its `found_in(text)` tells whether
    `find` matches what is left of `text` once `strip`'s matches are taken out. None when
    native code is not built or not to be run, or for patterns it does not read as `re`
    does: lookarounds (the `regex` crate has none), flags, or a `strip` matching an empty
    string (`sub` and the crate go on differently after one)."""
    if EXTENSION_MODULE is None or not hasattr(EXTENSION_MODULE, "StripSearch"):
        return None
    patterns = (strip.pattern, find.pattern)
    if any(p.flags != re.UNICODE for p in (strip, find)) or strip.match("") is not None:
        return None
    if any(look in p for p in patterns for look in ("(?=", "(?!", "(?<")):
        return None
    try:
        return EXTENSION_MODULE.StripSearch(native_regex(strip.pattern), native_regex(find.pattern))
    except ValueError:  # a syntax the crate does not take
        return None


def compile_not_after(pattern: str, chars: str = "", *, digits: bool = False) -> Any:
    """A pattern of one group that may not match after a character of `chars` (or a digit,
    `\\d`, with `digits`): a lookbehind of one character class before it, which native code
    checks by hand. Its `matches(text)` gives what `finditer` finds as `(start, end, group
    1)`. None when native code is not built or not to be run."""
    if EXTENSION_MODULE is None or not hasattr(EXTENSION_MODULE, "NotAfterScanner"):
        return None
    not_after = chars + (decimal_digits() if digits else "")
    return EXTENSION_MODULE.NotAfterScanner(native_regex(pattern), not_after)


def compile_mentions(
    *,
    selves: list[str],
    conditional: list[bool],
    partial_after: list[str],
    places: re.Pattern[str],
    subarea_after: list[str],
) -> tuple[Any, list[str]] | None:
    """transforms/regions.py's mention scan natively: `selves` and the words of `places` (a
    `compile_words` pattern, whose automaton it shares) found leftmost-longest, a
    self-reference whose `conditional` is set kept only before a word of `partial_after`, a
    place name before a word of `subarea_after` inside another name. Gives the scanner and
    the place names in its order: its `matches(text, in_other_names)` gives `(start, end,
    index, inside)`, `index` counting `selves` then those names. None when native code is not
    built or not to be run."""
    if EXTENSION_MODULE is None or not hasattr(EXTENSION_MODULE, "MentionScanner"):
        return None
    if not isinstance(places, NativeWords) or not selves:
        return None
    if not all(selves + partial_after + subarea_after):
        return None  # an empty word: a shape only `re` takes
    scanner = EXTENSION_MODULE.MentionScanner(
        selves, conditional, partial_after, places.scanner, subarea_after
    )
    return scanner, places.words


def compile_quantities(
    *,
    approx: list[str],
    signs: list[str],
    sign_not_after: str,
    number_not_after: str,
    cn: str,
    cn_point: str,
    cn_fraction: str,
    cn_not_after: str,
    after: list[str],
    mult: list[str],
    units: list[str],
    tails: list[str],
) -> Any:
    """The quantity pattern (transforms/numbers.py, `compile_quantity_pattern`) matched
    natively from its words, each list in its alternation's order; its `matches(text)` gives
    what `finditer` finds, as tuples (`QuantityMatch`). None when native code is not built
    or not to be run."""
    if EXTENSION_MODULE is None or not hasattr(EXTENSION_MODULE, "QuantityScanner"):
        return None
    if not all(approx + signs + after + mult + units + tails + [cn_point]):
        return None  # an empty alternative matches everywhere: a shape only `re` takes
    return EXTENSION_MODULE.QuantityScanner(
        approx,
        signs,
        sign_not_after,
        number_not_after,
        decimal_digits(),
        cn,
        cn_point,
        cn_fraction,
        cn_not_after,
        after,
        mult,
        units,
        tails,
    )


def char_map(table: dict[str, str]) -> Callable[[str], str] | None:
    """Folds `table`'s characters (each to one character) natively, giving the text itself
    when it holds none of them; None when native code is not built."""
    if EXTENSION_MODULE is None or not hasattr(EXTENSION_MODULE, "CharMap"):
        return None
    folds = EXTENSION_MODULE.CharMap("".join(table), "".join(table.values()))
    return cast(Callable[[str], str], folds.translate)


def followed_by(first: str, skip: str, then: str) -> Callable[[str], bool] | None:
    """Whether a character of `first` stands before one of `then` in a text, with only
    characters of `skip` between them, natively; None when native code is not built."""
    if EXTENSION_MODULE is None or not hasattr(EXTENSION_MODULE, "FollowedBy"):
        return None
    return cast(Callable[[str], bool], EXTENSION_MODULE.FollowedBy(first, skip, then).occur_in)


def doubled_line_candidates(
    minimum: int, maximum: int
) -> Callable[[str], list[tuple[int, int]]] | None:
    """The spans of a text's lines of `minimum` to `maximum` characters that open with a
    doubled run, natively; None when native code is not built."""
    if EXTENSION_MODULE is None or not hasattr(EXTENSION_MODULE, "doubled_line_candidates"):
        return None
    candidates = EXTENSION_MODULE.doubled_line_candidates
    return lambda text: cast(list[tuple[int, int]], candidates(text, minimum, maximum))


@cache
def traditional_lines() -> Callable[[str], list[tuple[int, int]] | None] | None:
    """The spans of a text's lines that hold a key of OpenCC's t2s dictionaries that changes
    something (None for a text holding a lone surrogate, which OpenCC cannot take), from the
    keys the build recorded; None when native code is not built or OpenCC's dictionaries are
    no longer those the build read."""
    triggers = opencc_triggers()
    if triggers is None:
        return None
    return cast(Callable[[str], list[tuple[int, int]] | None], triggers.lines_holding)


@cache
def opencc_triggers() -> Any:
    """The native look for the keys of OpenCC's t2s dictionaries that change something (see
    `traditional_lines`); None when not built or not those the build read."""
    if EXTENSION_MODULE is None or not hasattr(EXTENSION_MODULE, "Triggers"):
        return None
    try:
        recorded = json.loads(MANIFEST.read_text(encoding="utf-8"))["opencc"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    found = opencc_files()
    if found is None or found[0] != recorded["version"]:
        return None
    if {path.name: source_digest(path) for path in found[1]} != recorded["files"]:
        return None
    return EXTENSION_MODULE.Triggers(recorded["chars"], recorded["words"])


def words_occur(words: list[str], chars: str = "") -> Callable[[str], bool | None] | None:
    """Whether a text holds one of `words` (non-empty) or of `chars`, natively, in one look
    (None for a text holding a lone surrogate); None when native code is not built."""
    if EXTENSION_MODULE is None or not hasattr(EXTENSION_MODULE, "Triggers"):
        return None
    return cast(Callable[[str], bool | None], EXTENSION_MODULE.Triggers(chars, words).occur_in)


def whitespace_runs() -> Callable[[str], list[tuple[int, int, int]]] | None:
    """`transforms/normalise.py`'s `whitespace_runs`, natively; None when not built."""
    if EXTENSION_MODULE is None or not hasattr(EXTENSION_MODULE, "whitespace_runs"):
        return None
    return cast(Callable[[str], list[tuple[int, int, int]]], EXTENSION_MODULE.whitespace_runs)


def chars_after_digits(chars: str) -> Callable[[str], list[int]] | None:
    """Offsets, ascending, of the characters of `chars` that follow a digit (`re`'s `\\d`),
    natively; None when not built."""
    if EXTENSION_MODULE is None or not hasattr(EXTENSION_MODULE, "CharsAfter"):
        return None
    return cast(
        Callable[[str], list[int]], EXTENSION_MODULE.CharsAfter(chars, decimal_digits()).positions
    )


def doubled_figure_starts() -> Callable[[str], list[int]] | None:
    """Offsets, ascending, where a figure opening with a run written twice can start (a digit
    opening a run of digits and dots that opens with some characters written twice),
    natively; None when not built."""
    if EXTENSION_MODULE is None or not hasattr(EXTENSION_MODULE, "DoubledFigures"):
        return None
    return cast(
        Callable[[str], list[int]], EXTENSION_MODULE.DoubledFigures(decimal_digits()).positions
    )


def line_width(minimum: int, quantile: float) -> Callable[[str], int] | None:
    """transforms/normalise.py's `wrap_width` natively (with its `minimum` line length and
    `quantile`); None when not built."""
    if EXTENSION_MODULE is None or not hasattr(EXTENSION_MODULE, "wrap_width"):
        return None
    width = EXTENSION_MODULE.wrap_width
    return lambda text: cast(int, width(text, minimum, quantile))


Edit = tuple[int, int, str]
"""`(start, end, new)`: `text[start:end]` becomes `new`, whose character `k` comes from
`start + k`."""
OffsetRuns = tuple[list[int], list[int], list[list[int]], int]
"""An offset map as transforms/normalise.py's `Offsets` keeps it: starts, firsts, listed, size."""


def edits_applier() -> Callable[[str, list[Edit]], tuple[str, OffsetRuns] | None] | None:
    """Rebuilds a text from its edits (in order, none overlapping) with the map of its
    characters, natively (None for no edit); None when not built."""
    if EXTENSION_MODULE is None or not hasattr(EXTENSION_MODULE, "apply_edits"):
        return None
    return cast(
        Callable[[str, list[Edit]], tuple[str, OffsetRuns] | None], EXTENSION_MODULE.apply_edits
    )


@cache
def isdigit_chars() -> str:
    """Every character `str.isdigit` takes."""
    return recorded_numeric("isdigit")


def line_joiner(
    figure_tail: str,
    unit_starts: str,
    marks: tuple[str, str, str],
    wrap: tuple[int, float, float, int],
) -> Callable[[str], tuple[str, OffsetRuns] | None] | None:
    """transforms/normalise.py's `join_wrapped_lines` natively, for a catalogue's figure tails
    and units' first characters, with its sentence ends, closing quotes and clause marks and
    its line widths (`WRAP_LINE_MIN`, `WRAP_WIDTH_QUANTILE`, `WRAP_WIDTH_SHARE`,
    `WRAPPED_LINE_MIN`): the joined text and its map (None when nothing changes); None when
    not built."""
    if EXTENSION_MODULE is None or not hasattr(EXTENSION_MODULE, "LineJoins"):
        return None
    joins = EXTENSION_MODULE.LineJoins(
        figure_tail, unit_starts, decimal_digits(), isdigit_chars(), *marks, *wrap
    )
    return cast(Callable[[str], tuple[str, OffsetRuns] | None], joins.join)


def idle_passes_finder(
    fold: str, gloss_letters: str, dots: str, doubled_words: list[str], line: tuple[int, int]
) -> Callable[[str, int], int] | None:
    """Which of the repair passes asked for (bits, transforms/normalise.py's `IDLE_*`) have
    nothing to do in a text, natively, in one look: the characters `fold_width` folds, a gloss
    (a bracket before one of `gloss_letters`), a key of OpenCC's, one of `dots` after a digit,
    a doubled line of `line` characters (shortest, longest), a page's number, a doubled unit
    (`doubled_words`) or `..`, a table's gap and spaced figures; None when not built."""
    if EXTENSION_MODULE is None or not hasattr(EXTENSION_MODULE, "IdlePasses"):
        return None
    looks = EXTENSION_MODULE.IdlePasses(
        fold,
        gloss_letters,
        dots,
        decimal_digits(),
        EXTENSION_MODULE.Triggers("", doubled_words),
        opencc_triggers(),
        *line,
    )
    return cast(Callable[[str, int], int], looks.idle)


Match = TypeVar("Match")


def native_or_reference(
    scanner: Any, text: str, reference: Callable[[str], Iterable[Match]]
) -> Iterable[Match]:
    """A native scanner's matches in `text` when it is built and takes the text; otherwise
    (no extension, or a lone surrogate, which native code cannot read) the `re` reference's."""
    if scanner is not None:
        try:
            found: list[Match] = scanner.matches(text)
            return found
        except UnicodeEncodeError:
            pass
    return reference(text)


CRATE_META = frozenset("\\.+*?()|[]{}^$#&-~")
"""What the `regex` crate (1.7) lets a backslash escape besides letters and digits: `re`
lets every character be escaped (`\\"`), the crate refuses the others."""


def crate_regex(pattern: str) -> str:
    """A `re` pattern without lookaround as the `regex` crate reads it: `native_regex`, with
    escapes of characters that are no metacharacter for the crate written as the characters
    themselves."""

    def unescape(escape: re.Match[str]) -> str:
        char = escape.group(1)
        keep = char in CRATE_META or (char.isascii() and char.isalnum())
        return escape.group(0) if keep else char

    return native_regex(re.sub(r"\\(.)", unescape, pattern, flags=re.S))


WordFamily = tuple[
    re.Pattern[str],
    str,
    int,
    Callable[[str], object],
    re.Pattern[str] | None,
    re.Pattern[str] | None,
    int,
    bool,
    bool,
]
"""`(words, kind, priority, data, after, before, reach, flag, short)`: a catalogue-word
family of transforms/extract/tokens.py's `word_candidates`. Each word found by `words`
makes a candidate carrying `data(word)` (none when that is None) when `after` matches at
its end and `before` (ending in `$`) is found in the `reach` characters before it; with
`flag`, `before` only tells whether the candidate is bare."""


def word_families(families: list[WordFamily]) -> Any:
    """The families scanned natively in one call per text (`candidates(text)`: the
    candidates as `(order, start, end, kind, data, bare, short)`, sorted by order); None
    when native code is not built, a family's words are not scanned natively, or a check is
    no pattern the `regex` crate reads."""
    if EXTENSION_MODULE is None or not hasattr(EXTENSION_MODULE, "WordFamilies"):
        return None
    handed: list[tuple[Any, ...]] = []
    for words, kind, priority, data, after, before, reach, flag, short in families:
        if not isinstance(words, NativeWords):
            return None
        handed.append(
            (
                words.scanner,
                kind,
                priority,
                [data(word) for word in words.words],
                None if after is None else crate_regex(after.pattern),
                None if before is None else crate_regex(before.pattern),
                reach,
                flag,
                short,
            )
        )
    try:
        return EXTENSION_MODULE.WordFamilies(handed)
    except ValueError:  # lookaround, or a syntax only `re` reads
        return None
