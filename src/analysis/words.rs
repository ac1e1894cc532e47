//! Word frequencies of chat text: stickers (`[捂脸]`) pulled out first and ranked as emotes, then
//! jieba segmentation with a danmaku dictionary, stopwords, and one count per message by default.

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};

use jieba_rs::Jieba;
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

use crate::event::Event;

const DANMAKU_DICT: &str = include_str!("../../assets/dict/danmaku.dict.txt");
const STOPWORDS: &str = include_str!("../../assets/dict/stopwords-zh.txt");

#[derive(Debug, thiserror::Error)]
pub enum WordsError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: io::Error },
    #[error("{path} is not a jieba dictionary (lines of `word [freq] [tag]`): {detail}")]
    BadDict { path: PathBuf, detail: String },
}

#[derive(Debug, Clone, Copy)]
pub struct WordOptions {
    /// Shortest word kept, in characters.
    pub min_len: usize,
    /// Count a word once per message (so one spammed line cannot top the chart).
    pub per_message: bool,
    /// Keep words made only of digits (`666`).
    pub keep_digits: bool,
}

impl Default for WordOptions {
    fn default() -> Self {
        WordOptions {
            min_len: 2,
            per_message: true,
            keep_digits: false,
        }
    }
}

/// Segments chat text: jieba with the default and danmaku dictionaries, minus stopwords.
pub struct Segmenter {
    jieba: Jieba,
    stopwords: HashSet<String>,
}

impl Segmenter {
    /// The bundled dictionaries and stopwords, plus the user's own files.
    pub fn new(
        user_dict: Option<&Path>,
        stopwords: Option<&Path>,
    ) -> Result<Segmenter, WordsError> {
        let mut jieba = Jieba::new();
        jieba
            .load_dict(&mut DANMAKU_DICT.as_bytes())
            .expect("the bundled danmaku dictionary is valid");
        if let Some(path) = user_dict {
            let file = File::open(path).map_err(|source| WordsError::Read {
                path: path.into(),
                source,
            })?;
            jieba
                .load_dict(&mut BufReader::new(file))
                .map_err(|e| WordsError::BadDict {
                    path: path.into(),
                    detail: e.to_string(),
                })?;
        }
        let mut set: HashSet<String> = word_lines(STOPWORDS.as_bytes()).collect();
        if let Some(path) = stopwords {
            let file = File::open(path).map_err(|source| WordsError::Read {
                path: path.into(),
                source,
            })?;
            set.extend(word_lines(BufReader::new(file)));
        }
        Ok(Segmenter {
            jieba,
            stopwords: set,
        })
    }

    /// The words of `text` (stickers already removed) that pass the filters.
    pub fn words<'a>(&self, text: &'a str, opts: &WordOptions) -> Vec<&'a str> {
        self.jieba
            .cut(text, true)
            .into_iter()
            .map(|t| t.word.trim())
            .filter(|w| keep(w, opts) && !self.stopwords.contains(*w))
            .collect()
    }
}

fn word_lines(r: impl BufRead) -> impl Iterator<Item = String> {
    r.lines()
        .map_while(Result::ok)
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

fn keep(w: &str, opts: &WordOptions) -> bool {
    let chars = w.chars().count();
    chars >= opts.min_len
        // Punctuation, symbols and emoji only: not a word.
        && w.chars().any(char::is_alphanumeric)
        && (opts.keep_digits || !w.chars().all(|c| c.is_ascii_digit()))
}

/// Splits stickers like `[捂脸]` out of chat text: the stickers, and the text without them.
pub fn split_emotes(text: &str) -> (Vec<&str>, String) {
    let mut emotes = Vec::new();
    let mut rest = String::with_capacity(text.len());
    let mut i = 0;
    while let Some(open) = text[i..].find('[').map(|o| o + i) {
        let close = text[open + 1..]
            .char_indices()
            .take(11)
            .find(|(_, c)| *c == ']' || *c == '[')
            .filter(|(_, c)| *c == ']')
            .map(|(j, _)| open + 1 + j);
        match close {
            Some(close) if close > open + 1 => {
                rest.push_str(&text[i..open]);
                rest.push(' ');
                emotes.push(&text[open..=close]);
                i = close + 1;
            }
            _ => {
                rest.push_str(&text[i..=open]);
                i = open + 1;
            }
        }
    }
    rest.push_str(&text[i..]);
    (emotes, rest)
}

/// A ranked word or emote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WordCount {
    pub word: String,
    pub count: u64,
    /// In how many distinct users' messages it appears.
    pub users: u64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct WordStats {
    pub messages: u64,
    pub words: Vec<WordCount>,
    pub emotes: Vec<WordCount>,
}

#[derive(Default)]
struct Tally {
    map: FxHashMap<String, (u64, FxHashSet<u64>)>,
}

impl Tally {
    fn add(&mut self, word: &str, n: u64, user: u64) {
        let e = match self.map.get_mut(word) {
            Some(e) => e,
            None => self.map.entry(word.to_string()).or_default(),
        };
        e.0 += n;
        e.1.insert(user);
    }

    fn merge(mut self, other: Tally) -> Tally {
        let (mut big, small) = if self.map.len() >= other.map.len() {
            (self, other)
        } else {
            (other, self)
        };
        for (w, (n, users)) in small.map {
            let e = big.map.entry(w).or_default();
            e.0 += n;
            e.1.extend(users);
        }
        self = big;
        self
    }

    fn ranked(self) -> Vec<WordCount> {
        let mut v: Vec<WordCount> = self
            .map
            .into_iter()
            .map(|(word, (count, users))| WordCount {
                word,
                count,
                users: users.len() as u64,
            })
            .collect();
        v.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then(b.users.cmp(&a.users))
                .then(a.word.cmp(&b.word))
        });
        v
    }
}

/// Counts words and emotes over chat messages, in parallel. Everything is ranked; take the top.
pub fn count_words(seg: &Segmenter, chats: &[&Event], opts: &WordOptions) -> WordStats {
    let count_chunk = |chunk: &[&Event]| {
        let (mut words, mut emotes) = (Tally::default(), Tally::default());
        for ev in chunk {
            let Some(text) = ev.content.as_deref() else {
                continue;
            };
            let user = ev.user_id.unwrap_or(0);
            let (stickers, rest) = split_emotes(text);
            for (mut list, tally) in [
                (stickers, &mut emotes),
                (seg.words(&rest, opts), &mut words),
            ] {
                if opts.per_message {
                    list.sort_unstable();
                    list.dedup();
                }
                for w in list {
                    tally.add(w, 1, user);
                }
            }
        }
        (words, emotes)
    };
    let (words, emotes) = chats.par_chunks(2048).map(count_chunk).reduce(
        || (Tally::default(), Tally::default()),
        |a, b| (a.0.merge(b.0), a.1.merge(b.1)),
    );
    WordStats {
        messages: chats.len() as u64,
        words: words.ranked(),
        emotes: emotes.ranked(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stickers_come_out_whole() {
        let (e, rest) = split_emotes("主播好[捂脸][比心]哈哈[666] [not closed");
        assert_eq!(e, ["[捂脸]", "[比心]", "[666]"]);
        assert_eq!(rest, "主播好  哈哈  [not closed");
        let (e, _) = split_emotes("[] [[x]] [这是一个很长很长很长的方括号]");
        assert_eq!(e, ["[x]"]);
    }
}
