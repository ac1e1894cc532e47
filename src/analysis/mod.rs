//! Processors over the event table: words, timeline and peaks, users, gifts, and the summary
//! that ties them together. Each takes decoded events and returns plain tables.

pub mod during;
pub mod gifts;
pub mod keywords;
pub mod peaks;
pub mod summary;
pub mod timeline;
pub mod users;
pub mod words;

use crate::event::{Event, Kind};

/// Top-N lists are ordered by their value, then by user id ascending, so ties are stable.
pub fn rank_desc<T>(items: &mut [T], key: impl Fn(&T) -> (u64, u64)) {
    items.sort_by(|a, b| {
        let (va, ia) = key(a);
        let (vb, ib) = key(b);
        vb.cmp(&va).then(ia.cmp(&ib))
    });
}

/// The chat messages among `events`.
pub fn chats<'a>(events: &[&'a Event]) -> Vec<&'a Event> {
    events
        .iter()
        .copied()
        .filter(|e| e.kind == Kind::Chat)
        .collect()
}
