"""The one configuration of a training run, checked when it is made.

A flat dataclass (nanoGPT style) so a preset is an instance, an override is
`dataclasses.replace`, and a checkpoint stores it as a plain dict. Every construction runs the
checks below, so a bad value from the portal, the CLI or an old checkpoint fails the same way:
a ValueError that names the field.

The class's defaults are the paper's recipe (SAGAN at 64x64, batch 96, hinge loss, TTUR,
offline affine pre-augmentation to ~700 images, fp32); `presets.py` names the variations.
"""

import dataclasses
import math
import typing
from dataclasses import dataclass

RESOLUTIONS = (32, 64, 128)
PADDING_MODES = ("zeros", "reflect")
UPSAMPLING_MODES = ("nearest", "bilinear")
SHORTCUT_UPSAMPLING_MODES = ("same", *UPSAMPLING_MODES)  # "same": as the main branch
DOWNSAMPLING_MODES = ("box", "blur")
G_OUTPUTS = ("tanh", "linear")
TRANSLATION_FILLS = ("zeros", "reflect")
PRECISIONS = ("fp32", "bf16")
DIFFAUGMENT_OPS = ("color", "translation", "cutout")
EXPORT_SNAPSHOTS = ("final", "lowest-kid")
MAX_BATCH_SIZE = 4096
MAX_ITERATIONS = 10_000_000
MAX_WIDTH = 512
MAX_Z_DIM = 1024
MAX_D_STEPS = 10
MAX_ADA_SPEED = 10**9
MAX_PRE_AUGMENT = 100_000  # the expanded set is held in memory

# Fields that may differ between a checkpoint and the run resuming it: they say how long to run,
# how often to look and which look to export, not what is computed, so changing them keeps the
# resume bit-for-bit.
SCHEDULE_FIELDS = ("iterations", "eval_every", "checkpoint_every", "export_snapshot")


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides what a run computes. Defaults: the paper's recipe."""

    # Architecture (nets.py): output size, base channel count, latent size.
    resolution: int = 64
    width: int = 64
    z_dim: int = 128
    attention_resolution: int = 32  # 0: no self-attention
    g_padding: str = "zeros"  # padding of the generator's 3x3 convolutions
    g_upsampling: str = "nearest"  # how the generator's blocks double the image size
    g_shortcut_upsampling: str = "same"  # how the blocks' 1x1 shortcuts double it
    g_output: str = "tanh"  # "linear": no tanh, clamped only where images become pixels
    g_margin: int = 0  # pixels per side G draws beyond the image and crops (nets.Generator)
    d_downsampling: str = "box"  # how the discriminator's blocks halve the image size
    # Optimisation: Adam with betas (0, 0.999), two time-scale learning rates.
    iterations: int = 100_000
    batch_size: int = 96
    g_lr: float = 1e-4
    d_lr: float = 4e-4
    d_steps: int = 1
    # One D forward on cat(real, fake) per D step instead of two: the same function, one
    # spectral-norm power iteration fewer per step (so a run differs from the default's).
    d_joint_forward: bool = False
    # Data efficiency: 0 / "" switch each one off.
    pre_augment_to: int = 700  # offline random scale/rotation/shift up to this many images
    diffaugment: str = ""  # comma-separated subset of DIFFAUGMENT_OPS
    translation_fill: str = "zeros"  # what DiffAugment's translation shows at the border
    # Translation's offsets are whole multiples of this many pixels (1: every offset, as
    # DiffAugment draws them); at G's coarsest up-sampling period G's block grid stays where D's
    # down-sampling expects it, which removed the grid in the one run so far (docs/quality.md).
    translation_step: int = 1
    # 0: translation and cutout apply to every image. In (0, 1): each applies to an image with
    # an adaptive probability that rises while E[sign(D(real))] is above this target (ADA,
    # augment.AdaptiveProbability) by batch_size / ada_speed per D step, so it can go from 0
    # to 1 in ada_speed real images.
    ada_target: float = 0.0
    ada_speed: int = 100_000
    # Translation and cutout (where `diffaugment` names them) start at this iteration: before
    # it they are a zero shift and a square outside the image, so the run computes what
    # colour-only DiffAugment computes. From the start they drew a block grid in the first
    # thousand iterations; later they keep D from fitting the set (docs/quality.md).
    translation_cutout_from: int = 0
    lecam_weight: float = 0.0
    lecam_decay: float = 0.99
    ema_decay: float = 0.0  # EMA generator for sampling; 0 samples the trained generator
    # Speed.
    precision: str = "fp32"  # "bf16": autocast where the device supports it
    channels_last: bool = False  # on the CPU too (a GPU always runs channels_last: train.py)
    # Schedule: 0 means never (checkpoints are still written at the end and on cancel).
    eval_every: int = 0
    checkpoint_every: int = 1000
    # What generator.pt holds: the generator of the last iteration ("final"), or of the
    # evaluation with the lowest KID ("lowest-kid"; the last one where no evaluation gave a KID):
    # on a few hundred images a longer run can draw worse than it did earlier (docs/quality.md).
    export_snapshot: str = "final"
    seed: int = 0

    def __post_init__(self) -> None:
        _check_types(self)
        _check_values(self)

    @property
    def diffaugment_ops(self) -> tuple[str, ...]:
        return tuple(op for op in self.diffaugment.split(",") if op)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def field_types() -> dict[str, type]:
    """Field name -> its declared type (int, float, str or bool), for type-checking overrides."""
    hints = typing.get_type_hints(TrainConfig)
    return {f.name: hints[f.name] for f in dataclasses.fields(TrainConfig)}


def coerce(name: str, value: object) -> object:
    """`value` as field `name`'s type, or ValueError: an int is accepted where a float is due,
    nothing else is converted (a bool is not an int here, and "3" is not a number)."""
    expected = field_types()[name]
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, expected) and (expected is bool or not isinstance(value, bool)):
        return value
    raise ValueError(f"{name} must be {expected.__name__}, got {type(value).__name__} {value!r}")


def _check_types(config: TrainConfig) -> None:
    for name in field_types():
        value = coerce(name, getattr(config, name))
        object.__setattr__(config, name, value)


def _require(ok: bool, name: str, value: object, expectation: str) -> None:
    if not ok:
        raise ValueError(f"{name} must be {expectation}, got {value!r}")


def _check_values(c: TrainConfig) -> None:
    _require(c.resolution in RESOLUTIONS, "resolution", c.resolution, f"one of {RESOLUTIONS}")
    _require(1 <= c.width <= MAX_WIDTH, "width", c.width, f"in 1..{MAX_WIDTH}")
    _require(1 <= c.z_dim <= MAX_Z_DIM, "z_dim", c.z_dim, f"in 1..{MAX_Z_DIM}")
    attention_sizes = [2**k for k in range(3, int(math.log2(c.resolution)))]
    _require(
        c.attention_resolution in [0, *attention_sizes],
        "attention_resolution",
        c.attention_resolution,
        f"0 (none) or one of {attention_sizes} (a feature size both networks have)",
    )
    _require(c.g_padding in PADDING_MODES, "g_padding", c.g_padding, f"one of {PADDING_MODES}")
    _require(
        c.g_upsampling in UPSAMPLING_MODES,
        "g_upsampling",
        c.g_upsampling,
        f"one of {UPSAMPLING_MODES}",
    )
    _require(
        c.g_shortcut_upsampling in SHORTCUT_UPSAMPLING_MODES,
        "g_shortcut_upsampling",
        c.g_shortcut_upsampling,
        f"one of {SHORTCUT_UPSAMPLING_MODES}",
    )
    _require(c.g_output in G_OUTPUTS, "g_output", c.g_output, f"one of {G_OUTPUTS}")
    _require(
        c.d_downsampling in DOWNSAMPLING_MODES,
        "d_downsampling",
        c.d_downsampling,
        f"one of {DOWNSAMPLING_MODES}",
    )
    half_cell = c.resolution // 8  # G's 4 x 4 start grows by whole cells: half a side each
    _require(
        c.g_margin % half_cell == 0 and 0 <= c.g_margin <= c.resolution // 2,
        "g_margin",
        c.g_margin,
        f"a multiple of {half_cell} (resolution / 8) in 0..{c.resolution // 2}",
    )
    _require(
        1 <= c.iterations <= MAX_ITERATIONS, "iterations", c.iterations, f"in 1..{MAX_ITERATIONS}"
    )
    _require(
        1 <= c.batch_size <= MAX_BATCH_SIZE, "batch_size", c.batch_size, f"in 1..{MAX_BATCH_SIZE}"
    )
    for name in ("g_lr", "d_lr"):
        value = getattr(c, name)
        _require(0 < value < 1, name, value, "a learning rate in (0, 1)")
    _require(1 <= c.d_steps <= MAX_D_STEPS, "d_steps", c.d_steps, f"in 1..{MAX_D_STEPS}")
    _require(
        0 <= c.pre_augment_to <= MAX_PRE_AUGMENT,
        "pre_augment_to",
        c.pre_augment_to,
        f"in 0..{MAX_PRE_AUGMENT}",
    )
    unknown_ops = set(c.diffaugment_ops) - set(DIFFAUGMENT_OPS)
    _require(
        not unknown_ops,
        "diffaugment",
        c.diffaugment,
        f"a comma-separated subset of {DIFFAUGMENT_OPS}",
    )
    _require(0 <= c.ada_target < 1, "ada_target", c.ada_target, "in [0, 1) (0: off)")
    _require(
        not c.ada_target or {"translation", "cutout"} & set(c.diffaugment_ops),
        "ada_target",
        c.ada_target,
        "0 unless diffaugment has translation or cutout (the ops it makes adaptive)",
    )
    _require(1 <= c.ada_speed <= MAX_ADA_SPEED, "ada_speed", c.ada_speed, f"in 1..{MAX_ADA_SPEED}")
    _require(
        0 <= c.translation_cutout_from <= MAX_ITERATIONS,
        "translation_cutout_from",
        c.translation_cutout_from,
        f"in 0..{MAX_ITERATIONS} (0: from the start)",
    )
    _require(
        0 <= c.lecam_weight <= 100 and math.isfinite(c.lecam_weight),
        "lecam_weight",
        c.lecam_weight,
        "in [0, 100]",
    )
    for name in ("lecam_decay", "ema_decay"):
        value = getattr(c, name)
        _require(0 <= value < 1, name, value, "in [0, 1)")
    _require(
        c.translation_fill in TRANSLATION_FILLS,
        "translation_fill",
        c.translation_fill,
        f"one of {TRANSLATION_FILLS}",
    )
    _require(
        1 <= c.translation_step <= c.resolution // 2,
        "translation_step",
        c.translation_step,
        f"in 1..{c.resolution // 2} (half the resolution)",
    )
    _require(
        c.export_snapshot in EXPORT_SNAPSHOTS,
        "export_snapshot",
        c.export_snapshot,
        f"one of {EXPORT_SNAPSHOTS}",
    )
    _require(c.precision in PRECISIONS, "precision", c.precision, f"one of {PRECISIONS}")
    for name in ("eval_every", "checkpoint_every"):
        value = getattr(c, name)
        _require(value >= 0, name, value, "0 (never) or a positive number of iterations")
    _require(0 <= c.seed < 2**32, "seed", c.seed, "in 0..2**32-1")
