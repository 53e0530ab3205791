"""Where a training iteration's GPU time goes: kernels, and the engine lines that launch them.

Profiles a few eager iterations of a preset at batch 96 (eager, so each kernel can be traced
back to the aten op and the line of gan_engine that launched it; a captured step replays the
same kernels) and prints JSON lines: the GPU time per iteration, the kernels that take the
most of it, and the (op, shapes, engine line) groups that launch them. The figures say what to
make cheaper next; docs/training.md keeps what they showed.

    python3 bench/gpu_profile.py [--preset default] [--steps 3] [--top 25]
"""

import argparse
from collections import defaultdict

import torch
from engine_common import bench_config, emit
from torch.profiler import ProfilerActivity, profile

from gan_engine.train import build_state, draw_step, make_step

NUM_CLASSES = 3
WARMUP_STEPS = 5


def engine_line(stack: list[str]) -> str:
    """The innermost frame inside gan_engine: the line of ours that launched the op."""
    ours = [frame for frame in stack if "gan_engine/" in frame]
    return ours[0].split("gan_engine/")[-1] if ours else "?"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--preset", default="default")
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()

    device = torch.device("cuda")
    torch.backends.cudnn.deterministic = True
    config = bench_config(args.preset)
    generator = torch.Generator().manual_seed(0)
    images = (torch.rand(700, 3, 64, 64, generator=generator) * 2 - 1).to(device)
    labels = (torch.arange(700) % NUM_CLASSES).to(device)
    state = build_state(config, NUM_CLASSES, len(images), device)
    step = make_step(state, config, images, labels, capture=False)
    for _ in range(WARMUP_STEPS):
        step(draw_step(state, config, NUM_CLASSES, device))
    torch.cuda.synchronize()

    with profile(
        activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA],
        with_stack=True,
        record_shapes=True,
    ) as prof:
        for _ in range(args.steps):
            step(draw_step(state, config, NUM_CLASSES, device))
        torch.cuda.synchronize()

    kernels: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
    launches: dict[tuple, list[float]] = defaultdict(lambda: [0.0, 0])
    for event in prof.events():
        if not event.kernels:
            continue
        microseconds = sum(kernel.duration for kernel in event.kernels)
        key = (event.name, str(event.input_shapes)[:90], engine_line(event.stack or []))
        launches[key][0] += microseconds
        launches[key][1] += len(event.kernels)
        for kernel in event.kernels:
            kernels[kernel.name[:110]][0] += kernel.duration
            kernels[kernel.name[:110]][1] += 1
    total = sum(value[0] for value in kernels.values())
    per_step = total / args.steps / 1000
    emit(
        "gpu_profile",
        preset=args.preset,
        gpu_ms_per_iteration=round(per_step, 2),
        kernels_per_iteration=sum(v[1] for v in kernels.values()) // args.steps,
    )
    for name, (micro, count) in sorted(kernels.items(), key=lambda kv: -kv[1][0])[: args.top]:
        emit(
            "gpu_profile",
            kind="kernel",
            name=name,
            share=round(micro / total, 4),
            ms_per_iteration=round(micro / args.steps / 1000, 3),
            count=count // args.steps,
        )
    for (op, shapes, line), (micro, count) in sorted(launches.items(), key=lambda kv: -kv[1][0])[
        : 2 * args.top
    ]:
        emit(
            "gpu_profile",
            kind="op",
            op=op,
            line=line,
            shapes=shapes,
            share=round(micro / total, 4),
            ms_per_iteration=round(micro / args.steps / 1000, 3),
            kernels=count // args.steps,
        )


if __name__ == "__main__":
    main()
