"""The training loop: read `train` top to bottom.

    data (+ offline affine expansion) -> G, D, EMA-G, Adam x2, LeCam, sampler, noise RNG
    -> [resume from out_dir/checkpoint.pt] -> per iteration: D step(s), G step, EMA update,
    progress callback, checkpoint every K, evaluation every M -> export generator.pt

Determinism: every random draw of the loop comes from a torch.Generator the loop owns (batch
order, latents, labels, DiffAugment), all of them seeded from `config.seed` and saved in each
checkpoint with the networks, optimisers, EMA and LeCam state, so on the same device N
iterations, a checkpoint and N more give bit-for-bit the weights of 2N iterations in one go.

The portal's Celery task drives a run through `Callbacks` (progress, evaluation results,
checkpoint upload, cancellation) and never reaches into the loop.
"""

import copy
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import torch
from torch import Tensor, nn

from gan_engine import checkpoint
from gan_engine.augment import diff_augment, expand_with_affine
from gan_engine.config import SCHEDULE_FIELDS, TrainConfig
from gan_engine.data import BatchSampler, ImageSet
from gan_engine.losses import LeCam, d_hinge_loss, g_hinge_loss
from gan_engine.nets import build_discriminator, build_generator
from gan_engine.sample import SamplingModel, export_payload, generate, sampling_generator

ADAM_BETAS = (0.0, 0.999)
CHECKPOINT_NAME = "checkpoint.pt"
EXPORT_NAME = "generator.pt"
EVAL_SEED_BASE = 1_000_000  # evaluation latents: the same seeds at every evaluation
# Independent random streams derived from config.seed (seed | stream << 32).
SAMPLER_STREAM, NOISE_STREAM, PRE_AUGMENT_STREAM = 1, 2, 3


@dataclass(frozen=True)
class Progress:
    """After each iteration. images_per_second counts real images through D per second."""

    iteration: int  # iterations done
    total: int
    d_loss: float
    g_loss: float
    images_per_second: float


@dataclass(frozen=True)
class Evaluation:
    """One evaluation: the evaluator's report and the generated images it was computed on."""

    iteration: int
    report: Any  # what the evaluator returns; metrics.EvaluationReport by default
    images: Tensor  # uint8 N x 3 x R x R
    labels: Tensor


class Evaluator(Protocol):
    """Compares generated with real images (uint8, N x 3 x H x W, with class labels)."""

    def __call__(
        self,
        real: Tensor,
        fake: Tensor,
        *,
        real_labels: Tensor,
        fake_labels: Tensor,
        class_names: list[str],
    ) -> Any: ...


@dataclass(frozen=True)
class MetricsEvaluator:
    """The default evaluator: FID, KID and IS from gan_engine.metrics, overall and per class."""

    extractor: str = "inception-v3-fid"
    weights_path: str | None = None
    metrics: tuple[str, ...] = ("fid", "kid", "is")
    device: str = "cpu"

    def __call__(self, real, fake, *, real_labels, fake_labels, class_names):
        from gan_engine import metrics  # imported on first use: training needs no metrics code

        return metrics.evaluate(
            real,
            fake,
            real_labels=real_labels,
            fake_labels=fake_labels,
            extractor=self.extractor,
            weights_path=self.weights_path,
            metrics=self.metrics,
            device=self.device,
            class_names=class_names,
        )


def _ignore(*_: object) -> None:
    return None


def _never() -> bool:
    return False


@dataclass(frozen=True)
class Callbacks:
    """How a caller follows and steers a run. Each is called in the training process.

    on_progress(Progress): after every iteration (throttle on your side if it writes to a db).
    on_evaluation(Evaluation): after every evaluation.
    on_checkpoint(path, iteration): after each checkpoint is in place (e.g. upload it).
    should_stop() -> bool: before every iteration; True saves a checkpoint and returns.
    """

    on_progress: Callable[[Progress], None] = _ignore
    on_evaluation: Callable[[Evaluation], None] = _ignore
    on_checkpoint: Callable[[Path, int], None] = _ignore
    should_stop: Callable[[], bool] = _never


@dataclass(frozen=True)
class TrainResult:
    iteration: int
    resumed_from: int  # the checkpoint's iteration; 0 for a fresh run
    stopped: bool  # should_stop ended the run early
    checkpoint: Path
    export: Path | None  # the sampling generator, written when the run completed


@dataclass
class TrainState:
    """Everything a checkpoint holds, besides the config."""

    generator: nn.Module
    discriminator: nn.Module
    generator_ema: nn.Module | None
    g_optimizer: torch.optim.Optimizer
    d_optimizer: torch.optim.Optimizer
    lecam: LeCam
    sampler: BatchSampler
    noise: torch.Generator  # latents, fake labels and DiffAugment draws
    iteration: int = 0


def stream_seed(seed: int, stream: int) -> int:
    return seed | stream << 32


def build_state(
    config: TrainConfig, num_classes: int, dataset_size: int, device: torch.device
) -> TrainState:
    """Fresh networks (initialised from config.seed), optimisers and random generators."""
    generator = build_generator(config, num_classes)
    discriminator = build_discriminator(config, num_classes)
    memory_format = torch.channels_last if config.channels_last else torch.contiguous_format
    generator = generator.to(device, memory_format=memory_format)
    discriminator = discriminator.to(device, memory_format=memory_format)
    ema = copy.deepcopy(generator).requires_grad_(False) if config.ema_decay else None
    return TrainState(
        generator=generator,
        discriminator=discriminator,
        generator_ema=ema,
        g_optimizer=torch.optim.Adam(generator.parameters(), lr=config.g_lr, betas=ADAM_BETAS),
        d_optimizer=torch.optim.Adam(discriminator.parameters(), lr=config.d_lr, betas=ADAM_BETAS),
        lecam=LeCam(config.lecam_decay, device),
        sampler=BatchSampler(
            dataset_size, config.batch_size, stream_seed(config.seed, SAMPLER_STREAM)
        ),
        noise=torch.Generator(device).manual_seed(stream_seed(config.seed, NOISE_STREAM)),
    )


def training_set(config: TrainConfig, data: ImageSet) -> tuple[Tensor, Tensor]:
    """The images D sees as real: the data, expanded offline when the config asks for it."""
    if not config.pre_augment_to:
        return data.images, data.labels
    rng = torch.Generator().manual_seed(stream_seed(config.seed, PRE_AUGMENT_STREAM))
    return expand_with_affine(data.images, data.labels, config.pre_augment_to, rng)


def train(
    config: TrainConfig,
    data: ImageSet,
    out_dir: Path,
    *,
    callbacks: Callbacks = Callbacks(),  # noqa: B008 (frozen, so sharing the default is safe)
    evaluator: Evaluator | None = None,
    resume: bool = False,
    device: str = "cpu",
) -> TrainResult:
    """Train on `data`, keeping out_dir/checkpoint.pt and finally out_dir/generator.pt.

    With resume=True the run continues from out_dir/checkpoint.pt if there is one (and starts
    fresh if not, so a task retried before its first checkpoint just starts); without it an
    existing checkpoint is an error rather than something to overwrite. `evaluator` defaults to
    MetricsEvaluator(); it always compares against the un-augmented `data`.
    """
    device = torch.device(device)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    checkpoint_path = out_dir / CHECKPOINT_NAME
    if evaluator is None:
        evaluator = MetricsEvaluator(device=str(device))

    if checkpoint_path.exists() and not resume:
        raise FileExistsError(f"{checkpoint_path} exists: resume it or train into a new folder")
    images, labels = (t.to(device) for t in training_set(config, data))
    state = build_state(config, data.num_classes, len(images), device)
    if checkpoint_path.exists():
        restore(state, checkpoint.load(checkpoint_path), config, data.class_names)
    resumed_from = state.iteration
    autocast = autocast_for(device, config.precision)

    def save_checkpoint() -> None:
        checkpoint.save_atomic(checkpoint_payload(state, config, data.class_names), checkpoint_path)
        callbacks.on_checkpoint(checkpoint_path, state.iteration)

    stopped = False
    while state.iteration < config.iterations:
        if callbacks.should_stop():
            stopped = True
            break
        started = time.perf_counter()
        d_loss, g_loss = train_step(state, config, images, labels, autocast)
        state.iteration += 1
        seconds = time.perf_counter() - started
        callbacks.on_progress(
            Progress(
                state.iteration,
                config.iterations,
                float(d_loss),
                float(g_loss),
                config.batch_size * config.d_steps / seconds,
            )
        )
        done = state.iteration == config.iterations
        if done or _due(state.iteration, config.checkpoint_every):
            save_checkpoint()
        if _due(state.iteration, config.eval_every) or (done and config.eval_every):
            callbacks.on_evaluation(evaluate(state, config, data, evaluator))
    if stopped:
        save_checkpoint()
        return TrainResult(state.iteration, resumed_from, True, checkpoint_path, None)
    export_path = out_dir / EXPORT_NAME
    generator = sampling_generator(config, data.num_classes, sampling_weights(state), device=device)
    model = SamplingModel(generator, data.class_names, config, state.iteration)
    checkpoint.save_atomic(export_payload(model), export_path)
    return TrainResult(state.iteration, resumed_from, False, checkpoint_path, export_path)


def _due(iteration: int, every: int) -> bool:
    return every > 0 and iteration % every == 0


def train_step(
    state: TrainState,
    config: TrainConfig,
    images: Tensor,
    labels: Tensor,
    autocast: AbstractContextManager,
) -> tuple[Tensor, Tensor]:
    """`config.d_steps` discriminator steps, then one generator step; returns their losses."""
    G, D = state.generator, state.discriminator
    ops = config.diffaugment_ops
    memory_format = torch.channels_last if config.channels_last else torch.contiguous_format

    def discriminate(x: Tensor, y: Tensor) -> Tensor:
        x = diff_augment(x, ops, state.noise).contiguous(memory_format=memory_format)
        return D(x, y).float()

    D.requires_grad_(True)
    for _ in range(config.d_steps):
        index = state.sampler.next_indices().to(images.device)
        z, y_fake = _latents(state, config, G.num_classes, images.device)
        with autocast:
            with torch.no_grad():
                fake = G(z, y_fake)
            real_logits = discriminate(images[index], labels[index])
            fake_logits = discriminate(fake, y_fake)
            d_loss = d_hinge_loss(real_logits, fake_logits)
            if config.lecam_weight:
                state.lecam.update(real_logits, fake_logits)
                d_loss = d_loss + config.lecam_weight * state.lecam.penalty(
                    real_logits, fake_logits
                )
        state.d_optimizer.zero_grad(set_to_none=True)
        d_loss.backward()
        state.d_optimizer.step()

    D.requires_grad_(False)  # the G step needs gradients through D, not for D's weights
    z, y_fake = _latents(state, config, G.num_classes, images.device)
    with autocast:
        g_loss = g_hinge_loss(discriminate(G(z, y_fake), y_fake))
    state.g_optimizer.zero_grad(set_to_none=True)
    g_loss.backward()
    state.g_optimizer.step()

    if state.generator_ema is not None:
        decay = min(config.ema_decay, (1 + state.iteration) / (10 + state.iteration))
        update_ema(state.generator_ema, G, decay)
    return d_loss.detach(), g_loss.detach()


def _latents(
    state: TrainState, config: TrainConfig, num_classes: int, device: torch.device
) -> tuple[Tensor, Tensor]:
    z = torch.randn(config.batch_size, config.z_dim, generator=state.noise, device=device)
    y = torch.randint(num_classes, (config.batch_size,), generator=state.noise, device=device)
    return z, y


@torch.no_grad()
def update_ema(ema: nn.Module, model: nn.Module, decay: float) -> None:
    """Weights move towards the model's; buffers (BatchNorm statistics, spectral-norm vectors)
    are copied, as in BigGAN, and BatchNorm is recomputed before sampling anyway."""
    for averaged, current in zip(ema.parameters(), model.parameters(), strict=True):
        averaged.lerp_(current, 1 - decay)
    for averaged, current in zip(ema.buffers(), model.buffers(), strict=True):
        averaged.copy_(current)


def sampling_weights(state: TrainState) -> dict[str, Tensor]:
    """The generator to sample from: the EMA one where the run keeps one."""
    ema = state.generator_ema
    return (state.generator if ema is None else ema).state_dict()


def autocast_for(device: torch.device, precision: str) -> AbstractContextManager:
    """bf16 autocast when asked for and the device has it; otherwise plain fp32."""
    if precision == "bf16" and (device.type == "cpu" or torch.cuda.is_bf16_supported()):
        return torch.autocast(device.type, dtype=torch.bfloat16)
    return nullcontext()


def evaluate(
    state: TrainState, config: TrainConfig, data: ImageSet, evaluator: Evaluator
) -> Evaluation:
    """Generate as many images per class as the real set has (fixed seeds, so evaluations
    differ only by the weights) and compare them with the un-augmented real images."""
    device = next(state.generator.parameters()).device
    generator = sampling_generator(config, data.num_classes, sampling_weights(state), device=device)
    seeds = EVAL_SEED_BASE + torch.arange(len(data))
    fake = generate(generator, data.labels, seeds)
    report = evaluator(
        data.as_uint8(),
        fake,
        real_labels=data.labels,
        fake_labels=data.labels,
        class_names=data.class_names,
    )
    return Evaluation(state.iteration, report, fake, data.labels)


def checkpoint_payload(state: TrainState, config: TrainConfig, class_names: list[str]) -> dict:
    return {
        "format": checkpoint.CHECKPOINT_FORMAT,
        "iteration": state.iteration,
        "config": config.to_dict(),
        "class_names": list(class_names),
        "generator": state.generator.state_dict(),
        "discriminator": state.discriminator.state_dict(),
        "generator_ema": None if state.generator_ema is None else state.generator_ema.state_dict(),
        "g_optimizer": state.g_optimizer.state_dict(),
        "d_optimizer": state.d_optimizer.state_dict(),
        "lecam": state.lecam.state_dict(),
        "sampler": state.sampler.state_dict(),
        "noise": state.noise.get_state(),
        "global_rng": checkpoint.global_rng_state(),
    }


def restore(state: TrainState, payload: dict, config: TrainConfig, class_names: list[str]) -> None:
    """Put a checkpoint's state back, after checking it was made by the same computation."""
    saved = TrainConfig(**payload["config"]).to_dict()
    changed = sorted(
        name
        for name, value in config.to_dict().items()
        if name not in SCHEDULE_FIELDS and saved[name] != value
    )
    if changed:
        raise ValueError(
            f"the checkpoint was made with other settings for {changed}; only "
            f"{list(SCHEDULE_FIELDS)} may change on resume"
        )
    if list(payload["class_names"]) != list(class_names):
        raise ValueError(
            f"the checkpoint's classes {payload['class_names']} differ from the data's "
            f"{class_names}"
        )
    state.generator.load_state_dict(payload["generator"])
    state.discriminator.load_state_dict(payload["discriminator"])
    if state.generator_ema is not None:
        state.generator_ema.load_state_dict(payload["generator_ema"])
    state.g_optimizer.load_state_dict(payload["g_optimizer"])
    state.d_optimizer.load_state_dict(payload["d_optimizer"])
    state.lecam.load_state_dict(payload["lecam"])
    state.sampler.load_state_dict(payload["sampler"])
    state.noise.set_state(payload["noise"])
    checkpoint.restore_global_rng_state(payload["global_rng"])
    state.iteration = int(payload["iteration"])
