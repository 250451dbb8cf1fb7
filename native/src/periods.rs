//! The period pattern of `transforms/periods.py` (`PERIOD_PATTERN`), matched with the `regex`
//! crate: `re` tries that pattern at every character (its lookaheads get no skipping), a DFA
//! finds the few places where a phrase can start.
//!
//! The crate has no lookaround. The pattern's lookaheads before the phrase are anchored
//! regexes checked where a phrase is found; the one after a single month (`11月10日` is a
//! date) is checked by hand, retrying the month's tails in the order `re` backtracks through
//! them. Otherwise the crate's leftmost-first semantics are `re`'s: the same alternative, the
//! same repetitions, the same groups.

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyString, PyTuple};
use regex::{CaptureLocations, Regex};

use crate::CharOffsets;

/// Byte spans of the pattern's groups, by capture index (None: the group did not match).
type Spans = Vec<Option<(usize, usize)>>;

#[pyclass(module = "transforms._fast_scan", frozen)]
pub struct PeriodScanner {
    /// Where a phrase that is not empty can start (the pattern without its empty match).
    finder: Regex,
    /// The pattern itself, anchored, with its named groups.
    pattern: Regex,
    /// The pattern's opening lookaheads, anchored: each must match where a phrase starts.
    lookaheads: Vec<Regex>,
    /// The capture index of each group handed back, in the order Python names them.
    groups: Vec<usize>,
    sub: usize,
    month: usize,
    month_end: usize,
    /// What may follow a single month's figure (`月份末` ... `月`) and the length of its
    /// `mend` word, in `re`'s order of trying them.
    month_tails: Vec<(String, usize)>,
    /// What may not follow a single month, anchored.
    month_not_before: Regex,
}

fn anchored(pattern: &str) -> PyResult<Regex> {
    Regex::new(&format!("^(?:{pattern})"))
        .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))
}

fn capture_index(pattern: &Regex, name: &str) -> PyResult<usize> {
    pattern.capture_names().position(|n| n == Some(name)).ok_or_else(|| {
        pyo3::exceptions::PyValueError::new_err(format!("the pattern has no group {name}"))
    })
}

impl PeriodScanner {
    /// The groups handed back, as a tuple made in place: through pyo3's `PyTuple::new` each
    /// group (None too) was registered with the GIL pool, referenced once more and released
    /// again, which cost more than making the strings.
    fn group_tuple(&self, py: Python<'_>, text: &str, spans: &Spans) -> PyResult<Py<PyTuple>> {
        // SAFETY: a new tuple of `groups.len()` slots, each set once with a new reference
        // (a string made here, or None referenced once more) before it is handed on.
        unsafe {
            let raw = ffi::PyTuple_New(self.groups.len() as ffi::Py_ssize_t);
            let tuple: Py<PyTuple> = Py::from_owned_ptr_or_err(py, raw)?;
            for (slot, &i) in self.groups.iter().enumerate() {
                let item = match spans[i] {
                    Some((a, b)) => {
                        let group = &text[a..b];
                        let made = ffi::PyUnicode_FromStringAndSize(
                            group.as_ptr().cast(),
                            group.len() as ffi::Py_ssize_t,
                        );
                        if made.is_null() {
                            return Err(PyErr::fetch(py));
                        }
                        made
                    }
                    None => {
                        let none = ffi::Py_None();
                        ffi::Py_INCREF(none);
                        none
                    }
                };
                ffi::PyTuple_SET_ITEM(raw, slot as ffi::Py_ssize_t, item);
            }
            Ok(tuple)
        }
    }

    fn opens(&self, text: &str) -> bool {
        self.lookaheads.iter().all(|lookahead| lookahead.is_match(text))
    }

    /// The pattern's match at `start` (byte spans, absolute), or None when it is empty.
    fn match_at(&self, text: &str, start: usize, locs: &mut CaptureLocations) -> Option<Spans> {
        // The match's end first (a DFA), then its groups within it: asked of the rest of the
        // text, the crate's backtracker would clear a table as long as that rest, each time.
        let end = start + self.pattern.find(&text[start..])?.end();
        self.pattern.captures_read(locs, &text[start..end])?;
        let mut spans: Spans =
            (0..locs.len()).map(|i| locs.get(i).map(|(a, b)| (start + a, start + b))).collect();
        if let Some((_, figure_end)) = spans[self.month] {
            let (_, end) = spans[0]?;
            if self.month_not_before.is_match(&text[end..]) {
                self.retry_month(text, figure_end, &mut spans);
            }
        }
        spans[0].filter(|(a, b)| b > a).map(|_| spans)
    }

    /// `re` backtracking after a single month that a day follows: the month's tails in turn,
    /// the first that no day follows; with none, the phrase without its month (`SUB_PART?`
    /// empty: the year alone, or nothing).
    fn retry_month(&self, text: &str, figure_end: usize, spans: &mut Spans) {
        let (sub_start, _) = spans[self.sub].expect("the month is in the sub-phrase");
        for (tail, end_len) in &self.month_tails {
            let end = figure_end + tail.len();
            if text[figure_end..].starts_with(tail.as_str())
                && !self.month_not_before.is_match(&text[end..])
            {
                spans[self.month_end] = Some((end - end_len, end)).filter(|_| *end_len > 0);
                spans[self.sub] = Some((sub_start, end));
                spans[0] = spans[0].map(|(start, _)| (start, end));
                return;
            }
        }
        for span in spans.iter_mut().skip(1) {
            if span.is_some_and(|(a, _)| a >= sub_start) {
                *span = None;
            }
        }
        spans[0] = spans[0].map(|(start, _)| (start, sub_start));
    }
}

#[pymethods]
impl PeriodScanner {
    /// Patterns as the `regex` crate reads them (transforms/fast_scan.py, `native_regex`).
    #[new]
    fn new(
        finder: &str,
        pattern: &str,
        lookaheads: Vec<String>,
        groups: Vec<String>,
        month_tails: Vec<(String, Option<String>)>,
        month_not_before: &str,
    ) -> PyResult<Self> {
        let pattern = anchored(pattern)?;
        let groups =
            groups.iter().map(|name| capture_index(&pattern, name)).collect::<PyResult<_>>()?;
        Ok(PeriodScanner {
            finder: Regex::new(finder)
                .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))?,
            lookaheads: lookaheads.iter().map(|l| anchored(l)).collect::<PyResult<_>>()?,
            groups,
            sub: capture_index(&pattern, "sub")?,
            month: capture_index(&pattern, "m")?,
            month_end: capture_index(&pattern, "mend")?,
            month_tails: month_tails
                .into_iter()
                .map(|(tail, end)| (tail, end.map_or(0, |e| e.len())))
                .collect(),
            month_not_before: anchored(month_not_before)?,
            pattern,
        })
    }

    /// Every match of the pattern that is not empty, in order, as `(start, end, groups)` in
    /// code points: what `finditer` finds, the next tried where the last ended.
    fn matches<'py>(
        &self,
        py: Python<'py>,
        text: &PyString,
    ) -> PyResult<Vec<(usize, usize, Py<PyTuple>)>> {
        let text = text.to_str()?;
        let mut offsets = CharOffsets::new(text);
        let mut locs = self.pattern.capture_locations();
        let mut found = Vec::new();
        let mut at = 0;
        while let Some(candidate) = self.finder.find_at(text, at) {
            let start = candidate.start();
            let spans = if self.opens(&text[start..]) {
                self.match_at(text, start, &mut locs)
            } else {
                None
            };
            let Some(spans) = spans else {
                // Nothing here: the next character (the finder's match may hide another).
                at = start + text[start..].chars().next().map_or(1, char::len_utf8);
                continue;
            };
            let (_, end) = spans[0].expect("a match");
            let groups = self.group_tuple(py, text, &spans)?;
            found.push((offsets.at(start), offsets.at(end), groups));
            at = end;
        }
        Ok(found)
    }
}
