"""Named configurations, and user overrides checked against them.

- paper: exactly the paper (SAGAN 64x64, batch 96, G lr 1e-4, D lr 4e-4, hinge, affine
  pre-augmentation to ~700 images, no EMA/DiffAugment/LeCam, fp32, zero padding).
- default: the paper's architecture and data plus what measured better with a few hundred
  images (docs/quality.md has the ablation table behind each choice): an EMA generator, bf16
  where the device supports it, reflect padding in G (zero padding drew a frame around every
  sample of the white-background demo tiles), an 8-pixel margin around G's canvas (without it
  the corners of the image carried saturated blotches) and DiffAugment in two phases. For the
  first 1,000 iterations colour only: translation and cutout from the start drew the block
  grid of G's up-sampling by then. From 1,000 on, translation as well, in whole 16-px steps
  (G's coarsest up-sampling period, so that it moves the content but not G's grid), and
  cutout: colour alone let D fit the 225 demo tiles after 2,000 iterations (KID rose from
  0.10 to 0.24 by 5,000), with them it kept falling. No LeCam: it drew the grid and slowed
  learning. Where the run evaluates, it exports the generator of the evaluation with the
  lowest KID, not the last one (docs/quality.md).
- small: default at width 16 and batch 32 with G lr 2e-4, for a demo model on a 2-core CPU
  (1,000 iterations in about 14 minutes at 1.2 it/s: docs/benchmarks.md). Its 1,000
  iterations are the first phase only; a longer run gets the second.
- tiny: for tests: 32x32, width 8, batch 8, large learning rates, fp32, no margin, and every
  DiffAugment op (from the first iteration, every pixel) and LeCam switched on, so that the
  tests exercise every part of the loop: tens of iterations take a few seconds.

`DEFAULT_PRESET` (small) is what the portal's page, its API and both command lines
(`manage.py train`, `python -m gan_engine train`) use when no preset is named: it trains on a
CPU in minutes, and a GPU user names `default` or `paper`. `DESCRIPTIONS` is the one line each
door shows next to a preset's name.

The portal passes user overrides (a dict from a form or the API) through `make_config`; every
mistake is a ValueError that names the preset, key or value.
"""

import dataclasses
from collections.abc import Mapping

from gan_engine.config import TrainConfig, coerce, field_types

PAPER = TrainConfig()
DEFAULT = dataclasses.replace(
    PAPER,
    ema_decay=0.999,
    diffaugment="color,translation,cutout",
    translation_step=16,
    translation_cutout_from=1000,
    precision="bf16",
    g_padding="reflect",
    g_margin=8,
    export_snapshot="lowest-kid",
)
SMALL = dataclasses.replace(
    DEFAULT,
    width=16,
    batch_size=32,
    g_lr=2e-4,
    iterations=1000,
    eval_every=500,
    checkpoint_every=100,
)
TINY = dataclasses.replace(
    DEFAULT,
    diffaugment="color,translation,cutout",
    lecam_weight=0.3,
    translation_step=1,
    translation_cutout_from=0,
    g_margin=0,
    resolution=32,
    width=8,
    z_dim=32,
    attention_resolution=16,
    batch_size=8,
    g_lr=1e-3,  # large steps: a test sees the classes' colours learnt within ~150 iterations
    d_lr=2e-3,
    pre_augment_to=0,
    precision="fp32",
    iterations=20,
    checkpoint_every=10,
)
PRESETS: dict[str, TrainConfig] = {"paper": PAPER, "default": DEFAULT, "small": SMALL, "tiny": TINY}
DEFAULT_PRESET = "small"
# In the order a form lists them: the default first, the test-only one last.
DESCRIPTIONS: dict[str, str] = {
    "small": "a demo model on a CPU (about 14 minutes)",
    "default": "the paper's SAGAN plus EMA, DiffAugment and a margin around G (GPU)",
    "paper": "exactly the paper's recipe (GPU)",
    "tiny": "a smoke test (seconds)",
}


def make_config(
    preset: str = DEFAULT_PRESET, overrides: Mapping[str, object] | None = None
) -> TrainConfig:
    """The named preset with `overrides` applied, type-checked and range-checked."""
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; choose from {sorted(PRESETS)}")
    overrides = dict(overrides or {})
    unknown = sorted(set(overrides) - set(field_types()))
    if unknown:
        raise ValueError(
            f"unknown setting(s) {unknown}; known settings are {sorted(field_types())}"
        )
    checked = {name: coerce(name, value) for name, value in overrides.items()}
    return dataclasses.replace(PRESETS[preset], **checked)
