"""Fidelity and diversity as k-nearest-neighbour manifolds in a feature space.

Precision and recall as in Kynkäänniemi et al. (2019), torch-fidelity's `prc`: each set's
manifold is the union of balls around its points reaching their k-th nearest neighbour;
precision is the share of synthetic points inside the real manifold (are they realistic?),
recall the share of real points inside the synthetic manifold (is the real variety covered?).
Density and coverage (Naeem et al., 2020) use the real balls only, which makes them robust to
synthetic outliers: density counts how many real balls hold each synthetic point (1 on
average when the sets match), coverage the share of real balls holding any synthetic point.

The radii shrink as a set grows, so both sets are cut to the same size by a seeded draw before
the manifolds are built; the sizes used are recorded with every result.
"""

from dataclasses import asdict, dataclass

import torch
from torch import Tensor

NEIGHBOURS = 3  # torch-fidelity's default for prc


@dataclass(frozen=True)
class ManifoldResult:
    """Precision, recall, density and coverage of one group (class_name None: all classes)."""

    extractor: str
    class_name: str | None
    n_real: int
    n_fake: int
    k: int
    precision: float | None = None
    recall: float | None = None
    density: float | None = None
    coverage: float | None = None
    available: bool = True
    reason: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def kth_neighbour_radii(points: Tensor, k: int) -> Tensor:
    """Distance from each point to its k-th nearest other point."""
    distances = torch.cdist(points, points)
    return distances.topk(k + 1, dim=1, largest=False).values[:, k]


def manifold_result(
    real: Tensor,
    fake: Tensor,
    *,
    extractor: str,
    class_name: str | None,
    generator: torch.Generator,
    k: int = NEIGHBOURS,
) -> ManifoldResult:
    """The four figures for real and fake feature rows, both cut to the smaller size."""
    size = min(len(real), len(fake))
    blank = ManifoldResult(extractor, class_name, size, size, k)
    if size <= k:
        reason = f"needs more than {k} real and synthetic images, got {len(real)} and {len(fake)}"
        return ManifoldResult(**{**asdict(blank), "available": False, "reason": reason})
    real = real[_draw(len(real), size, generator)].double()
    fake = fake[_draw(len(fake), size, generator)].double()
    real_radii, fake_radii = kth_neighbour_radii(real, k), kth_neighbour_radii(fake, k)
    distances = torch.cdist(real, fake)  # real x fake
    inside_real = distances <= real_radii[:, None]
    return ManifoldResult(
        **{
            **asdict(blank),
            "precision": inside_real.any(0).double().mean().item(),
            "recall": (distances <= fake_radii[None, :]).any(1).double().mean().item(),
            "density": inside_real.sum(0).double().mean().item() / k,
            "coverage": inside_real.any(1).double().mean().item(),
        }
    )


def _draw(population: int, size: int, generator: torch.Generator) -> Tensor:
    """`size` of `population` indices, sorted; all of them, in order, when size is the whole."""
    if size == population:
        return torch.arange(population)
    return torch.randperm(population, generator=generator)[:size].sort().values


def manifold_results(
    real: Tensor,
    fake: Tensor,
    *,
    real_labels: Tensor,
    fake_labels: Tensor,
    class_names: tuple[str, ...] | list[str],
    extractor: str,
    seed: int,
) -> list[ManifoldResult]:
    """All classes together, then each class of `class_names` in order."""
    generator = torch.Generator().manual_seed(seed)
    overall = manifold_result(real, fake, extractor=extractor, class_name=None, generator=generator)
    return [overall] + [
        manifold_result(
            real[real_labels == label],
            fake[fake_labels == label],
            extractor=extractor,
            class_name=name,
            generator=generator,
        )
        for label, name in enumerate(class_names)
    ]
