//! The per-character looks of `transforms/normalise.py`'s repair passes, in Rust: each tells
//! a pass whether (or where) it has anything to do, or does a pass's one-for-one work, so that
//! the Python pass (the reference) runs only on the texts and lines that need it.
//!
//! Texts are read in place, as Python stores them (one, two or four bytes a code point), not
//! encoded to UTF-8 first: every pass hands on a new string, and encoding each cost more than
//! the look itself. Offsets are then Python's (code points) as they stand, and a lone
//! surrogate is one more code point, in no set.

use std::collections::HashMap;

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyString, PyStringData};

use crate::{has, CharSet};

/// Calls `$f(code_points, args...)` on `$text`'s stored code points, whatever their width.
macro_rules! on_code_points {
    ($text:expr, $f:ident ( $($arg:expr),* )) => {
        // SAFETY: the data is read while `$text` (borrowed, so alive) is not changed;
        // pyo3 reads the kind and length from the object (little-endian, full API only).
        match unsafe { $text.data()? } {
            PyStringData::Ucs1(units) => $f(units, $($arg),*),
            PyStringData::Ucs2(units) => $f(units, $($arg),*),
            PyStringData::Ucs4(units) => $f(units, $($arg),*),
        }
    };
}

/// One code point as stored.
trait Unit: Copy + Into<u32> {}
impl<T: Copy + Into<u32>> Unit for T {}


/// Characters replaced one for one (`fold_width`): no offset moves.
#[pyclass(module = "transforms._fast_scan", frozen)]
pub struct CharMap {
    from: CharSet,
    to: HashMap<u32, u32>,
}

#[pymethods]
impl CharMap {
    /// `from[i]` becomes `to[i]`.
    #[new]
    fn new(from: &str, to: &str) -> PyResult<Self> {
        let pairs: HashMap<u32, u32> = from.chars().zip(to.chars()).map(|(a, b)| (a as u32, b as u32)).collect();
        if pairs.len() != from.chars().count() || pairs.len() != to.chars().count() {
            return Err(pyo3::exceptions::PyValueError::new_err("one character for one, each once"));
        }
        Ok(CharMap { from: CharSet::new(from.chars()), to: pairs })
    }

    /// `text` with every character of the map replaced: `text` itself when it holds none of
    /// them (most texts), not a copy.
    fn translate(&self, py: Python<'_>, text: &PyString) -> PyResult<Py<PyString>> {
        match on_code_points!(text, translated(self)) {
            None => Ok(text.into()),
            Some(codes) => {
                // SAFETY: `codes` holds `codes.len()` four-byte code points; Python copies them
                // into a new string of the narrowest width that holds them.
                let made = unsafe {
                    ffi::PyUnicode_FromKindAndData(
                        ffi::PyUnicode_4BYTE_KIND as _,
                        codes.as_ptr().cast(),
                        codes.len() as ffi::Py_ssize_t,
                    )
                };
                // SAFETY: a new reference, or NULL with Python's error set.
                Ok(unsafe { py.from_owned_ptr_or_err::<PyString>(made)? }.into())
            }
        }
    }
}

fn translated<T: Unit>(units: &[T], map: &CharMap) -> Option<Vec<u32>> {
    if !units.iter().any(|&u| has(&map.from, u.into())) {
        return None;
    }
    Some(units.iter().map(|&u| map.to.get(&u.into()).copied().unwrap_or(u.into())).collect())
}

/// Whether a text holds any of a set of characters or words: the keys of a converter that
/// change something (`convert_traditional`), or a unit written twice (`repair_doubled_glyphs`):
/// one look over a text instead of the conversion or a regex's search.
#[pyclass(module = "transforms._fast_scan", frozen)]
pub struct Triggers {
    /// The characters and the words' first characters: most characters are neither, and are
    /// passed over on one look.
    leads: CharSet,
    chars: CharSet,
    /// The words by their first character (sorted), as code points.
    words: Vec<(u32, Vec<Vec<u32>>)>,
    /// The words' second characters: most leads are followed by none, and need no search.
    seconds: CharSet,
}

#[pymethods]
impl Triggers {
    #[new]
    fn new(chars: &str, words: Vec<String>) -> PyResult<Self> {
        let mut by_first: Vec<(u32, Vec<Vec<u32>>)> = Vec::new();
        for word in &words {
            let codes: Vec<u32> = word.chars().map(u32::from).collect();
            let Some(&first) = codes.first() else {
                return Err(pyo3::exceptions::PyValueError::new_err("an empty word"));
            };
            match by_first.binary_search_by_key(&first, |&(c, _)| c) {
                Ok(at) => by_first[at].1.push(codes),
                Err(at) => by_first.insert(at, (first, vec![codes])),
            }
        }
        let firsts = words.iter().filter_map(|w| w.chars().next());
        if words.iter().any(|w| w.chars().count() < 2) {
            // A one-character word is one more character.
            let singles: String = words.iter().filter(|w| w.chars().count() == 1).map(String::as_str).collect();
            let multiple: Vec<String> = words.iter().filter(|w| w.chars().count() > 1).cloned().collect();
            return Triggers::new(&format!("{chars}{singles}"), multiple);
        }
        Ok(Triggers {
            leads: CharSet::new(chars.chars().chain(firsts)),
            chars: CharSet::new(chars.chars()),
            words: by_first,
            seconds: CharSet::new(words.iter().filter_map(|w| w.chars().nth(1))),
        })
    }

    /// None for a text holding a lone surrogate, which the converter cannot take: its
    /// caller's reference then fails as it always did.
    fn occur_in(&self, text: &PyString) -> PyResult<Option<bool>> {
        Ok(on_code_points!(text, triggered(self)))
    }

    /// `(start, end)` of every line holding one of the characters or words (none crosses a
    /// line break); None for a text holding a lone surrogate, as `occur_in`.
    fn lines_holding(&self, text: &PyString) -> PyResult<Option<Vec<(usize, usize)>>> {
        Ok(on_code_points!(text, lines_triggered(self)))
    }
}

impl Triggers {
    /// Whether a character or a word stands at `at`, whose character is in `leads`.
    fn stands_at<T: Unit>(&self, units: &[T], at: usize, code: u32) -> bool {
        has(&self.chars, code)
            || units.get(at + 1).is_some_and(|&u| has(&self.seconds, u.into()))
                && self.words.binary_search_by_key(&code, |&(c, _)| c).is_ok_and(|found| {
                self.words[found].1.iter().any(|word| starts_with(&units[at..], word))
            })
    }
}

fn lines_triggered<T: Unit>(units: &[T], triggers: &Triggers) -> Option<Vec<(usize, usize)>> {
    let mut found = Vec::new();
    let mut start = 0;
    for line in units.split(|&u| u.into() == u32::from('\n')) {
        if triggered(line, triggers)? {
            found.push((start, start + line.len()));
        }
        start += line.len() + 1;
    }
    Some(found)
}

fn triggered<T: Unit>(units: &[T], triggers: &Triggers) -> Option<bool> {
    for (at, &u) in units.iter().enumerate() {
        let code = u.into();
        if has(&triggers.leads, code) {
            if triggers.stands_at(units, at, code) {
                return Some(true);
            }
        } else if (0xD800..0xE000).contains(&code) {
            return None;
        }
    }
    Some(false)
}

fn starts_with<T: Unit>(units: &[T], word: &[u32]) -> bool {
    units.len() >= word.len() && units.iter().zip(word).all(|(&u, &w)| u.into() == w)
}

/// Whether a character of `first` stands before one of `then` with only characters of `skip`
/// between them: where a pattern such as `[(（][ \n]*[a-z…]` can start.
#[pyclass(module = "transforms._fast_scan", frozen)]
pub struct FollowedBy {
    first: CharSet,
    skip: CharSet,
    then: CharSet,
}

#[pymethods]
impl FollowedBy {
    #[new]
    fn new(first: &str, skip: &str, then: &str) -> Self {
        FollowedBy {
            first: CharSet::new(first.chars()),
            skip: CharSet::new(skip.chars()),
            then: CharSet::new(then.chars()),
        }
    }

    fn occur_in(&self, text: &PyString) -> PyResult<bool> {
        Ok(on_code_points!(text, followed(self)))
    }
}

fn followed<T: Unit>(units: &[T], look: &FollowedBy) -> bool {
    units.iter().enumerate().any(|(at, &u)| {
        has(&look.first, u.into())
            && units[at + 1..]
                .iter()
                .find(|&&next| !has(&look.skip, next.into()))
                .is_some_and(|&next| has(&look.then, next.into()))
    })
}

/// `(start, end)` of every line (a run of characters other than `\n`) of `min` to `max`
/// characters whose first run of characters is written twice (`规上规上…`, `77…`): the only
/// lines `repair_doubled_lines` can change (`doubled_line_halves` checks the rest).
#[pyfunction]
pub fn doubled_line_candidates(
    text: &PyString,
    min: usize,
    max: usize,
) -> PyResult<Vec<(usize, usize)>> {
    Ok(on_code_points!(text, doubled_lines(min, max)))
}

fn doubled_lines<T: Unit>(units: &[T], min: usize, max: usize) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let mut start = 0;
    for line in units.split(|&u| u.into() == u32::from('\n')) {
        if may_be_doubled(line, min, max) {
            found.push((start, start + line.len()));
        }
        start += line.len() + 1;
    }
    found
}

/// What `doubled_line_halves` asks of a line before splitting it: `min` to `max` characters,
/// none of them a space at either end, a first run written twice, each character an even
/// number of times (Python's `Counter` over each line that opens so, `11月…`, cost more than
/// the rest of the pass).
fn may_be_doubled<T: Unit>(line: &[T], min: usize, max: usize) -> bool {
    if !(min..=max).contains(&line.len())
        || line.first().is_some_and(|&u| is_python_space(u.into()))
        || line.last().is_some_and(|&u| is_python_space(u.into()))
        || !opens_with_doubled_run(line)
    {
        return false;
    }
    let mut codes: Vec<u32> = line.iter().map(|&u| u.into()).collect();
    codes.sort_unstable();
    codes.chunk_by(|a, b| a == b).all(|same| same.len() % 2 == 0)
}

/// Some `h` with `line[h..2h] == line[..h]`.
fn opens_with_doubled_run<T: Unit>(line: &[T]) -> bool {
    let same = |a: T, b: T| a.into() == b.into();
    (1..=line.len() / 2).any(|half| {
        same(line[half], line[0]) && line[half..2 * half].iter().zip(line).all(|(&a, &b)| same(a, b))
    })
}

/// `(start, end, kind)` of every run of spaces and line breaks, as `join_wrapped_lines` sorts
/// them before deciding: 0, spaces that go; 1, spaces between two ASCII letters or digits,
/// which become one (a lone one, which stays, is left out); 2, a run holding a break.
#[pyfunction]
pub fn whitespace_runs(text: &PyString) -> PyResult<Vec<(usize, usize, u8)>> {
    Ok(on_code_points!(text, sorted_runs()))
}

fn sorted_runs<T: Unit>(units: &[T]) -> Vec<(usize, usize, u8)> {
    let white = |at: usize| units.get(at).is_some_and(|&u| matches!(u.into(), 0x20 | 0x0A));
    let word = |at: usize| {
        units.get(at).and_then(|&u| char::from_u32(u.into())).is_some_and(|c| c.is_ascii_alphanumeric())
    };
    let mut found = Vec::new();
    let mut at = 0;
    while at < units.len() {
        // Most characters are neither: passed over in a tight loop.
        let Some(skip) = units[at..].iter().position(|&u| matches!(u.into(), 0x20 | 0x0A)) else {
            break;
        };
        at += skip;
        let start = at;
        let mut breaks = false;
        while white(at) {
            breaks |= units[at].into() == 0x0A;
            at += 1;
        }
        if breaks {
            found.push((start, at, 2));
        } else if start > 0 && word(start - 1) && word(at) {
            if at - start > 1 {
                found.push((start, at, 1));
            }
        } else {
            found.push((start, at, 0));
        }
    }
    found
}

/// Where a character of `chars` follows one of `before`: where a pattern such as
/// `[。,](?<=\d.)` can match (a text holds hundreds of `，`, few after a digit).
#[pyclass(module = "transforms._fast_scan", frozen)]
pub struct CharsAfter {
    chars: CharSet,
    before: CharSet,
}

#[pymethods]
impl CharsAfter {
    #[new]
    fn new(chars: &str, before: &str) -> Self {
        CharsAfter { chars: CharSet::new(chars.chars()), before: CharSet::new(before.chars()) }
    }

    /// Code-point offsets, ascending.
    fn positions(&self, text: &PyString) -> PyResult<Vec<usize>> {
        Ok(on_code_points!(text, chars_after(self)))
    }
}

fn chars_after<T: Unit>(units: &[T], look: &CharsAfter) -> Vec<usize> {
    (1..units.len())
        .filter(|&at| has(&look.chars, units[at].into()) && has(&look.before, units[at - 1].into()))
        .collect()
}

/// Where a figure that opens with a run written twice can start (`7070个个`, `243243..44`,
/// `3.53.5亿元亿元`): a digit after no digit and no `.` whose run of digits and dots from
/// there opens with some `h` characters written twice. Every match of `repair_doubled_glyphs`'s
/// pattern starts at one of these; most numbers (`2.3%`, `1372.98`) are none.
#[pyclass(module = "transforms._fast_scan", frozen)]
pub struct DoubledFigures {
    /// `re`'s `\d`, handed over by Python.
    digits: CharSet,
}

#[pymethods]
impl DoubledFigures {
    #[new]
    fn new(digits: &str) -> Self {
        DoubledFigures { digits: CharSet::new(digits.chars()) }
    }

    /// Code-point offsets, ascending.
    fn positions(&self, text: &PyString) -> PyResult<Vec<usize>> {
        Ok(on_code_points!(text, doubled_figures(self)))
    }
}

fn doubled_figures<T: Unit>(units: &[T], look: &DoubledFigures) -> Vec<usize> {
    let figure = |at: usize| {
        let code = units[at].into();
        code == u32::from('.') || has(&look.digits, code)
    };
    let mut found = Vec::new();
    let mut at = 0;
    while at < units.len() {
        if !figure(at) {
            at += 1;
            continue;
        }
        let start = at;
        while at < units.len() && figure(at) {
            at += 1;
        }
        // Every digit of the run after its first follows a digit or a dot: only the first
        // can start a match.
        let run = &units[start..at];
        if has(&look.digits, run[0].into()) && opens_with_doubled_run(run) {
            found.push(start);
        }
    }
    found
}

/// Python's `str.isspace`: Unicode's White_Space and the four separators (U+001C to U+001F)
/// that Python counts too (tests/transforms/test_native_normalise.py checks every code point).
fn is_python_space(code: u32) -> bool {
    (0x1C..=0x1F).contains(&code) || char::from_u32(code).is_some_and(char::is_whitespace)
}

/// Every character `is_python_space` takes, for the test that it is Python's.
#[pyfunction]
pub fn python_spaces() -> String {
    (0..=0x10FFFFu32).filter(|&code| is_python_space(code)).filter_map(char::from_u32).collect()
}

/// `transforms/normalise.py`'s `wrap_width`: of the lines at least `min` characters long
/// once stripped, the length at `quantile` (`ceil(quantile * (n - 1))`, as Python counts it).
#[pyfunction]
pub fn wrap_width(text: &PyString, min: usize, quantile: f64) -> PyResult<usize> {
    Ok(on_code_points!(text, line_width(min, quantile)))
}

fn line_width<T: Unit>(units: &[T], min: usize, quantile: f64) -> usize {
    let mut lengths: Vec<usize> = Vec::new();
    let mut from = 0;
    loop {
        // A line shorter than `min` is shorter stripped: only the others are stripped.
        let to = units[from..].iter().position(|&u| u.into() == 0x0A).map_or(units.len(), |at| from + at);
        if to - from >= min {
            let length = stripped_len(&units[from..to]);
            if length >= min {
                lengths.push(length);
            }
        }
        if to == units.len() {
            break;
        }
        from = to + 1;
    }
    if lengths.is_empty() {
        return 0;
    }
    lengths.sort_unstable();
    lengths[(quantile * (lengths.len() - 1) as f64).ceil() as usize]
}

fn stripped_len<T: Unit>(line: &[T]) -> usize {
    let kept = |&u: &T| !is_python_space(u.into());
    match (line.iter().position(kept), line.iter().rposition(kept)) {
        (Some(first), Some(last)) => last + 1 - first,
        _ => 0,
    }
}

/// An offset map as `transforms/normalise.py`'s `Offsets` keeps it: `(starts, firsts, listed,
/// size)`.
type OffsetRuns = (Vec<usize>, Vec<isize>, Vec<Vec<usize>>, usize);

/// `text` rebuilt with `edits` (`(start, end, new)`, in order, none overlapping; character `k`
/// of `new` comes from `start + k`) and its map, as `Rewrite.edit` and `Rewrite.result` build
/// them: one call instead of a slice, a list and a run of the map per edit. None when there
/// is no edit.
#[pyfunction]
pub fn apply_edits(
    py: Python<'_>,
    text: &PyString,
    edits: Vec<(usize, usize, String)>,
) -> PyResult<Option<(Py<PyString>, OffsetRuns)>> {
    if edits.is_empty() {
        return Ok(None);
    }
    let (codes, runs) = on_code_points!(text, edited(&edits));
    // SAFETY: `codes` holds `codes.len()` four-byte code points; Python copies them into a
    // new string of the narrowest width that holds them.
    let made = unsafe {
        ffi::PyUnicode_FromKindAndData(
            ffi::PyUnicode_4BYTE_KIND as _,
            codes.as_ptr().cast(),
            codes.len() as ffi::Py_ssize_t,
        )
    };
    // SAFETY: a new reference, or NULL with Python's error set.
    let made: Py<PyString> = unsafe { py.from_owned_ptr_or_err::<PyString>(made)? }.into();
    Ok(Some((made, runs)))
}

/// `Offsets` as it grows: `copy` and `extend` as Python's.
#[derive(Default)]
struct Runs {
    starts: Vec<usize>,
    firsts: Vec<isize>,
    listed: Vec<Vec<usize>>,
    size: usize,
}

impl Runs {
    fn copy(&mut self, start: usize, end: usize) {
        if end > start {
            self.starts.push(self.size);
            self.firsts.push(start as isize);
            self.listed.push(Vec::new());
            self.size += end - start;
        }
    }

    /// `copy`, run on from the last run when that one was copied up to `start`: the same
    /// entries in fewer runs.
    fn copy_on(&mut self, start: usize, end: usize) {
        if let (Some(&first), Some(&from)) = (self.firsts.last(), self.starts.last()) {
            if first >= 0 && first as usize + (self.size - from) == start {
                self.size += end - start;
                return;
            }
        }
        self.copy(start, end);
    }

    fn extend(&mut self, sources: Vec<usize>) {
        if !sources.is_empty() {
            self.starts.push(self.size);
            self.firsts.push(-1);
            self.size += sources.len();
            self.listed.push(sources);
        }
    }
}

fn edited<T: Unit>(units: &[T], edits: &[(usize, usize, String)]) -> (Vec<u32>, OffsetRuns) {
    let mut codes: Vec<u32> = Vec::with_capacity(units.len());
    let mut runs = Runs::default();
    // Offsets and slices as `Rewrite`'s: a slice clamps to the text, the map does not (the
    // same for the edits a pass makes: in order, none overlapping, inside the text).
    let slice = |from: usize, to: usize| {
        let from = from.min(units.len());
        &units[from..to.clamp(from, units.len())]
    };
    let mut pos = 0;
    for &(start, end, ref new) in edits {
        codes.extend(slice(pos, start).iter().map(|&u| u.into()));
        runs.copy(pos, start);
        codes.extend(new.chars().map(u32::from));
        runs.extend((start..start + new.chars().count()).collect());
        pos = end;
    }
    codes.extend(slice(pos, units.len()).iter().map(|&u| u.into()));
    runs.copy(pos, units.len() + 1);
    (codes, (runs.starts, runs.firsts, runs.listed, runs.size))
}

/// `transforms/normalise.py`'s `join_wrapped_lines`, whole: the same runs of whitespace
/// (`sorted_runs`), the same decisions on each run holding a break (`line_break`, its
/// patterns matched by hand below), the text rebuilt with its map as `apply_edits` does. A
/// text holds a break every few dozen characters, and each decision in Python cost thousands
/// of instructions (slices, a strip, half a dozen `re` calls).
#[pyclass(module = "transforms._fast_scan", frozen)]
pub struct LineJoins {
    /// What may follow a figure's last digit and still belong to it (`UnitWords.figure_tail`).
    figure_tail: CharSet,
    /// The first characters of the catalogue's units (`quantity_ahead`'s class).
    unit_starts: CharSet,
    /// `re`'s `\d` (`str.isdecimal`) and `str.isdigit`, handed over by Python.
    decimal: CharSet,
    digit: CharSet,
    sentence_end: CharSet,
    closing_quotes: CharSet,
    clause_marks: CharSet,
    wrap_line_min: usize,
    wrap_quantile: f64,
    width_share: f64,
    wrapped_line_min: usize,
}

#[pymethods]
impl LineJoins {
    #[new]
    #[allow(clippy::too_many_arguments)]
    fn new(
        figure_tail: &str,
        unit_starts: &str,
        decimal: &str,
        digit: &str,
        sentence_end: &str,
        closing_quotes: &str,
        clause_marks: &str,
        wrap_line_min: usize,
        wrap_quantile: f64,
        width_share: f64,
        wrapped_line_min: usize,
    ) -> Self {
        LineJoins {
            figure_tail: CharSet::new(figure_tail.chars()),
            unit_starts: CharSet::new(unit_starts.chars()),
            decimal: CharSet::new(decimal.chars()),
            digit: CharSet::new(digit.chars()),
            sentence_end: CharSet::new(sentence_end.chars()),
            closing_quotes: CharSet::new(closing_quotes.chars()),
            clause_marks: CharSet::new(clause_marks.chars()),
            wrap_line_min,
            wrap_quantile,
            width_share,
            wrapped_line_min,
        }
    }

    /// The joined text and its map, as `apply_edits` hands them back; None when nothing
    /// changes.
    fn join(&self, py: Python<'_>, text: &PyString) -> PyResult<Option<(Py<PyString>, OffsetRuns)>> {
        let made = match unsafe { text.data()? } {
            PyStringData::Ucs1(units) => self.joined(units).map(|(c, r)| (new_string(py, &c), r)),
            PyStringData::Ucs2(units) => self.joined(units).map(|(c, r)| (new_string(py, &c), r)),
            PyStringData::Ucs4(units) => self.joined(units).map(|(c, r)| (new_string(py, &c), r)),
        };
        match made {
            None => Ok(None),
            Some((made, runs)) => Ok(Some((made?, runs))),
        }
    }
}

/// A stored width Python can build a string from, narrowed to its canonical width.
trait Kind: Unit + From<u8> {
    const KIND: u32;
}
impl Kind for u8 {
    const KIND: u32 = ffi::PyUnicode_1BYTE_KIND;
}
impl Kind for u16 {
    const KIND: u32 = ffi::PyUnicode_2BYTE_KIND;
}
impl Kind for u32 {
    const KIND: u32 = ffi::PyUnicode_4BYTE_KIND;
}

fn new_string<T: Kind>(py: Python<'_>, codes: &[T]) -> PyResult<Py<PyString>> {
    // SAFETY: `codes` holds `codes.len()` code points of `T`'s width; Python copies them into
    // a new string of the narrowest width that holds them (a join may drop its last wide
    // character).
    let made = unsafe {
        ffi::PyUnicode_FromKindAndData(T::KIND as _, codes.as_ptr().cast(), codes.len() as ffi::Py_ssize_t)
    };
    // SAFETY: a new reference, or NULL with Python's error set.
    Ok(unsafe { py.from_owned_ptr_or_err::<PyString>(made)? }.into())
}

const CHINESE_NUMERALS: &[char] = &['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

fn is_in(code: u32, chars: &[char]) -> bool {
    chars.iter().any(|&c| u32::from(c) == code)
}

impl LineJoins {
    fn joined<T: Kind>(&self, units: &[T]) -> Option<(Vec<T>, OffsetRuns)> {
        let size = units.len();
        let code = |at: usize| -> u32 { units[at].into() };
        let title_max = (self.width_share * line_width(units, self.wrap_line_min, self.wrap_quantile) as f64) as usize;
        let head_end = sentence_mark(units).unwrap_or(size);
        // Most texts hold no table: their lines need no count of pipes.
        let pipes = units.iter().any(|&u| u.into() == u32::from('|'));
        let mut line_from = 0;
        let mut reading_from = 0;
        let mut codes: Vec<T> = Vec::with_capacity(size);
        let mut runs = Runs::default();
        let mut pos = 0;
        let mut edited = false;
        for (start, end, kind) in sorted_runs(units) {
            let new: &[u8] = match kind {
                0 => b"",
                1 => b" ",
                _ => {
                    let prev = (start > 0).then(|| code(start - 1));
                    let next = (end < size).then(|| code(end));
                    if prev.is_some_and(|p| has(&self.digit, p) || p == u32::from('.'))
                        && next.is_some_and(|n| has(&self.figure_tail, n))
                        && !self.date_at_end(units, start.saturating_sub(20), start)
                    {
                        b""
                    } else {
                        let (new, goes_on) = self.line_break(
                            units,
                            start,
                            end,
                            prev,
                            next,
                            (title_max, head_end, pipes),
                            line_from,
                            reading_from,
                        );
                        line_from = end;
                        if !goes_on {
                            reading_from = end;
                        }
                        if new == b"\n" && end - start == 1 && code(start) == u32::from('\n') {
                            continue;
                        }
                        new
                    }
                }
            };
            edited = true;
            codes.extend_from_slice(&units[pos..start]);
            codes.extend(new.iter().map(|&b| T::from(b)));
            // The run's new character (one at most) comes from its first: a copied stretch
            // goes on through it.
            runs.copy_on(pos, start + new.len());
            pos = end;
        }
        if !edited {
            return None;
        }
        codes.extend_from_slice(&units[pos..]);
        runs.copy_on(pos, size + 1);
        Some((codes, (runs.starts, runs.firsts, runs.listed, runs.size)))
    }

    /// `line_break`: what a run holding a break becomes, and whether the next line goes on
    /// with this one.
    #[allow(clippy::too_many_arguments)]
    fn line_break<T: Unit>(
        &self,
        units: &[T],
        start: usize,
        end: usize,
        prev: Option<u32>,
        next: Option<u32>,
        (title_max, head_end, pipes): (usize, usize, bool),
        line_from: usize,
        reading_from: usize,
    ) -> (&'static [u8], bool) {
        const BREAK: (&[u8], bool) = (b"\n", false);
        let size = units.len();
        let code = |at: usize| -> u32 { units[at].into() };
        let (Some(prev), Some(_)) = (prev, next) else {
            return BREAK;
        };
        // `text[start - 2]`: Python's index, from the end when negative.
        let before = if start >= 2 { code(start - 2) } else { code(size - 1) };
        if has(&self.sentence_end, prev) || (has(&self.closing_quotes, prev) && has(&self.sentence_end, before)) {
            return BREAK;
        }
        if (has(&self.digit, prev) || prev == u32::from('日') || prev == u32::from('\t'))
            && self.date_at_end(units, start.saturating_sub(20), start)
        {
            return BREAK;
        }
        if prev >= 0x80 && self.quantity_ahead(units, end) {
            return (b"", false);
        }
        if self.list_marker(units, end) {
            return BREAK;
        }
        if pipes {
            let line_start = units[..start].iter().rposition(|&u| u.into() == u32::from('\n')).map_or(0, |at| at + 1);
            let next_end = units[end..].iter().position(|&u| u.into() == u32::from('\n')).map_or(size, |at| end + at);
            let count = |from: usize, to: usize| units[from..to].iter().filter(|&&u| u.into() == u32::from('|')).count();
            if count(line_start, start) >= 2 || count(end, next_end) >= 2 {
                return BREAK;
            }
        }
        if start < head_end {
            let line = &units[line_from..start];
            // The marks and a date's ends are no spaces: the stripped line holds the same.
            let clause = line.iter().any(|&u| is_in(u.into(), &['，', ',', '；', ';', '。']));
            if (stripped_len(line) < title_max && !clause) || self.full_date_in(line) {
                return BREAK;
            }
        }
        let length = start - reading_from;
        if prev < 0x80 && !char::from_u32(prev).is_some_and(|c| c.is_ascii_alphanumeric()) && !has(&self.clause_marks, prev) {
            let wrapped = start >= head_end && length >= self.wrapped_line_min.max(title_max);
            return if wrapped && prev != u32::from('.') { (b"", true) } else { BREAK };
        }
        if length >= self.wrapped_line_min {
            (b"", true)
        } else {
            BREAK
        }
    }

    fn decimal_at<T: Unit>(&self, units: &[T], at: usize) -> bool {
        units.get(at).is_some_and(|&u| has(&self.decimal, u.into()))
    }

    /// `DATE_AT_END.search(text, low, high)`: a date or a time ending at `high`, maybe
    /// followed by spaces and tabs, none of it before `low`.
    fn date_at_end<T: Unit>(&self, units: &[T], low: usize, high: usize) -> bool {
        let mut ends = vec![high];
        // `$` also stands before a last line break.
        if high > low && units[high - 1].into() == u32::from('\n') {
            ends.push(high - 1);
        }
        ends.into_iter().any(|high| {
            let mut end = high;
            while end > low && matches!(units[end - 1].into(), 0x20 | 0x09) {
                end -= 1;
            }
            self.date_ending(units, low, end)
        })
    }

    /// A `DATE_AT_END` date or time exactly over `[s, end)` for some `s >= low`.
    fn date_ending<T: Unit>(&self, units: &[T], low: usize, end: usize) -> bool {
        let code = |at: usize| -> u32 { units[at].into() };
        let d = |at: usize| self.decimal_at(units, at);
        // Back over one or two digits (no third) from `at`: where they start.
        let back_digits = |at: usize| -> Option<usize> {
            let mut from = at;
            while from > low && d(from - 1) && at - from < 3 {
                from -= 1;
            }
            (1..=2).contains(&(at - from)).then_some(from)
        };
        let back_spaces = |mut at: usize| {
            while at > low && is_python_space(code(at - 1)) {
                at -= 1;
            }
            at
        };
        let year_before = |at: usize| {
            at >= low + 4
                && matches!((code(at - 4), code(at - 3)), (0x31, 0x39) | (0x32, 0x30))
                && d(at - 2)
                && d(at - 1)
        };
        if end == 0 || end <= low {
            return false;
        }
        // `\d{1,2}:\d{2}` (the seconds' form ends with one too).
        if end >= low + 4 && d(end - 4) && code(end - 3) == u32::from(':') && d(end - 2) && d(end - 1) {
            return true;
        }
        // `(?:19|20)\d{2}[-/.]\d{1,2}[-/.]\d{1,2}`
        let separator = |at: usize| at > low && is_in(code(at - 1), &['-', '/', '.']);
        if let Some(day) = back_digits(end) {
            if separator(day) {
                if let Some(month) = back_digits(day - 1) {
                    if separator(month) && year_before(month - 1) {
                        return true;
                    }
                }
            }
        }
        // `(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日`
        let word = |at: usize, c: char| at > low && code(at - 1) == u32::from(c);
        if !word(end, '日') {
            return false;
        }
        let Some(day) = back_digits(back_spaces(end - 1)) else { return false };
        let at = back_spaces(day);
        if !word(at, '月') {
            return false;
        }
        let Some(month) = back_digits(back_spaces(at - 1)) else { return false };
        let at = back_spaces(month);
        word(at, '年') && year_before(back_spaces(at - 1))
    }

    /// `FULL_DATE.search(line)`.
    fn full_date_in<T: Unit>(&self, line: &[T]) -> bool {
        let code = |at: usize| -> u32 { line[at].into() };
        let d = |at: usize| self.decimal_at(line, at);
        let spaces = |mut at: usize| {
            while at < line.len() && is_python_space(code(at)) {
                at += 1;
            }
            at
        };
        // One or two digits (no third) from `at`: where they end.
        let digits = |at: usize| -> Option<usize> {
            let mut to = at;
            while d(to) && to - at < 3 {
                to += 1;
            }
            (1..=2).contains(&(to - at)).then_some(to)
        };
        let is = |at: usize, c: char| at < line.len() && code(at) == u32::from(c);
        let separator = |at: usize| at < line.len() && is_in(code(at), &['-', '/', '.']);
        (0..line.len().saturating_sub(3)).any(|s| {
            if !(matches!((code(s), code(s + 1)), (0x31, 0x39) | (0x32, 0x30)) && d(s + 2) && d(s + 3)) {
                return false;
            }
            let at = s + 4;
            if separator(at) {
                if let Some(to) = digits(at + 1) {
                    if separator(to) && d(to + 1) {
                        return true;
                    }
                }
            }
            let at = spaces(at);
            if !is(at, '年') {
                return false;
            }
            let Some(to) = digits(spaces(at + 1)) else { return false };
            let at = spaces(to);
            if !is(at, '月') {
                return false;
            }
            let Some(to) = digits(spaces(at + 1)) else { return false };
            is(spaces(to), '日')
        })
    }

    /// `quantity_ahead.match(text, at)`: `\d[\d,.]*[ \n]*[unit starts]`.
    fn quantity_ahead<T: Unit>(&self, units: &[T], at: usize) -> bool {
        if !self.decimal_at(units, at) {
            return false;
        }
        let code = |at: usize| -> u32 { units[at].into() };
        let mut run_end = at + 1;
        while run_end < units.len() && (self.decimal_at(units, run_end) || matches!(code(run_end), 0x2C | 0x2E)) {
            run_end += 1;
        }
        // Every way to end the run (a unit may open with a character of it), as `re` tries.
        (at + 1..=run_end).any(|from| {
            units[from..]
                .iter()
                .map(|&u| u.into())
                .find(|&c| c != 0x20 && c != 0x0A || has(&self.unit_starts, c))
                .is_some_and(|c| has(&self.unit_starts, c))
        })
    }

    /// `LIST_MARKER.match(text, at)`.
    fn list_marker<T: Unit>(&self, units: &[T], at: usize) -> bool {
        let code = |at: usize| -> Option<u32> { units.get(at).map(|&u| u.into()) };
        let is = |at: usize, chars: &[char]| code(at).is_some_and(|c| is_in(c, chars));
        let numerals_from = |at: usize, digits: bool| {
            let mut to = at;
            while is(to, CHINESE_NUMERALS) || (digits && self.decimal_at(units, to)) {
                to += 1;
            }
            to
        };
        // `[一二三四五六七八九十]+、`
        let to = numerals_from(at, false);
        if to > at && is(to, &['、']) {
            return true;
        }
        // `[(（][一二三四五六七八九十\d]+[)）]`
        if is(at, &['(', '（']) {
            let to = numerals_from(at + 1, true);
            if to > at + 1 && is(to, &[')', '）']) {
                return true;
            }
        }
        // `\d{1,2} ?[.、．](?!\d)`
        for figures in 1..=2 {
            if !(at..at + figures).all(|k| self.decimal_at(units, k)) {
                break;
            }
            for space in 0..=1 {
                let dot = at + figures + space;
                if (space == 0 || is(at + figures, &[' '])) && is(dot, &['.', '、', '．']) && !self.decimal_at(units, dot + 1) {
                    return true;
                }
            }
        }
        // `[■□○●◆◇▲△★☆#>【表图附注]|第[一二三四五六七八九十]+[章节部]`
        if is(at, &['■', '□', '○', '●', '◆', '◇', '▲', '△', '★', '☆', '#', '>', '【', '表', '图', '附', '注']) {
            return true;
        }
        if is(at, &['第']) {
            let to = numerals_from(at + 1, false);
            return to > at + 1 && is(to, &['章', '节', '部']);
        }
        false
    }
}

/// `SENTENCE_MARK.search(text)`: `[。！？]|[!?](?![!-~])`.
fn sentence_mark<T: Unit>(units: &[T]) -> Option<usize> {
    (0..units.len()).find(|&at| {
        let c = units[at].into();
        is_in(c, &['。', '！', '？'])
            || (is_in(c, &['!', '?']) && !units.get(at + 1).is_some_and(|&u| (0x21..=0x7E).contains(&u.into())))
    })
}

// What a character can start or be part of, for `IdlePasses`.
const C_FOLD: u16 = 1;
const C_PAREN: u16 = 1 << 1;
const C_CONVERT: u16 = 1 << 2;
const C_DOT: u16 = 1 << 3;
const C_NEWLINE: u16 = 1 << 4;
const C_DIGIT: u16 = 1 << 5;
const C_UNIT: u16 = 1 << 6;
const C_PERIOD: u16 = 1 << 7;
const C_TAB: u16 = 1 << 8;
const C_SPACE: u16 = 1 << 9;
const C_WIDE_SPACE: u16 = 1 << 10;
const C_SURROGATE: u16 = 1 << 11;

// The passes of `transforms/normalise.py` (its `IDLE_*`), as bits of `IdlePasses.idle`.
const P_TABLES: u32 = 1;
const P_SPACED: u32 = 1 << 1;
const P_FOLD: u32 = 1 << 2;
const P_PAGES: u32 = 1 << 3;
const P_GLOSSES: u32 = 1 << 4;
const P_TRADITIONAL: u32 = 1 << 5;
const P_DECIMALS: u32 = 1 << 6;
const P_DOUBLED_LINES: u32 = 1 << 7;
const P_GLYPHS: u32 = 1 << 8;

/// Which repair passes have nothing to do in a text, told by one look over it: each pass's
/// own first look (a character, a pair, a key of a dictionary) made for all at once, since
/// most texts give most passes nothing to do and each look read the whole text.
#[pyclass(module = "transforms._fast_scan", frozen)]
pub struct IdlePasses {
    /// Each character's classes (`C_*`) in the Basic Multilingual Plane; beyond it, asked of
    /// the sets.
    classes: Vec<u16>,
    fold: CharSet,
    gloss_letters: CharSet,
    dots: CharSet,
    digits: CharSet,
    doubled_units: Py<Triggers>,
    convert: Option<Py<Triggers>>,
    line_min: usize,
    line_max: usize,
}

#[pymethods]
impl IdlePasses {
    #[new]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        fold: &str,
        gloss_letters: &str,
        dots: &str,
        digits: &str,
        doubled_units: Py<Triggers>,
        convert: Option<Py<Triggers>>,
        line_min: usize,
        line_max: usize,
    ) -> Self {
        let mut looks = IdlePasses {
            classes: Vec::new(),
            fold: CharSet::new(fold.chars()),
            gloss_letters: CharSet::new(gloss_letters.chars()),
            dots: CharSet::new(dots.chars()),
            digits: CharSet::new(digits.chars()),
            doubled_units,
            convert,
            line_min,
            line_max,
        };
        let units = looks.doubled_units.borrow(py);
        let convert = looks.convert.as_ref().map(|c| c.borrow(py));
        let classes: Vec<u16> = (0..0x10000u32)
            .map(|code| looks.class_of(code, &units.leads, convert.as_ref().map(|c| &c.leads)))
            .collect();
        drop(units);
        drop(convert);
        looks.classes = classes;
        looks
    }

    /// The passes (`P_*`) of `wanted` that have nothing to do in `text`.
    fn idle(&self, py: Python<'_>, text: &PyString, wanted: u32) -> PyResult<u32> {
        let units = self.doubled_units.borrow(py);
        let convert = self.convert.as_ref().map(|c| c.borrow(py));
        let convert = convert.as_deref();
        Ok(on_code_points!(text, idle_in(self, wanted, &units, convert)))
    }
}

impl IdlePasses {
    fn class_of(&self, code: u32, units: &CharSet, convert: Option<&CharSet>) -> u16 {
        let mut class = 0;
        let pairs = [
            (has(&self.fold, code), C_FOLD),
            (code == u32::from('(') || code == u32::from('（'), C_PAREN),
            (convert.is_some_and(|set| has(set, code)), C_CONVERT),
            (has(&self.dots, code), C_DOT),
            (code == 0x0A, C_NEWLINE),
            (has(&self.digits, code), C_DIGIT),
            (has(units, code), C_UNIT),
            (code == u32::from('.'), C_PERIOD),
            (code == 0x09, C_TAB),
            (code == 0x20, C_SPACE),
            (code == 0x3000, C_WIDE_SPACE),
            ((0xD800..0xE000).contains(&code), C_SURROGATE),
        ];
        for (is, bit) in pairs {
            if is {
                class |= bit;
            }
        }
        class
    }
}

fn idle_in<T: Unit>(
    text: &[T],
    looks: &IdlePasses,
    wanted: u32,
    doubled_units: &Triggers,
    convert: Option<&Triggers>,
) -> u32 {
    let size = text.len();
    let code = |at: usize| -> u32 { text[at].into() };
    let class = |code: u32| -> u16 {
        if code < 0x10000 {
            looks.classes[code as usize]
        } else {
            looks.class_of(code, &doubled_units.leads, convert.map(|c| &c.leads))
        }
    };
    let mut idle = wanted;
    if convert.is_none() {
        idle &= !P_TRADITIONAL; // no keys to look for: the pass looks for itself
    }
    // The classes that can still tell a pass of `idle` it has work.
    let looking = |idle: u32| -> u16 {
        let mut classes = C_SURROGATE;
        for (pass, wants) in [
            (P_TABLES, C_TAB | C_SPACE | C_WIDE_SPACE),
            (P_SPACED, C_SPACE),
            (P_FOLD, C_FOLD),
            (P_PAGES, C_NEWLINE),
            (P_GLOSSES, C_PAREN),
            (P_TRADITIONAL, C_CONVERT),
            (P_DECIMALS, C_DOT),
            (P_DOUBLED_LINES, C_NEWLINE),
            (P_GLYPHS, C_UNIT | C_PERIOD),
        ] {
            if idle & pass != 0 {
                classes |= wants;
            }
        }
        classes
    };
    let is = |at: usize, c: char| at < size && code(at) == u32::from(c);
    let digit = |at: usize| at < size && class(code(at)) & C_DIGIT != 0;
    let doubled_line = |from: usize, to: usize| {
        may_be_doubled(&text[from..to], looks.line_min, looks.line_max)
    };
    let mut wants = looking(idle);
    let mut line_from = 0;
    let mut at = 0;
    let table: &[u16; 0x10000] = looks.classes.as_slice().try_into().expect("a class for each code point");
    while idle != 0 {
        // Most characters are of no class looked for: passed over in a tight loop.
        let Some(skip) = text[at..].iter().position(|&u| {
            let c: u32 = u.into();
            c >= 0x10000 || table[c as usize] & wants != 0
        }) else {
            break;
        };
        let here = at + skip;
        at = here + 1;
        let c = code(here);
        let found = class(c) & wants;
        if found == 0 {
            continue;
        }
        let mut busy = 0;
        if found & C_SURROGATE != 0 {
            // Its looks answer None for a lone surrogate: those passes look for themselves.
            busy |= P_TRADITIONAL | P_GLYPHS;
        }
        if found & C_FOLD != 0 {
            busy |= P_FOLD;
        }
        if found & C_PAREN != 0 {
            let next = text[at..].iter().map(|&u| u.into()).find(|&u| u != 0x20 && u != 0x0A);
            if next.is_some_and(|u| has(&looks.gloss_letters, u)) {
                busy |= P_GLOSSES;
            }
        }
        if found & C_CONVERT != 0 && convert.is_some_and(|t| t.stands_at(text, here, c)) {
            busy |= P_TRADITIONAL;
        }
        if found & C_DOT != 0 && here > 0 && digit(here - 1) {
            busy |= P_DECIMALS;
        }
        if found & C_NEWLINE != 0 {
            if doubled_line(line_from, here) {
                busy |= P_DOUBLED_LINES;
            }
            line_from = at;
            // `PAGE_NUMBER_AFTER_BREAK`: a break, tabs or spaces, then a dash or 第, or one to
            // three digits before a space or a `/` (`3`, `3 / 6`; a line's `2021年` is none).
            let mut next = at;
            while next < size && matches!(code(next), 0x20 | 0x09) {
                next += 1;
            }
            let mut figures = next;
            while digit(figures) {
                figures += 1;
            }
            let number = (1..=3).contains(&(figures - next))
                && (figures == size || is_python_space(code(figures)) || is(figures, '/'));
            if is(next, '-') || is(next, '—') || is(next, '第') || number {
                busy |= P_PAGES;
            }
        }
        if found & C_UNIT != 0 && doubled_units.stands_at(text, here, c) {
            busy |= P_GLYPHS;
        }
        if found & C_PERIOD != 0 && is(at, '.') {
            busy |= P_GLYPHS;
        }
        if found & C_TAB != 0 || (found & C_SPACE != 0 && is(at, ' ')) || (found & C_WIDE_SPACE != 0 && is(at, '\u{3000}'))
        {
            busy |= P_TABLES;
        }
        // `SPACED_FIGURES`: a space, maybe a minus, a figure (digits, commas, dots), up to
        // three characters more (no space), a space, then a figure or a dash.
        if found & C_SPACE != 0 && idle & P_SPACED != 0 {
            let first = if is(at, '-') || is(at, '−') { at + 1 } else { at };
            if digit(first) {
                let mut figure = first + 1;
                while digit(figure) || is(figure, ',') || is(figure, '.') {
                    figure += 1;
                }
                let space = (figure..size.min(figure + 4)).find(|&k| is_python_space(code(k)));
                if space.is_some_and(|k| {
                    is(k, ' ')
                        && (digit(k + 1)
                            || ((is(k + 1, '-') || is(k + 1, '−')) && digit(k + 2))
                            || is(k + 1, '-')
                            || is(k + 1, '—')
                            || is(k + 1, '–')
                            || is(k + 1, '…'))
                }) {
                    busy |= P_SPACED;
                }
            }
        }
        if idle & busy != 0 {
            idle &= !busy;
            wants = looking(idle);
        }
    }
    if idle & P_DOUBLED_LINES != 0 && doubled_line(line_from, size) {
        idle &= !P_DOUBLED_LINES;
    }
    idle
}
