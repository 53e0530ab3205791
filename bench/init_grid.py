"""The block grid of an untrained generator, per up-sampling choice: where the grid starts.

Before a single step, G's samples already carry a block grid at its up-sampling periods; the
training then has to remove it, which the first 1,000 iterations of the `small` preset do not
always do (docs/quality.md). This prints, per seed, the block-boundary gradient ratios at
4 / 8 / 16 px (`gan_engine.artifacts.block_ratio`, target 1.1) of freshly built generators:
nearest up-sampling everywhere (SAGAN's), nearest in the main branch with bilinear 1x1
shortcuts (`g_shortcut_upsampling`), and bilinear everywhere. G runs in training mode, as at
the first iterations (batch statistics), and each batch is stretched to the full 0-255 range
before it becomes pixels, since an untrained G's output spans a small part of [-1, 1].

    .venv/bin/python bench/init_grid.py [--seeds 0 1 2 3] [--preset small] [--samples 256]
"""

import argparse
import dataclasses

import torch
from engine_common import emit

from gan_engine.artifacts import BLOCK_PERIODS, block_ratio
from gan_engine.nets import build_generator
from gan_engine.presets import make_config

VARIANTS = {
    "nearest": {},
    "bilinear-shortcut": {"g_shortcut_upsampling": "bilinear"},
    "bilinear": {"g_upsampling": "bilinear", "g_shortcut_upsampling": "bilinear"},
}
NOISE_SEED = 123


def initial_block_ratios(preset: str, changes: dict, seed: int, samples: int) -> dict:
    config = dataclasses.replace(make_config(preset, changes), seed=seed)
    generator = build_generator(config, num_classes=3)
    noise = torch.Generator().manual_seed(NOISE_SEED)
    z = torch.randn(samples, config.z_dim, generator=noise)
    with torch.no_grad():
        images = generator(z, torch.arange(samples) % 3)
    stretched = (images - images.amin()) / (images.amax() - images.amin())
    pixels = (stretched * 255).round().to(torch.uint8)
    return {f"block_ratio_{p}": round(block_ratio(pixels, p), 3) for p in BLOCK_PERIODS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="small")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3])
    parser.add_argument("--samples", type=int, default=256)
    args = parser.parse_args()
    for seed in args.seeds:
        for name, changes in VARIANTS.items():
            figures = initial_block_ratios(args.preset, changes, seed, args.samples)
            emit("init-grid", preset=args.preset, variant=name, seed=seed, **figures)


if __name__ == "__main__":
    main()
