//! Where a pattern opening with a lookahead of its first characters matches
//! (`transforms/fast_scan.py`, `StartScan` with `starts_of`): of the places `CharStarts` finds,
//! only those where the pattern, without its lookaround, matches. `re` is then called at the
//! places it will match, not at every character that could start a match (six in seven
//! growth verbs' first characters start none: 上 of 上年, 同 of 同期).

use pyo3::prelude::*;
use pyo3::types::PyString;
use regex::Regex;

use crate::{CharOffsets, CharStarts};

#[pyclass(module = "transforms._fast_scan", frozen)]
pub struct PatternStarts {
    chars: CharStarts,
    /// The pattern, unanchored: its leftmost match from a place starts at the first place
    /// on where it matches, found by the crate's literal search, not a character at a time.
    pattern: Regex,
}

#[pymethods]
impl PatternStarts {
    /// `pattern` as the `regex` crate reads it (transforms/fast_scan.py, `native_regex`).
    #[new]
    fn new(chars: &str, numeric: bool, pattern: &str) -> PyResult<Self> {
        let pattern = Regex::new(&format!("(?:{pattern})"))
            .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))?;
        Ok(PatternStarts { chars: CharStarts::new(chars, numeric), pattern })
    }

    /// Code-point offsets, ascending, of every character of the set where the pattern
    /// matches.
    fn positions(&self, text: &PyString) -> PyResult<Vec<usize>> {
        let text = text.to_str()?;
        let mut offsets = CharOffsets::new(text);
        let mut found = Vec::new();
        let mut at = 0;
        while let Some(m) = self.pattern.find_at(text, at) {
            let Some(c) = text[m.start()..].chars().next() else { break };
            if self.chars.contains(c) {
                found.push(offsets.at(m.start()));
            }
            at = m.start() + c.len_utf8(); // the next place a match may start
        }
        Ok(found)
    }
}
