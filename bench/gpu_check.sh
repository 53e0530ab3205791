#!/usr/bin/env bash
# Where a CUDA device exists: train through `train()` on the IHC demo set at batch 96 — the
# `default` preset, then `paper` in fp32 and in bf16 — and print one JSON line each with
# iterations/s (after the warm-up and the graph capture), peak GPU memory and the device.
# Without one: say so, exit 0. Target for `default`: >= 40 iterations/s on an H100/H200.
#
#     bench/gpu_check.sh [ITERATIONS]        (default 300; PYTHON=... to pick the interpreter)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
ITERATIONS=${1:-300}

if ! "$PYTHON" -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)'; then
    echo "no CUDA device here: nothing to check"
    exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$PYTHON" - "$work" "$ITERATIONS" <<'PY'
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import torch

from gan_engine.data import load_image_folder
from gan_engine.demo_data import write_ihc_demo_set
sys.path.insert(0, "bench")
from engine_common import bench_config  # noqa: E402
from gan_engine.train import Callbacks, train

WARMUP = 50  # iterations before timing: eager warm-up, capture, first replays
work, iterations = Path(sys.argv[1]), int(sys.argv[2])
write_ihc_demo_set(work / "ihc")
for preset, precision in (("default", None), ("paper", "fp32"), ("paper", "bf16")):
    overrides = {"iterations": iterations, "eval_every": 0, "checkpoint_every": 0}
    config = bench_config(preset, overrides | ({"precision": precision} if precision else {}))
    data = load_image_folder(work / "ihc", config.resolution)
    stamps = []  # (iteration, seconds) at each progress report, after the device finished

    def on_progress(progress):
        stamps.append((progress.iteration, time.perf_counter()))

    torch.cuda.reset_peak_memory_stats()
    out = work / f"run-{preset}-{config.precision}"
    train(config, data, out, callbacks=Callbacks(on_progress=on_progress), device="cuda")
    timed = [s for s in stamps if s[0] >= WARMUP] or stamps
    (first, t0), (last, t1) = timed[0], timed[-1]
    print(json.dumps({
        "bench": "gpu_check",
        "device": torch.cuda.get_device_name(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "torch": torch.__version__,
        "preset": preset,
        "batch": config.batch_size,
        "precision": config.precision,
        "iterations": iterations,
        "iterations_per_second": round((last - first) / (t1 - t0), 2),
        "peak_gpu_memory_gb": round(torch.cuda.max_memory_allocated() / 2**30, 2),
    }), flush=True)
PY
