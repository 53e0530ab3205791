"""Fixtures of the engine's tests: made-up image sets whose classes differ in mean colour.

The engine never imports Django, so its tests must also run with `-p no:django`. The suite's
autouse fixtures (MEDIA_ROOT, password hashers) set attributes on pytest-django's `settings`;
here `settings` is a plain namespace, so they run, and touch no Django, with or without it.
"""

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from PIL import Image

from gan_engine.data import ImageSet, from_uint8

# Mean colours of the made-up classes (RGB, 0..255): far apart, so conditioning is testable.
CLASS_COLOURS = {"blue": (40, 60, 200), "green": (40, 190, 70), "red": (210, 50, 40)}


@pytest.fixture
def settings():
    return SimpleNamespace()


@pytest.fixture(autouse=True)
def one_torch_thread():
    """The test networks are tiny and gain nothing from a second thread, while on a shared
    2-core machine (other test processes running) OpenMP threads waiting for each other made
    a training step 5-10x slower than with one thread."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def colour_images(per_class: int, size: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """uint8 N x size x size x 3 images: each class's colour plus blotchy texture, and labels
    (class index in sorted-name order)."""
    rng = np.random.default_rng(seed)
    images, labels = [], []
    for label, colour in enumerate(CLASS_COLOURS.values()):
        for _ in range(per_class):
            coarse = rng.normal(0, 25, (size // 8, size // 8, 3))
            texture = coarse.repeat(8, 0).repeat(8, 1) + rng.normal(0, 8, (size, size, 3))
            images.append(np.clip(np.array(colour) + texture, 0, 255).astype(np.uint8))
            labels.append(label)
    return np.stack(images), np.array(labels)


@pytest.fixture
def colour_set() -> ImageSet:
    """3 classes x 16 images of 32 x 32, in memory."""
    pixels, labels = colour_images(per_class=16, size=32)
    images = from_uint8(torch.from_numpy(pixels).permute(0, 3, 1, 2))
    return ImageSet(images, torch.from_numpy(labels), list(CLASS_COLOURS))


@pytest.fixture
def colour_folder(tmp_path) -> Path:
    """The same kind of set as PNG files in class folders (6 per class)."""
    root = tmp_path / "colours"
    pixels, labels = colour_images(per_class=6, size=32)
    names = list(CLASS_COLOURS)
    for i, (image, label) in enumerate(zip(pixels, labels, strict=True)):
        folder = root / names[label]
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray(image).save(folder / f"{i:03d}.png")
    return root
