"""Seconds per training iteration (1 D + 1 G step) and peak memory of the `paper` architecture.

Batch 16 and 96, fp32 and bf16 autocast, on the CPU, through gan_engine.train.train_step (the
loop's own step: DiffAugment off, as in the paper). Each configuration runs in a subprocess of
its own, so its peak RSS (ru_maxrss) is its own; the configurations are interleaved over rounds
and each figure is the median of all timed steps (after one warm-up step per process), with the
best step beside it (other processes only ever add time). fp32 is the baseline bf16 is compared
with. Targets: fp32 batch 16 <= 4.0 s, bf16 >= 1.5x faster.

    .venv/bin/python bench/train_step.py [--rounds 2] [--threads N]

Prints one JSON line per configuration, then a summary line. Each line has the load average:
on a shared machine, compare cpu_seconds_per_iteration (process CPU time) too.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

from engine_common import ROOT, emit, set_threads

CONFIGS = [(16, "fp32"), (16, "bf16"), (96, "fp32"), (96, "bf16")]
TIMED_STEPS = {16: 3, 96: 1}  # per process; batch 96 takes 15-30 s a step here
NUM_CLASSES = 3
TARGET_FP32_B16_S = 4.0
TARGET_BF16_SPEEDUP = 1.5


def measure_in_this_process(batch: int, precision: str, steps: int, threads: int | None) -> dict:
    import torch

    from gan_engine.nets import parameter_count
    from gan_engine.presets import make_config
    from gan_engine.train import autocast_for, build_state, train_step

    set_threads(threads)
    config = make_config("paper", {"batch_size": batch, "precision": precision})
    device = torch.device("cpu")
    images = torch.rand(2 * batch, 3, 64, 64, generator=torch.Generator().manual_seed(0)) * 2 - 1
    labels = torch.arange(2 * batch) % NUM_CLASSES
    state = build_state(config, NUM_CLASSES, len(images), device)
    autocast = autocast_for(device, precision)
    seconds, cpu_seconds = [], []
    for _ in range(1 + steps):
        started, cpu_started = time.perf_counter(), time.process_time()
        train_step(state, config, images, labels, autocast)
        seconds.append(time.perf_counter() - started)
        cpu_seconds.append(time.process_time() - cpu_started)
    return {
        "load_average_1m": round(os.getloadavg()[0], 2),
        "seconds": seconds[1:],
        "cpu_seconds": cpu_seconds[1:],
        "threads": torch.get_num_threads(),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "g_params": parameter_count(state.generator),
        "d_params": parameter_count(state.discriminator),
    }


def measure_in_subprocess(batch: int, precision: str, threads: int | None) -> dict:
    command = [sys.executable, __file__, "--child", str(batch), precision]
    command += ["--threads", str(threads)] if threads else []
    result = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(result.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--threads", type=int, help="torch threads (default: one per core)")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        batch, precision = int(args.child[0]), args.child[1]
        figures = measure_in_this_process(batch, precision, TIMED_STEPS[batch], args.threads)
        print(json.dumps(figures))
        return

    runs: dict[tuple[int, str], list[dict]] = {config: [] for config in CONFIGS}
    for _ in range(args.rounds):
        for config in CONFIGS:
            runs[config].append(measure_in_subprocess(*config, args.threads))
    medians = {}
    for (batch, precision), results in runs.items():
        seconds = [s for r in results for s in r["seconds"]]
        cpu_seconds = [s for r in results for s in r["cpu_seconds"]]
        medians[batch, precision] = statistics.median(seconds)
        emit(
            "train_step",
            preset="paper",
            batch=batch,
            precision=precision,
            seconds_per_iteration=round(medians[batch, precision], 3),
            best_seconds_per_iteration=round(min(seconds), 3),
            images_per_second=round(batch / medians[batch, precision], 1),
            steps_timed=[round(s, 3) for s in seconds],
            load_per_process=[r["load_average_1m"] for r in results],
            cpu_seconds_per_iteration=round(statistics.median(cpu_seconds), 3),
            torch_threads=results[0]["threads"],
            peak_rss_mb=max(r["peak_rss_mb"] for r in results),
            g_params=results[0]["g_params"],
            d_params=results[0]["d_params"],
        )
    speedups = {f"batch_{b}": round(medians[b, "fp32"] / medians[b, "bf16"], 2) for b in (16, 96)}
    emit(
        "train_step_summary",
        baseline="fp32",
        bf16_speedup=speedups,
        fp32_batch16_seconds=round(medians[16, "fp32"], 3),
        target_fp32_batch16_seconds=TARGET_FP32_B16_S,
        target_bf16_speedup=TARGET_BF16_SPEEDUP,
        fp32_batch16_target_met=medians[16, "fp32"] <= TARGET_FP32_B16_S,
        bf16_target_met=min(speedups.values()) >= TARGET_BF16_SPEEDUP,
    )


if __name__ == "__main__":
    main()
