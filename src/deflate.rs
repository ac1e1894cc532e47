//! One-shot raw-deflate inflation with libdeflate (through `libdeflate-sys`): about twice
//! zlib-rs's speed on whole buffers, which is what a frame's payload is. `frame::inflate` does the
//! gzip framing, limits and checks around it.

use std::cell::RefCell;
use std::ptr::NonNull;

use libdeflate_sys as sys;

/// What one call made of the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inflated {
    /// The stream ended: bytes of input it took (anything after it is not part of it).
    Done { used: usize },
    /// The stream is longer than the room given.
    NoRoom,
    /// Not a valid deflate stream (or cut short).
    Bad,
}

/// A libdeflate decompressor: not shareable between threads, so each thread keeps one.
struct Decompressor(NonNull<sys::libdeflate_decompressor>);

impl Drop for Decompressor {
    fn drop(&mut self) {
        // SAFETY: allocated by libdeflate_alloc_decompressor and freed only here.
        unsafe { sys::libdeflate_free_decompressor(self.0.as_ptr()) }
    }
}

thread_local! {
    static DECOMPRESSOR: RefCell<Option<Decompressor>> = const { RefCell::new(None) };
}

/// Inflates the raw deflate stream at the start of `input` into `out`'s spare capacity
/// (`out` is cleared first and never grown). `None` when libdeflate could not allocate its
/// state: the caller falls back to another inflater.
pub fn inflate_into(input: &[u8], out: &mut Vec<u8>) -> Option<Inflated> {
    out.clear();
    DECOMPRESSOR.with_borrow_mut(|slot| {
        if slot.is_none() {
            // SAFETY: no preconditions; a null return is handled.
            *slot = NonNull::new(unsafe { sys::libdeflate_alloc_decompressor() }).map(Decompressor);
        }
        let d = slot.as_ref()?;
        let room = out.capacity();
        let (mut used, mut written) = (0usize, 0usize);
        // SAFETY: the input and output pointers are valid for the lengths given (the output is
        // the vector's allocation, `room` bytes, written but never read by libdeflate), and the
        // decompressor is this thread's own.
        let result = unsafe {
            sys::libdeflate_deflate_decompress_ex(
                d.0.as_ptr(),
                input.as_ptr().cast(),
                input.len(),
                out.as_mut_ptr().cast(),
                room,
                &mut used,
                &mut written,
            )
        };
        Some(match result {
            sys::libdeflate_result_LIBDEFLATE_SUCCESS => {
                debug_assert!(written <= room && used <= input.len());
                // SAFETY: libdeflate initialised the first `written` bytes (≤ capacity).
                unsafe { out.set_len(written.min(room)) };
                Inflated::Done { used }
            }
            sys::libdeflate_result_LIBDEFLATE_INSUFFICIENT_SPACE => Inflated::NoRoom,
            _ => Inflated::Bad,
        })
    })
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use flate2::write::DeflateEncoder;
    use flate2::Compression;

    use super::*;

    #[test]
    fn inflates_reports_room_and_bad_data() {
        let data: Vec<u8> = "弹幕 danmu ".bytes().cycle().take(100_000).collect();
        let mut e = DeflateEncoder::new(Vec::new(), Compression::default());
        e.write_all(&data).unwrap();
        let mut stream = e.finish().unwrap();
        let len = stream.len();
        stream.extend_from_slice(b"trailer");
        let mut out = Vec::with_capacity(data.len());
        assert_eq!(
            inflate_into(&stream, &mut out),
            Some(Inflated::Done { used: len })
        );
        assert_eq!(out, data);
        let mut small = Vec::with_capacity(1000);
        assert_eq!(inflate_into(&stream, &mut small), Some(Inflated::NoRoom));
        assert!(small.is_empty());
        assert_eq!(
            inflate_into(&stream[..len / 2], &mut out),
            Some(Inflated::Bad)
        );
        assert_eq!(inflate_into(b"\xff\xff\xff", &mut out), Some(Inflated::Bad));
    }
}
