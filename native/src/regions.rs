//! A text's area mentions (`transforms/regions.py`, `find_region_mentions`) in one call: its
//! self-references (全市, 区级) and its place names, each found leftmost-longest as the
//! Python reference's alternation and trie find them, with the words that may follow a match
//! (`PARTIAL_AFTER`, `SUBAREA_AFTER`) checked here instead of by a `re.match` per match.
//! Python makes the mentions from the indices this hands back; the words all come from it.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::WordScanner;

#[pyclass(module = "transforms._fast_scan", frozen)]
pub struct MentionScanner {
    selves: AhoCorasick,
    /// For each self-reference: kept only when a word of `partial_after` follows it (区级).
    conditional: Vec<bool>,
    partial_after: Vec<String>,
    /// The place names' scanner (`RegionIndex.pattern`'s): its automaton built once.
    places: Py<WordScanner>,
    /// A place name before one of these names a zone inside it (`萧山经济技术开发区`).
    subarea_after: Vec<String>,
    /// Their first characters: most names are followed by none.
    subarea_firsts: Vec<char>,
}

fn leftmost_longest(words: &[String]) -> AhoCorasick {
    AhoCorasickBuilder::new().match_kind(MatchKind::LeftmostLongest).dfa(true).build(words)
}

fn followed_by(rest: &str, words: &[String]) -> bool {
    words.iter().any(|w| rest.starts_with(w.as_str()))
}

/// One mention: `(start, end, index, inside)` in code points; `index` counts the
/// self-references first, then the place names.
type Mention = (usize, usize, usize, bool);

#[pymethods]
impl MentionScanner {
    /// Words non-empty; `conditional` as long as `selves`.
    #[new]
    fn new(
        selves: Vec<String>,
        conditional: Vec<bool>,
        partial_after: Vec<String>,
        places: Py<WordScanner>,
        subarea_after: Vec<String>,
    ) -> PyResult<Self> {
        let empty = |words: &[String]| words.iter().any(String::is_empty);
        if conditional.len() != selves.len()
            || [&selves, &partial_after, &subarea_after].iter().any(|w| empty(w))
        {
            return Err(pyo3::exceptions::PyValueError::new_err("an empty word, or no kind"));
        }
        Ok(MentionScanner {
            selves: leftmost_longest(&selves),
            conditional,
            partial_after,
            places,
            subarea_firsts: subarea_after.iter().filter_map(|w| w.chars().next()).collect(),
            subarea_after,
        })
    }

    /// The mentions of `text` ordered by start (a self-reference before a place name
    /// starting with it): every kept self-reference, and every place name but those spanning
    /// a kept self-reference's characters (全州) and, unless `in_other_names`, those inside
    /// another name.
    fn matches(
        &self,
        py: Python<'_>,
        text: &PyString,
        in_other_names: bool,
    ) -> PyResult<Vec<Mention>> {
        let text = text.to_str()?;
        let selves: Vec<Mention> = self
            .selves
            .find_iter(text)
            .filter(|m| {
                !self.conditional[m.pattern()] || followed_by(&text[m.end()..], &self.partial_after)
            })
            .map(|m| (m.start(), m.end(), m.pattern(), false))
            .collect();
        // Byte offsets first, merged in order; code points after, in one walk.
        let mut found = Vec::with_capacity(selves.len() * 4);
        let mut next_self = 0;
        let places = self.places.borrow(py);
        for m in places.scan.find_iter(text) {
            let rest = &text[m.end()..];
            let inside = rest.chars().next().is_some_and(|c| self.subarea_firsts.contains(&c))
                && followed_by(rest, &self.subarea_after);
            if inside && !in_other_names {
                continue;
            }
            let (start, end) = (m.start(), m.end());
            while next_self < selves.len() && selves[next_self].0 <= start {
                found.push(selves[next_self]);
                next_self += 1;
            }
            if next_self > 0 && selves[next_self - 1].0 == start && selves[next_self - 1].1 == end {
                continue;
            }
            found.push((start, end, self.conditional.len() + m.pattern(), inside));
        }
        found.extend_from_slice(&selves[next_self..]);
        let mut offsets = Walk { bytes: text.as_bytes(), ascii: text.is_ascii(), byte: 0, chars: 0 };
        for mention in found.iter_mut() {
            mention.0 = offsets.at(mention.0);
            mention.1 = offsets.at(mention.1);
        }
        Ok(found)
    }
}

/// UTF-8 byte offsets -> code-point offsets, from the last one asked for: a mention may
/// start before the last one's end (全州 and 全州县), a step back of a few bytes.
struct Walk<'a> {
    bytes: &'a [u8],
    ascii: bool,
    byte: usize,
    chars: usize,
}

impl Walk<'_> {
    fn at(&mut self, byte: usize) -> usize {
        if self.ascii {
            return byte;
        }
        if byte >= self.byte {
            self.chars += char_starts(&self.bytes[self.byte..byte]);
        } else {
            self.chars -= char_starts(&self.bytes[byte..self.byte]);
        }
        self.byte = byte;
        self.chars
    }
}

/// How many code points start in `bytes`: every byte but a continuation byte (0b10xxxxxx),
/// counted eight bytes at a time (a text is walked whole, mostly three bytes a character).
fn char_starts(bytes: &[u8]) -> usize {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut chunks = bytes.chunks_exact(8);
    let mut lanes = 0u64; // a count per byte lane, emptied before one can pass 255
    let mut continuations = 0usize;
    for (i, chunk) in (&mut chunks).enumerate() {
        let x = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        // Bit 7 set and bit 6 clear: `x << 1` brings each byte's bit 6 to its bit 7.
        lanes += (x & !(x << 1) & HIGH) >> 7;
        if i % 255 == 254 {
            continuations += lane_sum(lanes);
            lanes = 0;
        }
    }
    continuations += lane_sum(lanes);
    continuations += chunks.remainder().iter().filter(|&&b| (b as i8) < -0x40).count();
    bytes.len() - continuations
}

fn lane_sum(lanes: u64) -> usize {
    lanes.to_le_bytes().iter().map(|&b| b as usize).sum()
}
