//! Whether a span says more than its filler words (`transforms/extract/patterns.py`,
//! `Patterns.names_noun`): `find` searched in what is left of the span once every match of
//! `strip` is taken out, as `find.search(strip.sub("", span))` does. The rules ask it of
//! short spans several times a sentence, and `re` tries every filler word at every
//! character of the span; the `regex` crate finds them with its literal search.

use pyo3::prelude::*;
use pyo3::types::PyString;
use regex::Regex;

#[pyclass(module = "transforms._fast_scan", frozen)]
pub struct StripSearch {
    strip: Regex,
    find: Regex,
}

#[pymethods]
impl StripSearch {
    /// Both patterns as the `regex` crate reads them (transforms/fast_scan.py,
    /// `native_regex`); `strip` never matches an empty string.
    #[new]
    fn new(strip: &str, find: &str) -> PyResult<Self> {
        let compile =
            |p: &str| Regex::new(p).map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()));
        Ok(StripSearch { strip: compile(strip)?, find: compile(find)? })
    }

    /// `find` matches somewhere in `text` without `strip`'s matches (leftmost-first, each
    /// search going on where the last match ended, as `sub` goes).
    fn found_in(&self, text: &PyString) -> PyResult<bool> {
        let text = text.to_str()?;
        let mut left = String::with_capacity(text.len());
        let mut at = 0;
        for m in self.strip.find_iter(text) {
            left.push_str(&text[at..m.start()]);
            at = m.end();
        }
        left.push_str(&text[at..]);
        Ok(self.find.is_match(&left))
    }
}
