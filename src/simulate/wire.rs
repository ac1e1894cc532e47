//! Frames on the wire: `PushFrame`s shaped as Douyin's push server sends them, gzipped in
//! parallel batches and written as capture records in their original order.

use std::io::{self, BufWriter, Write};

use flate2::write::GzEncoder;
use flate2::Compression;
use prost::Message as _;
use rayon::prelude::*;

use crate::capture::{CaptureRecord, CaptureWriter};
use crate::proto::webcast::{HeaderEntry, PushFrame, Response};

/// Frames held before a parallel gzip pass; bounds memory while keeping both cores busy.
const BATCH_FRAMES: usize = 256;
const BATCH_BYTES: usize = 32 << 20;

pub(crate) enum Body {
    /// A "msg" frame carrying a gzipped `Response`.
    Msg(Response),
    /// A frame without payload: "hb" or "close".
    Bare(&'static str),
}

pub(crate) struct Frame {
    pub(crate) seq_id: u64,
    pub(crate) log_id: u64,
    pub(crate) received_at_ms: u64,
    pub(crate) headers: Vec<HeaderEntry>,
    pub(crate) body: Body,
}

pub(crate) fn header(key: &str, value: String) -> HeaderEntry {
    HeaderEntry {
        key: key.to_string(),
        value,
    }
}

impl Frame {
    fn into_record(self, room_id: u64) -> io::Result<CaptureRecord> {
        let (payload_type, payload) = match self.body {
            Body::Msg(response) => {
                let raw = response.encode_to_vec();
                let mut gz = GzEncoder::new(
                    Vec::with_capacity(raw.len() / 3 + 64),
                    Compression::default(),
                );
                gz.write_all(&raw)?;
                ("msg", gz.finish()?)
            }
            Body::Bare(kind) => (kind, Vec::new()),
        };
        let frame = PushFrame {
            seq_id: self.seq_id,
            log_id: self.log_id,
            service: 8888,
            method: 8,
            headers: self.headers,
            payload_encoding: "pb".to_string(),
            payload_type: payload_type.to_string(),
            payload,
        };
        Ok(CaptureRecord {
            received_at_ms: self.received_at_ms,
            frame: frame.encode_to_vec(),
            room_id,
            source: "simulate".to_string(),
        })
    }

    fn weight(&self) -> usize {
        match &self.body {
            Body::Msg(r) => r.messages.iter().map(|m| m.payload.len() + 32).sum(),
            Body::Bare(_) => 16,
        }
    }
}

type Batch = std::thread::JoinHandle<io::Result<Vec<CaptureRecord>>>;

/// Collects frames and writes them, in order, to a capture stream. One batch is compressed in
/// the background while the session generates the next.
pub(crate) struct Sink<W: Write> {
    writer: CaptureWriter<BufWriter<W>>,
    room_id: u64,
    pending: Vec<Frame>,
    pending_bytes: usize,
    in_flight: Option<Batch>,
}

impl<W: Write> Sink<W> {
    pub(crate) fn new(out: W, room_id: u64) -> io::Result<Self> {
        Ok(Sink {
            writer: CaptureWriter::new(BufWriter::with_capacity(1 << 20, out))?,
            room_id,
            pending: Vec::with_capacity(BATCH_FRAMES),
            pending_bytes: 0,
            in_flight: None,
        })
    }

    pub(crate) fn push(&mut self, frame: Frame) -> io::Result<()> {
        self.pending_bytes += frame.weight();
        self.pending.push(frame);
        if self.pending.len() >= BATCH_FRAMES || self.pending_bytes >= BATCH_BYTES {
            self.start_batch()?;
        }
        Ok(())
    }

    /// Hands the pending frames to a background job, after writing the batch before it.
    fn start_batch(&mut self) -> io::Result<()> {
        let room_id = self.room_id;
        let frames = std::mem::take(&mut self.pending);
        self.pending_bytes = 0;
        // Each frame is compressed on its own, so the parallel result is the sequential one.
        let job = std::thread::Builder::new()
            .name("simulate-gzip".into())
            .spawn(move || {
                frames
                    .into_par_iter()
                    .map(|f| f.into_record(room_id))
                    .collect()
            })?;
        match self.in_flight.replace(job) {
            Some(previous) => self.write_batch(previous),
            None => Ok(()),
        }
    }

    fn write_batch(&mut self, batch: Batch) -> io::Result<()> {
        let records = batch
            .join()
            .map_err(|_| io::Error::other("a frame compression job panicked"))??;
        for r in &records {
            self.writer.write_unflushed(r)?;
        }
        Ok(())
    }

    pub(crate) fn finish(mut self) -> io::Result<()> {
        self.start_batch()?;
        if let Some(last) = self.in_flight.take() {
            self.write_batch(last)?;
        }
        self.writer.flush()
    }
}
