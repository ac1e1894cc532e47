//! One line of a text dump → `decode_text_frame` (hex or base64), plus `input::detect`.
#![no_main]

use base64::Engine as _;
use danmu_analyze::input::{decode_text_frame, detect, InputFormat};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = detect(data);
    let line = String::from_utf8_lossy(data);
    let compact: String = line.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let is_hex = compact.len() % 2 == 0 && compact.bytes().all(|b| b.is_ascii_hexdigit());

    if let Ok(bytes) = decode_text_frame(&line, None) {
        if is_hex {
            // Hex decoding is exact: re-encoding gives the digits back.
            let again: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(again, compact.to_ascii_lowercase());
        } else {
            // The base64 engines are canonical: re-encoding gives the text back, less padding.
            let cleaned = compact.trim_end_matches('=');
            let again = if cleaned.contains(['-', '_']) {
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes)
            } else {
                base64::engine::general_purpose::STANDARD_NO_PAD.encode(&bytes)
            };
            assert_eq!(again, cleaned);
        }
    }
    let _ = decode_text_frame(&line, Some(InputFormat::Base64));
    let _ = decode_text_frame(&line, Some(InputFormat::Hex));
});
