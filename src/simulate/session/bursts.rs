//! Bursts of chat: where a session is inside one, and what the truth says of them.

use std::io::Write;

use super::super::phrases::{HYPE, THANKS};
use super::{BurstKind, Session};

impl<W: Write> Session<'_, W> {
    /// How far into a burst `t` is (0 outside, 1 at the plateau) and which burst.
    pub(super) fn burst_at(&self, t: u64) -> (f64, Option<usize>) {
        for (i, b) in self.bursts.iter().enumerate() {
            if t >= b.start && t < b.end {
                let dur = (b.end - b.start).max(1) as f64;
                let up = ((t - b.start) as f64 / (0.1 * dur)).min(1.0);
                let down = ((b.end - t) as f64 / (0.3 * dur)).min(1.0);
                return (up.min(down), Some(i));
            }
        }
        (0.0, None)
    }

    /// The bursts as the truth tells them, with the lines each injected (see `chat_line`).
    pub(super) fn burst_truth(&self) -> Vec<super::super::BurstTruth> {
        self.bursts
            .iter()
            .map(|b| {
                let (kind, topic): (&str, Vec<String>) = match b.kind {
                    BurstKind::Lottery => ("lottery", vec![self.lottery.to_string()]),
                    BurstKind::Hype => ("hype", HYPE.iter().map(|l| l.to_string()).collect()),
                    BurstKind::BigGift => {
                        let name = b
                            .gifter
                            .map(|g| self.people.nickname(g))
                            .unwrap_or_else(|| "大哥".into());
                        let lines = THANKS.iter().map(|l| l.replace("{}", &name)).collect();
                        ("big_gift", lines)
                    }
                };
                super::super::BurstTruth {
                    kind: kind.into(),
                    start_ms: b.start,
                    end_ms: b.end,
                    topic,
                }
            })
            .collect()
    }
}
