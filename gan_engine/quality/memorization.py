"""Memorization: is a synthetic image closer to a real one than real images are to each other?

For every synthetic image we find its nearest real image - every real image is one the
generator may have trained on - in two spaces: pixels after area-downscaling to 16 x 16 (exact
and near-exact copies, tolerant of resampling and compression) and the domain CNN's texture
features (copies that moved or changed slightly). The yardstick is the real set itself: each
real image's distance to its nearest *other* real image. A synthetic image as close as the 1st
percentile of those distances, or closer, is counted as memorized.

Why every real image and not only the held-out ones: a generator that draws fresh images from
the real distribution is then judged exactly like a real image left out of the set, so on
average it lands below the percentile about 1% of the time. The percentile of a few dozen
held-out distances sits near their minimum and moves a lot from one split to the next: on
made-up data with 72 held-out images honest sets scored 4-7%, above a 5% limit, against 2-3%
with all 240. Even so the 1st percentile rests on the two or three closest real pairs, so an
honest set's share varies with the real set, from about 0.5% to 3% in our trials (docs/quality.md).

Distances are root-mean-square differences per dimension (pixels as 0..1), so they read the
same whatever the image or feature size.
"""

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

PIXEL_SIZE = 16
REFERENCE_PERCENTILE = 1.0
CLOSEST_PAIRS = 16
CHUNK = 512  # synthetic rows per distance block: bounded memory for large sets


@dataclass(frozen=True)
class ClosePair:
    synthetic_index: int
    real_index: int
    distance: float

    def to_dict(self) -> dict:
        return {
            "synthetic_index": self.synthetic_index,
            "real_index": self.real_index,
            "distance": self.distance,
        }


@dataclass(frozen=True)
class SpaceMemorization:
    """Nearest-real-image distances in one space and how many fall below the reference.

    Per synthetic image i: `nearest_real[i]` (an index into the real set) at `distances[i]`.
    `reference_distances[j]`: real image j's distance to its nearest other real image;
    `threshold` is their REFERENCE_PERCENTILE-th percentile.
    """

    space: str
    threshold: float
    memorized_share: float
    distances: tuple[float, ...]
    nearest_real: tuple[int, ...]
    reference_distances: tuple[float, ...]
    closest_pairs: tuple[ClosePair, ...]

    def to_dict(self) -> dict:
        return {
            "space": self.space,
            "reference_percentile": REFERENCE_PERCENTILE,
            "n_reference": len(self.reference_distances),
            "threshold": self.threshold,
            "memorized_share": self.memorized_share,
            "closest_pairs": [pair.to_dict() for pair in self.closest_pairs],
            "distances": list(self.distances),
            "nearest_real": list(self.nearest_real),
            "reference_distances": list(self.reference_distances),
        }


@dataclass(frozen=True)
class MemorizationReport:
    """Every space's figures; `memorized_share` is the largest of their shares."""

    spaces: tuple[SpaceMemorization, ...]
    max_share: float  # the configured threshold on memorized_share
    n_real: int
    n_synthetic: int

    @property
    def memorized_share(self) -> float:
        return max(space.memorized_share for space in self.spaces)

    @property
    def flagged(self) -> bool:
        return self.memorized_share > self.max_share

    def to_dict(self) -> dict:
        return {
            "memorized_share": self.memorized_share,
            "max_share": self.max_share,
            "flagged": self.flagged,
            "n_real": self.n_real,
            "n_synthetic": self.n_synthetic,
            "spaces": [space.to_dict() for space in self.spaces],
        }


def pixel_vectors(images: Tensor, size: int = PIXEL_SIZE) -> Tensor:
    """uint8 images as flattened size x size area averages in 0..1."""
    return F.adaptive_avg_pool2d(images.double() / 255, size).flatten(1)


def nearest(
    queries: Tensor, points: Tensor, exclude: Tensor | None = None
) -> tuple[Tensor, Tensor]:
    """RMS distance from each query row to its nearest row of `points`, and that row's index;
    `exclude[i]` (if given) is a row that query i may not match: itself.

    Distances are computed directly, not through the faster matrix-product expansion, whose
    rounding would turn an exact copy's 0 into a small positive number.
    """
    queries, points = queries.double(), points.double()
    best, index = [], []
    for start in range(0, len(queries), CHUNK):
        block = torch.cdist(
            queries[start : start + CHUNK], points, compute_mode="donot_use_mm_for_euclid_dist"
        )
        if exclude is not None:
            rows = torch.arange(len(block))
            block[rows, exclude[start : start + CHUNK]] = torch.inf
        values, indices = block.min(dim=1)
        best.append(values)
        index.append(indices)
    return torch.cat(best) / points.shape[1] ** 0.5, torch.cat(index)


def space_memorization(space: str, real: Tensor, synthetic: Tensor) -> SpaceMemorization:
    """Figures for one space, from the real and synthetic rows (vectors) in that space."""
    reference, _ = nearest(real, real, exclude=torch.arange(len(real)))
    distances, nearest_real = nearest(synthetic, real)
    threshold = torch.quantile(reference, REFERENCE_PERCENTILE / 100).item()
    order = torch.sort(distances, stable=True).indices[:CLOSEST_PAIRS].tolist()  # ties: index
    return SpaceMemorization(
        space=space,
        threshold=threshold,
        memorized_share=(distances <= threshold).double().mean().item(),
        distances=tuple(distances.tolist()),
        nearest_real=tuple(nearest_real.tolist()),
        reference_distances=tuple(reference.tolist()),
        closest_pairs=tuple(ClosePair(i, int(nearest_real[i]), distances[i].item()) for i in order),
    )


def memorization_report(
    spaces: dict[str, tuple[Tensor, Tensor]], *, max_share: float
) -> MemorizationReport:
    """`spaces` maps a space's name to its (real rows, synthetic rows); at least 2 real."""
    results = tuple(
        space_memorization(name, real, synthetic) for name, (real, synthetic) in spaces.items()
    )
    real, synthetic = next(iter(spaces.values()))
    return MemorizationReport(results, max_share, len(real), len(synthetic))
