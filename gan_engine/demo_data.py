"""A small real biomedical image set that needs no download: IHC tiles in 3 stain classes.

How the set is made (`write_ihc_demo_set`):

1. Source: `skimage.data.immunohistochemistry()`, a 512 x 512 RGB photograph of colon tissue
   immunohistochemically stained (haematoxylin counterstain, DAB chromogen) that ships inside
   the scikit-image wheel, so nothing is downloaded.
2. Tiles: every `tile` x `tile` window at a stride of `stride` pixels, left to right, top to
   bottom; with the defaults (64, 32) that is 15 x 15 = 225 overlapping tiles, about the size
   of the paper's 185-image set.
3. Stain: the slide is separated into haematoxylin, eosin and DAB optical densities with
   `skimage.color.rgb2hed` (Ruifrok & Johnston colour deconvolution). A pixel counts as DAB
   positive when its DAB density exceeds Otsu's threshold computed over the whole slide.
4. Classes: each tile's DAB fraction (share of positive pixels) ranks the tiles; the lowest
   third is "dab-low", the middle third "dab-medium", the highest "dab-high" (ties broken by
   tile position, so the split is exact and repeatable: 75 / 75 / 75 with the defaults).
5. Files: `<out_dir>/<class>/ihc-y<row>-x<col>.png` (the tile's top-left pixel), RGB PNGs -
   the folder-of-class-folders layout that the portal imports and `gan_engine.data` loads.

The classes are a stand-in for a grading task (more or less stained tissue); they are real
pixels, but the labels come from a threshold, not from a pathologist.
"""

from pathlib import Path

import numpy as np
from PIL import Image
from skimage import color, data, filters

CLASS_NAMES = ("dab-low", "dab-medium", "dab-high")


def dab_positive(rgb: np.ndarray) -> np.ndarray:
    """Boolean mask of DAB-positive pixels (DAB density above the slide's Otsu threshold)."""
    dab = color.rgb2hed(rgb)[..., 2]
    return dab > filters.threshold_otsu(dab)


def tile_origins(height: int, width: int, tile: int, stride: int) -> list[tuple[int, int]]:
    """Top-left corners of every full tile, row by row."""
    return [
        (y, x)
        for y in range(0, height - tile + 1, stride)
        for x in range(0, width - tile + 1, stride)
    ]


def tertile_classes(values: np.ndarray) -> np.ndarray:
    """Class index 0/1/2 for each value by rank (lowest third -> 0); stable on ties."""
    ranks = np.empty(len(values), dtype=np.int64)
    ranks[np.argsort(values, kind="stable")] = np.arange(len(values))
    return ranks * len(CLASS_NAMES) // len(values)


def write_ihc_demo_set(out_dir: Path, *, tile: int = 64, stride: int = 32) -> dict[str, int]:
    """Write the IHC demo set under out_dir (see the module docstring); class name -> count."""
    if tile < 1 or stride < 1:
        raise ValueError(f"tile and stride must be positive, got {tile} and {stride}")
    rgb = data.immunohistochemistry()
    positive = dab_positive(rgb)
    origins = tile_origins(*rgb.shape[:2], tile, stride)
    if len(origins) < len(CLASS_NAMES):
        raise ValueError(f"tile {tile} / stride {stride} gives {len(origins)} tiles, too few")
    fractions = np.array([positive[y : y + tile, x : x + tile].mean() for y, x in origins])
    classes = tertile_classes(fractions)
    out_dir = Path(out_dir)
    for name in CLASS_NAMES:
        (out_dir / name).mkdir(parents=True, exist_ok=True)
    for (y, x), label in zip(origins, classes, strict=True):
        path = out_dir / CLASS_NAMES[label] / f"ihc-y{y:03d}-x{x:03d}.png"
        Image.fromarray(rgb[y : y + tile, x : x + tile]).save(path)
    return {name: int((classes == i).sum()) for i, name in enumerate(CLASS_NAMES)}
