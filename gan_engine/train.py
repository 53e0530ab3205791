"""The training loop: read `train` top to bottom.

    data (+ offline affine expansion) -> G, D, EMA-G, Adam x2, LeCam, sampler, noise RNG
    -> [resume from out_dir/checkpoint.pt] -> per iteration: the draws (`draw_step`), then
    D step(s), G step, EMA update (`train_step`; a replayed CUDA graph on a GPU), progress
    every few iterations, evaluation every M (keeping the lowest-KID generator), checkpoint
    every K -> export generator.pt (the last or the lowest-KID generator: export_snapshot)

Determinism: every random draw of the loop comes from a torch.Generator the loop owns (batch
order, latents, labels, DiffAugment), all of them seeded from `config.seed` and saved in each
checkpoint with the networks, optimisers, EMA and LeCam state, so on the same device N
iterations, a checkpoint and N more give bit-for-bit the weights of 2N iterations in one go
(on a GPU too: docs/training.md says what makes it so).

The portal's Celery task drives a run through `Callbacks` (progress, evaluation results,
checkpoint upload, cancellation) and never reaches into the loop.
"""

import copy
import math
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, Protocol

import torch
from torch import Tensor, nn

from gan_engine import checkpoint
from gan_engine.augment import (
    AdaptiveProbability,
    AugmentDraws,
    apply_augment,
    draw_augment,
    expand_with_affine,
)
from gan_engine.capture import CapturedStep
from gan_engine.config import SCHEDULE_FIELDS, TrainConfig
from gan_engine.data import BatchSampler, ImageSet
from gan_engine.losses import LeCam, d_hinge_loss, g_hinge_loss
from gan_engine.nets import build_discriminator, build_generator
from gan_engine.precision import bf16_supported
from gan_engine.sample import SamplingModel, export_payload, generate, sampling_generator

ADAM_BETAS = (0.0, 0.999)
CHECKPOINT_NAME = "checkpoint.pt"
EXPORT_NAME = "generator.pt"
EVAL_SEED_BASE = 1_000_000  # evaluation latents: the same seeds at every evaluation
# Independent random streams derived from config.seed (seed | stream << 32).
SAMPLER_STREAM, NOISE_STREAM, PRE_AUGMENT_STREAM = 1, 2, 3
PROGRESS_EVERY_ON_GPU = 25  # ~0.5 s at 50 it/s; each report waits for the device


@dataclass(frozen=True)
class Progress:
    """Every `progress_every` iterations and at the end. images_per_second counts real images
    through D per second over the iterations since the last report, timed after the device
    finished them (reading the losses waits for it), so it is the speed, not the launch rate."""

    iteration: int  # iterations done
    total: int
    d_loss: float
    g_loss: float
    images_per_second: float
    ada_p: float | None = None  # ADA's augmentation probability, where the run adapts one


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
    export_iteration: int | None  # the iteration whose generator the export holds


@dataclass(frozen=True)
class Snapshot:
    """The sampling generator's weights at one evaluation, with the KID that evaluation gave."""

    iteration: int
    kid: float
    extractor: str  # KIDs of different feature networks are not compared
    weights: dict[str, Tensor]  # on the CPU


@dataclass
class TrainState:
    """Everything a checkpoint holds, besides the config."""

    generator: nn.Module
    discriminator: nn.Module
    generator_ema: nn.Module | None
    g_optimizer: torch.optim.Optimizer
    d_optimizer: torch.optim.Optimizer
    lecam: LeCam
    ada: AdaptiveProbability  # how often translation and cutout apply, where adaptive
    sampler: BatchSampler
    noise: torch.Generator  # latents, fake labels and DiffAugment draws
    iteration: int = 0
    lowest_kid: Snapshot | None = None  # the evaluation with the lowest KID so far


def stream_seed(seed: int, stream: int) -> int:
    return seed | stream << 32


def build_state(
    config: TrainConfig, num_classes: int, dataset_size: int, device: torch.device
) -> TrainState:
    """Fresh networks (initialised from config.seed), optimisers and random generators."""
    generator = build_generator(config, num_classes)
    discriminator = build_discriminator(config, num_classes)
    memory_format = memory_format_for(config, device)
    generator = generator.to(device, memory_format=memory_format)
    discriminator = discriminator.to(device, memory_format=memory_format)
    ema = copy.deepcopy(generator).requires_grad_(False) if config.ema_decay else None
    return TrainState(
        generator=generator,
        discriminator=discriminator,
        generator_ema=ema,
        g_optimizer=adam(generator, config.g_lr, device),
        d_optimizer=adam(discriminator, config.d_lr, device),
        lecam=LeCam(config.lecam_decay, device),
        ada=AdaptiveProbability(config.ada_target, config.batch_size / config.ada_speed, device),
        sampler=BatchSampler(
            dataset_size, config.batch_size, stream_seed(config.seed, SAMPLER_STREAM)
        ),
        noise=torch.Generator(device).manual_seed(stream_seed(config.seed, NOISE_STREAM)),
    )


# Devices whose networks always run channels_last: cuDNN's tensor-core convolutions (bf16 and
# TF32) work on NHWC and transpose NCHW tensors around every call. On a CPU it gained nothing,
# so there it stays the config's choice.
CHANNELS_LAST_DEVICES = ("cuda",)


def memory_format_for(config: TrainConfig, device: torch.device) -> torch.memory_format:
    if config.channels_last or device.type in CHANNELS_LAST_DEVICES:
        return torch.channels_last
    return torch.contiguous_format


def adam(module: nn.Module, lr: float, device: torch.device) -> torch.optim.Optimizer:
    """Adam with the paper's betas; on a GPU fused (a few kernels for all parameters) and
    capturable (its step count lives on the device, so the step can be a CUDA graph)."""
    on_gpu = device.type == "cuda"
    return torch.optim.Adam(
        module.parameters(), lr=lr, betas=ADAM_BETAS, fused=on_gpu, capturable=on_gpu
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
    progress_every: int | None = None,
    capture: bool | None = None,
    cudnn_benchmark: bool = False,
) -> TrainResult:
    """Train on `data`, keeping out_dir/checkpoint.pt and finally out_dir/generator.pt.

    With resume=True the run continues from out_dir/checkpoint.pt if there is one (and starts
    fresh if not, so a task retried before its first checkpoint just starts); without it an
    existing checkpoint is an error rather than something to overwrite. `evaluator` defaults to
    MetricsEvaluator(); it always compares against the un-augmented `data`.

    How it runs, not what it computes: `progress_every` iterations between progress reports
    (default 1 on a CPU, PROGRESS_EVERY_ON_GPU on a GPU, where reading the losses waits for the
    device); `capture` the step as a CUDA graph (default: on a GPU); `cudnn_benchmark` lets
    cuDNN time its algorithms (faster convolutions, but a resumed run no longer repeats the
    uninterrupted one bit for bit).
    """
    device = torch.device(device)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    checkpoint_path = out_dir / CHECKPOINT_NAME
    if evaluator is None:
        evaluator = MetricsEvaluator(device=str(device))
    if progress_every is None:
        progress_every = 1 if device.type == "cpu" else PROGRESS_EVERY_ON_GPU
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = cudnn_benchmark
        torch.backends.cudnn.deterministic = not cudnn_benchmark

    if checkpoint_path.exists() and not resume:
        raise FileExistsError(f"{checkpoint_path} exists: resume it or train into a new folder")
    images, labels = (t.to(device) for t in training_set(config, data))
    state = build_state(config, data.num_classes, len(images), device)
    if checkpoint_path.exists():
        restore(state, checkpoint.load(checkpoint_path), config, data.class_names)
    resumed_from = state.iteration
    step = make_step(state, config, images, labels, capture)

    def save_checkpoint() -> None:
        checkpoint.save_atomic(checkpoint_payload(state, config, data.class_names), checkpoint_path)
        callbacks.on_checkpoint(checkpoint_path, state.iteration)

    stopped = False
    window = (state.iteration, time.perf_counter())
    while state.iteration < config.iterations:
        if callbacks.should_stop():
            stopped = True
            break
        d_loss, g_loss = step(draw_step(state, config, data.num_classes, device))
        state.iteration += 1
        done = state.iteration == config.iterations
        checkpoint_due = done or _due(state.iteration, config.checkpoint_every)
        evaluation_due = _due(state.iteration, config.eval_every) or (done and config.eval_every)
        if not (checkpoint_due or evaluation_due or _due(state.iteration, progress_every)):
            continue
        losses = float(d_loss), float(g_loss)  # waits for the device, so the window is true
        seconds = time.perf_counter() - window[1]
        images_done = (state.iteration - window[0]) * config.batch_size * config.d_steps
        ada_p = float(state.ada.p) if config.ada_target else None
        callbacks.on_progress(
            Progress(state.iteration, config.iterations, *losses, images_done / seconds, ada_p)
        )
        if evaluation_due:  # before the checkpoint, which keeps the lowest-KID snapshot
            evaluation = evaluate(state, config, data, evaluator)
            keep_if_lowest_kid(state, evaluation)
            callbacks.on_evaluation(evaluation)
        if checkpoint_due:
            save_checkpoint()
        window = (state.iteration, time.perf_counter())  # saving and evaluating not counted
    if stopped:
        save_checkpoint()
        return TrainResult(state.iteration, resumed_from, True, checkpoint_path, None, None)
    export_path = out_dir / EXPORT_NAME
    iteration, weights = export_snapshot(state, config)
    generator = sampling_generator(config, data.num_classes, weights, device=device)
    model = SamplingModel(generator, data.class_names, config, iteration)
    checkpoint.save_atomic(export_payload(model), export_path)
    return TrainResult(
        state.iteration, resumed_from, False, checkpoint_path, export_path, iteration
    )


def _due(iteration: int, every: int) -> bool:
    return every > 0 and iteration % every == 0


class DStepDraws(NamedTuple):
    """The random draws of one discriminator step."""

    index: Tensor  # the real images of the batch
    z: Tensor
    y: Tensor  # the fake images' classes
    real_augment: AugmentDraws
    fake_augment: AugmentDraws


class GStepDraws(NamedTuple):
    z: Tensor
    y: Tensor
    augment: AugmentDraws


class StepInputs(NamedTuple):
    """Everything random (or iteration-dependent) in one iteration, made before it runs.

    The step itself is then a fixed function of these tensors and the training state, which
    is what lets it be captured as a CUDA graph: the numbers are copied into the graph's
    static inputs, and they are the same numbers the eager step uses, drawn in the same order
    from the same streams."""

    d_steps: tuple[DStepDraws, ...]
    g_step: GStepDraws
    ema_weight: Tensor  # 0-dim, on the device: how far the EMA generator moves this step


def draw_step(
    state: TrainState, config: TrainConfig, num_classes: int, device: torch.device
) -> StepInputs:
    """This iteration's batch indices, latents, fake classes and DiffAugment parameters."""
    size, ops = config.resolution, config.diffaugment_ops
    probability = state.ada.p if config.ada_target else None
    held_back = state.iteration < config.translation_cutout_from

    def augment() -> AugmentDraws:
        return draw_augment(
            config.batch_size,
            size,
            ops,
            state.noise,
            probability,
            config.translation_step,
            held_back,
        )

    d_steps = []
    for _ in range(config.d_steps):
        index = _to_device(state.sampler.next_indices(), device)
        z, y = _latents(state, config, num_classes, device)
        d_steps.append(DStepDraws(index, z, y, augment(), augment()))
    z, y = _latents(state, config, num_classes, device)
    weight = torch.full((), ema_weight(config, state.iteration), device=device)
    return StepInputs(tuple(d_steps), GStepDraws(z, y, augment()), weight)


def _to_device(indices: Tensor, device: torch.device) -> Tensor:
    """CPU indices onto the device without waiting for it (a plain copy to a GPU would)."""
    if device.type == "cuda":
        return indices.pin_memory().to(device, non_blocking=True)
    return indices.to(device)


def ema_weight(config: TrainConfig, iteration: int) -> float:
    """1 - decay, with the decay ramped up over the first iterations (at a fixed 0.999 the
    EMA of a run of a few hundred iterations would still remember its random start)."""
    if not config.ema_decay:
        return 0.0
    return 1 - min(config.ema_decay, (1 + iteration) / (10 + iteration))


def _latents(
    state: TrainState, config: TrainConfig, num_classes: int, device: torch.device
) -> tuple[Tensor, Tensor]:
    z = torch.randn(config.batch_size, config.z_dim, generator=state.noise, device=device)
    y = torch.randint(num_classes, (config.batch_size,), generator=state.noise, device=device)
    return z, y


Step = Callable[[StepInputs], tuple[Tensor, Tensor]]


def make_step(
    state: TrainState, config: TrainConfig, images: Tensor, labels: Tensor, capture: bool | None
) -> Step:
    """The iteration as a function of its inputs: eager, or replayed as a CUDA graph (the
    default on a GPU, where an eager step spends its time launching ~4,000 small kernels)."""
    device = images.device
    if capture is None:
        capture = device.type == "cuda"
    autocast = autocast_for(device, config.precision, cache=not capture)

    def eager(inputs: StepInputs) -> tuple[Tensor, Tensor]:
        return train_step(state, config, images, labels, inputs, autocast)

    return CapturedStep(eager) if capture else eager


def train_step(
    state: TrainState,
    config: TrainConfig,
    images: Tensor,
    labels: Tensor,
    inputs: StepInputs,
    autocast: AbstractContextManager,
) -> tuple[Tensor, Tensor]:
    """`config.d_steps` discriminator steps, then one generator step, then the EMA update;
    returns the last D loss and the G loss. No random draws and no reads of device values
    here (see StepInputs)."""
    G, D = state.generator, state.discriminator
    ops, fill = config.diffaugment_ops, config.translation_fill
    memory_format = memory_format_for(config, images.device)

    def augmented(x: Tensor, draws: AugmentDraws) -> Tensor:
        return apply_augment(x, ops, draws, fill).contiguous(memory_format=memory_format)

    D.requires_grad_(True)
    for draws in inputs.d_steps:
        real, real_labels = images[draws.index], labels[draws.index]
        with autocast:
            with torch.no_grad():
                fake = G(draws.z, draws.y)
            real, fake = augmented(real, draws.real_augment), augmented(fake, draws.fake_augment)
            if config.d_joint_forward:
                logits = D(torch.cat([real, fake]), torch.cat([real_labels, draws.y])).float()
                real_logits, fake_logits = logits.split([len(real), len(fake)])
            else:
                real_logits = D(real, real_labels).float()
                fake_logits = D(fake, draws.y).float()
            d_loss = d_hinge_loss(real_logits, fake_logits)
            if config.ada_target:
                state.ada.update(real_logits)
            if config.lecam_weight:
                state.lecam.update(real_logits, fake_logits)
                d_loss = d_loss + config.lecam_weight * state.lecam.penalty(
                    real_logits, fake_logits
                )
        state.d_optimizer.zero_grad(set_to_none=True)
        d_loss.backward()
        state.d_optimizer.step()

    D.requires_grad_(False)  # the G step needs gradients through D, not for D's weights
    draws = inputs.g_step
    with autocast:
        g_loss = g_hinge_loss(D(augmented(G(draws.z, draws.y), draws.augment), draws.y).float())
    state.g_optimizer.zero_grad(set_to_none=True)
    g_loss.backward()
    state.g_optimizer.step()

    if state.generator_ema is not None:
        update_ema(state.generator_ema, G, inputs.ema_weight)
    return d_loss.detach(), g_loss.detach()


@torch.no_grad()
def update_ema(ema: nn.Module, model: nn.Module, weight: Tensor) -> None:
    """Weights move `weight` of the way towards the model's; buffers (BatchNorm statistics,
    spectral-norm vectors) are copied, as in BigGAN, and BatchNorm is recomputed before
    sampling anyway. One call for all tensors, the weight read on the device."""
    averaged, current = list(ema.parameters()), list(model.parameters())
    torch._foreach_lerp_(averaged, current, [weight] * len(averaged))
    torch._foreach_copy_(list(ema.buffers()), list(model.buffers()))


def sampling_weights(state: TrainState) -> dict[str, Tensor]:
    """The generator to sample from: the EMA one where the run keeps one."""
    ema = state.generator_ema
    return (state.generator if ema is None else ema).state_dict()


def export_snapshot(state: TrainState, config: TrainConfig) -> tuple[int, dict[str, Tensor]]:
    """The iteration and weights generator.pt holds (config.export_snapshot)."""
    kept = state.lowest_kid
    if config.export_snapshot == "lowest-kid" and kept is not None:
        return kept.iteration, kept.weights
    return state.iteration, sampling_weights(state)


def keep_if_lowest_kid(state: TrainState, evaluation: Evaluation) -> None:
    """Keep the evaluated generator's weights when its KID is the run's lowest so far, so the
    run can export it. Always kept, whatever the config exports, so that a run resumed with
    another `export_snapshot` can still choose. KID, not FID: it is unbiased at the few
    hundred images an evaluation draws. A KID from another network than the kept one's (a run
    resumed on a worker with other weights) cannot be compared, and the newer one is kept."""
    kid = _overall_kid(evaluation.report)
    if kid is None:
        return
    kept = state.lowest_kid
    extractor = str(getattr(evaluation.report, "extractor", ""))
    if kept is not None and kept.extractor == extractor and kept.kid <= kid:
        return
    weights = {name: t.detach().to("cpu", copy=True) for name, t in sampling_weights(state).items()}
    state.lowest_kid = Snapshot(evaluation.iteration, kid, extractor, weights)


def _overall_kid(report: Any) -> float | None:
    """The report's overall KID where it has a finite one: reports of other evaluators (any
    object the Evaluator protocol allows) have none."""
    get = getattr(report, "get", None)
    result = get("kid") if callable(get) else None
    value = getattr(result, "value", None)
    if not getattr(result, "available", False) or not isinstance(value, float):
        return None
    return value if math.isfinite(value) else None


def autocast_for(
    device: torch.device, precision: str, *, cache: bool = True
) -> AbstractContextManager:
    """bf16 autocast when asked for and the device has bf16 arithmetic (gan_engine.precision);
    otherwise plain fp32. `cache`
    keeps the bf16 copies of leaf weights for the step; a CUDA graph cannot capture that
    cache (the values are the same either way)."""
    if precision == "bf16" and bf16_supported(device):
        return torch.autocast(device.type, dtype=torch.bfloat16, cache_enabled=cache)
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
        "ada": state.ada.state_dict(),
        "sampler": state.sampler.state_dict(),
        "noise": state.noise.get_state(),
        "global_rng": checkpoint.global_rng_state(),
        "lowest_kid": None if state.lowest_kid is None else vars(state.lowest_kid),
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
    load_optimizer(state.g_optimizer, payload["g_optimizer"])
    load_optimizer(state.d_optimizer, payload["d_optimizer"])
    state.lecam.load_state_dict(payload["lecam"])
    if "ada" in payload:  # absent from checkpoints written before 2026-12-06, all without ADA
        state.ada.load_state_dict(payload["ada"])
    state.sampler.load_state_dict(payload["sampler"])
    restore_noise(state.noise, payload["noise"], config, int(payload["iteration"]))
    checkpoint.restore_global_rng_state(payload["global_rng"])
    state.iteration = int(payload["iteration"])
    kept = payload.get("lowest_kid")  # absent from checkpoints written before 2026-12-06
    state.lowest_kid = None if kept is None else Snapshot(**kept)


def load_optimizer(optimizer: torch.optim.Optimizer, saved: dict) -> None:
    """Load an optimiser's state, keeping how this device runs it.

    A checkpoint carries its writer's fused/capturable flags, which a CPU cannot run (and a
    GPU wants on): they are set back to this optimiser's own, and the step counts moved to
    where capturable Adam keeps them (the device) or the plain one (the CPU)."""
    own = {key: optimizer.defaults[key] for key in ("fused", "capturable", "foreach")}
    optimizer.load_state_dict(saved)
    for group in optimizer.param_groups:
        group.update(own)
        for param in group["params"]:
            state = optimizer.state.get(param, {})
            if "step" in state:
                on_device = own["capturable"] or own["fused"]
                state["step"] = state["step"].to(param.device if on_device else "cpu")


def restore_noise(noise: torch.Generator, saved: Tensor, config: TrainConfig, iteration: int):
    """Put the noise stream back. A state from another kind of device (a CUDA generator's
    state means nothing to a CPU one, and back) cannot be: the stream then restarts from a
    seed made of the run's seed and iteration, so a run moved between a GPU and a CPU goes
    on, reproducibly, though not bit for bit as it would have on its first device."""
    if saved.numel() == noise.get_state().numel():
        noise.set_state(saved)
    else:
        noise.manual_seed(stream_seed(config.seed, NOISE_STREAM) ^ iteration << 40)
