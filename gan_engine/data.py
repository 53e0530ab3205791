"""Images from a folder of class folders (or a list of (path, label)) as tensors.

Training wants float tensors in [-1, 1] (the generator's tanh range); the metrics want uint8.
Both views come from one decode, so the metrics always see exactly the pixels trained on,
before any augmentation. Class names are sorted, so label i means the same class on every
machine and in every run (torchvision's ImageFolder does the same).

Images are centre-cropped to a square and resized with Lanczos filtering; everything is held
in memory, which is what a GAN over a few hundred to a few thousand tiles wants.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch import Tensor

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp")


@dataclass(frozen=True)
class ImageSet:
    """N images (float, N x 3 x R x R, in [-1, 1]) with labels (N,) and sorted class names."""

    images: Tensor
    labels: Tensor
    class_names: list[str]

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    def as_uint8(self) -> Tensor:
        return to_uint8(self.images)


def to_uint8(images: Tensor) -> Tensor:
    """[-1, 1] floats -> uint8 0..255, rounded (not truncated) so a round trip is exact."""
    return ((images.float().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)


def from_uint8(images: Tensor) -> Tensor:
    return images.float() / 127.5 - 1


def list_image_folder(root: Path) -> tuple[list[tuple[Path, int]], list[str]]:
    """(path, label) for every image under root/<class>/, with the sorted class names."""
    root = Path(root)
    class_names = sorted(p.name for p in root.iterdir() if p.is_dir() and not _hidden(p))
    items = [
        (path, label)
        for label, name in enumerate(class_names)
        for path in sorted((root / name).rglob("*"))
        if path.suffix.lower() in IMAGE_SUFFIXES and path.is_file() and not _hidden(path)
    ]
    if not items:
        raise ValueError(f"no images found in class folders under {root}")
    return items, class_names


def _hidden(path: Path) -> bool:
    return path.name.startswith(".")


def load_image_folder(root: Path, resolution: int) -> ImageSet:
    """A folder of class folders (torchvision ImageFolder layout) as an ImageSet."""
    items, class_names = list_image_folder(root)
    return load_items(items, class_names, resolution)


def load_items(
    items: Sequence[tuple[Path, int]], class_names: Sequence[str], resolution: int
) -> ImageSet:
    """Decode (path, label) pairs; labels index `class_names`."""
    bad = [label for _, label in items if not 0 <= label < len(class_names)]
    if bad:
        raise ValueError(f"labels {sorted(set(bad))} out of range for {len(class_names)} classes")
    pixels = np.stack([_read_square(path, resolution) for path, _ in items])
    images = from_uint8(torch.from_numpy(pixels).permute(0, 3, 1, 2))
    labels = torch.tensor([label for _, label in items], dtype=torch.long)
    return ImageSet(images.contiguous(), labels, list(class_names))


def _read_square(path: Path, resolution: int) -> np.ndarray:
    """RGB, centre-cropped to a square, resized to resolution x resolution (H x W x 3 uint8)."""
    with Image.open(path) as image:
        rgb = image.convert("RGB")
    side = min(rgb.size)
    left, top = (rgb.width - side) // 2, (rgb.height - side) // 2
    square = rgb.crop((left, top, left + side, top + side))
    if side != resolution:
        square = square.resize((resolution, resolution), Image.Resampling.LANCZOS)
    return np.asarray(square, dtype=np.uint8)


class BatchSampler:
    """Endless shuffled batches: each epoch is a fresh permutation drawn from its own seeded
    generator, and batches run across epoch ends so every image is seen equally often.

    Its whole state (generator, current permutation, position) goes into checkpoints, so a
    resumed run draws exactly the batches the uninterrupted run would have drawn.
    """

    def __init__(self, size: int, batch_size: int, seed: int):
        self.size, self.batch_size = size, batch_size
        self.generator = torch.Generator().manual_seed(seed)
        self.order = torch.randperm(size, generator=self.generator)
        self.position = 0

    def next_indices(self) -> Tensor:
        parts, missing = [], self.batch_size
        while missing:
            if self.position == self.size:
                self.order = torch.randperm(self.size, generator=self.generator)
                self.position = 0
            take = min(missing, self.size - self.position)
            parts.append(self.order[self.position : self.position + take])
            self.position += take
            missing -= take
        return torch.cat(parts)

    def state_dict(self) -> dict:
        return {
            "generator": self.generator.get_state(),
            "order": self.order.clone(),
            "position": self.position,
        }

    def load_state_dict(self, state: dict) -> None:
        self.generator.set_state(state["generator"])
        self.order = state["order"].clone()
        self.position = state["position"]
