"""Fixtures of the engine's tests: made-up image sets whose classes differ in mean colour.

The engine never imports Django, so its tests must also run with `-p no:django`. The suite's
autouse fixtures (MEDIA_ROOT, password hashers) set attributes on pytest-django's `settings`;
here `settings` is a plain namespace, so they run, and touch no Django, with or without it.
"""

from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
from PIL import Image

from gan_engine.data import ImageSet
from tests.gan_engine.colour_sets import CLASS_COLOURS, colour_images, colour_set


@pytest.fixture
def settings():
    return SimpleNamespace()


@pytest.fixture(autouse=True, scope="package")
def one_torch_thread():
    """The test networks are tiny and gain nothing from a second thread, while on a shared
    2-core machine (other test processes running) OpenMP threads waiting for each other made
    a training step 5-10x slower than with one thread."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(name="colour_set")
def colour_set_fixture() -> ImageSet:
    """3 classes x 16 images of 32 x 32, in memory."""
    return colour_set(per_class=16)


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
