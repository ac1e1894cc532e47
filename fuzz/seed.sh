#!/usr/bin/env bash
# Fills fuzz/corpus/{frame,capture,text}/ (gitignored) from tests/fixtures/.
#
#   bash fuzz/seed.sh            # from anywhere; idempotent (files are named by content)
#
# Seeds follow each target's layout (see the doc comment at the top of each fuzz target):
#   frame:   00 + raw PushFrame; 01 + gunzipped Response; 0B + method index + Message payload
#   capture: 00 + records (the target adds the magic); 01 + whole file; 02 + frame
#   text:    each .hex/.b64 line, and hex/base64 of a payload
#   inflate: the frames' gzip payloads, and gzips with optional header fields / several members
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
fixtures="$here/../tests/fixtures"
mkdir -p "$here/corpus/frame" "$here/corpus/capture" "$here/corpus/text" "$here/corpus/inflate"

python3 - "$fixtures" "$here/corpus" <<'PY'
import base64, gzip, hashlib, pathlib, sys

fixtures, corpus = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])

def put(target, data):
    name = hashlib.sha1(data).hexdigest()
    (corpus / target / name).write_bytes(data)

def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)

def read_varint(buf, i):
    shift = value = 0
    while True:
        b = buf[i]; i += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return value, i

def fields(buf):
    """(field number, wire type, value) of a protobuf message; value is bytes or int."""
    i = 0
    while i < len(buf):
        key, i = read_varint(buf, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            v, i = read_varint(buf, i)
        elif wt == 2:
            n, i = read_varint(buf, i)
            v, i = buf[i:i + n], i + n
        elif wt == 1:
            v, i = buf[i:i + 8], i + 8
        elif wt == 5:
            v, i = buf[i:i + 4], i + 4
        else:
            raise ValueError(f"wire type {wt}")
        yield num, wt, v

def text_to_bytes(text):
    body = "".join(text.split())
    try:
        return bytes.fromhex(body)
    except ValueError:
        body = body.rstrip("=")
        alt = "-_" if ("-" in body or "_" in body) else None
        return base64.b64decode(body + "=" * (-len(body) % 4), altchars=alt)

frames = []
for f in sorted((fixtures / "frames").iterdir()):
    if f.suffix == ".bin":
        frames.append(f.read_bytes())
    elif f.suffix in (".hex", ".b64"):
        text = f.read_text()
        frames.append(text_to_bytes(text))
        for line in text.splitlines():
            if line.strip():
                put("text", line.strip().encode())

methods = ["Chat", "EmojiChat", "Gift", "Like", "Member", "Social", "Fansclub",
           "RoomUserSeq", "RoomStats", "RoomRank", "Control"]

capture_records = b""
for i, frame in enumerate(frames):
    put("frame", b"\x00" + frame)
    payload = next(v for n, wt, v in fields(frame) if n == 8 and wt == 2)
    put("inflate", payload)
    response = gzip.decompress(payload) if payload[:2] == b"\x1f\x8b" else payload
    put("frame", b"\x01" + response)
    # Each message of the Response, as a single-message seed when its method is known.
    for n, wt, msg in fields(response):
        if n != 1 or wt != 2:
            continue
        m = dict((k, v) for k, _, v in fields(msg))
        method = m.get(1, b"").decode()
        short = method.removeprefix("Webcast").removesuffix("Message")
        idx = methods.index(short) if short in methods else len(methods)
        put("frame", b"\x0b" + bytes([idx]) + m.get(2, b""))
    record = varint(1 << 3) + varint(1_700_000_000_000 + i) \
        + varint(2 << 3 | 2) + varint(len(frame)) + frame \
        + varint(3 << 3) + varint(7181823408362015540) \
        + varint(4 << 3 | 2) + varint(4) + b"seed"
    one = varint(len(record)) + record
    capture_records += one
    put("capture", b"\x00" + one)
    put("capture", b"\x02" + frame)

magic = bytes([0x44, 0x4D, 0x43, 0x41, 0x50, 0x00, 0x01, 0x00])
put("capture", b"\x00" + capture_records)
put("capture", b"\x01" + magic + capture_records)
put("capture", b"\x01" + magic)
# Over 1024 records (decode_all's batch), empty ones around the real ones: batch boundaries.
put("capture", b"\x00" + b"\x00" * 1500 + capture_records + b"\x00" * 1500 + capture_records)
# The same records twice: dedup of re-delivered messages.
put("capture", b"\x00" + capture_records + capture_records)

for p in sorted((fixtures / "payloads").iterdir()):
    data = p.read_bytes()
    short = p.stem.removesuffix("Message")
    idx = methods.index(short) if short in methods else len(methods)
    put("frame", b"\x0b" + bytes([idx]) + data)
    put("text", data[:64].hex().encode())
    put("text", base64.b64encode(data[:64]))
    put("text", base64.urlsafe_b64encode(data[:64]).rstrip(b"="))

# Gzip members with the optional header fields (FHCRC, FEXTRA, FNAME, FCOMMENT), several
# members, an empty member, and a truncated one.
import struct, zlib
def member(data, flags=0, level=6):
    head = bytearray(b"\x1f\x8b\x08" + bytes([flags]) + b"\0\0\0\0\0\xff")
    if flags & 0x04:
        head += struct.pack("<H", 3) + b"xyz"
    if flags & 0x08:
        head += b"name.pb\0"
    if flags & 0x10:
        head += b"comment\0"
    if flags & 0x02:
        head += struct.pack("<H", zlib.crc32(head) & 0xFFFF)
    co = zlib.compressobj(level, zlib.DEFLATED, -15)
    body = co.compress(data) + co.flush()
    return bytes(head) + body + struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)
sample = (fixtures / "payloads" / "ChatMessage.bin").read_bytes()
for flags in (0x00, 0x02, 0x04, 0x08, 0x10, 0x1E):
    put("inflate", member(sample, flags))
put("inflate", member(b""))
put("inflate", member(b"abc") + member(b"def", 0x08))
put("inflate", member(sample, level=0))
put("inflate", member(sample)[:-9])
PY

for t in frame capture text inflate; do
    echo "$t: $(ls "$here/corpus/$t" | wc -l) seeds"
done
