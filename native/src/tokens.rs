//! The candidate tokens of the catalogue-word families (`transforms/extract/tokens.py`,
//! `word_candidates`): indicators, stems, kind words and cue words, each word found by its
//! family's `WordScanner` and checked on the text around it (what may follow a stem, what
//! must stand before it, whether a kind word is bare) with the `regex` crate, in one call per
//! text. Python made a match object per word, a slice and a `re` search per check, and a
//! tuple per candidate: most of the cost of a text's scan.
//!
//! The checks are the patterns of `transforms/extract/patterns.py`, handed over as the
//! `regex` crate reads them (`transforms/fast_scan.py`, `word_families`); Python's scan stays
//! the reference (tests/transforms/test_native_tokens.py).

use pyo3::prelude::*;
use pyo3::types::PyString;
use regex::Regex;

use crate::{CharOffsets, WordScanner};

fn compile(pattern: &str) -> PyResult<Regex> {
    Regex::new(pattern).map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))
}

/// A pattern ending in `$`, searched in the `reach` characters before a word, as Python's
/// `pattern.search(text[max(0, start - reach):start])` searches them.
struct Before {
    pattern: Regex,
    reach: usize,
}

impl Before {
    /// Whether the pattern is found before byte offset `at`.
    fn found(&self, text: &str, at: usize) -> bool {
        let from = text[..at].char_indices().rev().take(self.reach).last().map_or(at, |(b, _)| b);
        let slice = &text[from..at];
        // `re`'s `$` matches before a newline that ends the string too; the crate's does not.
        self.pattern.is_match(slice)
            || slice.strip_suffix('\n').is_some_and(|head| self.pattern.is_match(head))
    }
}

/// One family's scan: its words, the candidate each makes, and its checks.
struct Family {
    scanner: Py<WordScanner>,
    kind: Py<PyString>,
    priority: i128,
    /// What each word's candidate carries (by the word's index); None: the word makes none.
    data: Vec<Option<PyObject>>,
    /// What must follow the word (anchored at its end).
    after: Option<Regex>,
    /// What must stand before the word, or, with `flag`, what makes it bare.
    before: Option<Before>,
    flag: bool,
    short: bool,
}

/// `(order, start, end, kind, data, bare, short)`: a candidate as `scan_tokens` sorts it.
type Candidate = (PyObject, usize, usize, Py<PyString>, PyObject, bool, bool);

#[pyclass(module = "transforms._fast_scan", frozen)]
pub struct WordFamilies {
    families: Vec<Family>,
}

#[pymethods]
impl WordFamilies {
    /// One tuple per family: `(scanner, kind, priority, data, after, before, reach, flag,
    /// short)`, the patterns as the `regex` crate reads them (`after` anchored here).
    #[new]
    #[allow(clippy::type_complexity)]
    fn new(
        families: Vec<(
            Py<WordScanner>,
            Py<PyString>,
            i64,
            Vec<Option<PyObject>>,
            Option<&str>,
            Option<&str>,
            usize,
            bool,
            bool,
        )>,
    ) -> PyResult<Self> {
        let mut built = Vec::new();
        for (scanner, kind, priority, data, after, before, reach, flag, short) in families {
            built.push(Family {
                scanner,
                kind,
                priority: priority.into(),
                data,
                after: after.map(|p| compile(&format!("^(?:{p})"))).transpose()?,
                before: before
                    .map(|p| compile(p).map(|pattern| Before { pattern, reach }))
                    .transpose()?,
                flag,
                short,
            });
        }
        Ok(WordFamilies { families: built })
    }

    /// Every family's candidates in `text`, sorted by their order (`token_order`: by start,
    /// the longest first, then the kind's priority), the families' own order kept for a tie.
    fn candidates(&self, py: Python<'_>, text: &PyString) -> PyResult<Vec<Candidate>> {
        let text = text.to_str()?;
        let mut found = Vec::new();
        for family in &self.families {
            let scanner = family.scanner.borrow(py);
            let mut offsets = CharOffsets::new(text);
            for m in scanner.scan.find_iter(text) {
                let Some(data) = &family.data[m.pattern()] else { continue };
                if family.after.as_ref().is_some_and(|after| !after.is_match(&text[m.end()..])) {
                    continue;
                }
                let before = family.before.as_ref().map_or(false, |b| b.found(text, m.start()));
                if !family.flag && family.before.is_some() && !before {
                    continue;
                }
                let start = offsets.at(m.start());
                let end = offsets.at(m.end());
                let order =
                    ((start as i128) << 48) - (((end - start) as i128) << 8) + family.priority;
                let bare = family.flag && before;
                found.push((order, start, end, family, data, bare));
            }
        }
        found.sort_by_key(|c| c.0); // stable
        Ok(found
            .into_iter()
            .map(|(order, start, end, family, data, bare)| {
                // A Python int made from an i64 costs a fraction of one made from an i128.
                let order =
                    i64::try_from(order).map_or_else(|_| order.into_py(py), |o| o.into_py(py));
                (
                    order,
                    start,
                    end,
                    family.kind.clone_ref(py),
                    data.clone_ref(py),
                    bare,
                    family.short,
                )
            })
            .collect())
    }
}

/// Where the characters of a set stand in a text (`transforms/fast_scan.py`, `find_chars`:
/// clause separators, sentence ends): their UTF-8 forms found by an Aho-Corasick search, which
/// skips between them, instead of a decode and a test at every character (`CharStarts`).
#[pyclass(module = "transforms._fast_scan", frozen)]
pub struct CharFinder {
    scan: aho_corasick::AhoCorasick,
}

#[pymethods]
impl CharFinder {
    #[new]
    fn new(chars: &str) -> Self {
        let forms: Vec<String> = chars.chars().map(String::from).collect();
        // Leftmost-first: the kind with a vectorised search for a few short needles (Teddy).
        let scan = aho_corasick::AhoCorasickBuilder::new()
            .match_kind(aho_corasick::MatchKind::LeftmostFirst)
            .build(forms);
        CharFinder { scan }
    }

    /// Code-point offsets, ascending, of every character of the set in `text`.
    fn positions(&self, text: &PyString) -> PyResult<Vec<usize>> {
        let text = text.to_str()?;
        let mut offsets = CharOffsets::new(text);
        Ok(self.scan.find_iter(text).map(|m| offsets.at(m.start())).collect())
    }
}
