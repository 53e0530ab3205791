"""The two augmentations: the paper's offline affine expansion, and DiffAugment.

1. `expand_with_affine` is the paper's pre-augmentation: the training set (185 images there) is
   extended before training to a target size (~700) with copies that were randomly scaled,
   rotated and shifted, each transform applied with probability 0.5. The copies are made once,
   from a seed, so the same run always trains on the same extended set (and a resumed run
   rebuilds it exactly instead of storing it).
2. `diff_augment` is DiffAugment (Zhao et al. 2020): differentiable colour, translation and
   cutout applied to every batch the discriminator sees, real and fake, in both the D and the
   G step, so D cannot memorise a small real set and G still gets gradients through it.

Every random draw takes a torch.Generator the caller owns, never the global RNG.
"""

import math

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


def diff_augment(x: Tensor, ops: tuple[str, ...], generator: torch.Generator) -> Tensor:
    """Apply the DiffAugment `ops` (any of "color", "translation", "cutout"), in that order."""
    for op in ops:
        x = _OPS[op](x, generator)
    return x


def _uniform(x: Tensor, generator: torch.Generator, *shape: int) -> Tensor:
    return torch.rand(len(x), *shape, generator=generator, device=generator.device)


def _color(x: Tensor, generator: torch.Generator) -> Tensor:
    """Random brightness (+-0.5), saturation (x0..2) and contrast (x0.5..1.5) per image."""
    x = x + (_uniform(x, generator, 1, 1, 1) - 0.5)
    mean = x.mean(dim=1, keepdim=True)
    x = (x - mean) * (_uniform(x, generator, 1, 1, 1) * 2) + mean
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    return (x - mean) * (_uniform(x, generator, 1, 1, 1) + 0.5) + mean


def _random_offsets(x: Tensor, generator: torch.Generator, low: int, high: int) -> Tensor:
    """(N, 2) integer offsets in [low, high) for rows and columns."""
    return torch.randint(low, high, (len(x), 2), generator=generator, device=generator.device)


def _translation(x: Tensor, generator: torch.Generator) -> Tensor:
    """Shift each image by up to 1/8 of its size; uncovered pixels become 0."""
    n, c, h, w = x.shape
    shift = int(h * TRANSLATION_FRACTION + 0.5)
    offsets = _random_offsets(x, generator, -shift, shift + 1)
    padded = F.pad(x, [1, 1, 1, 1])  # one zero border; indices clamp into it
    rows = (torch.arange(h, device=x.device) + offsets[:, :1] + 1).clamp(0, h + 1)
    cols = (torch.arange(w, device=x.device) + offsets[:, 1:] + 1).clamp(0, w + 1)
    x = padded.gather(2, rows[:, None, :, None].expand(n, c, h, w + 2))
    return x.gather(3, cols[:, None, None, :].expand(n, c, h, w))


def _cutout(x: Tensor, generator: torch.Generator) -> Tensor:
    """Zero one square of half the image size per image, centred anywhere in the image."""
    n, _, h, w = x.shape
    size = int(h * CUTOUT_FRACTION + 0.5)
    start = _random_offsets(x, generator, 0, h + (1 - size % 2)) - size // 2
    rows = torch.arange(h, device=x.device)
    cols = torch.arange(w, device=x.device)
    in_rows = (rows >= start[:, :1]) & (rows < start[:, :1] + size)
    in_cols = (cols >= start[:, 1:]) & (cols < start[:, 1:] + size)
    keep = ~(in_rows[:, :, None] & in_cols[:, None, :])
    return x * keep[:, None].to(x.dtype)


_OPS = {"color": _color, "translation": _translation, "cutout": _cutout}
