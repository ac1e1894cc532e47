//! Word frequencies of chat text: stickers (`[捂脸]`) pulled out first and ranked as emotes, then
//! jieba segmentation with a danmaku dictionary, stopwords, and one count per message by default.

use std::collections::HashSet;
use std::fs::File;
use std::hash::BuildHasher as _;
use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};

use jieba_rs::Jieba;
use polars::prelude::Column as PlColumn;
use polars::prelude::*;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;

use super::expr::{c, is_kind, ts_ms, Run};
use crate::columns::Column as Col;
use crate::event::Kind;

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

/// The words of every chat message, as numbers: one row per (message, word), the words in
/// [`Tokens::vocab`]. A message's user is its user id, or a key from the nickname where the
/// table has no ids (0 when neither). With `per_message`, a word appears once per message
/// however often it was repeated.
#[derive(Debug, Clone)]
pub struct Tokens {
    /// Chat messages segmented.
    pub messages: u64,
    /// Each chat message's time (UTC ms), in order: `msg` indexes it.
    pub chat_ts: Vec<i64>,
    /// Each chat message's user (see [`Tokens`]'s doc), indexed like `chat_ts`.
    pub users: Vec<u64>,
    /// `msg` (u32), `word_id` (u32): one row per (message, word).
    pub frame: DataFrame,
    /// `word_id`, `word`, `emote` (a sticker like `[捂脸]` rather than a word).
    pub vocab: DataFrame,
}

/// Ranked words and emotes: `word`, `count`, `users`, by count, then users, then word.
#[derive(Debug, Clone)]
pub struct WordStats {
    pub messages: u64,
    pub words: DataFrame,
    pub emotes: DataFrame,
}

impl WordStats {
    /// The first `n` rows of a ranking as plain values.
    pub fn top(frame: &DataFrame, n: usize) -> Vec<WordCount> {
        let head = frame.head(Some(n));
        let (Ok(w), Ok(c), Ok(u)) = (
            head.column("word"),
            head.column("count"),
            head.column("users"),
        ) else {
            return Vec::new();
        };
        let (Ok(w), Ok(c), Ok(u)) = (w.str(), c.u64(), u.u64()) else {
            return Vec::new();
        };
        w.iter()
            .zip(c.iter())
            .zip(u.iter())
            .map(|((w, c), u)| WordCount {
                word: w.unwrap_or("").to_string(),
                count: c.unwrap_or(0),
                users: u.unwrap_or(0),
            })
            .collect()
    }
}

/// One chunk's tokens: message rows, the chunk's word numbers, and its words (text, emote).
type ChunkTokens = (Vec<u32>, Vec<u32>, Vec<(String, bool)>);

/// Segments the chat of `events` on every core (jieba over `content`).
pub fn tokenize(events: LazyFrame, seg: &Segmenter, opts: &WordOptions) -> PolarsResult<Tokens> {
    let chat = events.filter(is_kind(Kind::Chat));
    let mut msgs = chat
        .clone()
        .select([ts_ms().alias("ts"), c(Col::UserId), c(Col::Content)])
        .run()?;
    // Peaks look tokens up by time: chat in time order (the table's order, normally).
    if !msgs.column("ts")?.i64()?.iter().is_sorted() {
        msgs.sort_in_place(
            ["ts"],
            SortMultipleOptions::default().with_maintain_order(true),
        )?;
    }
    let texts: Vec<Option<&str>> = msgs.column(Col::Content.name())?.str()?.iter().collect();
    let chat_ts: Vec<i64> = msgs
        .column("ts")?
        .i64()?
        .iter()
        .map(|t| t.unwrap_or(0))
        .collect();
    let ids = msgs.column(Col::UserId.name())?.u64()?;
    // Who said it: the user id, or for tables without ids (a spider's) a key from the nickname.
    let users: Vec<u64> = if ids.null_count() == 0 {
        ids.into_no_null_iter().collect()
    } else {
        let names = chat.select([c(Col::UserName)]).run()?;
        let names = names.column(Col::UserName.name())?.str()?;
        ids.iter()
            .zip(names.iter())
            .map(|(id, name)| match (id, name) {
                (Some(id), _) => id,
                (None, Some(n)) if !n.is_empty() => rustc_hash::FxBuildHasher.hash_one(n) | 1 << 63,
                _ => 0,
            })
            .collect()
    };
    const CHUNK: usize = 2048;
    // Each chunk numbers its own words; the numbers are made global below. A token is then two
    // u32s (message, word) instead of a string per token.
    let parts: Vec<ChunkTokens> = texts
        .par_chunks(CHUNK)
        .enumerate()
        .map(|(ci, chunk)| {
            let mut msg = Vec::new();
            let mut word = Vec::new();
            let mut known: [FxHashMap<String, u32>; 2] = Default::default();
            let mut local: Vec<(String, bool)> = Vec::new();
            for (j, text) in chunk.iter().enumerate() {
                let Some(text) = text else { continue };
                let row = (ci * CHUNK + j) as u32;
                let (stickers, rest) = split_emotes(text);
                for (mut list, is_emote) in [(stickers, true), (seg.words(&rest, opts), false)] {
                    if opts.per_message {
                        list.sort_unstable();
                        list.dedup();
                    }
                    for w in list {
                        let ids = &mut known[usize::from(is_emote)];
                        let id = match ids.get(w) {
                            Some(&id) => id,
                            None => {
                                let id = local.len() as u32;
                                ids.insert(w.to_string(), id);
                                local.push((w.to_string(), is_emote));
                                id
                            }
                        };
                        msg.push(row);
                        word.push(id);
                    }
                }
            }
            (msg, word, local)
        })
        .collect();
    let mut msg: Vec<u32> = Vec::new();
    let mut word: Vec<u32> = Vec::new();
    let mut global: [FxHashMap<String, u32>; 2] = Default::default();
    let mut vocab: Vec<(String, bool)> = Vec::new();
    for (m, w, local) in parts {
        let to_global: Vec<u32> = local
            .into_iter()
            .map(|(text, emote)| {
                let ids = &mut global[usize::from(emote)];
                *ids.entry(text.clone()).or_insert_with(|| {
                    vocab.push((text, emote));
                    vocab.len() as u32 - 1
                })
            })
            .collect();
        msg.extend(m);
        word.extend(w.into_iter().map(|id| to_global[id as usize]));
    }
    drop(global);
    let frame = DataFrame::new(
        msg.len(),
        vec![
            PlColumn::new("msg".into(), msg),
            PlColumn::new("word_id".into(), word),
        ],
    )?;
    let vocab = DataFrame::new(
        vocab.len(),
        vec![
            PlColumn::new(
                "word_id".into(),
                (0..vocab.len() as u32).collect::<Vec<_>>(),
            ),
            PlColumn::new(
                "word".into(),
                vocab.iter().map(|(w, _)| w.as_str()).collect::<Vec<_>>(),
            ),
            PlColumn::new(
                "emote".into(),
                vocab.iter().map(|(_, e)| *e).collect::<Vec<_>>(),
            ),
        ],
    )?;
    Ok(Tokens {
        messages: chat_ts.len() as u64,
        chat_ts,
        users,
        frame,
        vocab,
    })
}

impl Tokens {
    /// Words and emotes ranked, over all tokens or those in `[from, to)` (UTC ms).
    pub fn rank(&self, window: Option<(i64, i64)>) -> PolarsResult<WordStats> {
        let mut tokens = self.frame.clone();
        let mut messages = self.messages;
        if let Some((from, to)) = window {
            // Messages are in time order, so a window is a range of them.
            let lo = self.chat_ts.partition_point(|t| *t < from) as u32;
            let hi = self.chat_ts.partition_point(|t| *t < to) as u32;
            tokens = tokens
                .lazy()
                .filter(col("msg").gt_eq(lit(lo)).and(col("msg").lt(lit(hi))))
                .collect()?;
            messages = u64::from(hi - lo);
        }
        let user: Vec<u64> = tokens
            .column("msg")?
            .u32()?
            .into_no_null_iter()
            .map(|m| self.users[m as usize])
            .collect();
        let counted = tokens
            .select(["word_id"])?
            .hstack(&[PlColumn::new(Col::UserId.name().into(), user)])?
            .lazy()
            .group_by([col("word_id")])
            .agg([
                len().cast(DataType::UInt64).alias("count"),
                c(Col::UserId)
                    .n_unique()
                    .cast(DataType::UInt64)
                    .alias("users"),
            ])
            .join(
                self.vocab.clone().lazy(),
                [col("word_id")],
                [col("word_id")],
                JoinArgs::new(JoinType::Inner),
            )
            .collect()?;
        let ranked = |emote: bool| {
            counted
                .clone()
                .lazy()
                .filter(col("emote").eq(lit(emote)))
                .select([col("word"), col("count"), col("users")])
                .sort_by_exprs(
                    [col("count"), col("users"), col("word")],
                    SortMultipleOptions::default().with_order_descending_multi([true, true, false]),
                )
                .collect()
        };
        Ok(WordStats {
            messages,
            words: ranked(false)?,
            emotes: ranked(true)?,
        })
    }
}

/// Counts words and emotes over the chat of `events`. Everything is ranked; take the top.
///
/// ```
/// use danmu_analyze::analysis::words::{words, Segmenter, WordOptions, WordStats};
/// use danmu_analyze::event::{Event, Kind};
/// use polars::prelude::IntoLazy;
///
/// let mut chat = Event::new(Kind::Chat, Kind::Chat.method().into());
/// chat.user_id = Some(1);
/// chat.content = Some("主播好漂亮[比心]".into());
/// let table = danmu_analyze::table::from_events(&[chat]).unwrap();
/// let seg = Segmenter::new(None, None).unwrap();
/// let stats = words(table.lazy(), &seg, &WordOptions::default()).unwrap();
/// assert_eq!(WordStats::top(&stats.words, 1)[0].word, "主播");
/// assert_eq!(WordStats::top(&stats.emotes, 1)[0].word, "[比心]");
/// ```
pub fn words(events: LazyFrame, seg: &Segmenter, opts: &WordOptions) -> PolarsResult<WordStats> {
    tokenize(events, seg, opts)?.rank(None)
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
