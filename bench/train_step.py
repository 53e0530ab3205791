"""Seconds per training iteration (1 D + 1 G step) and peak memory of the `paper` architecture.

Batch 16 and 96, fp32 and bf16 autocast, on the CPU, through the loop's own step (draws, then
gan_engine.train.train_step; DiffAugment off, as in the paper). With `--reference REV` the
same is measured, interleaved, with the engine of commit REV (e.g. the last commit before a
change to the step) and each figure gets its ratio to that reference: the CPU must not get
slower. Each configuration runs in a subprocess of its own, so its peak RSS (ru_maxrss) is
its own; the configurations are interleaved over rounds and each figure is the median of all
timed steps (after one warm-up step per process), with the best step beside it (other
processes only ever add time); the ratios use process CPU time, steadier on a shared machine.

    .venv/bin/python bench/train_step.py [--rounds 2] [--threads N] [--reference REV]

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
import tempfile
import time
from pathlib import Path

from engine_common import ROOT, emit, set_threads

CONFIGS = [(16, "fp32"), (16, "bf16"), (96, "fp32"), (96, "bf16")]
TIMED_STEPS = {16: 3, 96: 1}  # per process; batch 96 takes 15-30 s a step here
NUM_CLASSES = 3


def measure_in_this_process(batch: int, precision: str, steps: int, threads: int | None) -> dict:
    import torch

    from gan_engine import train
    from gan_engine.nets import parameter_count
    from gan_engine.presets import make_config

    set_threads(threads)
    config = make_config("paper", {"batch_size": batch, "precision": precision})
    device = torch.device("cpu")
    images = torch.rand(2 * batch, 3, 64, 64, generator=torch.Generator().manual_seed(0)) * 2 - 1
    labels = torch.arange(2 * batch) % NUM_CLASSES
    state = train.build_state(config, NUM_CLASSES, len(images), device)
    step = _step_of(train, state, config, images, labels)
    seconds, cpu_seconds = [], []
    for _ in range(1 + steps):
        started, cpu_started = time.perf_counter(), time.process_time()
        step()
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


def _step_of(train, state, config, images, labels):
    """One iteration as the loop of this engine version runs it: draws + step where the step
    takes pre-drawn inputs, the older all-in-one `train_step(..., autocast)` otherwise."""
    device = images.device
    if hasattr(train, "draw_step"):
        step = train.make_step(state, config, images, labels, capture=False)
        return lambda: step(train.draw_step(state, config, NUM_CLASSES, device))
    autocast = train.autocast_for(device, config.precision)
    return lambda: train.train_step(state, config, images, labels, autocast)


def measure_in_subprocess(
    batch: int, precision: str, threads: int | None, engine: Path | None
) -> dict:
    command = [sys.executable, __file__, "--child", str(batch), precision]
    command += ["--threads", str(threads)] if threads else []
    command += ["--engine", str(engine)] if engine else []
    result = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(result.stdout.splitlines()[-1])


def engine_of(revision: str) -> Path:
    """gan_engine as it was at `revision`, unpacked into a temporary folder."""
    folder = Path(tempfile.mkdtemp(prefix="engine-"))
    archive = subprocess.run(
        ["git", "archive", revision, "gan_engine"], cwd=ROOT, check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--threads", type=int, help="torch threads (default: one per core)")
    parser.add_argument("--reference", help="a commit whose engine is measured beside this one")
    parser.add_argument("--batches", default="16,96")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--engine", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        if args.engine:
            sys.path.insert(0, args.engine)
        batch, precision = int(args.child[0]), args.child[1]
        figures = measure_in_this_process(batch, precision, TIMED_STEPS[batch], args.threads)
        print(json.dumps(figures))
        return

    engines = {"this": None} | (
        {args.reference: engine_of(args.reference)} if args.reference else {}
    )
    batches = [int(b) for b in args.batches.split(",")]
    configs = [(name, b, p) for b, p in CONFIGS if b in batches for name in engines]
    runs: dict[tuple[str, int, str], list[dict]] = {config: [] for config in configs}
    for _ in range(args.rounds):
        for name, batch, precision in configs:
            result = measure_in_subprocess(batch, precision, args.threads, engines[name])
            runs[name, batch, precision].append(result)
    medians = {}
    for (name, batch, precision), results in runs.items():
        seconds = [s for r in results for s in r["seconds"]]
        cpu_seconds = [s for r in results for s in r["cpu_seconds"]]
        medians[name, batch, precision] = statistics.median(cpu_seconds)
        emit(
            "train_step",
            engine=name,
            preset="paper",
            batch=batch,
            precision=precision,
            seconds_per_iteration=round(statistics.median(seconds), 3),
            best_seconds_per_iteration=round(min(seconds), 3),
            images_per_second=round(batch / statistics.median(seconds), 1),
            steps_timed=[round(s, 3) for s in seconds],
            load_per_process=[r["load_average_1m"] for r in results],
            cpu_seconds_per_iteration=round(statistics.median(cpu_seconds), 3),
            torch_threads=results[0]["threads"],
            peak_rss_mb=max(r["peak_rss_mb"] for r in results),
            g_params=results[0]["g_params"],
            d_params=results[0]["d_params"],
        )
    summary = {}
    if args.reference:
        summary["cpu_seconds_this_over_reference"] = {
            f"batch_{b}_{p}": round(medians["this", b, p] / medians[args.reference, b, p], 3)
            for _, b, p in configs
            if _ == "this"
        }
    if 16 in batches:
        summary["bf16_speedup_batch_16"] = round(
            medians["this", 16, "fp32"] / medians["this", 16, "bf16"], 2
        )
    emit("train_step_summary", reference=args.reference, **summary)


if __name__ == "__main__":
    main()
