//! The capture format: exact bytes, appending, and reading truncated or corrupt files.

use std::io::Cursor;

use danmu_analyze::capture::{CaptureError, CaptureReader, CaptureRecord, CaptureWriter, MAGIC};
use prost::Message as _;

fn rec(i: u64) -> CaptureRecord {
    CaptureRecord {
        received_at_ms: 1_700_000_000_000 + i,
        frame: vec![i as u8; 10 + i as usize * 50],
        room_id: 7,
        source: format!("s{i}"),
    }
}

fn file_of(n: u64) -> Vec<u8> {
    let mut w = CaptureWriter::new(Vec::new()).unwrap();
    for i in 0..n {
        w.write(&rec(i)).unwrap();
    }
    w.into_inner()
}

#[test]
fn layout_is_magic_then_length_delimited_records() {
    let bytes = file_of(2);
    assert_eq!(
        &bytes[..8],
        &[0x44, 0x4D, 0x43, 0x41, 0x50, 0x00, 0x01, 0x00]
    );
    assert_eq!(MAGIC, bytes[..8]);
    let mut expected = MAGIC.to_vec();
    expected.extend(rec(0).encode_length_delimited_to_vec());
    expected.extend(rec(1).encode_length_delimited_to_vec());
    assert_eq!(bytes, expected);
}

#[test]
fn round_trip() {
    let got: Vec<CaptureRecord> = CaptureReader::new(Cursor::new(file_of(5)))
        .unwrap()
        .map(|r| r.unwrap().record)
        .collect();
    assert_eq!(got, (0..5).map(rec).collect::<Vec<_>>());
}

#[test]
fn every_cut_yields_every_complete_record() {
    let bytes = file_of(4);
    let boundaries: Vec<usize> = {
        let mut b = vec![8];
        for i in 0..4 {
            b.push(b[i as usize] + rec(i).encode_length_delimited_to_vec().len());
        }
        b
    };
    for cut in 8..=bytes.len() {
        let reader = CaptureReader::new(Cursor::new(bytes[..cut].to_vec())).unwrap();
        let results: Vec<_> = reader.collect();
        let complete = boundaries.iter().filter(|&&b| b <= cut).count() - 1;
        let ok = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(ok, complete, "cut at {cut}");
        let at_boundary = boundaries.contains(&cut);
        match results.last() {
            Some(Err(CaptureError::Truncated { offset, .. })) => {
                assert!(!at_boundary, "cut at {cut}");
                assert_eq!(*offset as usize, boundaries[complete]);
            }
            _ => assert!(at_boundary, "cut at {cut} gave no truncation error"),
        }
    }
}

#[test]
fn corrupt_record_is_skipped_and_reading_goes_on() {
    let mut bytes = MAGIC.to_vec();
    bytes.extend(rec(0).encode_length_delimited_to_vec());
    bytes.extend([3, 0xff, 0xff, 0xff]); // 3 bytes that are no CaptureRecord
    bytes.extend(rec(1).encode_length_delimited_to_vec());
    let results: Vec<_> = CaptureReader::new(Cursor::new(bytes)).unwrap().collect();
    assert_eq!(results.len(), 3);
    assert!(matches!(results[1], Err(CaptureError::BadRecord { .. })));
    assert_eq!(results[2].as_ref().unwrap().record, rec(1));
}

#[test]
fn absurd_length_stops_with_a_clear_error() {
    let mut bytes = MAGIC.to_vec();
    bytes.extend([0xff, 0xff, 0xff, 0xff, 0x7f]);
    let results: Vec<_> = CaptureReader::new(Cursor::new(bytes)).unwrap().collect();
    assert_eq!(results.len(), 1);
    assert!(
        matches!(results[0], Err(CaptureError::TooLong { offset: 8, .. })),
        "{results:?}"
    );
}

#[test]
fn wrong_magic_and_newer_major_version_are_refused() {
    assert!(matches!(
        CaptureReader::new(Cursor::new(b"hello world".to_vec())),
        Err(CaptureError::BadMagic)
    ));
    let mut v2 = MAGIC.to_vec();
    v2[6] = 2;
    assert!(matches!(
        CaptureReader::new(Cursor::new(v2)),
        Err(CaptureError::UnsupportedVersion { major: 2, minor: 0 })
    ));
    // A newer minor version of the same major is readable.
    let mut v11 = MAGIC.to_vec();
    v11[7] = 1;
    assert!(CaptureReader::new(Cursor::new(v11)).is_ok());
}

#[test]
fn append_adds_records_without_a_second_magic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.dmcap");
    for i in 0..2 {
        let mut w = CaptureWriter::append(&path).unwrap();
        w.write(&rec(i)).unwrap();
        w.sync().unwrap();
    }
    assert_eq!(std::fs::read(&path).unwrap(), file_of(2));
    let other = dir.path().join("b.txt");
    std::fs::write(&other, b"not a capture").unwrap();
    assert!(matches!(
        CaptureWriter::append(&other),
        Err(CaptureError::BadMagic)
    ));
}
