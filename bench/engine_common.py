"""What the gan_engine benchmarks share: the machine line, the date, JSON output, the CPU setup.

CPU timings on a shared 2-core machine are noisy, so each record carries the load average
measured around it: a figure taken under load says so itself.
"""

import json
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as `python bench/x.py` from anywhere

from machine_info import cpu_name  # noqa: E402 (bench/ is on the path when run as a script)


def machine() -> dict:
    import torch

    return {
        "cpu": cpu_name(),
        "cpus": os.cpu_count(),
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "cuda": torch.cuda.get_device_name() if torch.cuda.is_available() else None,
        "python": platform.python_version(),
    }


def set_threads(threads: int | None) -> None:
    """torch threads: one per core unless asked otherwise (one is steadier while other
    processes share the cores: threads waiting for a descheduled peer waste whole slices)."""
    import torch

    torch.set_num_threads(threads or os.cpu_count() or 1)


def emit(bench: str, **figures) -> dict:
    """Print one JSON line: bench name, machine, date, load average, then the figures."""
    record = {
        "bench": bench,
        "machine": machine(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_average_1m": round(os.getloadavg()[0], 2),
        **figures,
    }
    print(json.dumps(record), flush=True)
    return record


# JSON changes to the `default` preset, for measuring a recipe before it becomes the default
# (bench/gpu_all.sh passes the one bench/recipes.py picked to the speed benches).
DEFAULT_CHANGES_VARIABLE = "BENCH_DEFAULT_CHANGES"


def bench_config(preset: str, overrides: dict | None = None):
    """make_config(preset, overrides), with $BENCH_DEFAULT_CHANGES applied to `default`."""
    from gan_engine.presets import make_config

    changes = json.loads(os.environ.get(DEFAULT_CHANGES_VARIABLE) or "{}")
    return make_config(preset, {**(changes if preset == "default" else {}), **(overrides or {})})
