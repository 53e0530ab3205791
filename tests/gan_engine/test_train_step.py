"""The training step as a fixed function of pre-drawn inputs: what a CUDA graph capture needs,
checked on the CPU (the GPU-only checks are in test_cuda_step.py)."""

import dataclasses

import pytest
import torch
import torch.nn.functional as F

from gan_engine import checkpoint
from gan_engine.augment import (
    apply_augment,
    cutout_size,
    diff_augment,
    draw_augment,
    translation_shift,
)
from gan_engine.capture import clone_tensors, tensors_of
from gan_engine.nets import pad_edges
from gan_engine.presets import make_config
from gan_engine.train import (
    NOISE_STREAM,
    Callbacks,
    build_state,
    draw_step,
    make_step,
    restore_noise,
    stream_seed,
    train,
    update_ema,
)

CONFIG = make_config("tiny", {"d_steps": 2, "iterations": 6, "checkpoint_every": 0})
CPU = torch.device("cpu")


def no_evaluation(*_args, **_kwargs):
    return {}


def test_the_step_translates_by_the_configured_step(colour_set):
    config = dataclasses.replace(CONFIG, translation_step=8)  # tiny: 32 px, shifts up to 4 px
    state = build_state(config, 3, len(colour_set), CPU)
    inputs = draw_step(state, config, 3, CPU)
    draws = [inputs.g_step.augment]
    draws += [d for step in inputs.d_steps for d in (step.real_augment, step.fake_augment)]
    offsets = torch.cat([d.translation for d in draws])
    assert set(offsets.unique().tolist()) == {-8, 0, 8}


def test_draws_come_off_the_streams_in_the_order_the_eager_step_took_them(colour_set):
    """Batch, latents, classes and DiffAugment parameters: the same numbers, from the same
    streams, as drawing them one by one where the step used them."""
    state = build_state(CONFIG, 3, len(colour_set), CPU)
    inputs = draw_step(state, CONFIG, 3, CPU)

    reference = build_state(CONFIG, 3, len(colour_set), CPU)
    noise, n, size = reference.noise, CONFIG.batch_size, CONFIG.resolution
    shift, cut = translation_shift(size), cutout_size(size)

    def augment_draws():
        colour = [torch.rand(n, 1, 1, 1, generator=noise) for _ in range(3)]
        moves = torch.randint(-shift, shift + 1, (n, 2), generator=noise)
        starts = torch.randint(0, size + (1 - cut % 2), (n, 2), generator=noise) - cut // 2
        return [*colour, moves, starts]

    expected = []
    for _ in range(CONFIG.d_steps):
        expected.append(reference.sampler.next_indices())
        expected.append(torch.randn(n, CONFIG.z_dim, generator=noise))
        expected.append(torch.randint(3, (n,), generator=noise))
        expected += augment_draws() + augment_draws()
    expected.append(torch.randn(n, CONFIG.z_dim, generator=noise))
    expected.append(torch.randint(3, (n,), generator=noise))
    expected += augment_draws()
    drawn = tensors_of(inputs)[:-1]  # the last input is the EMA weight, not a draw
    assert len(drawn) == len(expected)
    assert all(torch.equal(a, b) for a, b in zip(drawn, expected, strict=True))


def test_augmentation_from_drawn_parameters_is_the_augmentation_of_the_stream(colour_set):
    ops = ("color", "translation", "cutout")
    direct = diff_augment(colour_set.images, ops, torch.Generator().manual_seed(4))
    noise = torch.Generator().manual_seed(4)
    draws = draw_augment(len(colour_set), colour_set.images.shape[-1], ops, noise)
    assert torch.equal(apply_augment(colour_set.images, ops, draws), direct)


def test_static_copies_of_the_inputs_keep_their_nesting_and_values(colour_set):
    state = build_state(CONFIG, 3, len(colour_set), CPU)
    inputs = draw_step(state, CONFIG, 3, CPU)
    copies = clone_tensors(inputs)
    assert type(copies) is type(inputs)
    pairs = zip(tensors_of(copies), tensors_of(inputs), strict=True)
    assert all(torch.equal(a, b) and a.data_ptr() != b.data_ptr() for a, b in pairs)


def test_losses_read_every_few_iterations_are_the_losses_of_those_iterations(colour_set, tmp_path):
    every_step, every_third = [], []
    torch.manual_seed(0)
    a = train(
        CONFIG,
        colour_set,
        tmp_path / "a",
        evaluator=no_evaluation,
        callbacks=Callbacks(on_progress=every_step.append),
    )
    torch.manual_seed(0)
    b = train(
        CONFIG,
        colour_set,
        tmp_path / "b",
        evaluator=no_evaluation,
        callbacks=Callbacks(on_progress=every_third.append),
        progress_every=3,
    )
    assert [p.iteration for p in every_third] == [3, 6]
    by_iteration = {p.iteration: (p.d_loss, p.g_loss) for p in every_step}
    assert [(p.d_loss, p.g_loss) for p in every_third] == [by_iteration[3], by_iteration[6]]
    weights_a = checkpoint.load(a.checkpoint)["generator"]
    weights_b = checkpoint.load(b.checkpoint)["generator"]
    assert all(torch.equal(weights_a[k], weights_b[k]) for k in weights_a)


def test_foreach_ema_update_equals_the_update_of_each_parameter(colour_set):
    state = build_state(CONFIG, 3, len(colour_set), CPU)
    for parameter in state.generator.parameters():
        parameter.data.add_(torch.randn_like(parameter))
    ema = state.generator_ema
    reference = build_state(CONFIG, 3, len(colour_set), CPU).generator_ema
    update_ema(ema, state.generator, torch.tensor(0.3))
    model = state.generator
    with torch.no_grad():
        for averaged, current in zip(reference.parameters(), model.parameters(), strict=True):
            averaged.lerp_(current, 0.3)
        for averaged, current in zip(reference.buffers(), model.buffers(), strict=True):
            averaged.copy_(current)
    expected = reference.state_dict()
    assert all(torch.equal(v, expected[k]) for k, v in ema.state_dict().items())


@pytest.mark.parametrize("mode", ["reflect", "replicate"])
def test_padding_from_slices_equals_torch_padding_in_values_and_gradients(mode):
    x = torch.randn(2, 3, 7, 5, dtype=torch.float64, requires_grad=True)
    width = 1 if mode == "replicate" else 2
    ours = pad_edges(x, width, mode)
    torchs = F.pad(x, (width,) * 4, mode=mode)
    assert torch.equal(ours, torchs)
    weights = torch.randn_like(ours)
    (grad_ours,) = torch.autograd.grad((ours * weights).sum(), x)
    (grad_torch,) = torch.autograd.grad((torchs * weights).sum(), x)
    assert torch.allclose(grad_ours, grad_torch)


def test_translation_with_reflect_fill_shows_mirrored_content_instead_of_black():
    ramp = torch.arange(32.0).expand(1, 3, 32, 32).contiguous() + 1  # no zero anywhere
    zeros = diff_augment(ramp.repeat(16, 1, 1, 1), ("translation",), torch.Generator())
    mirrored = diff_augment(
        ramp.repeat(16, 1, 1, 1), ("translation",), torch.Generator(), fill="reflect"
    )
    assert (zeros == 0).any()
    assert (mirrored > 0).all()
    assert set(mirrored.unique().tolist()) <= set(ramp.unique().tolist())


def test_joint_discriminator_forward_runs_one_d_forward_fewer_per_step(colour_set):
    calls = {}
    for joint in (False, True):
        config = dataclasses.replace(CONFIG, d_steps=1, d_joint_forward=joint)
        state = build_state(config, 3, len(colour_set), CPU)
        count: list[int] = []
        state.discriminator.register_forward_hook(lambda *_, count=count: count.append(1))
        step = make_step(state, config, colour_set.images, colour_set.labels, capture=False)
        d_loss, g_loss = step(draw_step(state, config, 3, CPU))
        assert torch.isfinite(d_loss) and torch.isfinite(g_loss)
        calls[joint] = len(count)
    assert calls == {False: 3, True: 2}


def test_a_checkpoint_from_a_gpu_resumes_on_the_cpu(colour_set, tmp_path):
    """A GPU checkpoint carries a CUDA noise state (16 bytes of Philox seed and offset) and
    capturable fused Adam settings: the CPU run adopts its own and goes on."""
    first = dataclasses.replace(CONFIG, iterations=3)
    train(first, colour_set, tmp_path, evaluator=no_evaluation)
    payload = checkpoint.load(tmp_path / "checkpoint.pt")
    payload["noise"] = torch.zeros(16, dtype=torch.uint8)
    for name in ("g_optimizer", "d_optimizer"):
        for group in payload[name]["param_groups"]:
            group.update(fused=True, capturable=True)
    checkpoint.save_atomic(payload, tmp_path / "checkpoint.pt")

    resumed = train(CONFIG, colour_set, tmp_path, evaluator=no_evaluation, resume=True)
    assert (resumed.resumed_from, resumed.iteration) == (3, CONFIG.iterations)
    saved = checkpoint.load(resumed.checkpoint)
    assert all(not group["capturable"] for group in saved["g_optimizer"]["param_groups"])


def test_a_noise_state_from_another_kind_of_device_restarts_the_stream_from_seed_and_iteration():
    noise = torch.Generator().manual_seed(123)
    restore_noise(noise, torch.zeros(16, dtype=torch.uint8), CONFIG, iteration=3)
    expected = torch.Generator().manual_seed(stream_seed(CONFIG.seed, NOISE_STREAM) ^ 3 << 40)
    assert torch.equal(noise.get_state(), expected.get_state())
    same_kind = torch.Generator().manual_seed(7).get_state()
    restore_noise(noise, same_kind, CONFIG, iteration=3)
    assert torch.equal(noise.get_state(), same_kind)


def test_adaptive_probability_moves_in_the_loop_and_gates_the_next_draws(colour_set, tmp_path):
    """D of the tiny preset is sure of the reals within a few steps, so p climbs from 0 by
    batch_size / ada_speed per D step; the draws made from a state at p = 0 move nothing."""
    config = dataclasses.replace(CONFIG, ada_target=0.1, ada_speed=80)  # 0.1 a D step
    progress = []
    callbacks = Callbacks(on_progress=progress.append)
    result = train(config, colour_set, tmp_path, evaluator=no_evaluation, callbacks=callbacks)
    p = float(checkpoint.load(result.checkpoint)["ada"]["p"])
    assert 0 < p <= 1 and progress[-1].ada_p == p  # reported with the losses

    state = build_state(config, 3, len(colour_set), CPU)
    draws = draw_step(state, config, 3, CPU).g_step.augment
    assert not draws.translation.any() and (draws.cutout == config.resolution).all()


def test_until_translation_and_cutout_start_a_run_is_the_colour_only_run(colour_set, tmp_path):
    """`translation_cutout_from` holds them back bit for bit (weights, EMA and noise stream
    as colour-only DiffAugment leaves them), then they are drawn as usual."""
    held = dataclasses.replace(CONFIG, iterations=4, translation_cutout_from=4)
    colour = dataclasses.replace(held, diffaugment="color", translation_cutout_from=0)
    saved = []
    for config, folder in ((held, "held"), (colour, "colour")):
        torch.manual_seed(0)
        result = train(config, colour_set, tmp_path / folder, evaluator=no_evaluation)
        saved.append(checkpoint.load(result.checkpoint))
    for part in ("generator", "generator_ema", "discriminator"):
        assert all(torch.equal(saved[0][part][k], saved[1][part][k]) for k in saved[0][part])
    assert torch.equal(saved[0]["noise"], saved[1]["noise"])

    state = build_state(held, 3, len(colour_set), CPU)
    state.iteration = held.translation_cutout_from
    draws = draw_step(state, held, 3, CPU).g_step.augment
    assert draws.translation.any() and (draws.cutout < held.resolution).any()
