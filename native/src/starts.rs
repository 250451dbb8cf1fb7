//! Where a pattern opening with a lookahead of its first characters matches
//! (`transforms/fast_scan.py`, `StartScan` with `starts_of`): of the places `CharStarts` finds,
//! only those where the pattern, without its lookaround, matches. `re` is then called at the
//! places it will match, not at every character that could start a match (six in seven
//! growth verbs' first characters start none: 上 of 上年, 同 of 同期).

use pyo3::prelude::*;
use pyo3::types::PyString;
use regex::Regex;

use crate::CharStarts;

#[pyclass(module = "transforms._fast_scan", frozen)]
pub struct PatternStarts {
    chars: CharStarts,
    /// The pattern, anchored.
    pattern: Regex,
}

#[pymethods]
impl PatternStarts {
    /// `pattern` as the `regex` crate reads it (transforms/fast_scan.py, `native_regex`).
    #[new]
    fn new(chars: &str, numeric: bool, pattern: &str) -> PyResult<Self> {
        let pattern = Regex::new(&format!("^(?:{pattern})"))
            .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))?;
        Ok(PatternStarts { chars: CharStarts::new(chars, numeric), pattern })
    }

    /// Code-point offsets, ascending, of every character of the set where the pattern
    /// matches.
    fn positions(&self, text: &PyString) -> PyResult<Vec<usize>> {
        let text = text.to_str()?;
        Ok(text
            .char_indices()
            .enumerate()
            .filter(|&(_, (byte, c))| self.chars.contains(c) && self.pattern.is_match(&text[byte..]))
            .map(|(i, _)| i)
            .collect())
    }
}
