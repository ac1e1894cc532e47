//! The push URL's `signature`, computed natively from the X-MS-STUB: a 10-byte block holding md5
//! bytes of the stub, RC4-encrypted under a one-byte key, behind a two-byte prefix, in base64
//! with Douyin's own alphabet. This is the algorithm public clean-room ports describe; the
//! published vectors are in the tests.
//!
//! [`sign`] is a pure function of the stub and four small inputs; [`Signer`] draws those inputs
//! at random per connection and counts up the counter per signature, as the browser does.

use super::backoff::random_u64;

/// Douyin's base64 alphabet (standard base64 with the characters shuffled), used without padding.
pub const ALPHABET: &[u8; 64] = b"Dkdpgh4ZKsQB80/Mfvw36XI1R25+WUAlEi7NLboqYTOPuzmFjJnryx9HVGcaStCe";

/// A signature is always this long: 12 bytes in base64 without padding.
pub const SIGNATURE_LEN: usize = 16;

/// The inputs that a browser draws at random.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInputs {
    /// Only its low 6 bits are used.
    pub counter: u32,
    pub flag: bool,
    /// 0–254.
    pub payload_byte: u8,
    /// The one-byte RC4 key, 0–254.
    pub key: u8,
}

/// Why a stub or a signature is not usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("`{0}` is not an X-MS-STUB: it must be 32 hex digits (an md5)")]
    BadStub(String),
    #[error("{0} must be 0–254 (255 is never drawn)")]
    OutOfRange(&'static str),
    #[error("`{0}` is not a signature: it must be 16 characters of Douyin's base64 alphabet")]
    BadSignature(String),
}

/// The 16 raw bytes a stub's hex names.
pub fn stub_bytes(stub: &str) -> Result<[u8; 16], SignatureError> {
    let bad = || SignatureError::BadStub(stub.to_string());
    let s = stub.trim();
    if s.len() != 32 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad());
    }
    let mut out = [0u8; 16];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
    }
    Ok(out)
}

/// md5 of the 16 raw bytes of md5("") — the same for every signature.
fn empty_digest() -> [u8; 16] {
    md5::compute(md5::compute(b"").0).0
}

/// The plaintext block: `[counter & 0x3f, 0, 1, 14, e[14], e[15], s[14], s[15], r, x]`.
pub fn block(stub: &[u8; 16], counter: u32, payload_byte: u8) -> [u8; 10] {
    let e = empty_digest();
    let s = md5::compute(stub).0;
    let mut b = [
        (counter & 0x3f) as u8,
        0,
        1,
        14,
        e[14],
        e[15],
        s[14],
        s[15],
        payload_byte,
        0,
    ];
    b[9] = b[..9].iter().fold(0, |x, v| x ^ v);
    b
}

/// The signature of `stub` (32 hex digits) for the given inputs.
pub fn sign(stub: &str, inputs: SignInputs) -> Result<String, SignatureError> {
    let raw = stub_bytes(stub)?;
    if inputs.payload_byte == 255 {
        return Err(SignatureError::OutOfRange("the payload byte"));
    }
    if inputs.key == 255 {
        return Err(SignatureError::OutOfRange("the key"));
    }
    let mut bytes = [0u8; 12];
    bytes[0] = 0x40 | if inputs.flag { 0x10 } else { 0 };
    bytes[1] = inputs.key;
    bytes[2..].copy_from_slice(&block(&raw, inputs.counter, inputs.payload_byte));
    rc4(&[inputs.key], &mut bytes[2..]);
    Ok(encode(&bytes))
}

/// What a signature carries, read back: the prefix, and the decrypted block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    pub flag: bool,
    pub key: u8,
    pub block: [u8; 10],
}

/// Decodes and decrypts a signature (the inverse of [`sign`]).
pub fn open(signature: &str) -> Result<Opened, SignatureError> {
    let bad = || SignatureError::BadSignature(signature.to_string());
    if signature.len() != SIGNATURE_LEN {
        return Err(bad());
    }
    let bytes = decode(signature).ok_or_else(bad)?;
    if bytes[0] & !0x10 != 0x40 {
        return Err(bad());
    }
    let key = bytes[1];
    let mut block = [0u8; 10];
    block.copy_from_slice(&bytes[2..]);
    rc4(&[key], &mut block);
    Ok(Opened {
        flag: bytes[0] & 0x10 != 0,
        key,
        block,
    })
}

/// Whether `signature` is a valid signature of `stub`: the block it decrypts to holds the
/// stub's md5 bytes, the constant bytes, and a correct XOR byte. (What a push server checks;
/// the tests' fake server uses it.)
pub fn verify(stub: &str, signature: &str) -> bool {
    let (Ok(raw), Ok(opened)) = (stub_bytes(stub), open(signature)) else {
        return false;
    };
    let b = opened.block;
    b[0] <= 0x3f && b[8] != 255 && block(&raw, b[0].into(), b[8]) == b
}

/// Signs stubs with random inputs drawn once, the counter counting up per signature.
#[derive(Debug, Clone)]
pub struct Signer {
    next: SignInputs,
}

impl Default for Signer {
    fn default() -> Self {
        Signer::new()
    }
}

impl Signer {
    pub fn new() -> Signer {
        let r = random_u64();
        Signer {
            next: SignInputs {
                counter: (r & 0x3f) as u32,
                flag: r & 0x40 != 0,
                payload_byte: ((r >> 8) % 255) as u8,
                key: ((r >> 16) % 255) as u8,
            },
        }
    }

    /// The inputs the next signature will use.
    pub fn inputs(&self) -> SignInputs {
        self.next
    }

    /// Signs `stub`, then counts up.
    pub fn sign(&mut self, stub: &str) -> Result<String, SignatureError> {
        let sig = sign(stub, self.next)?;
        self.next.counter = self.next.counter.wrapping_add(1);
        Ok(sig)
    }
}

/// RC4 in place: key schedule, then the keystream XORed into `data`.
pub fn rc4(key: &[u8], data: &mut [u8]) {
    let mut s: [u8; 256] = std::array::from_fn(|i| i as u8);
    let mut j = 0u8;
    for i in 0..256 {
        j = j.wrapping_add(s[i]).wrapping_add(key[i % key.len()]);
        s.swap(i, j as usize);
    }
    let (mut i, mut j) = (0u8, 0u8);
    for b in data {
        i = i.wrapping_add(1);
        j = j.wrapping_add(s[i as usize]);
        s.swap(i as usize, j as usize);
        *b ^= s[s[i as usize].wrapping_add(s[j as usize]) as usize];
    }
}

/// 12 bytes → 16 characters of [`ALPHABET`] (no padding needed: 12 is a multiple of 3).
fn encode(bytes: &[u8; 12]) -> String {
    let mut out = String::with_capacity(SIGNATURE_LEN);
    for c in bytes.chunks(3) {
        let n = (c[0] as u32) << 16 | (c[1] as u32) << 8 | c[2] as u32;
        for shift in [18, 12, 6, 0] {
            out.push(ALPHABET[(n >> shift & 0x3f) as usize] as char);
        }
    }
    out
}

fn decode(s: &str) -> Option<[u8; 12]> {
    let mut out = [0u8; 12];
    for (i, c) in s.as_bytes().chunks(4).enumerate() {
        let mut n = 0u32;
        for &ch in c {
            n = n << 6 | ALPHABET.iter().position(|&a| a == ch)? as u32;
        }
        out[3 * i..3 * i + 3].copy_from_slice(&[(n >> 16) as u8, (n >> 8) as u8, n as u8]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STUB: &str = "704f436b2558b0d7a1c7e758527dd8f1";

    fn inputs(counter: u32, flag: bool, payload_byte: u8, key: u8) -> SignInputs {
        SignInputs {
            counter,
            flag,
            payload_byte,
            key,
        }
    }

    #[test]
    fn published_vectors() {
        assert_eq!(
            sign(STUB, inputs(1, true, 63, 63)).unwrap(),
            "6pt0VC0aRZDP7n07"
        );
        assert_eq!(
            sign(STUB, inputs(0, false, 0, 6)).unwrap(),
            "fD+evFuzasjOC8Uu"
        );
        assert!(verify(STUB, "6pt0VC0aRZDP7n07"));
        assert!(verify(STUB, "fD+evFuzasjOC8Uu"));
    }

    #[test]
    fn rc4_matches_the_classic_test_vector() {
        // RFC 6229-era classic: key "Key", plaintext "Plaintext".
        let mut d = *b"Plaintext";
        rc4(b"Key", &mut d);
        assert_eq!(d, [0xBB, 0xF3, 0x16, 0xE8, 0xD9, 0x40, 0xAF, 0x0A, 0xD3]);
        rc4(b"Key", &mut d);
        assert_eq!(&d, b"Plaintext");
    }

    #[test]
    fn base64_round_trips() {
        let bytes: [u8; 12] = std::array::from_fn(|i| (i * 37 + 5) as u8);
        assert_eq!(decode(&encode(&bytes)), Some(bytes));
        assert_eq!(decode("!!!!!!!!!!!!!!!!"), None);
    }

    #[test]
    fn bad_inputs_are_errors() {
        assert!(matches!(
            sign("xyz", inputs(0, false, 0, 0)),
            Err(SignatureError::BadStub(_))
        ));
        assert!(sign(STUB, inputs(0, false, 255, 0)).is_err());
        assert!(sign(STUB, inputs(0, false, 0, 255)).is_err());
        assert!(!verify(STUB, "short"));
        assert!(!verify(
            "00000000000000000000000000000000",
            "6pt0VC0aRZDP7n07"
        ));
    }

    #[test]
    fn the_signer_counts_up() {
        let mut s = Signer::new();
        let first = s.next;
        let a = s.sign(STUB).unwrap();
        let b = s.sign(STUB).unwrap();
        assert_eq!(open(&a).unwrap().block[0] as u32, first.counter & 0x3f);
        assert_eq!(
            open(&b).unwrap().block[0] as u32,
            (first.counter + 1) & 0x3f
        );
        assert!(verify(STUB, &a) && verify(STUB, &b));
    }
}
