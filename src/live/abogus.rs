//! Douyin's `a_bogus` query signature, computed natively. The web API (`webcast/room/web/enter/`
//! among others) answers an empty body unless the query ends in `&a_bogus=…`, a value the page's
//! script derives from the query, the request body, the user agent, a browser fingerprint, two
//! timestamps and three random numbers.
//!
//! This follows the algorithm as Johnserf-Seed/f2 implements it in `f2/utils/abogus.py` (commit
//! 93a4e09a6fc6, the file as of cca83bebcc4a, March 2025), whose published variant uses the salt
//! `cus`, page id 0, aid 6383 and the arguments `[0, 1, 14]` (f2 notes that script version
//! 1.0.1.19 changed the salt and page id; that variant is not public). The test vectors come from
//! running that file on fixed inputs (`make_vectors.py` next to them says how); they pin this
//! module to f2, not to Douyin's servers.
//!
//! In short:
//! 1. SM3(SM3(query ‖ "cus")) and SM3(SM3(body ‖ "cus")) give two bytes each; SM3 of the user
//!    agent, RC4-encrypted under `[0, 1, 14]` and put in base64 with a second shuffled alphabet,
//!    gives two more.
//! 2. Those six bytes, both timestamps, the arguments, the aid and the fingerprint's length fill
//!    44 values; the fingerprint's characters and an XOR of the 44 values follow, and the whole
//!    is RC4-encrypted under the key `y`.
//! 3. Twelve bytes made from the three random numbers go in front, and the result is put in
//!    base64 with [`ALPHABET`], with `=` padding.
//!
//! [`sign`] is a pure function of its inputs; [`Env::new`] and [`sign_now`] draw what a browser
//! would draw, from the clock and a caller-supplied random source.

use std::time::{SystemTime, UNIX_EPOCH};

/// The alphabet of the result (standard base64 shuffled, with `-` for `+`), padded with `=`.
/// The result holds `/` and `=`: percent-encode them when the URL is built by hand.
pub const ALPHABET: &[u8; 64] = b"Dkdpgh2ZmsQB80/MfvV36XI1R45-WUAlEixNLwoqYTOPuzKFjJnry79HbGcaStCe";

/// The alphabet the encrypted user agent is put in before it is hashed.
const UA_ALPHABET: &[u8; 64] = b"ckdp1h4ZKsUB80/Mfvw36XIgR25+WQAlEi7NLboqYTOPuzmFjJnryx9HVGDaStCe";

/// Appended to the query and to the body before they are hashed.
const SALT: &[u8] = b"cus";

/// The RC4 key of the user agent; the same three numbers as [`ARGUMENTS`].
const UA_KEY: &[u8] = &[0, 1, 14];

/// The RC4 key of the 44 values and the fingerprint.
const BLOCK_KEY: &[u8] = b"y";

/// The script's arguments. f2 documents `[0, 1, 8]` for GET and `[0, 1, 14]` for POST, and
/// sends 14 for both ("14 covers 8").
const ARGUMENTS: [u32; 3] = [0, 1, 14];

/// The web app's id, also the `aid=6383` of the queries.
const AID: u32 = 6383;

const PAGE_ID: u32 = 0;

/// The script keeps its values in numbered slots and emits these, in this order. The checksum is
/// the XOR of the same slots.
const ORDER: [usize; 44] = [
    18, 20, 52, 26, 30, 34, 58, 38, 40, 53, 42, 21, 27, 54, 55, 31, 35, 57, 39, 41, 43, 22, 28, 32,
    60, 36, 23, 29, 33, 37, 44, 45, 59, 46, 47, 48, 49, 50, 24, 25, 65, 66, 70, 71,
];

/// Everything that a browser takes from the clock or draws at random.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Env {
    /// When signing started, in ms since the epoch.
    pub start_ms: u64,
    /// When it ended: a few ms later.
    pub end_ms: u64,
    /// Three numbers, each 0–9999 in a browser (`Math.random() * 10000`, truncated).
    pub random: [u16; 3],
    /// The window and screen sizes and the platform, `|`-separated; see [`fingerprint`].
    pub fingerprint: String,
}

impl Env {
    /// Values as a browser with `user_agent` would have them at `now_ms`, drawn from `random`.
    pub fn new(user_agent: &str, now_ms: u64, mut random: impl FnMut() -> u64) -> Env {
        let mut draw = || (random() % 10_000) as u16;
        let numbers = [draw(), draw(), draw()];
        Env {
            start_ms: now_ms,
            // Hashing takes the script a few ms.
            end_ms: now_ms + 4 + random() % 5,
            random: numbers,
            fingerprint: fingerprint(platform(user_agent), &mut random),
        }
    }
}

/// `navigator.platform` as a browser with `user_agent` reports it.
pub fn platform(user_agent: &str) -> &'static str {
    if user_agent.contains("Macintosh") {
        "MacIntel"
    } else if user_agent.contains("Linux") && !user_agent.contains("Android") {
        "Linux x86_64"
    } else {
        "Win32"
    }
}

/// A plausible fingerprint of a maximised browser window: inner and outer window size, window
/// position, two zeros, screen size, available screen size, inner size again, colour and pixel
/// depth, platform. The server cannot see the real window, so it only has to look consistent.
pub fn fingerprint(platform: &str, mut random: impl FnMut() -> u64) -> String {
    const SCREENS: [(u64, u64); 6] = [
        (1920, 1080),
        (1536, 864),
        (1366, 768),
        (1440, 900),
        (1600, 900),
        (2560, 1440),
    ];
    let (width, height) = SCREENS[(random() % SCREENS.len() as u64) as usize];
    // The taskbar (Windows, Linux) or the menu bar (macOS, which also moves the window down).
    let (bar, top) = if platform == "MacIntel" {
        (25, 25)
    } else {
        (40, 0)
    };
    let avail_height = height - bar;
    // Tabs, address bar and perhaps a bookmarks bar.
    let inner_height = avail_height - (85 + random() % 50);
    format!(
        "{width}|{inner_height}|{width}|{avail_height}|0|{top}|0|0|{width}|{height}|{width}|\
         {avail_height}|{width}|{inner_height}|24|24|{platform}"
    )
}

/// The `a_bogus` of a request: `query` is the URL's query string as sent (without `?` or
/// `a_bogus`), `body` the request body (empty for GET).
pub fn sign(query: &str, body: &[u8], user_agent: &str, env: &Env) -> String {
    let query_hash = salted_hash(query.as_bytes());
    let body_hash = salted_hash(body);
    let ua_hash = ua_hash(user_agent);
    // One unit per character, as in the script's strings, not per UTF-8 byte.
    let fingerprint: Vec<u32> = env.fingerprint.chars().map(u32::from).collect();

    let mut slot = [0u32; 72];
    slot[18] = 44;
    // The times' low 32 bits, then the times divided by 2³² and by 2⁴⁰. These are not cut to a
    // byte, as in the reference: the first is about 410 in 2026. With the fixed cipher stream
    // that shows in the output only from 2039 on (a vector covers it).
    slot[20..24].copy_from_slice(&bytes(env.start_ms as u32));
    slot[24] = (env.start_ms >> 32) as u32;
    slot[25] = (env.start_ms >> 40) as u32;
    slot[26..30].copy_from_slice(&bytes(ARGUMENTS[0]));
    slot[30] = (ARGUMENTS[1] / 256) & 255;
    slot[31] = ARGUMENTS[1] % 256;
    slot[32] = (ARGUMENTS[1] >> 24) & 255;
    slot[33] = (ARGUMENTS[1] >> 16) & 255;
    slot[34..38].copy_from_slice(&bytes(ARGUMENTS[2]));
    slot[38] = query_hash[21].into();
    slot[39] = query_hash[22].into();
    slot[40] = body_hash[21].into();
    slot[41] = body_hash[22].into();
    slot[42] = ua_hash[23].into();
    slot[43] = ua_hash[24].into();
    slot[44..48].copy_from_slice(&bytes(env.end_ms as u32));
    slot[48] = 3;
    slot[49] = (env.end_ms >> 32) as u32;
    slot[50] = (env.end_ms >> 40) as u32;
    slot[51..55].copy_from_slice(&bytes(PAGE_ID));
    slot[55] = PAGE_ID;
    slot[57..61].copy_from_slice(&AID.to_le_bytes().map(u32::from));
    slot[65] = fingerprint.len() as u32;

    let mut block: Vec<u32> = ORDER.iter().map(|&i| slot[i]).collect();
    let checksum = block.iter().fold(0, |x, v| x ^ v);
    block.extend(fingerprint);
    block.push(checksum);

    let mut units: Vec<u32> = env.random.iter().flat_map(|&r| random_prefix(r)).collect();
    let mut rc4 = Rc4::new(BLOCK_KEY);
    units.extend(block.iter().map(|&v| v ^ u32::from(rc4.next_byte())));
    base64(&units, ALPHABET)
}

/// [`sign`] with an [`Env`] from the clock and `random` (e.g. a hash of the time and a counter).
pub fn sign_now(query: &str, body: &[u8], user_agent: &str, random: impl FnMut() -> u64) -> String {
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    sign(
        query,
        body,
        user_agent,
        &Env::new(user_agent, now_ms, random),
    )
}

/// The big-endian bytes of `x`.
fn bytes(x: u32) -> [u32; 4] {
    x.to_be_bytes().map(u32::from)
}

/// Four bytes from one random number: its low and high byte, each masked twice with set bits.
fn random_prefix(r: u16) -> [u32; 4] {
    let (low, high) = (u32::from(r & 255), u32::from(r >> 8));
    [
        (low & 170) | 1,
        (low & 85) | 2,
        (high & 170) | 5,
        (high & 85) | 40,
    ]
}

/// SM3(SM3(data ‖ salt)).
fn salted_hash(data: &[u8]) -> [u8; 32] {
    let mut salted = Vec::with_capacity(data.len() + SALT.len());
    salted.extend_from_slice(data);
    salted.extend_from_slice(SALT);
    sm3(&sm3(&salted))
}

/// SM3 of the user agent's UTF-8, RC4-encrypted and in base64 with [`UA_ALPHABET`].
fn ua_hash(user_agent: &str) -> [u8; 32] {
    let mut rc4 = Rc4::new(UA_KEY);
    let encrypted: Vec<u32> = user_agent
        .bytes()
        .map(|b| u32::from(b ^ rc4.next_byte()))
        .collect();
    sm3(base64(&encrypted, UA_ALPHABET).as_bytes())
}

/// Base64 of 8-bit units with `=` padding. A unit over 255 (a time's slot 24 or 49) is not cut:
/// its high bits are ORed into the unit before it, as in the reference, which works on
/// characters.
fn base64(units: &[u32], alphabet: &[u8; 64]) -> String {
    let mut out = String::with_capacity(units.len().div_ceil(3) * 4);
    for chunk in units.chunks(3) {
        let n = chunk
            .iter()
            .zip([16, 8, 0])
            .fold(0u32, |n, (&u, shift)| n | u << shift);
        for k in 0..=chunk.len() {
            out.push(alphabet[(n >> (18 - 6 * k) & 63) as usize].into());
        }
    }
    while out.len() % 4 != 0 {
        out.push('=');
    }
    out
}

/// The RC4 keystream.
struct Rc4 {
    s: [u8; 256],
    i: u8,
    j: u8,
}

impl Rc4 {
    fn new(key: &[u8]) -> Rc4 {
        let mut s: [u8; 256] = std::array::from_fn(|i| i as u8);
        let mut j = 0u8;
        for i in 0..256 {
            j = j.wrapping_add(s[i]).wrapping_add(key[i % key.len()]);
            s.swap(i, j.into());
        }
        Rc4 { s, i: 0, j: 0 }
    }

    fn next_byte(&mut self) -> u8 {
        self.i = self.i.wrapping_add(1);
        self.j = self.j.wrapping_add(self.s[usize::from(self.i)]);
        self.s.swap(self.i.into(), self.j.into());
        let k = self.s[usize::from(self.i)].wrapping_add(self.s[usize::from(self.j)]);
        self.s[usize::from(k)]
    }
}

/// SM3 (GB/T 32905-2016), the Chinese national hash: 60 lines here rather than a crate.
fn sm3(data: &[u8]) -> [u8; 32] {
    const IV: [u32; 8] = [
        0x7380_166f,
        0x4914_b2b9,
        0x1724_42d7,
        0xda8a_0600,
        0xa96f_30bc,
        0x1631_38aa,
        0xe38d_ee4d,
        0xb0fb_0e4e,
    ];
    let mut msg = data.to_vec();
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&(data.len() as u64 * 8).to_be_bytes());
    let mut v = IV;
    for block in msg.chunks_exact(64) {
        sm3_compress(&mut v, block);
    }
    let mut out = [0u8; 32];
    for (o, x) in out.chunks_exact_mut(4).zip(v) {
        o.copy_from_slice(&x.to_be_bytes());
    }
    out
}

fn sm3_compress(v: &mut [u32; 8], block: &[u8]) {
    let p0 = |x: u32| x ^ x.rotate_left(9) ^ x.rotate_left(17);
    let p1 = |x: u32| x ^ x.rotate_left(15) ^ x.rotate_left(23);
    let mut w = [0u32; 68];
    for (w, b) in w.iter_mut().zip(block.chunks_exact(4)) {
        *w = u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    }
    for j in 16..68 {
        w[j] = p1(w[j - 16] ^ w[j - 9] ^ w[j - 3].rotate_left(15))
            ^ w[j - 13].rotate_left(7)
            ^ w[j - 6];
    }
    let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = *v;
    for j in 0..64 {
        let (t, ff, gg) = if j < 16 {
            (0x79cc_4519u32, a ^ b ^ c, e ^ f ^ g)
        } else {
            (0x7a87_9d8a, (a & b) | (a & c) | (b & c), (e & f) | (!e & g))
        };
        let ss1 = a
            .rotate_left(12)
            .wrapping_add(e)
            .wrapping_add(t.rotate_left(j as u32 % 32))
            .rotate_left(7);
        let ss2 = ss1 ^ a.rotate_left(12);
        let tt1 = ff
            .wrapping_add(d)
            .wrapping_add(ss2)
            .wrapping_add(w[j] ^ w[j + 4]);
        let tt2 = gg.wrapping_add(h).wrapping_add(ss1).wrapping_add(w[j]);
        d = c;
        c = b.rotate_left(9);
        b = a;
        a = tt1;
        h = g;
        g = f.rotate_left(19);
        f = e;
        e = p0(tt2);
    }
    for (x, y) in v.iter_mut().zip([a, b, c, d, e, f, g, h]) {
        *x ^= y;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};

    /// Made by running Johnserf-Seed/f2's `f2/utils/abogus.py` on fixed inputs; the script that
    /// did it, `make_vectors.py`, names the commit and how to re-run it.
    const VECTORS: &str = include_str!("../../tests/fixtures/abogus/vectors.json");

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn sm3_matches_the_standard() {
        // GB/T 32905-2016, appendix A.
        assert_eq!(
            hex(&sm3(b"abc")),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
        assert_eq!(
            hex(&sm3(&b"abcd".repeat(16))),
            "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
        );
    }

    #[test]
    fn matches_the_reference_vectors() {
        let doc: serde_json::Value = serde_json::from_str(VECTORS).unwrap();
        let vectors = doc["vectors"].as_array().unwrap();
        assert!(vectors.len() >= 6);
        for v in vectors {
            let text = |k: &str| v[k].as_str().unwrap().to_string();
            let random: Vec<u16> = v["random"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r.as_u64().unwrap() as u16)
                .collect();
            let env = Env {
                start_ms: v["start_ms"].as_u64().unwrap(),
                end_ms: v["end_ms"].as_u64().unwrap(),
                random: random.try_into().unwrap(),
                fingerprint: text("fingerprint"),
            };
            let got = sign(
                &text("query"),
                text("body").as_bytes(),
                &text("user_agent"),
                &env,
            );
            assert_eq!(got, text("a_bogus"), "vector `{}`", text("name"));
        }
    }

    /// What a caller would pass: a hash of a counter and the time.
    fn random_u64() -> u64 {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let mut h = RandomState::new().build_hasher();
        h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
        h.write_u128(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        h.finish()
    }

    /// Padded base64 in [`ALPHABET`].
    fn well_formed(a_bogus: &str) {
        assert_eq!(a_bogus.len() % 4, 0, "{a_bogus}");
        let body = a_bogus.trim_end_matches('=');
        assert!(a_bogus.len() - body.len() <= 2, "{a_bogus}");
        assert!(body.bytes().all(|c| ALPHABET.contains(&c)), "{a_bogus}");
    }

    #[test]
    fn drawn_inputs_give_fresh_well_formed_values() {
        let ua =
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
                  Chrome/139.0.0.0 Safari/537.36";
        let query = "aid=6383&app_name=douyin_web&live_id=1&web_rid=80017709309";

        let env = Env::new(ua, 1_765_123_456_789, random_u64);
        assert!(env.random.iter().all(|&r| r < 10_000));
        assert!((4..=8).contains(&(env.end_ms - env.start_ms)));
        assert!(
            env.fingerprint.ends_with("|24|24|Win32"),
            "{}",
            env.fingerprint
        );
        assert_eq!(env.fingerprint.split('|').count(), 17);
        let signed = sign(query, b"", ua, &env);
        well_formed(&signed);
        // 12 random bytes, 44 values, the fingerprint, the checksum.
        let units = 12 + 44 + env.fingerprint.chars().count() + 1;
        assert_eq!(signed.len(), units.div_ceil(3) * 4);

        let a = sign_now(query, b"", ua, random_u64);
        let b = sign_now(query, b"", ua, random_u64);
        assert_ne!(a, b);
        for s in [&a, &b] {
            well_formed(s);
            // Fingerprints of 50 to 80 characters.
            assert!((144..=184).contains(&s.len()), "{s}");
        }
    }
}
