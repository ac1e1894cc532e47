//! `sign`: the push URL's signature for an X-MS-STUB, so other tools can use danmu-analyze as
//! their signer and a handshake can be debugged by hand.

use anyhow::{bail, Result};
use clap::Args;

use danmu_analyze::live::signature::{self, SignInputs, Signer};
use danmu_analyze::live::url::{stub_of, DEFAULT_SDK_VERSION};

use super::Outcome;

/// Print the push URL's signature for an X-MS-STUB (or for a room's parameters).
///
/// The stub is the md5 hex of the signed parameter list; with --room-id and --user-unique-id
/// it is computed first and printed on its own line, then the signature. The counter, flag,
/// payload byte and key are drawn at random unless given.
#[derive(Args, Debug)]
#[command(after_help = "Examples:
  danmu-analyze sign 704f436b2558b0d7a1c7e758527dd8f1
  danmu-analyze sign 704f436b2558b0d7a1c7e758527dd8f1 --counter 1 --flag true --payload-byte 63 --key 63
  danmu-analyze sign --room-id 7181823408362015540 --user-unique-id 7319483754668557238
  danmu-analyze capture 80017709309 --out room.dmcap --signer 'danmu-analyze sign'

As a --signer for another tool: it takes the stub as its argument and prints one line.")]
pub struct SignArgs {
    /// The X-MS-STUB: 32 hex digits.
    #[arg(
        value_name = "STUB",
        required_unless_present = "room_id",
        conflicts_with = "room_id"
    )]
    stub: Option<String>,
    /// Compute the stub of this room's push URL first (the numeric room id, not the web id).
    #[arg(long, value_name = "ID", requires = "user_unique_id")]
    room_id: Option<u64>,
    /// With --room-id: the visitor id the push URL carries.
    #[arg(long, value_name = "ID", requires = "room_id")]
    user_unique_id: Option<String>,
    /// With --room-id: the webcast_sdk_version signed.
    #[arg(long, value_name = "V", default_value = DEFAULT_SDK_VERSION, requires = "room_id")]
    sdk_version: String,
    /// The counter (its low 6 bits are used) [default: random].
    #[arg(long, value_name = "N")]
    counter: Option<u32>,
    /// The flag bit [default: random].
    #[arg(long, value_name = "true|false")]
    flag: Option<bool>,
    /// The payload byte, 0–254 [default: random].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(0..=254))]
    payload_byte: Option<u8>,
    /// The one-byte RC4 key, 0–254 [default: random].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(0..=254))]
    key: Option<u8>,
}

pub fn run(args: SignArgs) -> Result<Outcome> {
    let stub = match (&args.stub, args.room_id, &args.user_unique_id) {
        (Some(s), _, _) => s.trim().to_ascii_lowercase(),
        (None, Some(room), Some(uid)) => {
            if uid.is_empty() || !uid.bytes().all(|b| b.is_ascii_digit()) {
                bail!("--user-unique-id must be digits, like 7319483754668557238");
            }
            let (_, stub) = stub_of(room, uid, &args.sdk_version);
            super::say!("{stub}")?;
            stub
        }
        _ => bail!("give a STUB, or --room-id and --user-unique-id"),
    };
    let random = Signer::new().inputs();
    let inputs = SignInputs {
        counter: args.counter.unwrap_or(random.counter),
        flag: args.flag.unwrap_or(random.flag),
        payload_byte: args.payload_byte.unwrap_or(random.payload_byte),
        key: args.key.unwrap_or(random.key),
    };
    super::say!("{}", signature::sign(&stub, inputs)?)?;
    Ok(Outcome::Clean)
}
