"""Artifact figures of generated images: corner blotches, block grids and tiled texture.

Distribution metrics (FID, KID) on a small set can rank a blotchy, blocky generator above a
clean one, because their feature networks barely see what a person sees first. These figures
measure three failure modes of this engine's generator directly on the pixels, need no feature
network, and so exist for every evaluation:

- **Corner saturation** (`corner_saturation_<corner>`, `centre_saturation`): the share of
  saturated pixels in each 8 x 8 corner and in the central 8 x 8 window, over all images. A
  pixel is *saturated* when at least one of its channels is exactly 0 or 255, the ends of the
  uint8 range: the generator's output is clamped to [-1, 1] before quantisation, so a learnt
  blotch that overshoots the colour range piles up exactly there, while photographs of stained
  tissue almost never touch them (0.02% of the IHC demo slide's pixels). Any channel rather
  than all three, because the blotches seen are colourful (one or two channels clipped), not
  white or black. A corner far above the centre means the corners are under-supervised.
- **Block-boundary ratio** (`block_ratio_<p>` for p = 4, 8, 16, the periods of G's 2x
  up-sampling stages at 32-128 px): the mean absolute difference between neighbouring pixels
  across block boundaries (columns, and rows, k*p - 1 and k*p) divided by the mean absolute
  difference between neighbours inside blocks, both directions pooled, on all channels, in
  grey levels. Both means get half a grey level added (`BLOCK_RATIO_FLOOR`, about the rounding
  to uint8) so that images flat inside their blocks give a large finite ratio instead of a
  division by zero, and a flat image gives exactly 1. A photograph has no preferred grid, so it
  gives about 1.0; nearest-neighbour up-sampling that the convolutions failed to smooth gives
  steps at the block edges and a ratio above 1.
- **Periodicity** (`periodicity`): how far the strongest frequency of the images' mean power
  spectrum stands above the other frequencies at the same distance from zero. Each image is
  turned grey (channel mean), its mean removed, multiplied by a 2-D Hann window (so the tile's
  borders do not show up as frequencies) and Fourier transformed; the power spectra are averaged
  over the images. Every frequency at integer radius r >= 2 bins from zero is divided by the
  mean power of its ring (the frequencies whose rounded radius is r); the figure is the largest
  such ratio. Dividing by the ring rather than by the whole spectrum's mean removes the steep
  fall of power with frequency that every natural image has, so a real tile scores a few units
  (anisotropy and noise) while tiled or striped texture, whose power sits in a few peaks,
  scores tens (measured: 19-37). Radii 0 and 1 are left out: the window spreads the zero frequency
  over them.

All figures are plain floats, so they store and serialise as they are. Their names, labels
and targets are in gan_engine.artifact_targets (no torch, so web pages can read them too) and
are importable from here as well.
"""

import numpy as np
import torch
from torch import Tensor

from gan_engine.artifact_targets import (
    BLOCK_PERIODS,
    BLOCK_RATIO_TARGET,
    CORNERS,
    FIGURES,
    SATURATION_TARGET,
    meets_targets,
    missed_targets,
)

__all__ = [
    "BLOCK_PERIODS",
    "BLOCK_RATIO_TARGET",
    "CORNERS",
    "FIGURES",
    "MIN_SIZE",
    "SATURATION_TARGET",
    "artifact_figures",
    "block_ratio",
    "mean_power_spectrum",
    "meets_targets",
    "missed_targets",
    "periodicity",
    "saturated",
    "saturation_shares",
]

CORNER = 8
MIN_SIZE = 2 * max(BLOCK_PERIODS)
MIN_RING_RADIUS = 2
BLOCK_RATIO_FLOOR = 0.5


def artifact_figures(images: Tensor) -> dict[str, float]:
    """All artifact figures of uint8 images N x 3 x H x W (H, W >= 32), named as in FIGURES."""
    _check_images(images)
    figures = saturation_shares(images)
    figures |= {f"block_ratio_{p}": block_ratio(images, p) for p in BLOCK_PERIODS}
    figures["periodicity"] = periodicity(images)
    return figures


def saturated(images: Tensor) -> Tensor:
    """N x H x W boolean: pixels with at least one channel at 0 or 255."""
    return ((images == 0) | (images == 255)).any(dim=1)


def saturation_shares(images: Tensor) -> dict[str, float]:
    """Share of saturated pixels in each 8 x 8 corner and in the central 8 x 8 window."""
    mask = saturated(images)
    height, width = mask.shape[1:]
    top, left = (height - CORNER) // 2, (width - CORNER) // 2
    windows = {
        "corner_saturation_top_left": mask[:, :CORNER, :CORNER],
        "corner_saturation_top_right": mask[:, :CORNER, -CORNER:],
        "corner_saturation_bottom_left": mask[:, -CORNER:, :CORNER],
        "corner_saturation_bottom_right": mask[:, -CORNER:, -CORNER:],
        "centre_saturation": mask[:, top : top + CORNER, left : left + CORNER],
    }
    return {name: float(window.float().mean()) for name, window in windows.items()}


def block_ratio(images: Tensor, period: int) -> float:
    """Mean |neighbour difference| across boundaries of `period`-pixel blocks over that inside
    blocks, rows and columns pooled, each plus BLOCK_RATIO_FLOOR grey levels."""
    pixels = images.double()
    across, inside = [], []
    for dim in (2, 3):
        steps = pixels.diff(dim=dim).abs().movedim(dim, 0)  # step j: between pixels j and j+1
        boundary = (torch.arange(len(steps)) + 1) % period == 0
        across.append(steps[boundary].flatten())
        inside.append(steps[~boundary].flatten())
    across_mean, inside_mean = torch.cat(across).mean(), torch.cat(inside).mean()
    return float((across_mean + BLOCK_RATIO_FLOOR) / (inside_mean + BLOCK_RATIO_FLOOR))


def periodicity(images: Tensor) -> float:
    """Largest ratio of the mean power spectrum to its ring mean at radii >= 2 bins."""
    spectrum = mean_power_spectrum(images)
    height, width = spectrum.shape
    fy = np.fft.fftfreq(height) * height
    fx = np.fft.fftfreq(width) * width
    radius = np.rint(np.hypot(*np.meshgrid(fy, fx, indexing="ij"))).astype(np.int64)
    ring_sum = np.bincount(radius.ravel(), weights=spectrum.ravel())
    ring_mean = ring_sum / np.bincount(radius.ravel())
    keep = (radius >= MIN_RING_RADIUS) & (ring_mean[radius] > 0)
    if not keep.any():
        return 1.0  # flat images: no frequency stands out
    return float((spectrum[keep] / ring_mean[radius[keep]]).max())


def mean_power_spectrum(images: Tensor) -> np.ndarray:
    """H x W power spectrum (unshifted) of the grey, mean-removed, Hann-windowed images."""
    grey = images.double().mean(dim=1).numpy()
    grey = grey - grey.mean(axis=(1, 2), keepdims=True)
    height, width = grey.shape[1:]
    window = np.outer(np.hanning(height), np.hanning(width))
    return (np.abs(np.fft.fft2(grey * window)) ** 2).mean(axis=0)


def _check_images(images: Tensor) -> None:
    if not isinstance(images, Tensor) or images.dtype != torch.uint8:
        raise TypeError(f"images must be a uint8 tensor, got {getattr(images, 'dtype', images)}")
    if images.dim() != 4 or images.shape[1] != 3 or len(images) == 0:
        raise ValueError(f"images must be N x 3 x H x W with N > 0, got {tuple(images.shape)}")
    if min(images.shape[2:]) < MIN_SIZE:
        raise ValueError(
            f"artifact figures need images of at least {MIN_SIZE} x {MIN_SIZE} px "
            f"(two blocks of the largest period), got {tuple(images.shape[2:])}"
        )
