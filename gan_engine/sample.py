"""Images from a trained generator, reproducible from (weights, class, seed).

Each image's latent vector comes from its own torch.Generator seeded with the image's seed,
the network runs in eval mode on batches of a fixed size, so an image does not depend on which
other images share its batch: a generation job that dies and resumes, or asks for another
number of images, writes the same files (on the same device and precision).

Sampling uses a separate generator made by `sampling_generator`: its BatchNorm statistics are
recomputed over a fixed set of latents (the running averages kept during training lag behind
the weights, and an EMA generator's were never its own), and spectral norm is baked into its
weights. Exports (`generator.pt`) hold exactly that generator.
"""

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
from PIL import Image
from torch import Tensor, nn
from torch.nn.utils import parametrize

from gan_engine import checkpoint
from gan_engine.config import TrainConfig
from gan_engine.data import to_uint8
from gan_engine.nets import Generator, build_generator
from gan_engine.precision import bf16_supported

SAMPLING_BATCH = 64  # fixed: see generate()
BN_STAT_BATCHES = 4
BN_STAT_BATCH_SIZE = 64
BN_STAT_SEED = 20_240_229
GRID_PADDING = 2


def latents(seeds: Sequence[int], z_dim: int) -> Tensor:
    """One latent per seed, each from a generator seeded with it alone (on the CPU, so the same
    seed gives the same latent whatever device the network runs on)."""
    return torch.stack(
        [torch.randn(z_dim, generator=torch.Generator().manual_seed(int(s))) for s in seeds]
    )


@torch.no_grad()
def sampling_generator(
    config: TrainConfig,
    num_classes: int,
    weights: dict[str, Tensor],
    *,
    device: torch.device | str = "cpu",
    precision: str = "fp32",
) -> Generator:
    """A new generator with `weights` (a training generator's state dict), ready to sample:
    spectral norm baked into the weights, BatchNorm statistics recomputed, eval mode, fp32 or
    pure bf16. A new instance, so the training generator is never touched."""
    generator = build_generator(config, num_classes).to(device)
    generator.load_state_dict(weights)
    bake_spectral_norm(generator)
    _recompute_batchnorm(generator)
    return _with_precision(generator, precision)


def baked_generator(config: TrainConfig, num_classes: int) -> Generator:
    """An empty generator shaped like the ones `sampling_generator` makes (for loading exports)."""
    return bake_spectral_norm(build_generator(config, num_classes))


def bake_spectral_norm(generator: Generator) -> Generator:
    """Replace each spectrally normalised weight by its current value W / sigma (eval mode:
    no power iteration), so sampling does not recompute sigma at every call.

    Only for generators made by build_generator here: parametrisations share their class with
    deep copies, so removing them from a copy would break the original."""
    generator.eval()
    for module in generator.modules():
        if parametrize.is_parametrized(module, "weight"):
            parametrize.remove_parametrizations(module, "weight", leave_parametrized=True)
    return generator


def _recompute_batchnorm(generator: Generator) -> None:
    """BatchNorm statistics as exact averages over BN_STAT_BATCHES batches of seeded latents
    and random classes, the rest of the network in eval mode."""
    generator.eval()
    norms = [m for m in generator.modules() if isinstance(m, nn.BatchNorm2d)]
    for norm in norms:
        norm.reset_running_stats()
        norm.momentum = None  # cumulative average
        norm.train()
    device = next(generator.parameters()).device
    rng = torch.Generator().manual_seed(BN_STAT_SEED)
    for _ in range(BN_STAT_BATCHES):
        z = torch.randn(BN_STAT_BATCH_SIZE, generator.z_dim, generator=rng)
        y = torch.randint(generator.num_classes, (BN_STAT_BATCH_SIZE,), generator=rng)
        generator(z.to(device), y.to(device))
    for norm in norms:
        norm.eval()


def _with_precision(generator: Generator, precision: str) -> Generator:
    """Eval mode, frozen, in fp32 or entirely in bf16 (faster than autocast for inference) where
    the generator's device has bf16 arithmetic (gan_engine.precision)."""
    device = next(generator.parameters()).device
    dtype = torch.bfloat16 if precision == "bf16" and bf16_supported(device) else torch.float32
    return generator.eval().requires_grad_(False).to(dtype)


@torch.inference_mode()
def generate(
    generator: Generator,
    labels: Sequence[int] | Tensor,
    seeds: Sequence[int] | Tensor,
) -> Tensor:
    """uint8 images (N x 3 x R x R, on the CPU) for the given classes and seeds, computed on
    the generator's device in its dtype.

    The network always runs on batches of exactly SAMPLING_BATCH rows (the last one padded):
    CPU kernels pick their algorithm, and so their rounding, by batch size, and an image
    computed in a batch of 3 differed by a grey level from the same image in a batch of 64.
    With the size fixed an image depends on its label and seed only, not on its neighbours.
    """
    if generator.training:
        raise ValueError("generator is in training mode: sample from sampling_generator(...)")
    labels = torch.as_tensor(labels, dtype=torch.long).flatten()
    seeds = torch.as_tensor(seeds, dtype=torch.long).flatten()
    if len(labels) != len(seeds) or not len(labels):
        raise ValueError(f"need as many labels as seeds, at least one: {len(labels)}, {len(seeds)}")
    if labels.min() < 0 or labels.max() >= generator.num_classes:
        raise ValueError(f"labels must be in 0..{generator.num_classes - 1}")
    weight = next(generator.parameters())
    z = latents(seeds.tolist(), generator.z_dim).to(weight.device, weight.dtype)
    labels = labels.to(weight.device)
    batches = []
    for start in range(0, len(z), SAMPLING_BATCH):
        rows = min(SAMPLING_BATCH, len(z) - start)
        index = torch.arange(start, start + SAMPLING_BATCH).clamp(max=len(z) - 1)
        batches.append(to_uint8(generator(z[index], labels[index])[:rows]).cpu())
    return torch.cat(batches)


@dataclass(frozen=True)
class SamplingModel:
    """A generator ready to sample, with what it was trained as."""

    generator: Generator
    class_names: list[str]
    config: TrainConfig
    iteration: int


def export_payload(model: SamplingModel) -> dict:
    """What an export file holds: the prepared generator only (no D, no optimisers), in fp32."""
    return {
        "format": checkpoint.EXPORT_FORMAT,
        "config": model.config.to_dict(),
        "class_names": model.class_names,
        "iteration": model.iteration,
        "generator": {k: v.float() for k, v in model.generator.state_dict().items()},
    }


def load_sampling_model(
    path: Path, *, device: torch.device | str = "cpu", precision: str = "fp32"
) -> SamplingModel:
    """A training checkpoint or an export file, as a generator ready to sample on `device`.

    From a checkpoint the EMA generator is taken when the run kept one and prepared with
    `sampling_generator` (deterministically); an export holds a prepared generator already.
    """
    payload = checkpoint.load(path)
    config = TrainConfig(**payload["config"])
    class_names = list(payload["class_names"])
    if payload["format"] == checkpoint.EXPORT_FORMAT:
        generator = baked_generator(config, len(class_names))
        generator.load_state_dict(payload["generator"])
        generator = _with_precision(generator.to(device), precision)
    else:
        ema = payload["generator_ema"]
        weights = payload["generator"] if ema is None else ema
        generator = sampling_generator(
            config, len(class_names), weights, device=device, precision=precision
        )
    return SamplingModel(generator, class_names, config, int(payload["iteration"]))


def save_png(image: Tensor, path: Path) -> None:
    """One uint8 3 x H x W image as a PNG."""
    Image.fromarray(image.permute(1, 2, 0).numpy()).save(path, format="PNG")


def grid(images: Tensor, columns: int) -> Tensor:
    """uint8 images tiled row by row on a white background (3 x H' x W')."""
    n, c, h, w = images.shape
    rows = math.ceil(n / columns)
    step_h, step_w = h + GRID_PADDING, w + GRID_PADDING
    canvas = torch.full(
        (c, rows * step_h + GRID_PADDING, columns * step_w + GRID_PADDING), 255, dtype=torch.uint8
    )
    for i, image in enumerate(images):
        top = GRID_PADDING + (i // columns) * step_h
        left = GRID_PADDING + (i % columns) * step_w
        canvas[:, top : top + h, left : left + w] = image
    return canvas


def class_grid(images: Tensor, labels: Tensor, num_classes: int, per_class: int) -> Tensor:
    """The first `per_class` images of each class, one row per class."""
    rows = [images[labels == c][:per_class] for c in range(num_classes)]
    blank = torch.full_like(images[:1], 255)
    padded = [torch.cat([row, blank.expand(per_class - len(row), -1, -1, -1)]) for row in rows]
    return grid(torch.cat(padded), per_class)


def write_samples(
    model: SamplingModel,
    out_dir: Path,
    *,
    per_class: int,
    base_seed: int = 0,
) -> list[tuple[str, str, int]]:
    """`per_class` PNGs per class under out_dir/<class>/, image j of every class from seed
    base_seed + j (so asking for more images later extends a set, never reshuffles it), a
    metadata.csv (file_name, label, seed) and grid.png. Returns (file name, class, seed) rows."""
    out_dir = Path(out_dir)
    seeds = [base_seed + j for j in range(per_class)]
    labels = [c for c in range(len(model.class_names)) for _ in seeds]
    images = generate(model.generator, labels, seeds * len(model.class_names))
    rows = []
    for image, label, seed in zip(images, labels, seeds * len(model.class_names), strict=True):
        name = model.class_names[label]
        file_name = f"{name}/{name}-seed{seed}.png"
        (out_dir / name).mkdir(parents=True, exist_ok=True)
        save_png(image, out_dir / file_name)
        rows.append((file_name, name, seed))
    with open(out_dir / "metadata.csv", "w", newline="") as f:
        csv.writer(f).writerows([("file_name", "label", "seed"), *rows])
    columns = min(per_class, 16)
    save_png(
        class_grid(images, torch.tensor(labels), len(model.class_names), columns),
        out_dir / "grid.png",
    )
    return rows
