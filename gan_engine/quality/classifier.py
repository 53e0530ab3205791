"""The small CNN classifier of the quality report ("domain CNN").

One architecture and one training recipe serve three purposes, which is why they live here
alone: trained on the real train split it is the usefulness baseline (a) and, through its
texture statistics (domain_extractor.py), the feature network for a domain without Inception;
trained on synthetic images (b) or on both (c) it measures what the synthetic set is worth.

Training is seeded and owns its random streams (initialisation, batch order, augmentation),
so the same data, config and seed give the same weights. A fixed number of optimiser steps,
whatever the set size, gives (a), (b) and (c) the same compute.

The network runs on one CPU thread (`one_thread`): CPU kernels pick their reduction order by
thread count, so a fixed count makes weights and features independent of the machine's cores;
and a network this small gains little from more threads, while two threads sharing a busy
2-core machine with other processes ran 15x slower than one (OpenMP threads waiting for each
other at every operation).
"""

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gan_engine.data import BatchSampler

FORMAT = "gan_engine.quality.classifier/1"
INIT_STREAM, SAMPLER_STREAM, AUGMENT_STREAM = 1, 2, 3  # independent seeds: seed | stream << 32


@dataclass(frozen=True)
class ClassifierConfig:
    """Everything that decides what a training computes, besides the data and the seed."""

    widths: tuple[int, ...] = (16, 32, 64, 128)
    steps: int = 300
    batch_size: int = 32
    lr: float = 2e-3
    weight_decay: float = 1e-4
    augment: bool = True  # random flips and quarter turns: tissue tiles have no orientation

    def __post_init__(self) -> None:
        if not self.widths or min(self.widths) < 1 or self.steps < 1 or self.batch_size < 1:
            raise ValueError(f"widths, steps and batch_size must be positive: {self}")

    def to_dict(self) -> dict:
        return {**asdict(self), "widths": list(self.widths)}


DEFAULT_CONFIG = ClassifierConfig()


@dataclass(frozen=True)
class LabelledImages:
    """uint8 images N x 3 x H x W with their class labels (N,)."""

    images: Tensor
    labels: Tensor

    def __post_init__(self) -> None:
        if self.images.dtype != torch.uint8 or self.images.dim() != 4 or self.images.shape[1] != 3:
            raise ValueError(
                f"images must be uint8 N x 3 x H x W, got {self.images.dtype} "
                f"{tuple(self.images.shape)}"
            )
        if self.labels.shape != (len(self.images),):
            raise ValueError(
                f"labels must have shape ({len(self.images)},), got {tuple(self.labels.shape)}"
            )

    def __len__(self) -> int:
        return len(self.labels)

    def subset(self, indices: Tensor | list[int] | tuple[int, ...]) -> "LabelledImages":
        indices = torch.as_tensor(indices, dtype=torch.long)
        return LabelledImages(self.images[indices], self.labels[indices])

    def __add__(self, other: "LabelledImages") -> "LabelledImages":
        return LabelledImages(
            torch.cat([self.images, other.images]), torch.cat([self.labels, other.labels])
        )


@contextmanager
def one_thread() -> Iterator[None]:
    """Run torch's CPU work in this block on one thread, restoring the count afterwards."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def to_input(images: Tensor, resolution: int) -> Tensor:
    """uint8 images as the network's input: floats in [-1, 1] at resolution x resolution."""
    x = images.float() / 127.5 - 1
    if x.shape[-2:] != (resolution, resolution):
        x = F.interpolate(x, size=(resolution, resolution), mode="bilinear", antialias=True)
    return x


class DomainCNN(nn.Module):
    """Stages of conv3x3-BatchNorm, each followed by ReLU and 2x2 max-pooling into the next;
    global average pooling and a linear layer classify. The first convolution has stride 2:
    it still sees neighbouring pixels (fine grain) at a quarter of the cost of full size.

    `stage_outputs` exposes the BatchNorm outputs: normalised per channel over the training
    data, so statistics taken from different stages have comparable scales.
    """

    def __init__(self, num_classes: int, widths: tuple[int, ...]):
        super().__init__()
        channels = (3, *widths)
        self.stages = nn.ModuleList(
            nn.Sequential(
                nn.Conv2d(c_in, c_out, 3, stride=2 if i == 0 else 1, padding=1, bias=False),
                nn.BatchNorm2d(c_out),
            )
            for i, (c_in, c_out) in enumerate(zip(channels, channels[1:], strict=False))
        )
        self.head = nn.Linear(widths[-1], num_classes)

    def stage_outputs(self, x: Tensor) -> list[Tensor]:
        outputs = []
        for i, stage in enumerate(self.stages):
            if i:
                x = F.max_pool2d(F.relu(x), 2)
            x = stage(x)
            outputs.append(x)
        return outputs

    def forward(self, x: Tensor) -> Tensor:
        return self.head(F.relu(self.stage_outputs(x)[-1]).mean(dim=(2, 3)))


@dataclass(frozen=True)
class DomainClassifier:
    """A trained DomainCNN with what it takes to rebuild and name it; weights on the CPU."""

    class_names: tuple[str, ...]
    resolution: int
    seed: int
    config: ClassifierConfig
    state: dict[str, Tensor] = field(repr=False, compare=False)

    def network(self, device: str = "cpu") -> DomainCNN:
        """A new network with these weights, in eval mode and frozen."""
        net = DomainCNN(len(self.class_names), self.config.widths)
        net.load_state_dict(self.state)
        return net.eval().requires_grad_(False).to(device)

    def fingerprint(self) -> str:
        """12 hex digits of a hash of the weights: the same name means the same network."""
        digest = hashlib.sha256()
        for key, tensor in self.state.items():
            digest.update(key.encode())
            digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
        return digest.hexdigest()[:12]

    @torch.inference_mode()
    @one_thread()
    def predict(self, images: Tensor, *, device: str = "cpu", batch_size: int = 256) -> Tensor:
        """Predicted class index of each uint8 image."""
        net = self.network(device)
        return torch.cat(
            [
                net(to_input(batch.to(device), self.resolution)).argmax(1).cpu()
                for batch in images.split(batch_size)
            ]
        )

    def save(self, path: Path) -> None:
        torch.save(
            {
                "format": FORMAT,
                "class_names": list(self.class_names),
                "resolution": self.resolution,
                "seed": self.seed,
                "config": self.config.to_dict(),
                "state": self.state,
            },
            path,
        )

    @classmethod
    def load(cls, path: Path) -> "DomainClassifier":
        payload = torch.load(path, map_location="cpu", weights_only=True)
        if payload.get("format") != FORMAT:
            raise ValueError(f"{path} is not a saved domain classifier ({FORMAT})")
        config = ClassifierConfig(
            **{**payload["config"], "widths": tuple(payload["config"]["widths"])}
        )
        return cls(
            tuple(payload["class_names"]),
            payload["resolution"],
            payload["seed"],
            config,
            payload["state"],
        )


@one_thread()
def train_classifier(
    data: LabelledImages,
    class_names: tuple[str, ...] | list[str],
    *,
    config: ClassifierConfig = DEFAULT_CONFIG,
    seed: int = 0,
    device: str = "cpu",
) -> DomainClassifier:
    """Train a DomainCNN on `data` at the images' own resolution (AdamW, cosine decay)."""
    if len(data) < 2:
        raise ValueError(f"need at least 2 training images, got {len(data)}")
    resolution = data.images.shape[-1]
    with torch.random.fork_rng(devices=[]):  # initialisation without touching the caller's RNG
        torch.manual_seed(seed | INIT_STREAM << 32)
        net = DomainCNN(len(class_names), config.widths).to(device)
    optimiser = torch.optim.AdamW(net.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, T_max=config.steps)
    sampler = BatchSampler(
        len(data), min(config.batch_size, len(data)), seed | SAMPLER_STREAM << 32
    )
    augment_rng = torch.Generator().manual_seed(seed | AUGMENT_STREAM << 32)
    net.train()
    for _ in range(config.steps):
        batch = data.subset(sampler.next_indices())
        x = to_input(batch.images, resolution)
        if config.augment:
            x = flip_and_turn(x, augment_rng)
        loss = F.cross_entropy(net(x.to(device)), batch.labels.to(device))
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        schedule.step()
    state = {k: v.detach().cpu().clone() for k, v in net.state_dict().items()}
    return DomainClassifier(tuple(class_names), resolution, seed, config, state)


def flip_and_turn(x: Tensor, generator: torch.Generator) -> Tensor:
    """Each square image mirrored or not and turned by 0-3 quarter turns: the 8 symmetries of
    the square, so the network learns texture and colour rather than orientation."""
    n = len(x)
    mirrored = torch.rand(n, generator=generator) < 0.5
    turns = torch.randint(4, (n,), generator=generator)
    x = torch.where(mirrored[:, None, None, None], x.flip(3), x)
    for quarter in (1, 2, 3):
        chosen = turns == quarter
        x[chosen] = x[chosen].rot90(quarter, dims=(2, 3))
    return x
