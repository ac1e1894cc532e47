#!/usr/bin/env bash
# `report` against the Python pipeline a tutorial user would write instead (protobuf + gzip +
# pandas + jieba: ../shared/bench), on one simulated busy-room capture, in one sitting: wall
# seconds and peak memory of each, the ratio, the two tools' counts side by side; then our time
# by stage (`cargo bench --bench decode` and `--bench report` on the same capture).
#
# usage: bash benches/vs_python.sh [MINUTES [VIEWERS]]     (default 60 × 20000: ~1.2 M messages)
# env:   CARGO_TARGET_DIR (default /var/tmp/danmu-release), DANMU_PYREF (the Python pipeline's
#        run.sh, default ../shared/bench/run.sh), DANMU_BENCH_NO_STAGES=1 skips the stage runs.
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-60}
viewers=${2:-20000}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/tmp/danmu-release}
export DANMU_BENCH_DATA=${DANMU_BENCH_DATA:-$CARGO_TARGET_DIR/bench-data}
pyref=${DANMU_PYREF:-../shared/bench/run.sh}
[ -f "$pyref" ] || { echo "no Python pipeline at $pyref: set DANMU_PYREF" >&2; exit 2; }

cargo build --release --quiet
bin=$CARGO_TARGET_DIR/release/danmu-analyze
mkdir -p "$DANMU_BENCH_DATA"
# The same name and bytes as the Rust benches' capture (benches/common), so they share it.
cap=$DANMU_BENCH_DATA/sim-${minutes}m-${viewers}v-s1.dmcap
[ -f "$cap" ] || "$bin" simulate --out "$cap" --minutes "$minutes" --viewers "$viewers" --seed 1 >/dev/null
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

measure bash "$pyref" "$cap"
py_secs=$secs py_mb=$peak_mb
cp "$tmp/stdout" "$tmp/python.json"
measure "$bin" report "$cap" --out "$tmp/report"
rs_secs=$secs rs_mb=$peak_mb

echo "capture: $cap ($(du -m "$cap" | cut -f1) MB), $(nproc) cores"
printf '%-34s%10s%12s\n' "pipeline" "seconds" "peak MB"
printf '%-34s%10s%12s\n' "Python (pyref.py)" "$py_secs" "$py_mb"
printf '%-34s%10s%12s\n' "danmu-analyze report" "$rs_secs" "$rs_mb"
python3 - "$tmp/python.json" "$tmp/report/summary.json" "$py_secs" "$rs_secs" <<'PY'
import json, sys
py, rs = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
print(f"report is {float(sys.argv[3]) / float(sys.argv[4]):.1f}x faster than the Python pipeline")
rows = [("chat messages", py["chat"], rs["counts"].get("chat", 0)),
        ("distinct chatters", py["distinct_chatters"], rs["distinct_chatters"]),
        ("diamonds", py["diamonds"], rs["diamonds_total"]),
        ("gifts (combos once)", py["gift_events"], rs["counts"].get("gift", 0)),
        ("likes", py["likes"], rs["likes_total"])]
print(f"{'same capture, both counts':<26}{'Python':>12}{'ours':>12}")
for name, a, b in rows:
    print(f"{name:<26}{a:>12}{b:>12}")
PY

if [ -z "${DANMU_BENCH_NO_STAGES:-}" ]; then
  export DANMU_BENCH_MINUTES=$minutes DANMU_BENCH_VIEWERS=$viewers
  echo; echo "== decode by stage (cargo bench --bench decode)"
  cargo bench --quiet --bench decode
  echo; echo "== report by stage (cargo bench --bench report)"
  cargo bench --quiet --bench report
fi
