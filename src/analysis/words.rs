//! Word frequencies of chat text: stickers (`[捂脸]`) pulled out first and ranked as emotes, then
//! jieba segmentation with a danmaku dictionary, stopwords, and one count per message by default.

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};

use jieba_rs::Jieba;
use polars::prelude::Column as PlColumn;
use polars::prelude::*;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;

use super::dictionary::{self, CharSet};
use super::expr::{c, for_each_batch, is_kind, keyed_by_name, ts_ms, user_keys, Events};
use super::frame::{strs, u64s, ColumnError};
use crate::columns::Column as Col;
use crate::event::{Kind, CHAT_BY_LUCKY_BAG};

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
    /// Count lucky-bag passphrases (chat with `chat_by` 9) among the hot words. Off by default:
    /// one phrase the platform sends for thousands who join a draw is not the audience talking.
    /// A peak's words count them either way: a draw is what such a peak is about.
    pub passphrases: bool,
}

impl Default for WordOptions {
    fn default() -> Self {
        WordOptions {
            min_len: 2,
            per_message: true,
            keep_digits: false,
            passphrases: false,
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
        Segmenter::with_default(Jieba::new(), user_dict, stopwords)
    }

    /// [`Segmenter::new`] for texts made of `chars` only (see [`super::dictionary`]): it cuts them
    /// exactly as `new`'s does, and loads several times faster.
    pub fn for_chars(
        chars: &CharSet,
        user_dict: Option<&Path>,
        stopwords: Option<&Path>,
    ) -> Result<Segmenter, WordsError> {
        let user = match user_dict {
            Some(path) => std::fs::read(path).map_err(|source| WordsError::Read {
                path: path.into(),
                source,
            })?,
            None => Vec::new(),
        };
        let user_text = String::from_utf8_lossy(&user);
        let keep: HashSet<&str> = dictionary::dict_words(DANMAKU_DICT)
            .chain(dictionary::dict_words(&user_text))
            .collect();
        let Some(jieba) = dictionary::jieba_for(chars, &keep) else {
            return Segmenter::new(user_dict, stopwords);
        };
        Segmenter::with_default(jieba, user_dict, stopwords)
    }

    /// jieba with its default dictionary (whole or cut) and ours and the user's on top.
    fn with_default(
        mut jieba: Jieba,
        user_dict: Option<&Path>,
        stopwords: Option<&Path>,
    ) -> Result<Segmenter, WordsError> {
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

/// The words of every chat message, as numbers: message `i`'s words are
/// `words[offsets[i]..offsets[i + 1]]`, each an index into the vocabulary. A message's user is
/// its user id, or a key from the nickname where the table has no ids (0 when neither),
/// numbered densely. With `per_message`, a word appears once per message however often it was
/// repeated. About 16 bytes a message and 4 a word: a month of a busy room fits.
#[derive(Debug, Clone)]
pub struct Tokens {
    /// Chat messages segmented.
    pub messages: u64,
    /// Each chat message's time (UTC ms), in time order (ties in the table's order).
    chat_ts: Vec<i64>,
    /// Each message's user, numbered from 0, indexed like `chat_ts`.
    users: Vec<u32>,
    /// Whether each message is a lucky-bag passphrase, indexed like `chat_ts`.
    passphrase: Vec<bool>,
    /// Where each message's words start in `words`; one more entry than messages.
    offsets: Vec<u32>,
    words: Vec<u32>,
    /// The words and stickers (`true`: a sticker like `[捂脸]`), by number.
    vocab: Vec<(String, bool)>,
}

/// The columns of [`WordStats::words`] and [`WordStats::emotes`].
pub mod cols {
    pub const WORD: &str = "word";
    pub const COUNT: &str = "count";
    pub const USERS: &str = "users";
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
    pub fn top(frame: &DataFrame, n: usize) -> Result<Vec<WordCount>, ColumnError> {
        let head = frame.head(Some(n));
        let w = strs(&head, "words", cols::WORD)?;
        let c = u64s(&head, "words", cols::COUNT)?;
        let u = u64s(&head, "words", cols::USERS)?;
        Ok(w.iter()
            .zip(c.iter())
            .zip(u.iter())
            .map(|((w, c), u)| WordCount {
                word: w.unwrap_or("").to_string(),
                count: c.unwrap_or(0),
                users: u.unwrap_or(0),
            })
            .collect())
    }
}

/// One chunk's tokens: each message's word count, the chunk's word numbers, and its words
/// (text, emote).
type ChunkTokens = (Vec<u32>, Vec<u32>, Vec<(String, bool)>);

/// Segments the chat of `events` on every core (jieba over `content`). A scanned table is read
/// in batches on the streaming engine, so only the numbers above are kept, not the text; its
/// rows may come in any order (a dataset's parts unsorted): messages are put in time order,
/// ties in the order read, which is the sorted table's.
pub fn tokenize(
    events: impl Into<Events>,
    seg: &Segmenter,
    opts: &WordOptions,
) -> PolarsResult<Tokens> {
    let events = events.into();
    let by_name = keyed_by_name(&events.lazy, events.engine)?;
    tokenize_keyed(events, by_name, seg, opts)
}

/// [`tokenize`] where it is known whether users are keyed by nickname ([`keyed_by_name`]).
pub fn tokenize_keyed(
    events: impl Into<Events>,
    by_name: bool,
    seg: &Segmenter,
    opts: &WordOptions,
) -> PolarsResult<Tokens> {
    let mut columns = vec![
        ts_ms().alias("ts"),
        c(Col::UserId),
        c(Col::Content),
        c(Col::ChatBy),
    ];
    // Who said it: the user id, or for tables without ids (a spider's) a key from the nickname.
    if by_name {
        columns.push(c(Col::UserName));
    }
    let Events { lazy, engine } = events.into();
    let chat = lazy.filter(is_kind(Kind::Chat)).select(columns);
    let mut b = TokensBuilder::new(seg, opts);
    for_each_batch(chat, engine, |df| b.add(df))?;
    b.finish()
}

/// Builds [`Tokens`] batch by batch.
struct TokensBuilder<'a> {
    seg: &'a Segmenter,
    opts: &'a WordOptions,
    chat_ts: Vec<i64>,
    users: Vec<u32>,
    passphrase: Vec<bool>,
    offsets: Vec<u32>,
    words: Vec<u32>,
    user_numbers: FxHashMap<u64, u32>,
    known: [FxHashMap<String, u32>; 2],
    vocab: Vec<(String, bool)>,
}

impl<'a> TokensBuilder<'a> {
    fn new(seg: &'a Segmenter, opts: &'a WordOptions) -> Self {
        TokensBuilder {
            seg,
            opts,
            chat_ts: Vec::new(),
            users: Vec::new(),
            passphrase: Vec::new(),
            offsets: vec![0],
            words: Vec::new(),
            user_numbers: FxHashMap::default(),
            known: Default::default(),
            vocab: Vec::new(),
        }
    }

    /// Chat rows (`ts`, `user_id`, `content`, and `user_name` where users are keyed by name).
    fn add(&mut self, batch: &DataFrame) -> PolarsResult<()> {
        let texts: Vec<Option<&str>> = batch.column(Col::Content.name())?.str()?.iter().collect();
        for key in user_keys(batch)? {
            let next = self.user_numbers.len() as u32;
            self.users
                .push(*self.user_numbers.entry(key).or_insert(next));
        }
        self.chat_ts
            .extend(batch.column("ts")?.i64()?.iter().map(|t| t.unwrap_or(0)));
        let chat_by = batch.column(Col::ChatBy.name())?.cast(&DataType::UInt32)?;
        self.passphrase
            .extend(chat_by.u32()?.iter().map(|b| b == Some(CHAT_BY_LUCKY_BAG)));
        const CHUNK: usize = 2048;
        let (seg, opts) = (self.seg, self.opts);
        // Each chunk numbers its own words; the numbers are made global below. A token is then
        // a u32 instead of a string.
        let parts: Vec<ChunkTokens> = texts
            .par_chunks(CHUNK)
            .map(|chunk| {
                let mut per_message = Vec::with_capacity(chunk.len());
                let mut word = Vec::new();
                let mut known: [FxHashMap<String, u32>; 2] = Default::default();
                let mut local: Vec<(String, bool)> = Vec::new();
                for text in chunk {
                    let before = word.len();
                    if let Some(text) = text {
                        let (stickers, rest) = split_emotes(text);
                        for (mut list, is_emote) in
                            [(stickers, true), (seg.words(&rest, opts), false)]
                        {
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
                                word.push(id);
                            }
                        }
                    }
                    per_message.push((word.len() - before) as u32);
                }
                (per_message, word, local)
            })
            .collect();
        for (per_message, word, local) in parts {
            let to_global: Vec<u32> = local
                .into_iter()
                .map(|(text, emote)| {
                    let ids = &mut self.known[usize::from(emote)];
                    match ids.get(&text) {
                        Some(&id) => id,
                        None => {
                            let id = self.vocab.len() as u32;
                            ids.insert(text.clone(), id);
                            self.vocab.push((text, emote));
                            id
                        }
                    }
                })
                .collect();
            self.words
                .extend(word.into_iter().map(|id| to_global[id as usize]));
            let mut end = *self.offsets.last().unwrap_or(&0);
            for n in per_message {
                end = end.checked_add(n).ok_or_else(
                    || polars_err!(ComputeError: "more than 4 billion words of chat to count: narrow the input with --since/--until or --room"),
                )?;
                self.offsets.push(end);
            }
        }
        Ok(())
    }

    /// The tokens with the messages in time order (ties in the order read).
    fn finish(self) -> PolarsResult<Tokens> {
        let TokensBuilder {
            mut chat_ts,
            mut users,
            mut passphrase,
            mut offsets,
            mut words,
            vocab,
            ..
        } = self;
        if !chat_ts.is_sorted() {
            let mut order: Vec<u32> = (0..chat_ts.len() as u32).collect();
            order.par_sort_unstable_by_key(|&i| (chat_ts[i as usize], i));
            let mut new_words = Vec::with_capacity(words.len());
            let mut new_offsets = Vec::with_capacity(offsets.len());
            new_offsets.push(0u32);
            for &i in &order {
                let i = i as usize;
                new_words.extend_from_slice(&words[offsets[i] as usize..offsets[i + 1] as usize]);
                new_offsets.push(new_words.len() as u32);
            }
            words = new_words;
            offsets = new_offsets;
            chat_ts = order.iter().map(|&i| chat_ts[i as usize]).collect();
            users = order.iter().map(|&i| users[i as usize]).collect();
            passphrase = order.iter().map(|&i| passphrase[i as usize]).collect();
        }
        Ok(Tokens {
            messages: chat_ts.len() as u64,
            chat_ts,
            users,
            passphrase,
            offsets,
            words,
            vocab,
        })
    }
}

impl Tokens {
    /// Words and emotes ranked, over all tokens or those in `[from, to)` (UTC ms), lucky-bag
    /// passphrases included: what a peak's words are compared with.
    pub fn rank(&self, window: Option<(i64, i64)>) -> PolarsResult<WordStats> {
        self.rank_where(window, true)
    }

    /// The session's hot words: [`Tokens::rank`] over all the chat, without lucky-bag
    /// passphrases unless `passphrases`.
    pub fn hot_words(&self, passphrases: bool) -> PolarsResult<WordStats> {
        self.rank_where(None, passphrases)
    }

    /// Whether any chat message is a lucky-bag passphrase.
    pub fn has_passphrases(&self) -> bool {
        self.passphrase.contains(&true)
    }

    fn rank_where(&self, window: Option<(i64, i64)>, passphrases: bool) -> PolarsResult<WordStats> {
        let (lo, hi) = match window {
            // Messages are in time order, so a window is a range of them.
            Some((from, to)) => (
                self.chat_ts.partition_point(|t| *t < from),
                self.chat_ts.partition_point(|t| *t < to),
            ),
            None => (0, self.chat_ts.len()),
        };
        let hi = hi.max(lo);
        // (word, user) pairs as one number each, sorted: a word's run counts its messages, the
        // distinct users in the run its users.
        let mut pairs: Vec<u64> =
            Vec::with_capacity((self.offsets[hi] - self.offsets[lo]) as usize);
        let mut messages = 0;
        for m in lo..hi {
            if !passphrases && self.passphrase[m] {
                continue;
            }
            messages += 1;
            let user = u64::from(self.users[m]);
            let words = &self.words[self.offsets[m] as usize..self.offsets[m + 1] as usize];
            pairs.extend(words.iter().map(|&w| u64::from(w) << 32 | user));
        }
        pairs.par_sort_unstable();
        // (count, users, word) per word seen.
        let mut counted: [Vec<(u64, u64, &str)>; 2] = Default::default();
        let mut i = 0;
        while i < pairs.len() {
            let word = pairs[i] >> 32;
            let (mut count, mut users, mut last) = (0u64, 0u64, None);
            while i < pairs.len() && pairs[i] >> 32 == word {
                count += 1;
                if last != Some(pairs[i]) {
                    users += 1;
                    last = Some(pairs[i]);
                }
                i += 1;
            }
            let (text, emote) = &self.vocab[word as usize];
            counted[usize::from(*emote)].push((count, users, text));
        }
        let ranked = |mut rows: Vec<(u64, u64, &str)>| -> PolarsResult<DataFrame> {
            rows.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(b.2)));
            DataFrame::new(
                rows.len(),
                vec![
                    PlColumn::new(
                        cols::WORD.into(),
                        rows.iter().map(|r| r.2).collect::<Vec<_>>(),
                    ),
                    PlColumn::new(
                        cols::COUNT.into(),
                        rows.iter().map(|r| r.0).collect::<Vec<_>>(),
                    ),
                    PlColumn::new(
                        cols::USERS.into(),
                        rows.iter().map(|r| r.1).collect::<Vec<_>>(),
                    ),
                ],
            )
        };
        let [words, emotes] = counted;
        Ok(WordStats {
            messages,
            words: ranked(words)?,
            emotes: ranked(emotes)?,
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
/// assert_eq!(WordStats::top(&stats.words, 1).unwrap()[0].word, "主播");
/// assert_eq!(WordStats::top(&stats.emotes, 1).unwrap()[0].word, "[比心]");
/// ```
pub fn words(
    events: impl Into<Events>,
    seg: &Segmenter,
    opts: &WordOptions,
) -> PolarsResult<WordStats> {
    tokenize(events, seg, opts)?.hot_words(opts.passphrases)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Event;

    /// A lottery's passphrase, sent by many, and a little real talk.
    fn lottery_room() -> LazyFrame {
        let chat = |user: u64, text: &str, chat_by: u32| {
            let mut e = Event::new(Kind::Chat, Kind::Chat.method().into());
            (e.user_id, e.content, e.chat_by) = (Some(user), Some(text.into()), Some(chat_by));
            (e.msg_id, e.ts) = (user, user as i64 * 1000);
            e
        };
        let mut events: Vec<Event> = (1..=30).map(|u| chat(u, "幸运星星来了", 9)).collect();
        events.push(chat(40, "主播唱歌好听", 0));
        events.push(chat(41, "唱歌真好听", 0));
        crate::table::from_events(&events).unwrap().lazy()
    }

    #[test]
    fn passphrases_are_not_hot_words_unless_asked() {
        let seg = Segmenter::new(None, None).unwrap();
        let top = |opts: &WordOptions| {
            let stats = words(lottery_room(), &seg, opts).unwrap();
            let top = WordStats::top(&stats.words, 20).unwrap();
            (
                stats.messages,
                top.into_iter().map(|w| w.word).collect::<Vec<_>>(),
            )
        };
        let (messages, hot) = top(&WordOptions::default());
        assert_eq!(messages, 2, "the passphrase messages are left out");
        assert!(hot[..2].contains(&"好听".to_string()), "{hot:?}");
        assert!(!hot.iter().any(|w| w == "幸运" || w == "星星"), "{hot:?}");
        let keep = WordOptions {
            passphrases: true,
            ..WordOptions::default()
        };
        let (messages, all) = top(&keep);
        assert_eq!(messages, 32);
        assert!(
            all.iter().take(2).any(|w| w == "幸运" || w == "星星"),
            "{all:?}"
        );
        // The tokens still hold them, for a peak's words.
        let tokens = tokenize(lottery_room(), &seg, &WordOptions::default()).unwrap();
        assert!(tokens.has_passphrases());
        assert_eq!(tokens.rank(None).unwrap().messages, 32);
    }

    #[test]
    fn stickers_come_out_whole() {
        let (e, rest) = split_emotes("主播好[捂脸][比心]哈哈[666] [not closed");
        assert_eq!(e, ["[捂脸]", "[比心]", "[666]"]);
        assert_eq!(rest, "主播好  哈哈  [not closed");
        let (e, _) = split_emotes("[] [[x]] [这是一个很长很长很长的方括号]");
        assert_eq!(e, ["[x]"]);
    }
}
