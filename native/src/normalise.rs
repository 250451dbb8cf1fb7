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

use crate::CharSet;

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

#[inline]
fn has(set: &CharSet, code: u32) -> bool {
    // The bitmap read in place: most texts' characters are in the Basic Multilingual Plane,
    // and a `char` made of each first (a surrogate is none) cost as much as the look.
    if code < 0x10000 {
        (set.bmp[(code >> 6) as usize] >> (code & 63)) & 1 == 1
    } else {
        char::from_u32(code).is_some_and(|c| set.astral.contains(&c))
    }
}

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
        Ok(Triggers {
            leads: CharSet::new(chars.chars().chain(firsts)),
            chars: CharSet::new(chars.chars()),
            words: by_first,
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
            || self.words.binary_search_by_key(&code, |&(c, _)| c).is_ok_and(|found| {
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
        if (min..=max).contains(&line.len()) && opens_with_doubled_run(line) {
            found.push((start, start + line.len()));
        }
        start += line.len() + 1;
    }
    found
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
        if !white(at) {
            at += 1;
            continue;
        }
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
    let mut lengths: Vec<usize> = units
        .split(|&u| u.into() == u32::from('\n'))
        .map(stripped_len)
        .filter(|&length| length >= min)
        .collect();
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
