"""Captured (CUDA graph) against eager training step on a GPU, and G's up-sampling conv.

The training iteration of a preset at batch 96 (draws + D step + G step + EMA, exactly what
`train` runs), eager and captured, each in a process of its own so its peak memory is its
own; the ratio is taken between the two in the same run. Beside them, captured variants
(VARIANTS): NCHW instead of channels_last, cuDNN's benchmark mode, one joint D forward.
Then, per up-sampling layer of the `default` generator, forward + backward of the
phase-decomposed 3x3 conv against a plain conv of the up-sampled input, each captured and
timed by replays, to choose the GPU's form.

    python3 bench/gpu_step.py [--preset default] [--steps 200]

Prints one JSON line per measurement and a summary line. Target: captured >= 3x eager.
"""

import argparse
import json
import subprocess
import sys
import time

import torch
from engine_common import ROOT, bench_config, emit

from gan_engine import train as train_module
from gan_engine.nets import generator_channels, phase_decomposed_conv3x3, sn_conv, upsample2x
from gan_engine.train import build_state, draw_step, make_step

NUM_CLASSES = 3
WARMUP_STEPS = 10
TARGET_RATIO = 3.0


# Captured-step variants beside the default way `train` runs, to see what each choice buys.
VARIANTS = {
    "eager": {"capture": False},
    "captured": {},
    "captured-nchw": {"nchw": True},
    "captured-cudnn-benchmark": {"benchmark": True},
    "captured-joint-d": {"overrides": {"d_joint_forward": True}},
}


def measure_step(preset: str, variant: dict, steps: int) -> dict:
    """Iterations/s of `steps` iterations after warm-up (the device finished them all)."""
    config = bench_config(preset, variant.get("overrides", {}))
    device = torch.device("cuda")
    torch.backends.cudnn.benchmark = variant.get("benchmark", False)
    torch.backends.cudnn.deterministic = not torch.backends.cudnn.benchmark
    if variant.get("nchw"):
        train_module.CHANNELS_LAST_DEVICES = ()
    generator = torch.Generator().manual_seed(0)
    images = (torch.rand(700, 3, 64, 64, generator=generator) * 2 - 1).to(device)
    labels = (torch.arange(700) % NUM_CLASSES).to(device)
    state = build_state(config, NUM_CLASSES, len(images), device)
    step = make_step(state, config, images, labels, variant.get("capture", True))

    def iterate(count: int) -> None:
        for _ in range(count):
            step(draw_step(state, config, NUM_CLASSES, device))
            state.iteration += 1

    iterate(WARMUP_STEPS)
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    started = time.perf_counter()
    iterate(steps)
    torch.cuda.synchronize()
    seconds = time.perf_counter() - started
    return {
        "preset": preset,
        "precision": config.precision,
        "batch": config.batch_size,
        "iterations_per_second": round(steps / seconds, 2),
        "ms_per_iteration": round(1000 * seconds / steps, 2),
        "peak_gpu_memory_gb": round(torch.cuda.max_memory_allocated() / 2**30, 2),
    }


def in_subprocess(preset: str, variant: str, steps: int) -> dict:
    command = [sys.executable, __file__, "--child", preset, variant, "--steps", str(steps)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if result.returncode:
        return {"preset": preset, "variant": variant, "error": result.stderr[-2000:]}
    return {"variant": variant, **json.loads(result.stdout.splitlines()[-1])}


def measure_upsampling(batch: int = 96, repeats: int = 50) -> list[dict]:
    """GPU milliseconds of forward + backward per G up-sampling layer, both forms, bf16."""
    forms = {
        "phases": phase_decomposed_conv3x3,
        "upsample_then_conv": lambda x, conv: conv(upsample2x(x)),
    }
    channels = generator_channels(64, 64)
    figures = []
    for i, (c_in, c_out) in enumerate(zip(channels, channels[1:], strict=False)):
        size = 4 * 2**i
        conv = sn_conv(c_in, c_out, 3, "reflect").cuda()
        x = torch.randn(batch, c_in, size, size, device="cuda", requires_grad=True)
        timings = {
            name: _graph_milliseconds(form, x, conv, repeats) for name, form in forms.items()
        }
        figures.append({"input": [batch, c_in, size, size], "c_out": c_out, "ms": timings})
    return figures


def _graph_milliseconds(form, x: torch.Tensor, conv: torch.nn.Module, repeats: int) -> float:
    def forward_backward() -> None:
        with torch.autocast("cuda", dtype=torch.bfloat16, cache_enabled=False):
            out = form(x, conv)
        out.float().square().mean().backward()

    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        for _ in range(3):
            forward_backward()
    torch.cuda.current_stream().wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        forward_backward()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    graph.replay()
    start.record()
    for _ in range(repeats):
        graph.replay()
    end.record()
    torch.cuda.synchronize()
    return round(start.elapsed_time(end) / repeats, 4)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="default")
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        preset, variant = args.child
        print(json.dumps(measure_step(preset, VARIANTS[variant], args.steps)))
        return
    if not torch.cuda.is_available():
        emit("gpu_step", skipped="no CUDA device here")
        return
    figures = {}
    for variant in args.variants.split(","):
        steps = max(20, args.steps // 4) if variant == "eager" else args.steps
        figures[variant] = emit("gpu_step", **in_subprocess(args.preset, variant, steps))
    emit("gpu_step_upsampling", layers=measure_upsampling())
    speeds = {k: v.get("iterations_per_second") for k, v in figures.items()}
    ratio = None
    if speeds.get("eager") and speeds.get("captured"):
        ratio = round(speeds["captured"] / speeds["eager"], 2)
    emit(
        "gpu_step_summary",
        preset=args.preset,
        iterations_per_second=speeds,
        captured_over_eager=ratio,
        target=TARGET_RATIO,
    )


if __name__ == "__main__":
    main()
