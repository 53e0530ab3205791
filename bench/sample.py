"""Images per second of the `paper` generator at inference on the CPU, fp32 and bf16.

Through gan_engine.sample.generate, the path generation jobs take: per-image seeded latents,
fixed batches of 64, uint8 output; the generator prepared by sampling_generator (spectral norm
baked in, eval mode; bf16 means the whole network in bf16). fp32 is the baseline; the two are
interleaved over rounds and each figure is the median, with the best round beside it. Target:
> 60 images/s in bf16.

    .venv/bin/python bench/sample.py [--images 256] [--rounds 3] [--threads N]
"""

import argparse
import statistics
import time

from engine_common import emit, set_threads

NUM_CLASSES = 3
TARGET_BF16_IMAGES_PER_S = 60


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=256)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, help="torch threads (default: one per core)")
    args = parser.parse_args()

    import torch

    from gan_engine.nets import build_generator, parameter_count
    from gan_engine.presets import PRESETS
    from gan_engine.sample import SAMPLING_BATCH, generate, sampling_generator

    set_threads(args.threads)
    config = PRESETS["paper"]
    weights = build_generator(config, NUM_CLASSES).state_dict()
    generators = {
        precision: sampling_generator(config, NUM_CLASSES, weights, precision=precision)
        for precision in ("fp32", "bf16")
    }
    labels = torch.arange(args.images) % NUM_CLASSES
    seeds = torch.arange(args.images)
    rates: dict[str, list[float]] = {precision: [] for precision in generators}
    for generator in generators.values():
        generate(generator, labels[:SAMPLING_BATCH], seeds[:SAMPLING_BATCH])  # warm-up
    for _ in range(args.rounds):
        for precision, generator in generators.items():
            started = time.perf_counter()
            generate(generator, labels, seeds)
            rates[precision].append(args.images / (time.perf_counter() - started))
    medians = {precision: statistics.median(r) for precision, r in rates.items()}
    for precision, rate in medians.items():
        emit(
            "sample",
            preset="paper",
            precision=precision,
            images_per_second=round(rate, 1),
            best_images_per_second=round(max(rates[precision]), 1),
            rounds=[round(r, 1) for r in rates[precision]],
            images_per_round=args.images,
            batch=SAMPLING_BATCH,
            g_params=parameter_count(generators[precision]),
        )
    emit(
        "sample_summary",
        baseline="fp32",
        bf16_speedup=round(medians["bf16"] / medians["fp32"], 2),
        target_bf16_images_per_second=TARGET_BF16_IMAGES_PER_S,
        target_met=medians["bf16"] > TARGET_BF16_IMAGES_PER_S,
    )


if __name__ == "__main__":
    main()
