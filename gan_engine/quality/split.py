"""The fixed real split of a quality report: train / held-out, stratified by class, seeded.

The domain CNN and the usefulness classifiers learn from the train part and are scored on the
held-out part, so the split must be the same every time a version is re-assessed: it is made
once from a seed, stored by the caller as plain index lists, and passed back in later.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

HELD_OUT_FRACTION = 0.3


@dataclass(frozen=True)
class RealSplit:
    """Sorted indices into the real set: `train` and `held_out` are disjoint."""

    train: tuple[int, ...]
    held_out: tuple[int, ...]

    @classmethod
    def from_dict(cls, data: dict) -> "RealSplit":
        return cls(tuple(data["train"]), tuple(data["held_out"]))

    def to_dict(self) -> dict:
        return {"train": list(self.train), "held_out": list(self.held_out)}

    def check(self, labels: Tensor) -> None:
        """Refuse a stored split that no longer fits the real set (e.g. images were added)."""
        train, held_out = set(self.train), set(self.held_out)
        if train & held_out:
            raise ValueError(f"split: {len(train & held_out)} images are both train and held-out")
        outside = [i for i in train | held_out if not 0 <= i < len(labels)]
        if outside:
            raise ValueError(f"split: indices {sorted(outside)[:5]} outside {len(labels)} images")
        missing = set(labels.tolist()) - set(labels[list(self.train)].tolist())
        if missing or not self.held_out:
            raise ValueError(
                f"split: needs held-out images and train images of every class "
                f"(classes without train images: {sorted(missing)})"
            )


def split_real(
    labels: Tensor | Sequence[int], *, seed: int = 0, held_out_fraction: float = HELD_OUT_FRACTION
) -> RealSplit:
    """Hold out `held_out_fraction` of each class (rounded, at least one image of every class
    with two or more, never its last one), chosen by a generator seeded with `seed`."""
    if not 0 < held_out_fraction < 1:
        raise ValueError(f"held_out_fraction must be in (0, 1), got {held_out_fraction}")
    labels = torch.as_tensor(labels, dtype=torch.long)
    generator = torch.Generator().manual_seed(seed)
    train: list[int] = []
    held_out: list[int] = []
    for label in sorted(set(labels.tolist())):
        members = (labels == label).nonzero().flatten()
        members = members[torch.randperm(len(members), generator=generator)].tolist()
        count = min(max(round(len(members) * held_out_fraction), 1), len(members) - 1)
        held_out += members[:count]
        train += members[count:]
    split = RealSplit(tuple(sorted(train)), tuple(sorted(held_out)))
    split.check(labels)
    return split
