//! Whether a span says more than its filler words (`transforms/extract/patterns.py`,
//! `Patterns.names_noun`): `find` searched in what is left of the span once every match of
//! `strip` is taken out, as `find.search(strip.sub("", span))` does. The rules ask it of
//! short spans several times a sentence, and `re` tries every filler word at every
//! character of the span.
//!
//! A `strip` that is a finite set of words (the fillers are: words and `第` before a
//! numeral) is searched by an Aho-Corasick automaton, leftmost-first in the pattern's order
//! of alternatives as `re`'s backtracking takes them; on a short span the `regex` crate's
//! search, which takes any pattern, costs several times more.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use pyo3::prelude::*;
use pyo3::types::PyString;
use regex::Regex;
use regex_syntax::hir::literal::Literals;

#[pyclass(module = "transforms._fast_scan", frozen)]
pub struct StripSearch {
    strip: Regex,
    /// `strip`'s words, when it is a finite set of them.
    words: Option<AhoCorasick>,
    find: Regex,
}

/// Every string `pattern` matches, in the order its alternatives are tried, when they are
/// finitely many and none is empty.
fn words_of(pattern: &str) -> Option<AhoCorasick> {
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    let mut literals = Literals::empty();
    literals.set_limit_size(1 << 20);
    literals.set_limit_class(64);
    if !literals.union_prefixes(&hir) || !literals.all_complete() || literals.contains_empty() {
        return None;
    }
    let words: Vec<&[u8]> = literals.literals().iter().map(|w| &w[..]).collect();
    // Spans are short: a DFA, and no prefilter to set up for each.
    let mut builder = AhoCorasickBuilder::new();
    builder.match_kind(MatchKind::LeftmostFirst).dfa(true).prefilter(false);
    Some(builder.build(words))
}

#[pymethods]
impl StripSearch {
    /// Both patterns as the `regex` crate reads them (transforms/fast_scan.py,
    /// `native_regex`); `strip` never matches an empty string.
    #[new]
    fn new(strip: &str, find: &str) -> PyResult<Self> {
        let compile =
            |p: &str| Regex::new(p).map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()));
        Ok(StripSearch { strip: compile(strip)?, words: words_of(strip), find: compile(find)? })
    }

    /// `find` matches somewhere in `text` without `strip`'s matches (leftmost-first, each
    /// search going on where the last match ended, as `sub` goes).
    fn found_in(&self, text: &PyString) -> PyResult<bool> {
        let text = text.to_str()?;
        let mut left = String::with_capacity(text.len());
        let mut at = 0;
        let mut keep = |start: usize, end: usize| {
            left.push_str(&text[at..start]);
            at = end;
        };
        match &self.words {
            Some(words) => words.find_iter(text).for_each(|m| keep(m.start(), m.end())),
            None => self.strip.find_iter(text).for_each(|m| keep(m.start(), m.end())),
        }
        left.push_str(&text[at..]);
        Ok(self.find.is_match(&left))
    }

    /// Whether `strip` is searched as a set of words (for the tests).
    #[getter]
    fn by_words(&self) -> bool {
        self.words.is_some()
    }
}
