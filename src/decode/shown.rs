//! Counts as the room shows them: `9876`, `3.2万`, `10万+`, `1万人看过`, `160在线观众`.
//!
//! Douyin sends some counts only as display text, rounded (`3.2万`) or capped (`10万+`, where
//! the exact number beside it can be far lower: a real session showed `10万+` with
//! `totalUser` 9,605). A trailing `+` marks a lower bound.

/// A count read from display text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shown {
    pub value: u64,
    /// The text said "or more" (`10万+`).
    pub at_least: bool,
}

/// The count at the start of `text` and the text after it (`人看过`, `在线观众`, …); `None`
/// when `text` does not start with a number. Digits may be grouped with commas; `万`/`w`
/// multiply by 10,000 and `亿` by 100,000,000, with up to four decimals before them; a `+`
/// after the number marks a lower bound. Too large a number saturates.
pub fn parse(text: &str) -> Option<(Shown, &str)> {
    let s = text.trim_start();
    let b = s.as_bytes();
    let mut i = 0;
    let mut whole: u64 = 0;
    let mut digits = 0;
    while i < b.len() && (b[i].is_ascii_digit() || (b[i] == b',' && digits > 0)) {
        if b[i] != b',' {
            whole = whole
                .saturating_mul(10)
                .saturating_add(u64::from(b[i] - b'0'));
            digits += 1;
        }
        i += 1;
    }
    if digits == 0 {
        return None;
    }
    // Tenths, hundredths …: kept as (numerator, denominator) so 3.2万 is exactly 32,000.
    let (mut frac, mut den) = (0u64, 1u64);
    if i + 1 < b.len() && b[i] == b'.' && b[i + 1].is_ascii_digit() {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            if den < 10_000 {
                frac = frac * 10 + u64::from(b[i] - b'0');
                den *= 10;
            }
            i += 1;
        }
    }
    let rest = &s[i..];
    let (unit, rest) = if let Some(r) = rest.strip_prefix('万') {
        (10_000, r)
    } else if let Some(r) = rest.strip_prefix(['w', 'W']) {
        (10_000, r)
    } else if let Some(r) = rest.strip_prefix('亿') {
        (100_000_000, r)
    } else {
        (1, rest)
    };
    let value = whole
        .saturating_mul(unit)
        .saturating_add(frac.saturating_mul(unit) / den);
    let (at_least, rest) = match rest.strip_prefix('+') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    Some((Shown { value, at_least }, rest))
}

/// The larger of a count sent as a number (0: not sent) and the same count sent as text: what
/// `total_viewers` holds. Text counts are rounded or capped, so the number wins unless the
/// text says more.
pub fn larger(number: u64, text: &str) -> u64 {
    parse(text).map_or(number, |(s, _)| number.max(s.value))
}

/// Whether a `total_viewers` is a lower bound: it came from a text count ending in `+` (the
/// row's `content`: room_user_seq's `totalUserStr`, room_stats' display text).
pub fn lower_bound(total_viewers: u64, content: &str) -> bool {
    parse(content).is_some_and(|(s, _)| s.at_least && s.value >= total_viewers)
}

/// Whether a room-stats display text counts viewers since the live started (`1.2万人看过`, "have
/// watched") rather than viewers online now (`160在线观众`).
pub fn is_cumulative(display: &str) -> bool {
    parse(display).is_some_and(|(_, rest)| rest.contains("看过"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(text: &str) -> Option<(u64, bool)> {
        parse(text).map(|(s, _)| (s.value, s.at_least))
    }

    #[test]
    fn counts_as_shown() {
        assert_eq!(value("9605"), Some((9_605, false)));
        assert_eq!(value("10万+"), Some((100_000, true)));
        assert_eq!(value("3.2万"), Some((32_000, false)));
        assert_eq!(value("1.25万人看过"), Some((12_500, false)));
        assert_eq!(value("1.2w"), Some((12_000, false)));
        assert_eq!(value("2亿+"), Some((200_000_000, true)));
        assert_eq!(value("1,234"), Some((1_234, false)));
        assert_eq!(value(" 160在线观众"), Some((160, false)));
        assert_eq!(value("0"), Some((0, false)));
        for bad in ["", "万", "+", ".5万", ",1", "人看过", "—"] {
            assert_eq!(value(bad), None, "{bad}");
        }
        // Saturates instead of overflowing.
        assert_eq!(value("99999999999999999999999亿"), Some((u64::MAX, false)));
        assert_eq!(value("1.23456789万"), Some((12_345, false)));
    }

    #[test]
    fn the_rest_and_what_it_counts() {
        assert_eq!(parse("1万人看过").map(|(_, r)| r), Some("人看过"));
        assert!(is_cumulative("1万人看过"));
        assert!(is_cumulative("10万+人看过"));
        assert!(!is_cumulative("160在线观众"));
        assert!(!is_cumulative("160"));
        assert!(!is_cumulative(""));
    }

    #[test]
    fn the_number_unless_the_text_says_more() {
        // The session that showed 10万+ beside totalUser 9,605.
        assert_eq!(larger(9_605, "10万+"), 100_000);
        assert!(lower_bound(100_000, "10万+"));
        // Rounded text below the exact number: the number, and it is exact.
        assert_eq!(larger(31_960, "3.1万"), 31_960);
        assert!(!lower_bound(31_960, "3.1万"));
        assert_eq!(larger(120_000, "10万+"), 120_000);
        assert!(!lower_bound(120_000, "10万+"));
        assert_eq!(larger(0, "3.2万"), 32_000);
        assert_eq!(larger(8_341, "8341"), 8_341);
        assert_eq!(larger(7, "n/a"), 7);
        assert!(!lower_bound(0, ""));
    }
}
