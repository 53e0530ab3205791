"""Benchmark of the quality report: wall time for 2,000 synthetic images per class x 3 classes.

Real images: the IHC demo set (gan_engine.demo_data, 225 tiles of 64 x 64 in 3 DAB classes).
"Synthetic" images: random 64 x 64 crops of the same slide at any offset, each mirrored and
turned at random and labelled like the demo set (its DAB-fraction tertile boundaries), drawn
until every class has enough. They stand in for a generator's output at no training cost; they
overlap the real tiles, so the memorization figures are expected to flag them.

Prints one JSON line: the machine, the date, the report's wall time and headline figures, and
as its baseline the same report on 200 synthetic images per class, measured in the same run.
No Inception-v3 weights are used (none here): the domain CNN is the only feature network.

    .venv/bin/python bench/quality_report.py [--per-class 2000] [--baseline-per-class 200]
"""

import argparse
import json
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import torch
from engine_common import ROOT  # noqa: F401 (puts the repository on sys.path)
from machine_info import machine
from skimage import data

from gan_engine.data import load_image_folder
from gan_engine.demo_data import CLASS_NAMES, dab_positive, tile_origins, write_ihc_demo_set
from gan_engine.quality import quality_report

TILE = 64
TARGET_S = 600


def demo_set() -> tuple[torch.Tensor, torch.Tensor, list[str]]:
    with tempfile.TemporaryDirectory(prefix="bench-quality-") as tmp:
        write_ihc_demo_set(Path(tmp))
        real = load_image_folder(Path(tmp), TILE)
    return real.as_uint8(), real.labels, real.class_names


def crops(
    per_class: int, class_names: list[str], seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """Random crops of the slide, per_class of each class, classed by DAB fraction like the
    demo set (boundaries: the tertiles of its 225 tiles' fractions)."""
    slide = data.immunohistochemistry()
    positive = dab_positive(slide)
    origins = tile_origins(*slide.shape[:2], TILE, 32)  # the demo set's tiles
    grid = [positive[y : y + TILE, x : x + TILE].mean() for y, x in origins]
    bounds = np.quantile(grid, [1 / 3, 2 / 3])
    order = [CLASS_NAMES.index(name) for name in class_names]  # demo index -> folder label
    rng = np.random.default_rng(seed)
    images, labels, counts = [], [], [0] * len(class_names)
    while min(counts) < per_class:
        y, x = rng.integers(0, slide.shape[0] - TILE + 1, size=2)
        label = order.index(
            int(np.searchsorted(bounds, positive[y : y + TILE, x : x + TILE].mean()))
        )
        if counts[label] == per_class:
            continue
        tile = np.rot90(slide[y : y + TILE, x : x + TILE], k=int(rng.integers(4)))
        images.append(np.ascontiguousarray(tile[:, ::-1] if rng.random() < 0.5 else tile))
        labels.append(label)
        counts[label] += 1
    return torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).contiguous(), torch.tensor(labels)


def measure(per_class: int, real: tuple, weights: Path) -> dict:
    synthetic, labels = crops(per_class, real[2])
    started = time.perf_counter()
    report = quality_report(
        real[0], real[1], synthetic, labels, real[2], inception_weights_path=str(weights)
    )
    seconds = time.perf_counter() - started
    summary = report.to_dict()
    domain = next(f for f in summary["fidelity"] if f["available"])
    kid = next(r for r in domain["distances"] if r["name"] == "kid" and r["class_name"] is None)
    overall = domain["manifold"][0]
    return {
        "synthetic_images": len(labels),
        "seconds": round(seconds, 1),
        "kernel_distance": round(kid["value"], 4),
        "precision": round(overall["precision"], 3),
        "recall": round(overall["recall"], 3),
        "memorized_share": round(summary["memorization"]["memorized_share"], 3),
        "accuracy_gain": round(summary["usefulness"]["accuracy_gain"], 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-class", type=int, default=2000)
    parser.add_argument("--baseline-per-class", type=int, default=200)
    arguments = parser.parse_args()
    real = demo_set()
    with tempfile.TemporaryDirectory() as tmp:
        no_weights = Path(tmp) / "no-inception-weights.pth"  # Inception: unavailable at once
        run = measure(arguments.per_class, real, no_weights)
        baseline = measure(arguments.baseline_per_class, real, no_weights)
    print(
        json.dumps(
            {
                "bench": "quality_report",
                "machine": machine(),
                "date": datetime.now(UTC).isoformat(timespec="seconds"),
                "load_average_1min": round(os.getloadavg()[0], 2),
                "torch": torch.__version__,
                "real_images": len(real[1]),
                **run,
                "target_s": TARGET_S,
                "baseline": baseline,
            }
        )
    )


if __name__ == "__main__":
    main()
