//! Regression tests named after the bugs they pin (found by `cargo fuzz`, see fuzz/README.md).

use std::io::Read;

use danmu_analyze::frame::{inflate, MAX_INFLATED};
use flate2::read::MultiGzDecoder;

use crate::common::fixture;

/// What flate2's own streaming decoder makes of the data: the reference.
fn reference(data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    MultiGzDecoder::new(data)
        .take(MAX_INFLATED + 1)
        .read_to_end(&mut out)
        .ok()?;
    (out.len() as u64 <= MAX_INFLATED).then_some(out)
}

fn check(name: &str) {
    let data = std::fs::read(fixture(&format!("fuzz/{name}"))).unwrap();
    let mut out = Vec::new();
    let got = inflate(&data, &mut out).ok().map(|_| out.clone());
    assert_eq!(
        got.is_some(),
        reference(&data).is_some(),
        "{name}: accepted differently"
    );
    if let Some(got) = got {
        assert_eq!(Some(got), reference(&data), "{name}");
    }
    assert!(
        out.capacity() as u64 <= MAX_INFLATED + 1,
        "{name}: buffer grew to {}",
        out.capacity()
    );
}

#[test]
fn gzip_header_crc_is_checked() {
    check("inflate-fhcrc-unchecked.bin");
    check("inflate-fhcrc-found-by-fuzzer.bin");
}

#[test]
fn gzip_reserved_flag_bits_are_refused() {
    check("inflate-reserved-flag.bin");
}

#[test]
fn lying_isize_cannot_grow_the_buffer_past_the_limit() {
    check("inflate-isize-overshoot.bin");
}

#[test]
fn corrupt_payload_is_an_error_whatever_the_scratch_buffer() {
    let data = std::fs::read(fixture("fuzz/inflate-errtext-scratch.bin")).unwrap();
    for spare in [0, 2048, 1 << 20] {
        let mut out = Vec::with_capacity(spare);
        assert!(inflate(&data, &mut out).is_err());
    }
}
