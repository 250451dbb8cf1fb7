//! The extractor's catalogue-word scans (indicators, stems, kind and cue words, place names)
//! in Rust: an Aho-Corasick automaton instead of `re` over a trie-shaped regex; and where
//! patterns that open with a lookahead can start (`CharStarts`).
//!
//! `transforms/fast_scan.py` loads this module when it was built from the current source and
//! falls back to `re` otherwise; both find the same words at the same places. Semantics are
//! those of `transforms/trie.py`'s pattern with `finditer`: at the leftmost position where a
//! word starts, the longest word; the next search starts where that word ends. Offsets are
//! Python's (code points), not UTF-8 bytes.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use once_cell::sync::OnceCell;
use pyo3::prelude::*;
use pyo3::types::PyString;

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

/// The characters a pattern can start with (`transforms/fast_scan.py`, `StartScan`): `re`
/// tries a pattern opening with a lookahead at every character; this finds the few places
/// worth trying, in one pass.
#[pyclass(module = "transforms._fast_scan", frozen)]
struct CharStarts {
    /// Bit `c` set for each character `c` of the set in the Basic Multilingual Plane.
    bmp: Vec<u64>,
    /// The set's characters beyond it.
    astral: Vec<char>,
    /// Every numeric character too (Unicode Nd, Nl, No): more than `re`'s `\d` (Nd), never less.
    numeric: bool,
}

impl CharStarts {
    fn contains(&self, c: char) -> bool {
        let code = c as u32;
        if code < 0x10000 {
            if (self.bmp[(code >> 6) as usize] >> (code & 63)) & 1 == 1 {
                return true;
            }
        } else if self.astral.contains(&c) {
            return true;
        }
        self.numeric && c.is_numeric()
    }
}

#[pymethods]
impl CharStarts {
    #[new]
    fn new(chars: &str, numeric: bool) -> Self {
        let mut bmp = vec![0u64; 1024];
        let mut astral = Vec::new();
        for c in chars.chars() {
            let code = c as u32;
            if code < 0x10000 {
                bmp[(code >> 6) as usize] |= 1 << (code & 63);
            } else {
                astral.push(c);
            }
        }
        CharStarts { bmp, astral, numeric }
    }

    /// Code-point offsets, ascending, of every character of `text` in the set.
    fn positions(&self, text: &PyString) -> PyResult<Vec<usize>> {
        let text = text.to_str()?;
        Ok(text.chars().enumerate().filter(|&(_, c)| self.contains(c)).map(|(i, _)| i).collect())
    }
}

#[pymodule]
fn _fast_scan(_py: Python<'_>, m: &PyModule) -> PyResult<()> {
    m.add_class::<WordScanner>()?;
    m.add_class::<WordMatch>()?;
    m.add_class::<CharStarts>()?;
    Ok(())
}
