//! jieba's default dictionary cut down to the words that can occur in the texts at hand.
//!
//! Building jieba's trie of all ~350 k words takes ~0.15 s of CPU, more than all the rest of a
//! report on a small capture. A text's segmentation only ever looks up its own substrings, so the
//! words made of characters the texts never use cannot change it, as long as the frequency total
//! stays what it was: that total is kept with one placeholder word of a character the texts do
//! not contain. The result segments those texts exactly as the whole dictionary does.
//!
//! `assets/dict/jieba-dict.txt.gz` is jieba-rs 0.11's `src/data/dict.txt` (MIT; jieba's own
//! dictionary), gzip'd: the crate keeps its copy private.

use std::collections::HashSet;

use jieba_rs::Jieba;
use polars::prelude::{col, PolarsResult};

use super::expr::Events;
use crate::columns::Column;

const JIEBA_DICT_GZ: &[u8] = include_bytes!("../../assets/dict/jieba-dict.txt.gz");

/// The characters of some texts.
#[derive(Debug, Clone)]
pub struct CharSet {
    /// One bit per Basic Multilingual Plane character.
    bmp: Vec<u64>,
    other: HashSet<char>,
}

impl Default for CharSet {
    fn default() -> Self {
        CharSet {
            bmp: vec![0; 0x1_0000 / 64],
            other: HashSet::new(),
        }
    }
}

impl CharSet {
    pub fn add_text(&mut self, text: &str) {
        for c in text.chars() {
            let u = c as usize;
            if u < 0x1_0000 {
                self.bmp[u / 64] |= 1 << (u % 64);
            } else {
                self.other.insert(c);
            }
        }
    }

    pub fn contains(&self, c: char) -> bool {
        let u = c as usize;
        if u < 0x1_0000 {
            self.bmp[u / 64] & (1 << (u % 64)) != 0
        } else {
            self.other.contains(&c)
        }
    }
}

/// jieba with the default dictionary's entries whose words are made of `chars` or are in
/// `keep` (the words other dictionaries loaded later will re-weigh), and the same frequency
/// total as the whole dictionary. `None` when the bundled copy cannot be read (the caller then
/// loads the whole dictionary).
pub fn jieba_for(chars: &CharSet, keep: &HashSet<&str>) -> Option<Jieba> {
    let mut raw = Vec::new();
    crate::frame::inflate(JIEBA_DICT_GZ, &mut raw).ok()?;
    let dict = std::str::from_utf8(&raw).ok()?;
    let mut kept = String::new();
    // Each word's frequency among the kept lines (a later line of the same word replaces an
    // earlier one, as loading does), and the total of every line of the whole dictionary
    // (jieba-rs counts each line, repeated words too).
    let mut freqs: rustc_hash::FxHashMap<&str, u64> = Default::default();
    let mut total: u64 = 0;
    for line in dict.lines() {
        // As jieba-rs reads its default dictionary.
        let mut fields = line.split_ascii_whitespace();
        let Some(word) = fields.next() else { continue };
        let freq: u64 = match fields.next() {
            Some(f) => f.parse().ok()?,
            None => 0,
        };
        total += freq;
        if word.chars().all(|c| chars.contains(c)) || keep.contains(word) {
            freqs.insert(word, freq);
            kept.push_str(line);
            kept.push('\n');
        }
    }
    let rest = total - freqs.values().sum::<u64>();
    if rest > 0 {
        // A word no text contains and no other dictionary names: it only carries the total.
        let placeholder = ('\u{E000}'..='\u{F8FF}')
            .find(|c| !chars.contains(*c) && !keep.contains(c.to_string().as_str()))?;
        kept.push_str(&format!("{placeholder} {rest}\n"));
    }
    let mut jieba = Jieba::empty();
    jieba.load_dict(&mut kept.as_bytes()).ok()?;
    Some(jieba)
}

/// The characters of the events' `content` (all the text the processors segment).
pub fn content_chars(events: &Events) -> PolarsResult<CharSet> {
    let df = events
        .lazy
        .clone()
        .select([col(Column::Content.name())])
        .collect()?;
    let mut set = CharSet::default();
    for text in df.column(Column::Content.name())?.str()?.iter().flatten() {
        set.add_text(text);
    }
    Ok(set)
}

/// The words of a jieba dictionary's lines, as `Jieba::load_dict` reads them.
pub fn dict_words(dict: &str) -> impl Iterator<Item = &str> {
    dict.lines().filter_map(|l| l.split_whitespace().next())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_dictionary_segments_as_the_whole_one() {
        let texts = [
            "主播今天唱的这首歌太好听了哈哈哈",
            "人美心善的大哥们晚上好，来自北京的老粉报到",
            "这个链接怎么买？发货快吗 PK加油冲冲冲",
        ];
        let mut chars = CharSet::default();
        for t in texts {
            chars.add_text(t);
        }
        let cut = jieba_for(&chars, &HashSet::new()).expect("the bundled dictionary reads");
        let whole = Jieba::new();
        for t in texts {
            let a: Vec<&str> = cut.cut(t, true).iter().map(|t| t.word).collect();
            let b: Vec<&str> = whole.cut(t, true).iter().map(|t| t.word).collect();
            assert_eq!(a, b, "{t}");
        }
    }
}
