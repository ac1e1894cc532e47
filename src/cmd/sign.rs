//! `sign`: the push URL's signature for an X-MS-STUB, so other tools can use danmu-analyze as
//! their signer and a handshake can be debugged by hand; and the web API's `a_bogus` for a
//! query (`--a-bogus`).

use anyhow::{bail, Result};
use clap::Args;

use danmu_analyze::live::abogus;
use danmu_analyze::live::backoff::random_u64;
use danmu_analyze::live::signature::{self, SignInputs, Signer};
use danmu_analyze::live::url::{stub_of, DEFAULT_SDK_VERSION, DEFAULT_USER_AGENT};

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
  danmu-analyze sign --a-bogus 'aid=6383&live_id=1&web_rid=80017709309'

As a --signer for another tool: it takes the stub as its argument and prints one line.")]
pub struct SignArgs {
    /// The X-MS-STUB: 32 hex digits.
    #[arg(
        value_name = "STUB",
        required_unless_present_any = ["room_id", "a_bogus"],
        conflicts_with_all = ["room_id", "a_bogus"]
    )]
    stub: Option<String>,
    /// Print the a_bogus of this query string (without `?` and without a_bogus itself), as the
    /// room-info API wants it, instead of a push signature.
    #[arg(long, value_name = "QUERY", conflicts_with = "room_id")]
    a_bogus: Option<String>,
    /// With --a-bogus: the user agent it is computed for (the one the request sends).
    #[arg(long, value_name = "UA", default_value = DEFAULT_USER_AGENT, requires = "a_bogus")]
    user_agent: String,
    /// With --a-bogus: the request body (empty for a GET).
    #[arg(long, value_name = "TEXT", default_value = "", requires = "a_bogus")]
    body: String,
    /// With --a-bogus: fix what is otherwise drawn, as START_MS,END_MS,R1,R2,R3 (times in ms
    /// since the epoch, three numbers 0–9999), to check against another implementation.
    #[arg(long, value_name = "LIST", requires = "a_bogus", value_parser = parse_fixed)]
    fixed: Option<(u64, u64, [u16; 3])>,
    /// With --fixed: the browser fingerprint string (`1920|1040|…|Win32`)
    /// [default: one for the user agent's platform].
    #[arg(long, value_name = "TEXT", requires = "fixed")]
    fingerprint: Option<String>,
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

fn parse_fixed(s: &str) -> Result<(u64, u64, [u16; 3]), String> {
    let bad =
        || format!("`{s}`: give START_MS,END_MS,R1,R2,R3 (five whole numbers, R below 10000)");
    let n: Vec<u64> = s
        .split(',')
        .map(|p| p.trim().parse::<u64>())
        .collect::<Result<_, _>>()
        .map_err(|_| bad())?;
    let [start, end, a, b, c] = n[..] else {
        return Err(bad());
    };
    let r = |v: u64| {
        u16::try_from(v)
            .ok()
            .filter(|v| *v < 10_000)
            .ok_or_else(bad)
    };
    Ok((start, end, [r(a)?, r(b)?, r(c)?]))
}

pub fn run(args: SignArgs) -> Result<Outcome> {
    if let Some(query) = &args.a_bogus {
        let query = query.trim_start_matches('?');
        let sig = match args.fixed {
            Some((start_ms, end_ms, random)) => {
                let fingerprint = args.fingerprint.clone().unwrap_or_else(|| {
                    abogus::Env::new(&args.user_agent, start_ms, random_u64).fingerprint
                });
                let env = abogus::Env {
                    start_ms,
                    end_ms,
                    random,
                    fingerprint,
                };
                abogus::sign(query, args.body.as_bytes(), &args.user_agent, &env)
            }
            None => abogus::sign_now(query, args.body.as_bytes(), &args.user_agent, random_u64),
        };
        super::say!("{sig}")?;
        return Ok(Outcome::Clean);
    }
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
