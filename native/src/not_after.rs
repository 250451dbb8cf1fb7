//! A pattern whose only lookaround is a lookbehind of one character class before the match
//! (`transforms/periods.py`, `YEAR_WITH_WORD`: no digit before a year), matched with the
//! `regex` crate: `re` finds the pattern's opening digits with a character-set test at every
//! character, a DFA skips between them. The lookbehind is checked by hand at each match's
//! start; a match it rejects is tried again a character further on, as `re` goes on.

use pyo3::prelude::*;
use pyo3::types::PyString;
use regex::Regex;

use crate::{CharOffsets, CharSet};

#[pyclass(module = "transforms._fast_scan", frozen)]
pub struct NotAfterScanner {
    pattern: Regex,
    /// What may not stand right before a match.
    not_after: CharSet,
}

#[pymethods]
impl NotAfterScanner {
    /// `pattern` as the `regex` crate reads it (transforms/fast_scan.py, `native_regex`), with
    /// one group.
    #[new]
    fn new(pattern: &str, not_after: &str) -> PyResult<Self> {
        let pattern =
            Regex::new(pattern).map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))?;
        if pattern.captures_len() != 2 {
            return Err(pyo3::exceptions::PyValueError::new_err("one group, no more"));
        }
        Ok(NotAfterScanner { pattern, not_after: CharSet::new(not_after.chars()) })
    }

    /// Every match, in order, as `(start, end, group 1)` in code points: what `finditer`
    /// finds.
    fn matches<'py>(
        &self,
        py: Python<'py>,
        text: &PyString,
    ) -> PyResult<Vec<(usize, usize, &'py PyString)>> {
        let text = text.to_str()?;
        let mut offsets = CharOffsets::new(text);
        let mut locs = self.pattern.capture_locations();
        let mut found = Vec::new();
        let mut at = 0;
        while let Some(m) = self.pattern.find_at(text, at) {
            let (start, end) = (m.start(), m.end());
            let next = start + text[start..].chars().next().map_or(1, char::len_utf8);
            if text[..start].chars().next_back().is_some_and(|c| self.not_after.contains(c)) {
                at = next;
            } else {
                // The groups within the match: asked of the rest of the text, the crate's
                // backtracker would clear a table as long as that rest, each time.
                self.pattern.captures_read(&mut locs, &text[start..end]);
                let group = locs.get(1).map_or("", |(a, b)| &text[start + a..start + b]);
                found.push((offsets.at(start), offsets.at(end), PyString::new(py, group)));
                at = if end > start { end } else { next }; // `finditer` goes on at the end
            }
            if at > text.len() {
                break;
            }
        }
        Ok(found)
    }
}
