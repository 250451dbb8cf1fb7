//! The extractor's catalogue-word scans (indicators, stems, kind and cue words, place names)
//! in Rust: an Aho-Corasick automaton instead of `re` over a trie-shaped regex; where
//! patterns that open with a lookahead can start (`CharStarts`); and the quantity pattern of
//! `transforms/numbers.py` (`QuantityScanner`), matched by hand as `re` would match it.
//!
//! `transforms/fast_scan.py` loads this module when it was built from the current source and
//! falls back to `re` otherwise; both find the same words at the same places. Semantics are
//! those of `transforms/trie.py`'s pattern with `finditer`: at the leftmost position where a
//! word starts, the longest word; the next search starts where that word ends. Offsets are
//! Python's (code points), not UTF-8 bytes.

mod fillers;
mod not_after;
mod periods;
mod regions;
mod starts;
mod tokens;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use once_cell::sync::OnceCell;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyString, PyStringData};

mod normalise;

/// UTF-8 byte offsets -> code-point offsets, walking forward only (matches come in order).
struct CharOffsets<'a> {
    bytes: &'a [u8],
    ascii: bool,
    byte: usize,
    chars: usize,
}

impl<'a> CharOffsets<'a> {
    fn new(text: &'a str) -> Self {
        CharOffsets { bytes: text.as_bytes(), ascii: text.is_ascii(), byte: 0, chars: 0 }
    }

    /// The code-point offset of byte offset `byte` (a char boundary, never before the last).
    fn at(&mut self, byte: usize) -> usize {
        if self.ascii {
            return byte;
        }
        // A code point starts at every byte that is not a continuation byte (0b10xxxxxx).
        self.chars += self.bytes[self.byte..byte].iter().filter(|&&b| (b as i8) >= -0x40).count();
        self.byte = byte;
        self.chars
    }
}

/// The byte offset of code-point offset `pos` (the end of the text when `pos` is past it).
fn byte_offset(text: &str, pos: usize) -> usize {
    if text.is_ascii() {
        return pos.min(text.len());
    }
    text.char_indices().nth(pos).map_or(text.len(), |(byte, _)| byte)
}

/// One word found: what `re.Match` offers the extractor (`start`, `end`, `span`, `group`).
#[pyclass(module = "transforms._fast_scan", frozen)]
struct WordMatch {
    start: usize,
    end: usize,
    word: Py<PyString>,
}

#[pymethods]
impl WordMatch {
    #[args(group = "0")]
    fn start(&self, group: usize) -> PyResult<usize> {
        check_group(group)?;
        Ok(self.start)
    }

    #[args(group = "0")]
    fn end(&self, group: usize) -> PyResult<usize> {
        check_group(group)?;
        Ok(self.end)
    }

    #[args(group = "0")]
    fn span(&self, group: usize) -> PyResult<(usize, usize)> {
        check_group(group)?;
        Ok((self.start, self.end))
    }

    #[args(group = "0")]
    fn group(&self, py: Python<'_>, group: usize) -> PyResult<Py<PyString>> {
        check_group(group)?;
        Ok(self.word.clone_ref(py))
    }

    fn __getitem__(&self, py: Python<'_>, group: usize) -> PyResult<Py<PyString>> {
        self.group(py, group)
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!("<WordMatch span=({}, {}), match={:?}>", self.start, self.end, self.word.as_ref(py))
    }
}

fn check_group(group: usize) -> PyResult<()> {
    if group == 0 {
        Ok(())
    } else {
        Err(pyo3::exceptions::PyIndexError::new_err("no such group: a word scan has group 0 only"))
    }
}

/// Every word of a list, found leftmost-longest; `finditer` and `match` as `re.Pattern`'s.
#[pyclass(module = "transforms._fast_scan", frozen)]
struct WordScanner {
    scan: AhoCorasick,
    /// For `match` (one caller, on short spans): built on its first use, not per process.
    anchored: OnceCell<AhoCorasick>,
    texts: Vec<String>,
    words: Vec<Py<PyString>>,
}

fn automaton(words: &[String], anchored: bool) -> AhoCorasick {
    AhoCorasickBuilder::new()
        .match_kind(MatchKind::LeftmostLongest)
        .anchored(anchored)
        .dfa(!anchored) // a DFA scans whole texts faster; it costs more to build
        .build(words)
}

impl WordScanner {
    fn found(&self, py: Python<'_>, m: &aho_corasick::Match, offsets: &mut CharOffsets) -> WordMatch {
        let start = offsets.at(m.start());
        let end = offsets.at(m.end());
        WordMatch { start, end, word: self.words[m.pattern()].clone_ref(py) }
    }
}

#[pymethods]
impl WordScanner {
    #[new]
    fn new(py: Python<'_>, words: Vec<String>) -> Self {
        WordScanner {
            scan: automaton(&words, false),
            anchored: OnceCell::new(),
            words: words.iter().map(|w| PyString::new(py, w).into()).collect(),
            texts: words,
        }
    }

    /// Every word in `text`, in order, as a list of matches.
    fn finditer(&self, py: Python<'_>, text: &PyString) -> PyResult<Vec<WordMatch>> {
        let text = text.to_str()?;
        let mut offsets = CharOffsets::new(text);
        Ok(self.scan.find_iter(text).map(|m| self.found(py, &m, &mut offsets)).collect())
    }

    /// `(start, end, index of the word)` of every word: the scan without a Python object per
    /// word.
    fn spans(&self, text: &PyString) -> PyResult<Vec<(usize, usize, usize)>> {
        let text = text.to_str()?;
        let mut offsets = CharOffsets::new(text);
        Ok(self
            .scan
            .find_iter(text)
            .map(|m| (offsets.at(m.start()), offsets.at(m.end()), m.pattern()))
            .collect())
    }

    /// The longest word starting at `pos`, or None.
    #[args(pos = "0")]
    fn r#match(&self, py: Python<'_>, text: &PyString, pos: usize) -> PyResult<Option<WordMatch>> {
        let text = text.to_str()?;
        let from = byte_offset(text, pos);
        let anchored = self.anchored.get_or_init(|| automaton(&self.texts, true));
        Ok(anchored.find(&text[from..]).map(|m| {
            let end = pos + text[from..from + m.end()].chars().count();
            WordMatch { start: pos, end, word: self.words[m.pattern()].clone_ref(py) }
        }))
    }

    /// The first word in `text`, or None.
    fn search(&self, py: Python<'_>, text: &PyString) -> PyResult<Option<WordMatch>> {
        let text = text.to_str()?;
        let mut offsets = CharOffsets::new(text);
        Ok(self.scan.find(text).map(|m| self.found(py, &m, &mut offsets)))
    }
}

/// A set of characters: a bitmap of the Basic Multilingual Plane, a list beyond it.
pub(crate) struct CharSet {
    /// Bit `c` set for each character `c` of the set in the Basic Multilingual Plane.
    bmp: Vec<u64>,
    /// The set's characters beyond it.
    astral: Vec<char>,
}

impl CharSet {
    pub(crate) fn new(chars: impl IntoIterator<Item = char>) -> Self {
        let mut set = CharSet { bmp: vec![0u64; 1024], astral: Vec::new() };
        for c in chars {
            let code = c as u32;
            if code < 0x10000 {
                set.bmp[(code >> 6) as usize] |= 1 << (code & 63);
            } else if !set.astral.contains(&c) {
                set.astral.push(c);
            }
        }
        set
    }

    #[inline]
    pub(crate) fn contains(&self, c: char) -> bool {
        let code = c as u32;
        if code < 0x10000 {
            (self.bmp[(code >> 6) as usize] >> (code & 63)) & 1 == 1
        } else {
            self.astral.contains(&c)
        }
    }
}

/// The characters a pattern can start with (`transforms/fast_scan.py`, `StartScan`): `re`
/// tries a pattern opening with a lookahead at every character; this finds the few places
/// worth trying, in one pass.
#[pyclass(module = "transforms._fast_scan", frozen)]
struct CharStarts {
    chars: CharSet,
    /// Every numeric character too (Unicode Nd, Nl, No): more than `re`'s `\d` (Nd), never less.
    numeric: bool,
}

impl CharStarts {
    fn contains(&self, c: char) -> bool {
        self.chars.contains(c) || (self.numeric && c.is_numeric())
    }
}

#[pymethods]
impl CharStarts {
    #[new]
    fn new(chars: &str, numeric: bool) -> Self {
        CharStarts { chars: CharSet::new(chars.chars()), numeric }
    }

    /// Code-point offsets, ascending, of every character of `text` in the set.
    fn positions(&self, text: &PyString) -> PyResult<Vec<usize>> {
        let text = text.to_str()?;
        Ok(text.chars().enumerate().filter(|&(_, c)| self.contains(c)).map(|(i, _)| i).collect())
    }
}

/// Every character Rust counts as numeric (Unicode Nd, Nl, No), in order: a superset of what
/// `re`'s `\d` matches (Nd, `str.isdecimal`), which Python picks out of it for
/// `QuantityScanner` (cheaper than asking Python about each of the 1.1 million code points).
#[pyfunction]
fn numeric_chars() -> String {
    (0..=0x10FFFFu32).filter_map(char::from_u32).filter(|c| c.is_numeric()).collect()
}

/// Words tried at one place in the order a regex alternation (`a|b|c`) tries them.
struct Words {
    chars: Vec<Vec<u32>>,
    /// Each word as a Python string, handed back as it is (no new string per match).
    strings: Vec<Py<PyString>>,
    /// The words' first characters: most places start none of them.
    firsts: CharSet,
}

impl Words {
    fn new(py: Python<'_>, words: &[String]) -> PyResult<Self> {
        if words.iter().any(String::is_empty) {
            // An empty alternative would match everywhere: not a shape this matcher knows.
            return Err(pyo3::exceptions::PyValueError::new_err("an empty word"));
        }
        let chars: Vec<Vec<u32>> = words.iter().map(|w| w.chars().map(u32::from).collect()).collect();
        Ok(Words {
            strings: words.iter().map(|w| PyString::new(py, w).into()).collect(),
            firsts: CharSet::new(words.iter().filter_map(|w| w.chars().next())),
            chars,
        })
    }

    /// Indices of the words written at `at`, in the alternation's order.
    fn all_at<'a>(&'a self, text: &'a [u32], at: usize) -> impl Iterator<Item = usize> + 'a {
        // Few words (31 units): their first characters compared beat a hashed index.
        let first = text.get(at).copied().filter(|&c| has(&self.firsts, c));
        let words = if first.is_some() { &self.chars[..] } else { &[] };
        words
            .iter()
            .enumerate()
            .filter(move |(_, word)| Some(word[0]) == first && text[at..].starts_with(word))
            .map(|(i, _)| i)
    }

    /// The first word (in the alternation's order) written at `at`: what `(?:a|b|c)` matches
    /// when nothing after it can fail.
    fn first_at(&self, text: &[u32], at: usize) -> Option<usize> {
        self.all_at(text, at).next()
    }

    /// The alternatives an optional group (`(?:a|b)?`) tries at `at`: each word written there,
    /// then none (`None`).
    fn optional_at<'a>(
        &'a self,
        text: &'a [u32],
        at: usize,
    ) -> impl Iterator<Item = Option<usize>> + 'a {
        self.all_at(text, at).map(Some).chain(std::iter::once(None))
    }

    fn len(&self, word: Option<usize>) -> usize {
        word.map_or(0, |i| self.chars[i].len())
    }

    fn string(&self, py: Python<'_>, word: Option<usize>) -> Option<Py<PyString>> {
        word.map(|i| self.strings[i].clone_ref(py))
    }
}

/// What follows a quantity's number: `(?P<after>..)?(?P<mult>..)?(?P<unit>..)(?P<tail>..)?`.
struct Rest {
    after: Option<usize>,
    mult: Option<usize>,
    unit: usize,
    unit_end: usize,
    tail: Option<usize>,
    end: usize,
}

/// One quantity found: the spans and words of the pattern's groups.
struct Quantity {
    start: usize,
    approx: Option<usize>,
    sign: Option<usize>,
    num_start: usize,
    num_end: usize,
    rest: Rest,
}

/// The quantity pattern of `transforms/numbers.py` (`compile_quantity_pattern`), every word of
/// it handed over by Python (the catalogue's units among them), matched as `re` matches it:
///
/// ```text
/// (?P<approx>A|..)?(?P<sign>(?<![\d.%])[-−])?
/// (?P<num>(?<![\d.])\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\d.])\d+(?:\.\d+)?
///        |(?<![CN万亿第])[CN]+(?:点[CN_FRACTION]+)?)
/// (?P<after>余|多)?(?P<mult>万亿|亿|万|千)?(?P<unit>U|..)(?P<tail>T|..)?
/// ```
///
/// The `regex` crate has no lookbehind and takes the leftmost-longest branch of no single
/// place; `re` backtracks, leftmost-first. So each place is tried as `re` tries it: every
/// optional group first with each word written there (in the alternation's order), then
/// without; every repetition from its longest down; the number's three branches in order; the
/// first path that reaches a unit wins (the tail, optional, never fails). The next place tried
/// is the match's end, as `finditer` goes on. The pattern's two opening lookaheads only skip
/// places where no match can start, so they are not repeated here.
#[pyclass(module = "transforms._fast_scan", frozen)]
struct QuantityScanner {
    approx: Words,
    signs: Words,
    /// What may not stand before a sign besides a digit (`(?<![\d.%])`).
    sign_not_after: CharSet,
    /// What may not stand before an Arabic number besides a digit (`(?<![\d.])`).
    number_not_after: CharSet,
    /// `re`'s `\d`: Python's decimal characters (`str.isdecimal`), handed over by Python.
    digits: CharSet,
    cn: CharSet,
    /// The Chinese numeral's decimal point (点) and the digits after it.
    cn_point: Words,
    cn_fraction: CharSet,
    /// What may not stand before a Chinese numeral (`(?<![...])`).
    cn_not_after: CharSet,
    after: Words,
    mult: Words,
    units: Words,
    tails: Words,
    /// Where a match can start: an approximation's, a sign's or a number's first character
    /// (the pattern's first lookahead); one look at most characters, before `opens`.
    starts: CharSet,
    /// `re`'s `\d` and `cn`: what a number starts with.
    figure: CharSet,
    /// What may follow a number's first character: a digit or numeral, `,`, `.`, 点, or the
    /// first character of `after`, `mult` or a unit.
    follows: CharSet,
    /// The first characters of `after`, `mult` and the units: what the rest after a number
    /// must start with.
    rest_firsts: CharSet,
}

/// Whether the code point `code` is in `set`: surrogates (a lone one, as Python may store it)
/// in none. The bitmap is read in place: most texts' characters are in the Basic Multilingual
/// Plane, and a `char` made of each first cost as much as the look.
#[inline]
pub(crate) fn has(set: &CharSet, code: u32) -> bool {
    if code < 0x10000 {
        (set.bmp[(code >> 6) as usize] >> (code & 63)) & 1 == 1
    } else {
        char::from_u32(code).is_some_and(|c| set.astral.contains(&c))
    }
}

/// How many characters from `at` on are in `set`.
fn run(text: &[u32], at: usize, set: &CharSet) -> usize {
    text.get(at..).map_or(0, |rest| rest.iter().take_while(|&&c| has(set, c)).count())
}

impl QuantityScanner {
    /// The pattern's opening lookahead, which every match passes: an approximation before a
    /// sign or figure, a sign before a figure, or a figure before what may follow it. Most
    /// places (一 of 进一步, 大 of 扩大) fail it on two characters.
    fn opens(&self, text: &[u32], at: usize) -> bool {
        let c = text[at];
        let next_in = |set: &CharSet, next: usize| text.get(next).is_some_and(|&c| has(set, c));
        (has(&self.figure, c) && next_in(&self.follows, at + 1))
            || self
                .signs
                .all_at(text, at)
                .any(|s| next_in(&self.figure, at + self.signs.len(Some(s))))
            || self.approx.all_at(text, at).any(|a| {
                let next = at + self.approx.len(Some(a));
                next_in(&self.figure, next) || self.signs.all_at(text, next).next().is_some()
            })
    }

    fn is(&self, text: &[u32], at: usize, c: char) -> bool {
        text.get(at) == Some(&u32::from(c))
    }

    /// `(?P<after>..)?(?P<mult>..)?(?P<unit>..)(?P<tail>..)?` from `at`.
    fn rest(&self, text: &[u32], at: usize) -> Option<Rest> {
        // One look first: most ends tried (each length of a year's digits) stand before
        // nothing that can follow a number.
        if !text.get(at).is_some_and(|&c| has(&self.rest_firsts, c)) {
            return None;
        }
        for after in self.after.optional_at(text, at) {
            let mult_start = at + self.after.len(after);
            for mult in self.mult.optional_at(text, mult_start) {
                let unit_start = mult_start + self.mult.len(mult);
                if let Some(unit) = self.units.first_at(text, unit_start) {
                    let unit_end = unit_start + self.units.len(Some(unit));
                    let tail = self.tails.first_at(text, unit_end);
                    let end = unit_end + self.tails.len(tail);
                    return Some(Rest { after, mult, unit, unit_end, tail, end });
                }
            }
        }
        None
    }

    /// `(?:\.\d+)?` from `at` (the digits from their longest down, then no fraction), then
    /// the rest: where the number ends and what follows it.
    fn fraction_then_rest(&self, text: &[u32], at: usize) -> Option<(usize, Rest)> {
        if self.is(text, at, '.') {
            for len in (1..=run(text, at + 1, &self.digits)).rev() {
                let end = at + 1 + len;
                if let Some(rest) = self.rest(text, end) {
                    return Some((end, rest));
                }
            }
        }
        self.rest(text, at).map(|rest| (at, rest))
    }

    /// The number (`num`) from `at` and the rest, the number's branches tried in order: the
    /// first that reaches a unit. Returns where the number ends.
    fn number(&self, text: &[u32], at: usize) -> Option<(usize, Rest)> {
        let before = at.checked_sub(1).map(|i| text[i]);
        // (?<![\d.]), before both Arabic branches.
        if !before.is_some_and(|c| has(&self.number_not_after, c) || has(&self.digits, c)) {
            let digits = run(text, at, &self.digits);
            // \d{1,3}(?:,\d{3})+(?:\.\d+)?
            for lead in (1..=digits.min(3)).rev() {
                let mut groups = Vec::new(); // where each `,ddd` ends, the first first
                let mut end = at + lead;
                while self.is(text, end, ',') && run(text, end + 1, &self.digits) >= 3 {
                    end += 4;
                    groups.push(end);
                }
                for &end in groups.iter().rev() {
                    if let Some(found) = self.fraction_then_rest(text, end) {
                        return Some(found);
                    }
                }
            }
            // \d+(?:\.\d+)?
            for len in (1..=digits).rev() {
                if let Some(found) = self.fraction_then_rest(text, at + len) {
                    return Some(found);
                }
            }
        }
        // (?<![CN万亿第])[CN]+(?:点[CN_FRACTION]+)?
        if !before.is_some_and(|c| has(&self.cn_not_after, c)) {
            for len in (1..=run(text, at, &self.cn)).rev() {
                let end = at + len;
                if let Some(point) = self.cn_point.first_at(text, end) {
                    let fraction_start = end + self.cn_point.len(Some(point));
                    for len in (1..=run(text, fraction_start, &self.cn_fraction)).rev() {
                        if let Some(rest) = self.rest(text, fraction_start + len) {
                            return Some((fraction_start + len, rest));
                        }
                    }
                }
                if let Some(rest) = self.rest(text, end) {
                    return Some((end, rest));
                }
            }
        }
        None
    }

    /// The match starting at `start`, if any.
    fn match_at(&self, text: &[u32], start: usize) -> Option<Quantity> {
        for approx in self.approx.optional_at(text, start) {
            let sign_at = start + self.approx.len(approx);
            // (?<![\d.%]) before the sign.
            let sign_after = sign_at.checked_sub(1).map(|i| text[i]);
            let signs_here = !sign_after
                .is_some_and(|c| has(&self.sign_not_after, c) || has(&self.digits, c));
            for sign in self.signs.optional_at(text, sign_at).filter(|s| signs_here || s.is_none())
            {
                let num_start = sign_at + self.signs.len(sign);
                if let Some((num_end, rest)) = self.number(text, num_start) {
                    return Some(Quantity { start, approx, sign, num_start, num_end, rest });
                }
            }
        }
        None
    }
}

/// One quantity as Python's `find_quantities` takes it: `(start, number's start, unit's end,
/// end, approx, sign, num, after, mult, unit, tail)`, a group not matched being None.
type QuantityTuple = (
    usize,
    usize,
    usize,
    usize,
    Option<Py<PyString>>,
    Option<Py<PyString>>,
    Py<PyString>,
    Option<Py<PyString>>,
    Option<Py<PyString>>,
    Py<PyString>,
    Option<Py<PyString>>,
);

#[pymethods]
impl QuantityScanner {
    /// Every word list in its alternation's order; `units` longest first, as the pattern
    /// writes them. Character sets are strings.
    #[new]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        approx: Vec<String>,
        signs: Vec<String>,
        sign_not_after: &str,
        number_not_after: &str,
        digits: &str,
        cn: &str,
        cn_point: &str,
        cn_fraction: &str,
        cn_not_after: &str,
        after: Vec<String>,
        mult: Vec<String>,
        units: Vec<String>,
        tails: Vec<String>,
    ) -> PyResult<Self> {
        let figure = || digits.chars().chain(cn.chars());
        let firsts =
            |words: &[String]| words.iter().filter_map(|w| w.chars().next()).collect::<Vec<_>>();
        let follows = figure()
            .chain([',', '.'])
            .chain(cn_point.chars().take(1))
            .chain(firsts(&after))
            .chain(firsts(&mult))
            .chain(firsts(&units));
        let starts = figure().chain(firsts(&approx)).chain(firsts(&signs));
        let rest_firsts = firsts(&after).into_iter().chain(firsts(&mult)).chain(firsts(&units));
        Ok(QuantityScanner {
            starts: CharSet::new(starts),
            figure: CharSet::new(figure()),
            follows: CharSet::new(follows),
            rest_firsts: CharSet::new(rest_firsts),
            approx: Words::new(py, &approx)?,
            signs: Words::new(py, &signs)?,
            sign_not_after: CharSet::new(sign_not_after.chars()),
            number_not_after: CharSet::new(number_not_after.chars()),
            digits: CharSet::new(digits.chars()),
            cn: CharSet::new(cn.chars()),
            cn_point: Words::new(py, &[cn_point.to_string()])?,
            cn_fraction: CharSet::new(cn_fraction.chars()),
            cn_not_after: CharSet::new(cn_not_after.chars()),
            after: Words::new(py, &after)?,
            mult: Words::new(py, &mult)?,
            units: Words::new(py, &units)?,
            tails: Words::new(py, &tails)?,
        })
    }

    /// Every quantity in `text`, in order, as `QuantityTuple`s: what `finditer` of the pattern
    /// finds, with the groups `find_quantities` reads.
    fn matches(&self, py: Python<'_>, text: &PyString) -> PyResult<Vec<QuantityTuple>> {
        // The code points read as Python stores them, not decoded from UTF-8: a lone surrogate
        // is one more code point, in no set, as `re` reads it.
        // SAFETY: the data is read while `text` (borrowed, so alive) is not changed.
        let chars: Vec<u32> = match unsafe { text.data()? } {
            PyStringData::Ucs1(units) => units.iter().map(|&c| u32::from(c)).collect(),
            PyStringData::Ucs2(units) => units.iter().map(|&c| u32::from(c)).collect(),
            PyStringData::Ucs4(units) => units.to_vec(),
        };
        let mut found = Vec::new();
        let mut at = 0;
        while at < chars.len() {
            if has(&self.starts, chars[at]) && self.opens(&chars, at) {
                if let Some(q) = self.match_at(&chars, at) {
                    let num = &chars[q.num_start..q.num_end];
                    // SAFETY: `num` holds `num.len()` code points of four bytes; Python copies
                    // them into a new string of the narrowest width.
                    let num = unsafe {
                        py.from_owned_ptr_or_err::<PyString>(ffi::PyUnicode_FromKindAndData(
                            ffi::PyUnicode_4BYTE_KIND as _,
                            num.as_ptr().cast(),
                            num.len() as ffi::Py_ssize_t,
                        ))?
                    };
                    found.push((
                        q.start,
                        q.num_start,
                        q.rest.unit_end,
                        q.rest.end,
                        self.approx.string(py, q.approx),
                        self.signs.string(py, q.sign),
                        num.into(),
                        self.after.string(py, q.rest.after),
                        self.mult.string(py, q.rest.mult),
                        self.units.strings[q.rest.unit].clone_ref(py),
                        self.tails.string(py, q.rest.tail),
                    ));
                    at = q.rest.end; // `finditer` goes on where a match ends (never empty)
                    continue;
                }
            }
            at += 1;
        }
        Ok(found)
    }
}

#[pymodule]
fn _fast_scan(_py: Python<'_>, m: &PyModule) -> PyResult<()> {
    m.add_class::<WordScanner>()?;
    m.add_class::<WordMatch>()?;
    m.add_class::<CharStarts>()?;
    m.add_class::<QuantityScanner>()?;
    m.add_class::<not_after::NotAfterScanner>()?;
    m.add_class::<periods::PeriodScanner>()?;
    m.add_class::<starts::PatternStarts>()?;
    m.add_class::<fillers::StripSearch>()?;
    m.add_class::<regions::MentionScanner>()?;
    m.add_class::<tokens::WordFamilies>()?;
    m.add_class::<tokens::CharFinder>()?;
    m.add_function(wrap_pyfunction!(numeric_chars, m)?)?;
    m.add_class::<normalise::CharMap>()?;
    m.add_class::<normalise::Triggers>()?;
    m.add_class::<normalise::FollowedBy>()?;
    m.add_class::<normalise::CharsAfter>()?;
    m.add_class::<normalise::DoubledFigures>()?;
    m.add_function(wrap_pyfunction!(normalise::doubled_line_candidates, m)?)?;
    m.add_function(wrap_pyfunction!(normalise::whitespace_runs, m)?)?;
    m.add_function(wrap_pyfunction!(normalise::wrap_width, m)?)?;
    m.add_function(wrap_pyfunction!(normalise::apply_edits, m)?)?;
    m.add_class::<normalise::LineJoins>()?;
    m.add_class::<normalise::IdlePasses>()?;
    m.add_function(wrap_pyfunction!(normalise::python_spaces, m)?)?;
    Ok(())
}
