"""The two augmentations: the paper's offline affine expansion, and DiffAugment.

1. `expand_with_affine` is the paper's pre-augmentation: the training set (185 images there) is
   extended before training to a target size (~700) with copies that were randomly scaled,
   rotated and shifted, each transform applied with probability 0.5. The copies are made once,
   from a seed, so the same run always trains on the same extended set (and a resumed run
   rebuilds it exactly instead of storing it).
2. `diff_augment` is DiffAugment (Zhao et al. 2020): differentiable colour, translation and
   cutout applied to every batch the discriminator sees, real and fake, in both the D and the
   G step, so D cannot memorise a small real set and G still gets gradients through it.
   `AdaptiveProbability` optionally applies its translation and cutout to each image with a
   probability that follows how far D fits the real set (ADA's heuristic, Karras et al. 2020).

Every random draw takes a torch.Generator the caller owns, never the global RNG.
"""

import math
from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import Tensor

# Ranges of the affine pre-augmentation (the paper gives the transforms, not their ranges;
# these are the common Keras ImageDataGenerator settings such pipelines used).
SCALE_RANGE = (0.9, 1.1)
MAX_ROTATION_DEGREES = 30.0
MAX_SHIFT_FRACTION = 0.1
APPLY_PROBABILITY = 0.5
# DiffAugment's published settings.
TRANSLATION_FRACTION = 0.125
CUTOUT_FRACTION = 0.5


def expand_with_affine(
    images: Tensor, labels: Tensor, target_size: int, generator: torch.Generator
) -> tuple[Tensor, Tensor]:
    """The originals followed by randomly transformed copies, `target_size` images in all.

    Copies cycle through the originals in a shuffled order, so each class keeps its share.
    Borders uncovered by a rotation or shift are filled by reflection, not black, so D does not
    learn "black corners" as a feature of real images. A set already at the target is returned
    unchanged.
    """
    extra = target_size - len(images)
    if extra <= 0:
        return images, labels
    order = torch.randperm(len(images), generator=generator)
    sources = order[torch.arange(extra) % len(images)]
    theta = _random_affine(extra, generator)
    grid = F.affine_grid(theta, [extra, *images.shape[1:]], align_corners=False)
    copies = F.grid_sample(
        images[sources], grid, mode="bilinear", padding_mode="reflection", align_corners=False
    )
    return torch.cat([images, copies]), torch.cat([labels, labels[sources]])


def _random_affine(n: int, generator: torch.Generator) -> Tensor:
    """n 2x3 matrices (output -> input coordinates), each transform kept with p = 0.5."""

    def draw(low: float, high: float, identity: float) -> Tensor:
        values = low + (high - low) * torch.rand(n, generator=generator, dtype=torch.float64)
        keep = torch.rand(n, generator=generator) < APPLY_PROBABILITY
        return torch.where(keep, values, torch.full_like(values, identity))

    scale = draw(*SCALE_RANGE, identity=1.0)
    angle = draw(-MAX_ROTATION_DEGREES, MAX_ROTATION_DEGREES, identity=0.0) * math.pi / 180
    shifted = torch.rand(n, generator=generator) < APPLY_PROBABILITY
    shift = (2 * torch.rand(n, 2, generator=generator, dtype=torch.float64) - 1) * (
        2 * MAX_SHIFT_FRACTION  # normalised coordinates span 2 units per image side
    )
    shift = shift * shifted[:, None]
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    rows = [torch.stack([cos, -sin, shift[:, 0]], 1), torch.stack([sin, cos, shift[:, 1]], 1)]
    return torch.stack(rows, 1).float()


class AugmentDraws(NamedTuple):
    """The random parameters of one DiffAugment call, drawn before it is applied.

    Drawing and applying are separate so that a captured training step (a CUDA graph, which
    cannot draw from a generator the loop owns) can be fed the same numbers from static
    buffers: the draws are made in the order the eager step always made them, so a seed
    means the same augmentations either way. A field is None when its op is off.
    """

    brightness: Tensor | None = None  # N x 1 x 1 x 1 in [0, 1)
    saturation: Tensor | None = None
    contrast: Tensor | None = None
    translation: Tensor | None = None  # N x 2 integer row/column offsets
    cutout: Tensor | None = None  # N x 2 integer row/column starts


def draw_augment(
    n: int,
    size: int,
    ops: tuple[str, ...],
    generator: torch.Generator,
    probability: Tensor | None = None,
    translation_step: int = 1,
    held_back: bool = False,
) -> AugmentDraws:
    """The parameters `diff_augment` needs for a batch of n images of size x size.

    Translation's offsets are whole multiples of `translation_step`, out to DiffAugment's
    largest shift rounded up to a whole step (a step of 1 draws exactly what DiffAugment
    draws).

    With a `probability` (a 0-dim tensor on the generator's device) translation and cutout
    each apply to an image only with that probability, drawn per image and op after the op's
    parameters; an image left alone gets a zero shift or a cutout square outside the image,
    so applying the draws needs no branch (and a captured step replays them as they are).

    `held_back` gives every image that zero shift and outside square without drawing from the
    stream, so both the stream and the augmented images stay what colour alone makes them
    (`TrainConfig.translation_cutout_from`).
    """
    draws: dict[str, Tensor] = {}
    for op in ops:  # in the order given: the order the numbers come off the generator
        if op == "color":
            for name in ("brightness", "saturation", "contrast"):
                draws[name] = _uniform(n, generator)
        elif held_back:
            start = 0 if op == "translation" else size
            draws[op] = torch.full((n, 2), start, device=generator.device)
        elif op == "translation":
            reach = -(-translation_shift(size) // translation_step)  # whole steps, rounded up
            offsets = _offsets(n, generator, -reach, reach + 1) * translation_step
            if probability is not None:
                offsets = offsets * _applied(n, generator, probability)[:, None]
            draws["translation"] = offsets
        else:
            length = cutout_size(size)
            starts = _offsets(n, generator, 0, size + (1 - length % 2)) - length // 2
            if probability is not None:
                starts = torch.where(_applied(n, generator, probability)[:, None], starts, size)
            draws["cutout"] = starts
    return AugmentDraws(**draws)


def _applied(n: int, generator: torch.Generator, probability: Tensor) -> Tensor:
    """n booleans, each true with `probability`."""
    return torch.rand(n, generator=generator, device=generator.device) < probability


class AdaptiveProbability:
    """ADA's augmentation probability p, steered by how sure D is of the real images.

    The overfitting sign is r = E[sign(D(real))]: near 0 while D cannot tell the real images
    from the fakes, towards 1 as it learns the few real ones by heart. After every D step p
    moves by `step` towards more augmentation while r is above `target`, and back below it
    (clamped to [0, 1]), so translation and cutout stay rare while D does not fit the set and
    grow as it starts to. In place on the device, with no read back to the host: a captured
    step (a CUDA graph) updates the same tensor at every replay.
    """

    def __init__(self, target: float, step: float, device: torch.device | str = "cpu"):
        self.target, self.step = target, step
        self.p = torch.zeros((), device=device)

    def update(self, real_logits: Tensor) -> None:
        with torch.no_grad():
            overfit = torch.sign(real_logits.float()).mean()
            self.p.add_(torch.sign(overfit - self.target) * self.step).clamp_(0, 1)

    def state_dict(self) -> dict[str, Tensor]:
        return {"p": self.p}

    def load_state_dict(self, state: dict[str, Tensor]) -> None:
        self.p.copy_(state["p"])


def diff_augment(
    x: Tensor, ops: tuple[str, ...], generator: torch.Generator, fill: str = "zeros"
) -> Tensor:
    """Apply the DiffAugment `ops` (any of "color", "translation", "cutout"), in that order."""
    if not ops:
        return x
    return apply_augment(x, ops, draw_augment(len(x), x.shape[-1], ops, generator), fill)


def apply_augment(
    x: Tensor, ops: tuple[str, ...], draws: AugmentDraws, fill: str = "zeros"
) -> Tensor:
    """DiffAugment with its parameters given, the ops applied in the order given.

    `fill` is what translation shows where the image moved away: "zeros" (DiffAugment's
    choice: a black band that D sees in about a quarter of batches) or "reflect" (the content
    mirrored at the border, as StyleGAN2-ADA translates, so borders and corners look like
    image content).
    """
    for op in ops:
        if op == "color":
            x = _color(x, draws)
        elif op == "translation":
            x = _translate(x, draws.translation, fill)
        else:
            x = _cut_out(x, draws.cutout)
    return x


def translation_shift(size: int) -> int:
    return int(size * TRANSLATION_FRACTION + 0.5)


def cutout_size(size: int) -> int:
    return int(size * CUTOUT_FRACTION + 0.5)


def _uniform(n: int, generator: torch.Generator) -> Tensor:
    return torch.rand(n, 1, 1, 1, generator=generator, device=generator.device)


def _offsets(n: int, generator: torch.Generator, low: int, high: int) -> Tensor:
    """(n, 2) integer offsets in [low, high) for rows and columns."""
    return torch.randint(low, high, (n, 2), generator=generator, device=generator.device)


def _color(x: Tensor, draws: AugmentDraws) -> Tensor:
    """Random brightness (+-0.5), saturation (x0..2) and contrast (x0.5..1.5) per image."""
    x = x + (draws.brightness - 0.5)
    mean = x.mean(dim=1, keepdim=True)
    x = (x - mean) * (draws.saturation * 2) + mean
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    return (x - mean) * (draws.contrast + 0.5) + mean


def _translate(x: Tensor, offsets: Tensor, fill: str) -> Tensor:
    """Shift each image by its (row, column) offset, as two one-hot matrix products.

    Row i of the output is row i + offset of the input; outside the image it is zero
    ("zeros") or the mirrored row ("reflect"). A selection matrix instead of a gather: the
    backward pass of a gather scatters with atomic adds on a GPU, whose order (and so the
    rounding) changes from run to run; a matrix product's does not, and selecting with ones
    and zeros is exact in fp32.
    """
    _, _, h, w = x.shape
    rows = _selection(offsets[:, 0], h, fill, x.dtype)  # n x h x h
    cols = _selection(offsets[:, 1], w, fill, x.dtype)  # n x w x w
    return rows[:, None] @ x @ cols[:, None].transpose(-1, -2)


def _selection(offsets: Tensor, size: int, fill: str, dtype: torch.dtype) -> Tensor:
    """n x size x size one-hot matrices: entry (i, j) is 1 where output i reads input j."""
    source = torch.arange(size, device=offsets.device) + offsets[:, None]  # n x size
    if fill == "reflect":
        period = 2 * (size - 1)
        source = source.remainder(period)
        source = torch.where(source >= size, period - source, source)
    inside = (source >= 0) & (source < size)
    positions = torch.arange(size, device=offsets.device)
    return ((source[:, :, None] == positions) & inside[:, :, None]).to(dtype)


def _cut_out(x: Tensor, starts: Tensor) -> Tensor:
    """Zero one square of half the image size per image, starting at its (row, column)."""
    _, _, h, w = x.shape
    size = cutout_size(h)
    rows = torch.arange(h, device=x.device)
    cols = torch.arange(w, device=x.device)
    in_rows = (rows >= starts[:, :1]) & (rows < starts[:, :1] + size)
    in_cols = (cols >= starts[:, 1:]) & (cols < starts[:, 1:] + size)
    keep = ~(in_rows[:, :, None] & in_cols[:, None, :])
    return x * keep[:, None].to(x.dtype)
