#!/usr/bin/env bash
# Several rooms in one `capture` process against local `replay` servers: does every room get
# every frame, and what do the rooms cost in resident memory and CPU?
#
#   bash benches/multiroom.sh                 # 50 rooms, a 2-minute simulated live at its pace
#   ROOMS=10 MINUTES=1 SPEED=0 bash benches/multiroom.sh
#
# Settings (environment): ROOMS (50), SERVERS (replay processes, 5; each serves ROOMS/SERVERS
# clients at once), MINUTES and VIEWERS of the simulated live (2, 150), SPEED of replay (1: the
# recorded pace, so the rooms are mostly idle between messages as real ones are; 0: flat out),
# BIN (the danmu-analyze binary; default: $CARGO_TARGET_DIR or target, debug build; give a
# release build for release numbers), KEEP=1 keeps the work directory.
#
# It prints, for the capture process: frames expected and recorded per room (every room must
# have all of them, and the script fails otherwise), peak and final resident memory (VmHWM,
# VmRSS from /proc, sampled every 0.2 s), user+system CPU seconds (GNU time), and both per room.
# Loopback only; needs python3 (counts the records of each capture file) and GNU time.
set -euo pipefail

ROOMS=${ROOMS:-50}
SERVERS=${SERVERS:-5}
MINUTES=${MINUTES:-2}
VIEWERS=${VIEWERS:-150}
SPEED=${SPEED:-1}
TARGET=${CARGO_TARGET_DIR:-$(dirname "$0")/../target}
BIN=${BIN:-$TARGET/debug/danmu-analyze}
[ -x "$BIN" ] || { echo "no binary at $BIN: cargo build first, or give BIN=" >&2; exit 1; }

WORK=$(mktemp -d /tmp/danmu-multiroom.XXXXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    [ "${KEEP:-0}" = 1 ] && echo "kept $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT

count_records() { # FILE… → one count per file: the records of a .dmcap
    python3 - "$@" <<'EOF'
import sys
for path in sys.argv[1:]:
    try:
        data = open(path, 'rb').read()
    except FileNotFoundError:
        print(path, -1); continue
    assert data[:6] == b'DMCAP\0', path
    i, n = 8, 0
    while i < len(data):
        length, shift = 0, 0
        while True:
            b = data[i]; i += 1
            length |= (b & 0x7f) << shift; shift += 7
            if b < 0x80: break
        if i + length > len(data): break
        i += length; n += 1
    print(path, n)
EOF
}

"$BIN" simulate --out "$WORK/live.dmcap" --minutes "$MINUTES" --viewers "$VIEWERS" --seed 13 2>/dev/null
EXPECTED=$(count_records "$WORK/live.dmcap" | awk '{print $2}')
echo "simulated live: $MINUTES min, $VIEWERS viewers, $EXPECTED frames; $ROOMS rooms from $SERVERS replay servers at speed $SPEED"

addrs=()
for s in $(seq 1 "$SERVERS"); do
    "$BIN" replay "$WORK/live.dmcap" --listen 127.0.0.1:0 --speed "$SPEED" 2>"$WORK/replay-$s.log" &
    pids+=($!)
done
for s in $(seq 1 "$SERVERS"); do
    for _ in $(seq 1 100); do
        addr=$(grep -o 'ws://[0-9.:]*' "$WORK/replay-$s.log" | head -1 || true)
        [ -n "$addr" ] && break
        sleep 0.1
    done
    [ -n "$addr" ] || { echo "replay $s did not start" >&2; cat "$WORK/replay-$s.log" >&2; exit 1; }
    addrs+=("$addr")
done

urls=()
for r in $(seq 1 "$ROOMS"); do
    urls+=("${addrs[$(( (r - 1) % SERVERS ))]}/webcast/im/push/v2/?room_id=$((7000 + r))")
done

start=$(date +%s.%N)
/usr/bin/time -f '%U %S %M %e' -o "$WORK/time.txt" \
    "$BIN" capture "${urls[@]}" --out-dir "$WORK/rec" --status-every 10m 2>"$WORK/capture.log" &
tpid=$!
# The capture process is GNU time's child.
cpid=""
for _ in $(seq 1 50); do
    cpid=$(pgrep -P "$tpid" || true)
    [ -n "$cpid" ] && break
    sleep 0.05
done
hwm=0
rss_mid=0
mid_at=$(( $(date +%s) + 5 ))
samples=0
while kill -0 "$cpid" 2>/dev/null; do
    if [ -r "/proc/$cpid/status" ]; then
        rss=$(awk '/^VmRSS/ {print $2}' "/proc/$cpid/status" 2>/dev/null || echo 0)
        h=$(awk '/^VmHWM/ {print $2}' "/proc/$cpid/status" 2>/dev/null || echo 0)
        threads=$(awk '/^Threads/ {print $2}' "/proc/$cpid/status" 2>/dev/null || echo 0)
        [ "${h:-0}" -gt "$hwm" ] && hwm=$h
        samples=$((samples + 1))
        # Resident memory 5 s in, when every room is connected and recording.
        if [ "$rss_mid" = 0 ] && [ "$(date +%s)" -ge "$mid_at" ]; then
            rss_mid=$rss
            threads_mid=$threads
        fi
    fi
    sleep 0.2
done
wait "$tpid" || true
end=$(date +%s.%N)
code=$(grep -o 'all rooms done.*' "$WORK/capture.log" || true)

read -r user sys maxrss wall < "$WORK/time.txt"
ok=0
bad=0
while read -r path n; do
    if [ "$n" = "$EXPECTED" ]; then ok=$((ok + 1)); else bad=$((bad + 1)); echo "short: $path has $n of $EXPECTED" >&2; fi
done < <(count_records "$WORK"/rec/*.dmcap)
total=$(count_records "$WORK"/rec/*.dmcap | awk '{s += $2} END {print s}')

echo "capture: $code"
echo "rooms complete: $ok of $ROOMS ($total frames recorded, $((EXPECTED * ROOMS)) expected)"
awk -v u="$user" -v s="$sys" -v w="$wall" -v h="$hwm" -v g="$maxrss" -v m="$rss_mid" -v n="$samples" -v r="$ROOMS" -v t="${threads_mid:-?}" 'BEGIN {
    cpu = u + s
    printf "wall %.1f s; CPU %.2f s (user %.2f, system %.2f) = %.1f ms per room, %.3f%% of a core per room\n", w, cpu, u, s, 1000 * cpu / r, 100 * cpu / w / r
    printf "resident memory: peak %.1f MB (%.0f KB per room; GNU time says %.1f MB), 5 s in %.1f MB with %s threads (%d samples)\n", h / 1024, h / r, g / 1024, m / 1024, t, n
}'
[ "$bad" -eq 0 ] && [ "$ok" -eq "$ROOMS" ]
