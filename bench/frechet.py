"""CPU seconds of one Fréchet distance on 2048-d features, ours and torchmetrics' in one run.

An evaluation computes one distance overall and one per class, from a few hundred images each:
the sizes below are the demo set's (225 real tiles, 75 a class) against 300 synthetic ones (100
a class), plus one size with more samples than dimensions, where both take the d x d route.
Each line has both figures, their ratio and the two values' difference.

    .venv/bin/python bench/frechet.py [--threads N]
"""

import argparse
import time

from engine_common import emit, set_threads

SIZES = [(75, 100), (225, 300), (3000, 3000)]
DIMENSION = 2048


def cpu_seconds(function, *args) -> tuple[float, float]:
    """(CPU seconds, value) of one call: process time is steadier than wall time here."""
    start = time.process_time()
    value = function(*args)
    return time.process_time() - start, value


def torchmetrics_frechet(real, fake) -> float:
    """The baseline: torchmetrics' FID on precomputed features (eigenvalues of a d x d product)."""
    import torch
    from torchmetrics.image.fid import FrechetInceptionDistance

    class Precomputed(torch.nn.Module):
        num_features = DIMENSION

        def forward(self, x):
            return x

    metric = FrechetInceptionDistance(feature=Precomputed())
    metric.update(real, real=True)
    metric.update(fake, real=False)
    return float(metric.compute())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int)
    args = parser.parse_args()
    set_threads(args.threads)
    import torch

    from gan_engine.metrics import frechet_distance

    generator = torch.Generator().manual_seed(0)
    for n_real, n_fake in SIZES:
        real = torch.randn(n_real, DIMENSION, generator=generator)
        fake = torch.randn(n_fake, DIMENSION, generator=generator) * 1.1 + 0.1
        ours_seconds, ours = cpu_seconds(frechet_distance, real, fake)
        base_seconds, base = cpu_seconds(torchmetrics_frechet, real, fake)
        emit(
            "frechet",
            n_real=n_real,
            n_fake=n_fake,
            dimension=DIMENSION,
            cpu_seconds=round(ours_seconds, 3),
            torchmetrics_cpu_seconds=round(base_seconds, 3),
            speedup=round(base_seconds / ours_seconds, 1),
            value=round(ours, 4),
            torchmetrics_value=round(base, 4),
        )


if __name__ == "__main__":
    main()
