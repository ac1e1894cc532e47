#!/usr/bin/env bash
# Scale over a dataset (issue 11, item 5): `sessions` and `report` on simulated Hive-partitioned
# datasets of many sessions over several rooms (`simulate --dataset`), one size after another,
# to see how wall time and peak memory grow with the events. Each dataset is made once and kept.
#
# usage: bash benches/dataset.sh [VIEWERS ...]   (default 800 7500: 5 rooms × 20 days of 60-min
#                                                 sessions, restarts included — 117 sessions,
#                                                 about 5.5 M and 51 M events; 5000: 34 M)
# env:   CARGO_TARGET_DIR (default /var/tmp/danmu-release), DANMU_SCALE_DATA (the datasets,
#        default /var/tmp/scale-data), DANMU_BIN (a binary to use instead of building one),
#        ROOMS, DAYS, MINUTES (default 5, 20, 60).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/tmp/danmu-release}
data=${DANMU_SCALE_DATA:-/var/tmp/scale-data}
rooms=${ROOMS:-5} days=${DAYS:-20} minutes=${MINUTES:-60}
sizes=("$@")
[ "${#sizes[@]}" -gt 0 ] || sizes=(800 7500)

bin=${DANMU_BIN:-}
if [ -z "$bin" ]; then
  cargo build --release --quiet --bin danmu-analyze
  bin=$CARGO_TARGET_DIR/release/danmu-analyze
fi
mkdir -p "$data"
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

row() { printf '%-24s%12s%10s%-12s%10s%10s\n' "$@"; }
echo "$(nproc) cores; peak = maximum resident set size"
row "dataset" "events" "sessions" "  run" "seconds" "peak MB"
for viewers in "${sizes[@]}"; do
  name=ds-${rooms}r${days}d-${minutes}m-${viewers}v
  ds=$data/$name
  if [ ! -f "$ds/.done" ]; then
    # Made under another name and renamed when complete: an interrupted run starts over.
    rm -rf "$ds.tmp"
    measure "$bin" simulate --dataset "$ds.tmp" --rooms "$rooms" --days "$days" \
      --minutes "$minutes" --viewers "$viewers" --seed 1
    row "$name" "" "" "  simulate" "$secs" "$peak_mb"
    rm -rf "$ds"
    mv "$ds.tmp" "$ds"
    touch "$ds/.done"
  fi
  measure "$bin" sessions "$ds" --csv "$tmp/sessions.csv"
  sessions=$(($(wc -l <"$tmp/sessions.csv") - 1))
  row "$name" "" "$sessions" "  sessions" "$secs" "$peak_mb"
  measure "$bin" report "$ds" --out "$tmp/report"
  events=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["events"])' "$tmp/report/summary.json")
  row "$name" "$events" "$sessions" "  report" "$secs" "$peak_mb"
  rm -rf "$tmp/report" "$tmp/sessions.csv"
done
