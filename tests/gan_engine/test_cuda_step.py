"""The training step on a GPU: the captured step computes what the eager one does, a resumed
run repeats an uninterrupted one bit for bit, and a GPU checkpoint resumes on the CPU.

Skipped without a CUDA device. Self-contained (no fixtures from conftest files), so a GPU
machine without the portal's packages runs it with `pytest --noconftest` (bench/gpu_all.sh).
"""

import dataclasses

import pytest
import torch

from gan_engine import checkpoint
from gan_engine.presets import make_config
from gan_engine.train import build_state, draw_step, make_step, train
from tests.gan_engine.colour_sets import colour_set

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")

# Everything the captured step must carry: bf16, reflect padding, DiffAugment with reflect
# fill and ADA's adaptive probability (updated in place inside the graph), LeCam, EMA, two D
# steps.
CONFIG = make_config(
    "tiny",
    {
        "precision": "bf16",
        "g_padding": "reflect",
        "translation_fill": "reflect",
        "ada_target": 0.1,
        "ada_speed": 80,
        "d_steps": 2,
        "iterations": 16,
        "checkpoint_every": 8,
        "pre_augment_to": 60,
    },
)


def differences(a, b, path=""):
    """Paths of tensors or values that differ between two nested checkpoints."""
    if isinstance(a, torch.Tensor):
        return [] if torch.equal(a.cpu(), b.cpu()) else [path]
    if isinstance(a, dict):
        return [d for key in a for d in differences(a[key], b[key], f"{path}.{key}")]
    if isinstance(a, list | tuple):
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in differences(x, y)]
    return [] if a == b else [path]


def run_steps(config, capture: bool, iterations: int):
    device = torch.device("cuda")
    data = colour_set(per_class=16)
    images, labels = data.images.to(device), data.labels.to(device)
    state = build_state(config, data.num_classes, len(images), device)
    step = make_step(state, config, images, labels, capture)
    losses = []
    for _ in range(iterations):
        d_loss, g_loss = step(draw_step(state, config, data.num_classes, device))
        losses.append((d_loss.item(), g_loss.item()))
        state.iteration += 1
    weights = {
        "generator": state.generator.state_dict(),
        "discriminator": state.discriminator.state_dict(),
        "generator_ema": state.generator_ema.state_dict(),
        "lecam": state.lecam.state_dict(),
    }
    return losses, weights


def test_captured_step_computes_what_the_eager_step_computes():
    torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = True, False
    eager_losses, eager = run_steps(CONFIG, capture=False, iterations=10)
    captured_losses, captured = run_steps(CONFIG, capture=True, iterations=10)
    assert captured_losses == eager_losses
    assert differences(eager, captured) == []


def test_resumed_run_on_the_gpu_ends_bit_identical_to_an_uninterrupted_one(tmp_path):
    data = colour_set(per_class=16)

    def run(config, folder, **kwargs):
        torch.manual_seed(0)
        return train(config, data, folder, evaluator=lambda *a, **k: {}, device="cuda", **kwargs)

    straight = run(CONFIG, tmp_path / "straight")
    run(dataclasses.replace(CONFIG, iterations=8), tmp_path / "split")
    resumed = run(CONFIG, tmp_path / "split", resume=True)
    assert resumed.resumed_from == 8
    a, b = checkpoint.load(straight.checkpoint), checkpoint.load(resumed.checkpoint)
    del a["global_rng"], b["global_rng"]  # CUDA generators' states are per device, not training
    assert differences(a, b) == []
    assert differences(checkpoint.load(straight.export), checkpoint.load(resumed.export)) == []


def test_a_checkpoint_written_on_the_gpu_resumes_on_the_cpu(tmp_path):
    data = colour_set(per_class=16)
    config = dataclasses.replace(CONFIG, precision="fp32")
    train(dataclasses.replace(config, iterations=4), data, tmp_path, device="cuda")
    resumed = train(config, data, tmp_path, resume=True, device="cpu")
    assert (resumed.resumed_from, resumed.iteration) == (4, config.iterations)
    weights = checkpoint.load(resumed.checkpoint)["generator"]
    assert all(torch.isfinite(t).all() for t in weights.values() if t.is_floating_point())
