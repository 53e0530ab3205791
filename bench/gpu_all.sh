#!/usr/bin/env bash
# Every GPU check and benchmark of the engine in one call, JSON lines on stdout and in
# OUT_DIR/gpu_all.jsonl (plus the recipes' sample picture there). Sections, in order:
#   speed:   the CUDA tests (captured = eager, resume exactness, GPU -> CPU checkpoint),
#            bench/gpu_step.py (captured vs eager, up-sampling forms), bench/gpu_check.sh
#   quality: bench/recipes.py on the GPU: the ablation rows at the `small` size for 1,000
#            iterations (paper beside them) while time lasts, then the recipe its rule
#            composes at full size for 1,000 (seeds 0 and 1) and up to 5,000 iterations
# The whole call ends within TOTAL_SECONDS (default 470): the recipes get what is left.
# Without a CUDA device it says so and exits 0.
#
#     bench/gpu_all.sh [all|speed|quality] [OUT_DIR]     (PYTHON=..., TOTAL_SECONDS=...)
set -uo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
SECTION=${1:-all}
OUT_DIR=${2:-$(mktemp -d)}
TOTAL_SECONDS=${TOTAL_SECONDS:-470}
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
mkdir -p "$OUT_DIR"
log="$OUT_DIR/gpu_all.jsonl"

if ! "$PYTHON" -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)'; then
    echo "no CUDA device here: nothing to check"
    exit 0
fi

step() {  # name, command...: run it, keep its JSON lines, say how long it took and how it ended
    local name=$1 started=$SECONDS
    shift
    echo "== $name" >&2
    "$@" 2> >(tail -n 40 >&2) | tee -a "$log"
    local status=${PIPESTATUS[0]}
    echo "{\"bench\": \"gpu_all\", \"step\": \"$name\", \"exit\": $status, \"seconds\": $((SECONDS - started))}" | tee -a "$log"
}

if [ "$SECTION" = all ] || [ "$SECTION" = speed ]; then
    step cuda-tests "$PYTHON" -m pytest --noconftest -c /dev/null --rootdir . -q \
        -p no:cacheprovider tests/gan_engine/test_cuda_step.py
    step gpu-step "$PYTHON" bench/gpu_step.py --steps 100
    step gpu-check env PYTHON="$PYTHON" bench/gpu_check.sh 200
fi
if [ "$SECTION" = all ] || [ "$SECTION" = quality ]; then
    speed=$("$PYTHON" -c 'import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
speeds = [l["iterations_per_second"] for l in lines
          if l.get("bench") == "gpu_check" and l.get("preset") == "default"]
print(speeds[0] if speeds else 20)' "$log" 2>/dev/null || echo 20)
    step recipes "$PYTHON" bench/recipes.py --device cuda --recipes ablation \
        --preset-size cpu --iterations 1000 --seeds 0 1 --compose --compose-size full \
        --compose-seeds 0 1 --long 5000 --compose-speed "$speed" \
        --finish-within $((TOTAL_SECONDS - SECONDS - 10)) --out "$OUT_DIR"
fi
echo "results: $log" >&2
