//! The text encodings Chinese users' CSV files come in: UTF-8 (with or without a BOM), GB18030 /
//! GBK (what Excel and WPS write on a Chinese Windows), and UTF-16 with a BOM (Excel's "Unicode
//! text"). Detection: a BOM, then UTF-8 validity, then GB18030; `--encoding` forces one.
//! Everything is turned into UTF-8 with the places of undecodable bytes remembered, so the CSV
//! reader can skip (and name) just the rows that hold them.

use std::borrow::Cow;

use encoding_rs::{DecoderResult, Encoding, GB18030, UTF_8};

/// `--encoding`: an encoding by any WHATWG label (`utf-8`, `gbk`, `gb18030`, `utf-16le`, …).
pub fn parse_label(label: &str) -> Result<&'static Encoding, String> {
    Encoding::for_label(label.trim().as_bytes()).ok_or_else(|| {
        format!("unknown encoding `{label}`; expected e.g. utf-8, gb18030, gbk, utf-16le, utf-16be")
    })
}

/// A whole input as UTF-8.
#[derive(Debug)]
pub struct Text<'a> {
    pub text: Cow<'a, str>,
    pub encoding: &'static Encoding,
    /// Byte offsets into `text` of each U+FFFD put in for undecodable input, in order.
    pub bad: Vec<usize>,
}

/// The encoding of `bytes` and the length of its BOM: `forced`, else by the BOM, else UTF-8 if
/// most lines read as UTF-8, else GB18030 (a superset of GBK and GB2312).
pub fn sniff(bytes: &[u8], forced: Option<&'static Encoding>) -> (&'static Encoding, usize) {
    let bom = Encoding::for_bom(bytes);
    match (forced, bom) {
        // A BOM of the forced encoding is still not text.
        (Some(f), Some((b, len))) if f == b => (f, len),
        (Some(f), _) => (f, 0),
        (None, Some((b, len))) => (b, len),
        (None, None) if mostly_utf8(bytes) => (UTF_8, 0),
        (None, None) => (GB18030, 0),
    }
}

/// Whether `bytes` is UTF-8, allowing a few damaged lines: GBK Chinese is almost never valid
/// UTF-8, so a file is UTF-8 when more of its non-ASCII lines are valid UTF-8 than are not.
/// (One bad byte must not turn a whole UTF-8 file into GB18030 mojibake.)
/// A head cut mid-character counts as UTF-8 (the error has no length then).
fn mostly_utf8(bytes: &[u8]) -> bool {
    let utf8 = |b: &[u8]| std::str::from_utf8(b).map_or_else(|e| e.error_len().is_none(), |_| true);
    if utf8(bytes) {
        return true;
    }
    let (mut good, mut bad) = (0usize, 0usize);
    for line in bytes.split(|&b| b == b'\n') {
        if line.is_ascii() {
            continue;
        }
        if utf8(line) {
            good += 1;
        } else {
            bad += 1;
        }
    }
    good > bad
}

/// `bytes` (whole input, BOM included) as UTF-8 in the encoding [`sniff`] finds.
pub fn decode<'a>(bytes: &'a [u8], forced: Option<&'static Encoding>) -> Text<'a> {
    let (encoding, bom) = sniff(bytes, forced);
    let body = &bytes[bom..];
    if encoding == UTF_8 {
        if let Ok(s) = std::str::from_utf8(body) {
            // The common case: no copy.
            return Text {
                text: Cow::Borrowed(s),
                encoding,
                bad: Vec::new(),
            };
        }
    }
    let (text, bad) = transcode(body, encoding);
    Text {
        text: Cow::Owned(text),
        encoding,
        bad,
    }
}

/// Decodes `body` without replacement, so each malformed sequence is seen: it becomes one
/// U+FFFD whose offset is recorded.
fn transcode(body: &[u8], encoding: &'static Encoding) -> (String, Vec<usize>) {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let room = |d: &encoding_rs::Decoder, n: usize| {
        d.max_utf8_buffer_length_without_replacement(n)
            .unwrap_or(n.saturating_mul(3))
    };
    let mut out = String::with_capacity(room(&decoder, body.len()));
    let mut bad = Vec::new();
    let mut src = body;
    loop {
        let (result, read) = decoder.decode_to_string_without_replacement(src, &mut out, true);
        src = &src[read..];
        match result {
            DecoderResult::InputEmpty => break,
            DecoderResult::OutputFull => out.reserve(room(&decoder, src.len()).max(16)),
            DecoderResult::Malformed(_, _) => {
                bad.push(out.len());
                out.push(char::REPLACEMENT_CHARACTER);
            }
        }
    }
    (out, bad)
}

/// The start of a file (maybe cut mid-character) as text, for format detection: decoded as
/// [`sniff`] says, undecodable bytes replaced.
pub fn head_text<'a>(head: &'a [u8], forced: Option<&'static Encoding>) -> Cow<'a, str> {
    let (encoding, bom) = sniff(head, forced);
    let body = &head[bom..];
    if encoding == UTF_8 {
        match std::str::from_utf8(body) {
            Ok(s) => return Cow::Borrowed(s),
            // Cut at the end of the head, mid-character.
            Err(e) if e.error_len().is_none() => {
                return Cow::Borrowed(
                    std::str::from_utf8(&body[..e.valid_up_to()]).expect("valid up to here"),
                )
            }
            Err(_) => {}
        }
    }
    Cow::Owned(encoding.decode_without_bom_handling(body).0.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::{UTF_16BE, UTF_16LE};

    #[test]
    fn sniffs_bom_then_utf8_then_gb18030() {
        assert_eq!(sniff(b"\xEF\xBB\xBFa,b\n", None), (UTF_8, 3));
        assert_eq!(sniff(b"\xFF\xFEa\0", None), (UTF_16LE, 2));
        assert_eq!(sniff(b"\xFE\xFF\0a", None), (UTF_16BE, 2));
        assert_eq!(sniff("用户,内容\n".as_bytes(), None), (UTF_8, 0));
        // 用户,内容 in GBK.
        assert_eq!(
            sniff(b"\xd3\xc3\xbb\xa7,\xc4\xda\xc8\xdd\n", None),
            (GB18030, 0)
        );
        // UTF-8 with one damaged line among good ones stays UTF-8.
        let mut bytes = "a,你好\nb,再见\nc,\u{1}\n".as_bytes().to_vec();
        let i = bytes.iter().position(|&b| b == 1).unwrap();
        bytes[i] = 0xFF;
        assert_eq!(sniff(&bytes, None), (UTF_8, 0));
        let t = decode(&bytes, None);
        assert_eq!(t.bad.len(), 1);
        assert!(t.text.starts_with("a,你好\nb,再见\nc,\u{FFFD}"));
        // Forced: the BOM of that encoding is dropped, no other.
        let gbk = parse_label("GBK").unwrap();
        assert_eq!(gbk.name(), "GBK");
        assert_eq!(sniff(b"\xEF\xBB\xBFa", Some(UTF_8)), (UTF_8, 3));
        assert_eq!(sniff(b"\xEF\xBB\xBFa", Some(gbk)), (gbk, 0));
        assert!(parse_label("klingon").is_err());
    }

    #[test]
    fn decodes_utf16_and_gbk() {
        let mut utf16 = vec![0xFF, 0xFE];
        for u in "时间\t内容\r\n".encode_utf16() {
            utf16.extend(u.to_le_bytes());
        }
        let t = decode(&utf16, None);
        assert_eq!(t.text, "时间\t内容\r\n");
        assert!(t.bad.is_empty());
        let t = decode(b"\xd3\xc3\xbb\xa7,\xc4\xda\xc8\xdd\n", None);
        assert_eq!(t.text, "用户,内容\n");
        // A lone lead byte at the end is malformed, once.
        let t = decode(b"\xd3\xc3,\x81", Some(GB18030));
        assert_eq!(t.bad, [t.text.len() - 3]);
        assert_eq!(
            head_text("时间,内容".as_bytes().split_at(8).0, None),
            "时间,"
        );
    }
}
