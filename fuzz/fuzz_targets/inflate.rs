//! Gzip payloads → `frame::inflate`, checked against flate2's streaming `MultiGzDecoder`.
//!
//! `inflate` has a hand-written fast path for single-member gzip (header parsed by hand, buffer
//! sized by the ISIZE trailer, CRC checked by hand); this target checks that it agrees with the
//! reference decoder: same bytes whenever the reference succeeds within `MAX_INFLATED`, and an
//! error whenever the reference fails.
#![no_main]

use std::io::Read;

use danmu_analyze::frame::{inflate, FrameError, MAX_INFLATED};
use flate2::read::MultiGzDecoder;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut reference = Vec::new();
    let ref_ok = MultiGzDecoder::new(data)
        .take(MAX_INFLATED + 1)
        .read_to_end(&mut reference)
        .is_ok()
        && reference.len() as u64 <= MAX_INFLATED;

    // A scratch buffer that already holds data, as the pipeline's reused one does.
    let mut out = b"stale bytes from an earlier frame".to_vec();
    let got = inflate(data, &mut out);
    match (&got, ref_ok) {
        (Ok(()), true) => assert!(out == reference, "inflate differs from the reference decoder"),
        (Ok(()), false) => panic!("inflate accepted a payload the reference decoder rejects"),
        (Err(e), true) => panic!("inflate rejected a valid payload: {e}"),
        (Err(e), false) => {
            assert!(matches!(e, FrameError::BadGzip(_) | FrameError::TooLarge), "{e}");
        }
    }
    // The limit bounds memory too, not only the result: never more than MAX_INFLATED + 1 bytes.
    assert!(
        out.len() as u64 <= MAX_INFLATED + 1,
        "inflate wrote {} bytes, over the {MAX_INFLATED}-byte limit, before refusing",
        out.len()
    );
});
