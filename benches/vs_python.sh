#!/usr/bin/env bash
# `report` against the Python pipeline a tutorial user would write instead (protobuf + gzip +
# pandas + jieba: ../shared/bench), in one sitting, on two shapes of capture:
#   bench: one simulated busy room (MINUTES × VIEWERS, ~210 messages per frame);
#   real:  ten rooms shaped like a measured real session (~9.9 k frames and ~25 k messages each, ~2.7 messages
#          per frame: `simulate --rooms 10 --minutes 112 --viewers 190`), ~97 k frames.
# For each: wall seconds and peak memory of each pipeline, the ratio, the two tools' counts side
# by side; then our decode by stage against its floor (`cargo bench --bench decode`: two-thread
# inflate, then + protobuf walk) and the report by stage (`--bench report`) on the same capture.
#
# usage: bash benches/vs_python.sh [MINUTES [VIEWERS]]     (default 60 × 20000: ~1.2 M messages)
# env:   CARGO_TARGET_DIR (default /var/tmp/danmu-release), DANMU_PYREF (the Python pipeline's
#        run.sh, default ../shared/bench/run.sh), DANMU_BENCH_NO_STAGES=1 skips the stage runs,
#        DANMU_SHAPES (default "bench real"), DANMU_OLD_BIN (another build's binary, e.g. an
#        older commit's: its report is timed too, right before ours, and the folders compared).
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-60}
viewers=${2:-20000}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/tmp/danmu-release}
export DANMU_BENCH_DATA=${DANMU_BENCH_DATA:-$CARGO_TARGET_DIR/bench-data}
pyref=${DANMU_PYREF:-../shared/bench/run.sh}
[ -f "$pyref" ] || { echo "no Python pipeline at $pyref: set DANMU_PYREF" >&2; exit 2; }
old=${DANMU_OLD_BIN:-}

cargo build --release --quiet
bin=$CARGO_TARGET_DIR/release/danmu-analyze
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

for shape in ${DANMU_SHAPES:-bench real}; do
  # The same names and bytes as the Rust benches' captures (benches/common), so they share them.
  case $shape in
    bench)
      cap=$DANMU_BENCH_DATA/sim-${minutes}m-${viewers}v-s1.dmcap
      [ -f "$cap" ] || "$bin" simulate --out "$cap" --minutes "$minutes" --viewers "$viewers" --seed 1 >/dev/null ;;
    real)
      cap=$DANMU_BENCH_DATA/rooms-10r-112m-190v-s1.dmcap
      [ -f "$cap" ] || "$bin" simulate --out "$cap" --rooms 10 --minutes 112 --viewers 190 --seed 1 >/dev/null ;;
    *) echo "unknown shape $shape (bench or real)" >&2; exit 2 ;;
  esac

  echo "== $shape: $cap ($(du -m "$cap" | cut -f1) MB), $(nproc) cores"
  measure bash "$pyref" "$cap"
  py_secs=$secs py_mb=$peak_mb
  cp "$tmp/stdout" "$tmp/python.json"
  printf '%-34s%10s%12s\n' "pipeline" "seconds" "peak MB"
  printf '%-34s%10s%12s\n' "Python (pyref.py)" "$py_secs" "$py_mb"
  if [ -n "$old" ]; then
    measure "$old" report "$cap" --out "$tmp/old"
    printf '%-34s%10s%12s\n' "danmu-analyze report (old build)" "$secs" "$peak_mb"
  fi
  measure "$bin" report "$cap" --out "$tmp/report"
  rs_secs=$secs rs_mb=$peak_mb
  printf '%-34s%10s%12s\n' "danmu-analyze report" "$rs_secs" "$rs_mb"
  if [ -n "$old" ]; then
    if diff -r "$tmp/old" "$tmp/report" >/dev/null; then
      echo "old and new report folders are byte-identical"
    else
      echo "old and new report folders DIFFER:"; diff -rq "$tmp/old" "$tmp/report" || true
    fi
    rm -rf "$tmp/old"
  fi
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
  rm -rf "$tmp/report"

  if [ -z "${DANMU_BENCH_NO_STAGES:-}" ]; then
    export DANMU_BENCH_MINUTES=$minutes DANMU_BENCH_VIEWERS=$viewers DANMU_BENCH_SHAPE=$shape
    echo; echo "== $shape: decode by stage (cargo bench --bench decode)"
    cargo bench --quiet --bench decode
    echo; echo "== $shape: report by stage (cargo bench --bench report)"
    cargo bench --quiet --bench report
  fi
  echo
done
