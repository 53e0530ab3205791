#!/usr/bin/env bash
# Every GPU check and benchmark of the engine in one call, JSON lines on stdout and in
# OUT_DIR/gpu_all.jsonl (plus the recipes' sample picture there). Sections, in order:
#   quality: bench/recipes.py on the GPU at full size: each recipe of RECIPES (default: the
#            CANDIDATES) for 1,000 iterations from seed 0, then the best one (`pick`) from
#            seed 1, and its seed-0 run continued to 5,000 iterations as far as time allows
#            (EXTRACTOR=... names the feature network where the FID one is not installed)
#   speed:   the CUDA tests (captured = eager, resume exactness, GPU -> CPU checkpoint),
#            bench/gpu_step.py (captured vs eager, one joint D forward), bench/gpu_check.sh,
#            bench/gpu_profile.py (where the GPU time of an iteration goes)
# The whole call ends within TOTAL_SECONDS (default 470): the recipes run first and leave
# SPEED_SECONDS for the speed section, which then measures the recipe they picked.
# Without a CUDA device it says so and exits 0.
#
#     bench/gpu_all.sh [all|speed|quality] [OUT_DIR]     (PYTHON=..., TOTAL_SECONDS=...)
set -uo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
SECTION=${1:-all}
OUT_DIR=${2:-$(mktemp -d)}
TOTAL_SECONDS=${TOTAL_SECONDS:-470}
SPEED_SECONDS=${SPEED_SECONDS:-170}  # kept for the speed section after the recipes
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

if [ "$SECTION" = all ] || [ "$SECTION" = quality ]; then
    recipes=${RECIPES:-default,previous-default,bilinear-linear-output}
    reserve=$([ "$SECTION" = all ] && echo "$SPEED_SECONDS" || echo 10)
    step recipes "$PYTHON" bench/recipes.py --device cuda --recipes "$recipes" \
        --preset-size full --iterations 1000 --seeds 0 --pick --compose-seeds 0 1 --long 5000 \
        ${EXTRACTOR:+--extractor "$EXTRACTOR"} \
        --finish-within $((TOTAL_SECONDS - SECONDS - reserve)) --out "$OUT_DIR"
    # The speed benches measure the picked recipe as `default` (bench/engine_common.py).
    BENCH_DEFAULT_CHANGES=$("$PYTHON" -c 'import json, sys
picks = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{\"bench\": \"recipes-pick")]
print(json.dumps(picks[-1]["changes"]) if picks else "")' "$log")
    export BENCH_DEFAULT_CHANGES
    echo "{\"bench\": \"gpu_all\", \"speed_benches_default_changes\": ${BENCH_DEFAULT_CHANGES:-null}}" | tee -a "$log"
fi
if [ "$SECTION" = all ] || [ "$SECTION" = speed ]; then
    step cuda-tests "$PYTHON" -m pytest --noconftest -c /dev/null --rootdir . -q \
        -p no:cacheprovider tests/gan_engine/test_cuda_step.py
    step gpu-step "$PYTHON" bench/gpu_step.py --steps 100 --variants eager,captured,captured-joint-d
    step gpu-check env PYTHON="$PYTHON" bench/gpu_check.sh 200
    step gpu-profile "$PYTHON" bench/gpu_profile.py --steps 3 --top 20
fi
echo "results: $log" >&2
