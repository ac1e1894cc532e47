#!/usr/bin/env bash
# Memory and time of `report` as the event table grows (issue 12's benchmark): for each session
# size, `report` on the capture, `export --format parquet --wide` of it, and `report` on that
# Parquet file (scanned, on polars' streaming engine); wall seconds and peak RSS of each, by GNU
# time. With DANMU_OLD_BIN set, the same report by another build (e.g. an older commit's release
# binary) runs right before ours on the same capture, so both are measured in one sitting.
#
# usage: bash benches/memory.sh [MINUTESxVIEWERS | real ...]   (default 60x20000 120x43000
#        240x43000: about 1.2 M, 5 M and 10 M events; `real`: the real-shaped ten-room capture
#        of benches/vs_python.sh, ~250 k events)
# env:   CARGO_TARGET_DIR (default /var/tmp/danmu-release), DANMU_BENCH_DATA (captures, default
#        $CARGO_TARGET_DIR/bench-data), DANMU_OLD_BIN (optional second binary to compare).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/tmp/danmu-release}
export DANMU_BENCH_DATA=${DANMU_BENCH_DATA:-$CARGO_TARGET_DIR/bench-data}
sizes=("$@")
[ "${#sizes[@]}" -gt 0 ] || sizes=(60x20000 120x43000 240x43000)

cargo build --release --quiet
bin=$CARGO_TARGET_DIR/release/danmu-analyze
old=${DANMU_OLD_BIN:-}
mkdir -p "$DANMU_BENCH_DATA"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Runs a command under GNU time: sets $secs and $peak_mb.
measure() {
  /usr/bin/time -f '%e %M' -o "$tmp/time" "$@" >"$tmp/stdout" 2>"$tmp/stderr" || {
    cat "$tmp/stderr" >&2
    exit 1
  }
  read -r secs kb <"$tmp/time"
  peak_mb=$((kb / 1024))
}

row() { printf '%-12s%12s%-30s%10s%10s\n' "$@"; }
echo "$(nproc) cores; peak = maximum resident set size"
row "session" "events" "  run" "seconds" "peak MB"
for size in "${sizes[@]}"; do
  # The same names and bytes as the Rust benches' captures (benches/common), so they share them.
  if [ "$size" = real ]; then
    cap=$DANMU_BENCH_DATA/rooms-10r-112m-190v-s1.dmcap
    [ -f "$cap" ] || "$bin" simulate --out "$cap" --rooms 10 --minutes 112 --viewers 190 --seed 1 >/dev/null
  else
    minutes=${size%x*} viewers=${size#*x}
    cap=$DANMU_BENCH_DATA/sim-${minutes}m-${viewers}v-s1.dmcap
    [ -f "$cap" ] || "$bin" simulate --out "$cap" --minutes "$minutes" --viewers "$viewers" --seed 1 >/dev/null
  fi
  if [ -n "$old" ]; then
    measure "$old" report "$cap" --out "$tmp/old"
    row "$size" "" "  report capture (old)" "$secs" "$peak_mb"
  fi
  measure "$bin" report "$cap" --out "$tmp/new"
  events=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["events"])' "$tmp/new/summary.json")
  row "$size" "$events" "  report capture" "$secs" "$peak_mb"
  if [ -n "$old" ]; then
    python3 - "$tmp/old/summary.json" "$tmp/new/summary.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
keys = ["events", "counts", "distinct_chatters", "diamonds_total", "likes_total"]
diff = [k for k in keys if a.get(k) != b.get(k)]
print("              old and new summary.json agree on " + ", ".join(keys) if not diff
      else f"              old and new DIFFER on {diff}")
PY
  fi
  measure "$bin" export "$cap" --format parquet --wide --out "$tmp/export"
  row "$size" "" "  export parquet" "$secs" "$peak_mb"
  measure "$bin" report "$tmp/export/events.parquet" --out "$tmp/fromparquet"
  row "$size" "" "  report parquet" "$secs" "$peak_mb"
  rm -rf "$tmp/old" "$tmp/new" "$tmp/export" "$tmp/fromparquet"
done
