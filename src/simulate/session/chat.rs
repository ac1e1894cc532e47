//! Chat and emoji chat: who chats when (activity, the rate limit, spammers), what they say
//! (everyday phrases, stickers, a burst's own lines), and the messages.

use std::io::Write;

use super::super::phrases::{HYPE, PHRASES, STICKERS, THANKS};
use super::{splice, stamped, Built, BurstKind, Session, CHAT, CHAT_GAP_MS, EMOJI};
use crate::event::CHAT_BY_LUCKY_BAG;
use crate::proto::webcast::{ChatMessage, EmojiChatMessage, Text};

impl<W: Write> Session<'_, W> {
    /// An active chatter free to chat at `at` (Zipf by activity, under the rate limit).
    pub(super) fn chatter(&mut self, at: u64) -> u32 {
        for _ in 0..6 {
            let u = self.chat_zipf.sample(&mut self.rng);
            let last = self.last_chat[u];
            if last == u64::MAX || last.saturating_add(CHAT_GAP_MS) <= at {
                return u as u32;
            }
        }
        self.rng.below(self.chatters as u64) as u32
    }

    /// Who chats at `at` and what, and whether it is a lucky-bag passphrase sent by the bag's
    /// button (a passphrase with a sticker added was typed).
    pub(super) fn chat_line(
        &mut self,
        at: u64,
        burst: Option<usize>,
        level: f64,
    ) -> (u32, String, bool) {
        let kind = burst.map(|i| (self.bursts[i].kind, self.bursts[i].gifter));
        let (user, text, passphrase) = match kind {
            Some((BurstKind::Lottery, _)) if self.rng.chance(0.65 * level) => {
                // Lurkers join in to enter the lottery, not just the regulars.
                let user = self.rng.below(self.people.len() as u64) as u32;
                let mut text = self.lottery.to_string();
                let typed = self.rng.chance(0.1);
                if typed {
                    text.push_str(self.rng.pick(STICKERS));
                }
                (user, text, !typed)
            }
            Some((BurstKind::BigGift, gifter)) if self.rng.chance(0.45 * level) => {
                let user = self.chatter(at);
                let name = gifter
                    .map(|g| self.people.nickname(g))
                    .unwrap_or_else(|| "大哥".into());
                (user, self.rng.pick(THANKS).replace("{}", &name), false)
            }
            Some((BurstKind::Hype, _)) if self.rng.chance(0.5 * level) => {
                let user = self.chatter(at);
                (user, self.rng.pick(HYPE).to_string(), false)
            }
            _ => {
                let user = self.chatter(at);
                let spam = self
                    .spammers
                    .iter()
                    .find(|(u, _)| *u == user)
                    .map(|(_, s)| *s);
                match spam {
                    Some(line) if self.rng.chance(0.6) => (user, line.to_string(), false),
                    _ => (user, self.everyday_text(), false),
                }
            }
        };
        if let Some(last) = self.last_chat.get_mut(user as usize) {
            *last = at;
        }
        (user, text, passphrase)
    }

    /// A phrase, with a sticker code in about a fifth of messages.
    pub(super) fn everyday_text(&mut self) -> String {
        if self.rng.chance(0.07) {
            let s = self.rng.pick(STICKERS);
            if self.rng.chance(0.3) {
                return format!("{s}{}", self.rng.pick(STICKERS));
            }
            return s.repeat(self.rng.range(1, 4) as usize);
        }
        let mut text = self.rng.pick(PHRASES).to_string();
        if self.rng.chance(0.14) {
            let stickers = self
                .rng
                .pick(STICKERS)
                .repeat(self.rng.range(1, 3) as usize);
            if self.rng.chance(0.7) {
                text.push_str(&stickers);
            } else {
                text.insert_str(0, &stickers);
            }
        }
        if self.rng.chance(0.03) {
            text.push_str(self.rng.pick(&["!!!", "！！！", "？", "~", "2026"]));
        }
        text
    }

    pub(super) fn chat_message(
        &mut self,
        id: u64,
        at: u64,
        user: u32,
        text: String,
        passphrase: bool,
    ) -> Built {
        let head = ChatMessage {
            common: Some(self.common(CHAT, id, 0, String::new())),
            ..Default::default()
        };
        let tail = ChatMessage {
            content: text,
            event_time: at / 1000,
            chat_by: if passphrase {
                u64::from(CHAT_BY_LUCKY_BAG)
            } else {
                0
            },
            ..Default::default()
        };
        self.tally.chat(user, passphrase);
        (
            CHAT,
            splice(&head, 2, self.people.user_bytes(user), &tail),
            Some(at / 1000 * 1000),
        )
    }

    pub(super) fn emoji_message(&mut self, id: u64, at: u64, user: u32, emoji: u64) -> Built {
        let head = EmojiChatMessage {
            common: Some(self.common(EMOJI, id, at, String::new())),
            ..Default::default()
        };
        let tail = EmojiChatMessage {
            emoji_id: emoji,
            emoji_content: Some(Text {
                key: "emoji_chat_default".into(),
                default_pattern: "{0:image}".into(),
            }),
            default_content: "[表情]".into(),
            ..Default::default()
        };
        self.tally.emoji(user);
        (
            EMOJI,
            splice(&head, 2, self.people.user_bytes(user), &tail),
            stamped(at),
        )
    }
}
