#!/usr/bin/env bash
# Execute notebooks headless on the sample data and a small simulated dataset; exit non-zero if
# any cell errors (a failed assertion included). What CI runs after the tests.
#
#   bash notebooks/run.sh [NOTEBOOK.ipynb ...]     # default: every notebooks/*.ipynb
#
# It builds nothing: build the binary first (`cargo build`). Environment:
#   DANMU_BIN           the binary (default ${CARGO_TARGET_DIR:-target}/debug/danmu-analyze,
#                       relative to the repo)
#   DANMU_VENV          venv to create or reuse (default /var/tmp/danmu-venv); requirements.txt
#                       is installed into it only when it changed (hash stamp in the venv)
#   DANMU_DATA          folder to write the sample's export + report into, kept afterwards, e.g.
#                       to open the notebooks in Jupyter with the same DANMU_DATA (default: a
#                       temporary folder, removed)
#   DANMU_OUT           folder to keep the executed notebooks (with outputs) in (default: none)
#   DANMU_CELL_TIMEOUT  seconds a cell may run (default 300)
#   PYTHON              the Python that creates the venv (default python3; 3.11 is what is pinned)
set -euo pipefail

nbdir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$nbdir")

# Notebooks to run, as absolute paths (arguments are relative to the caller's directory).
notebooks=()
if [ "$#" -gt 0 ]; then
    for nb in "$@"; do notebooks+=("$(realpath "$nb")"); done
else
    for nb in "$nbdir"/*.ipynb; do [ -e "$nb" ] && notebooks+=("$nb"); done
fi
[ "${#notebooks[@]}" -gt 0 ] || { echo "run.sh: no notebooks to run" >&2; exit 1; }
[ -z "${DANMU_DATA:-}" ] || { mkdir -p "$DANMU_DATA"; DANMU_DATA=$(realpath "$DANMU_DATA"); }
[ -z "${DANMU_OUT:-}" ] || { mkdir -p "$DANMU_OUT"; DANMU_OUT=$(realpath "$DANMU_OUT"); }

cd "$repo"
bin=${DANMU_BIN:-${CARGO_TARGET_DIR:-target}/debug/danmu-analyze}
venv=${DANMU_VENV:-/var/tmp/danmu-venv}
timeout=${DANMU_CELL_TIMEOUT:-300}
py=${PYTHON:-python3}
t0=$SECONDS
say() { printf 'notebooks: %s (%ss)\n' "$*" "$((SECONDS - t0))"; }

[ -x "$bin" ] || { echo "run.sh: no binary at $bin: run \`cargo build\` first, or set DANMU_BIN" >&2; exit 1; }

# 1. Notebooks are committed without outputs: outputs belong to a run, not to the repo.
"$py" - "${notebooks[@]}" <<'EOF'
import json, sys
bad = []
for path in sys.argv[1:]:
    nb = json.load(open(path, encoding="utf-8"))
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count") is not None):
            bad.append(f"{path}: cell {i} has outputs or an execution count")
if bad:
    print("\n".join(bad), file=sys.stderr)
    sys.exit("run.sh: commit notebooks without outputs (Jupyter: Edit > Clear Outputs of All Cells, or "
             "`jupyter nbconvert --clear-output --inplace notebooks/*.ipynb`)")
EOF

# 2. The venv, reinstalled only when requirements.txt or the Python changed.
mkdir -p "$(dirname "$venv")"
exec 9>"$venv.lock"
flock 9
if [ -e "$venv/pyvenv.cfg" ] && ! "$venv/bin/python" -c '' 2>/dev/null; then
    echo "run.sh: $venv is broken; making it anew" >&2
    rm -rf "$venv"
fi
[ -e "$venv/bin/python" ] || { say "creating venv $venv"; "$py" -m venv "$venv"; }
# The stamp hashes the file's contents (not its path: CI runs from another clone) and the Python.
want=$( { sha256sum <"$nbdir/requirements.txt"; "$venv/bin/python" --version; } | sha256sum | cut -d' ' -f1)
if [ "$(cat "$venv/.danmu-requirements.sha256" 2>/dev/null)" != "$want" ]; then
    say "installing notebooks/requirements.txt into $venv"
    "$venv/bin/python" -m pip install --disable-pip-version-check --quiet -r "$nbdir/requirements.txt"
    echo "$want" >"$venv/.danmu-requirements.sha256"
fi
flock -u 9
say "venv ready"

# 3. The data the notebooks read: the sample session's report and wide Parquet export, and a
# simulated dataset with its sessions table.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export DANMU_DATA=${DANMU_DATA:-$tmp/data}
"$bin" report sample-data/session.dmcap --out "$DANMU_DATA"
"$bin" export sample-data/session.dmcap --out "$DANMU_DATA" --format parquet --wide
# A small dataset of several sessions (sessions.ipynb): 2 rooms × 3 days of 20-minute sessions,
# restarts included, and its sessions table for the notebook to check.
"$bin" simulate --dataset "$DANMU_DATA/dataset" --rooms 2 --days 3 --minutes 20 --viewers 200 --seed 1
"$bin" sessions "$DANMU_DATA/dataset" --csv "$DANMU_DATA/sessions.csv" --plain-ids --no-bom --tz UTC >/dev/null
export DANMU_FONT="$repo/assets/fonts/wqy-microhei.ttc"
say "data in $DANMU_DATA"

# 4. Execute each notebook in its own kernel, its folder as working directory. Jupyter, IPython
# and matplotlib get their own config folders, so no user-level kernel or startup file interferes.
export JUPYTER_CONFIG_DIR="$tmp/jupyter-config" JUPYTER_DATA_DIR="$tmp/jupyter-data" IPYTHONDIR="$tmp/ipython"
export JUPYTER_RUNTIME_DIR="$tmp/jupyter-runtime"
mkdir -p "$JUPYTER_RUNTIME_DIR"
export JUPYTER_PLATFORM_DIRS=1 MPLCONFIGDIR="$venv/mplconfig" MPLBACKEND=agg PYDEVD_DISABLE_FILE_VALIDATION=1
"$venv/bin/python" - "$timeout" "${DANMU_OUT:-}" "${notebooks[@]}" <<'EOF'
import os, re, sys, time
from pathlib import Path
import nbformat
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError

timeout, out, paths = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
failed = []
for path in map(Path, paths):
    nb = nbformat.read(path, as_version=4)
    # A local kernel over Unix sockets in the temp folder rather than loopback TCP.
    km = KernelManager(kernel_name="python3", transport="ipc",
                       ip=os.path.join(os.environ["JUPYTER_RUNTIME_DIR"], "kernel"))
    client = NotebookClient(nb, km=km, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.monotonic()
    try:
        client.execute(cleanup_kc=True)  # shut down the kernel we made
        status = "ok"
    except (CellExecutionError, CellTimeoutError) as e:
        status = "FAILED"
        failed.append(path.name)
        print(re.sub(r"\x1b\[[0-9;]*m", "", str(e)), file=sys.stderr)  # no colour codes in CI logs
    finally:
        if out:
            nbformat.write(nb, Path(out) / path.name)
    print(f"notebooks: {path.name} {status} in {time.monotonic() - start:.1f}s", flush=True)
if failed:
    sys.exit(f"notebooks: failed: {' '.join(failed)}")
print(f"notebooks: all {len(paths)} ran without error")
EOF
say "done"
