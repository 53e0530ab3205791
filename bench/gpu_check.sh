#!/usr/bin/env bash
# Where a CUDA device exists: train the `default` preset (batch 96, bf16, EMA, DiffAugment,
# LeCam) for a few hundred iterations on the IHC demo set and print one JSON line with
# iterations/s (after a warm-up), peak GPU memory and the device. Without one: say so, exit 0.
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
"$PYTHON" - "$work" "$ITERATIONS" <<'EOF'
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import torch

from gan_engine.data import load_image_folder
from gan_engine.demo_data import write_ihc_demo_set
from gan_engine.presets import make_config
from gan_engine.train import Callbacks, train

WARMUP = 20
work, iterations = Path(sys.argv[1]), int(sys.argv[2])
write_ihc_demo_set(work / "ihc")
config = make_config("default", {"iterations": iterations, "eval_every": 0, "checkpoint_every": 0})
data = load_image_folder(work / "ihc", config.resolution)
stamps = []


def on_progress(progress):
    torch.cuda.synchronize()
    stamps.append(time.perf_counter())


train(config, data, work / "run", callbacks=Callbacks(on_progress=on_progress), device="cuda")
timed = stamps[WARMUP:] if len(stamps) > WARMUP + 1 else stamps
print(json.dumps({
    "bench": "gpu_check",
    "device": torch.cuda.get_device_name(),
    "date": datetime.now(UTC).isoformat(timespec="seconds"),
    "torch": torch.__version__,
    "preset": "default",
    "batch": config.batch_size,
    "precision": config.precision,
    "iterations": iterations,
    "iterations_per_second": round((len(timed) - 1) / (timed[-1] - timed[0]), 2),
    "peak_gpu_memory_gb": round(torch.cuda.max_memory_allocated() / 2**30, 2),
}))
EOF
