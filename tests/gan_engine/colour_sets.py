"""Made-up image sets whose classes differ in mean colour, for the engine's tests."""

import numpy as np
import torch

from gan_engine.data import ImageSet, from_uint8

# Mean colours of the made-up classes (RGB, 0..255): far apart, so conditioning is testable.
CLASS_COLOURS = {"blue": (40, 60, 200), "green": (40, 190, 70), "red": (210, 50, 40)}


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


def colour_set(per_class: int, size: int = 32) -> ImageSet:
    pixels, labels = colour_images(per_class, size)
    images = from_uint8(torch.from_numpy(pixels).permute(0, 3, 1, 2))
    return ImageSet(images, torch.from_numpy(labels), list(CLASS_COLOURS))
