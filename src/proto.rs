//! Generated protobuf types: the Douyin webcast push schema and the capture record.

#[allow(clippy::all, missing_docs)]
pub mod webcast {
    include!(concat!(env!("OUT_DIR"), "/webcast.rs"));
}

#[allow(clippy::all, missing_docs)]
pub mod capture {
    include!(concat!(env!("OUT_DIR"), "/capture.rs"));
}
