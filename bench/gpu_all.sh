#!/usr/bin/env bash
# Every GPU check and benchmark of the engine in one call, JSON lines on stdout and in
# OUT_DIR/gpu_all.jsonl (plus the recipes' sample picture there). Sections, in order:
#   speed:   the CUDA tests (captured = eager, resume exactness, GPU -> CPU checkpoint),
#            bench/gpu_step.py (captured vs eager, up-sampling forms), bench/gpu_check.sh
#   quality: bench/recipes.py on the GPU: the ablation rows at 1,000 iterations, the recipe
#            its rule composes at 1,000 (each seed) and 5,000 iterations, paper beside them
# Without a CUDA device it says so and exits 0.
#
#     bench/gpu_all.sh [all|speed|quality] [OUT_DIR]     (PYTHON=..., RECIPES_BUDGET=seconds)
set -uo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
SECTION=${1:-all}
OUT_DIR=${2:-$(mktemp -d)}
RECIPES_BUDGET=${RECIPES_BUDGET:-200}
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
    step gpu-step "$PYTHON" bench/gpu_step.py
    step gpu-check env PYTHON="$PYTHON" bench/gpu_check.sh 300
fi
if [ "$SECTION" = all ] || [ "$SECTION" = quality ]; then
    step recipes "$PYTHON" bench/recipes.py --device cuda --preset-size full \
        --iterations 1000 --recipes ablation --seeds 0 1 --compose --long 5000 \
        --budget "$RECIPES_BUDGET" --out "$OUT_DIR"
fi
echo "results: $log" >&2
