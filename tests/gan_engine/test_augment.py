"""The paper's offline affine expansion and DiffAugment."""

import pytest
import torch

from gan_engine.augment import (
    AdaptiveProbability,
    apply_augment,
    diff_augment,
    draw_augment,
    expand_with_affine,
)

ALL_OPS = ("color", "translation", "cutout")


def _seeded(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def test_expansion_reaches_the_target_keeps_originals_first_and_class_shares(colour_set):
    images, labels = expand_with_affine(colour_set.images, colour_set.labels, 144, _seeded(0))
    assert images.shape == (144, 3, 32, 32)
    assert torch.equal(images[:48], colour_set.images)
    assert torch.bincount(labels).tolist() == [48, 48, 48]  # every original copied twice
    assert images.min() >= -1 and images.max() <= 1


def test_expansion_copies_are_transformed_versions_of_their_class():
    ramp = torch.linspace(-1, 1, 32)
    images = torch.stack([ramp.expand(3, 32, 32), -ramp.expand(3, 32, 32)])
    expanded, labels = expand_with_affine(images, torch.tensor([0, 1]), 200, _seeded(0))
    copies = expanded[2:]
    changed = (copies - images[labels[2:]]).abs().amax(dim=(1, 2, 3)) > 1e-3
    # Each of scale, rotation and shift is applied with p = 0.5: about 1/8 stay unchanged.
    assert 0.75 < changed.float().mean() < 0.97


def test_expansion_is_reproducible_from_its_seed(colour_set):
    a, _ = expand_with_affine(colour_set.images, colour_set.labels, 100, _seeded(3))
    b, _ = expand_with_affine(colour_set.images, colour_set.labels, 100, _seeded(3))
    c, _ = expand_with_affine(colour_set.images, colour_set.labels, 100, _seeded(4))
    assert torch.equal(a, b)
    assert not torch.equal(a, c)


def test_expansion_of_a_set_already_at_target_is_a_no_op(colour_set):
    images, labels = expand_with_affine(colour_set.images, colour_set.labels, 10, _seeded(0))
    assert images is colour_set.images and labels is colour_set.labels


def test_diffaugment_is_reproducible_from_the_generator_state(colour_set):
    a = diff_augment(colour_set.images, ALL_OPS, _seeded(5))
    b = diff_augment(colour_set.images, ALL_OPS, _seeded(5))
    assert a.shape == colour_set.images.shape
    assert torch.equal(a, b)
    assert not torch.equal(a, colour_set.images)


def test_diffaugment_passes_gradients_to_its_input(colour_set):
    x = colour_set.images[:4].clone().requires_grad_(True)
    diff_augment(x, ALL_OPS, _seeded(0)).sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0


def test_cutout_zeroes_a_square_of_half_the_size():
    ones = torch.ones(64, 3, 32, 32)
    out = diff_augment(ones, ("cutout",), _seeded(0))
    zeroed = (out[:, 0] == 0).sum(dim=(1, 2))
    assert zeroed.max() == 16 * 16  # a whole square inside the image
    assert zeroed.min() > 0  # clipped at the border, never gone


def test_translation_shifts_content_and_fills_with_zeros():
    ones = torch.ones(64, 3, 32, 32)
    out = diff_augment(ones, ("translation",), _seeded(0))
    assert set(out.unique().tolist()) <= {0.0, 1.0}
    border = (out[:, 0] == 0).float().mean(dim=(1, 2))
    assert border.max() <= 1 - (28 / 32) ** 2 + 1e-6  # at most 4 pixels (1/8) each way
    assert (border > 0).any()


def test_no_ops_leaves_the_batch_alone(colour_set):
    assert diff_augment(colour_set.images, (), _seeded(0)) is colour_set.images


def test_with_probability_zero_translation_and_cutout_leave_every_image_alone(colour_set):
    ops = ("translation", "cutout")
    draws = draw_augment(len(colour_set), 32, ops, _seeded(0), torch.tensor(0.0))
    assert torch.equal(apply_augment(colour_set.images, ops, draws), colour_set.images)


def test_with_probability_one_every_image_gets_the_draw_it_would_get_without_one():
    ops = ("translation",)
    always = draw_augment(500, 32, ops, _seeded(1), torch.tensor(1.0))
    plain = draw_augment(500, 32, ops, _seeded(1))
    assert torch.equal(always.translation, plain.translation)


def test_a_translation_step_draws_whole_steps_out_to_the_largest_shift_rounded_up():
    """At 64 px DiffAugment shifts by up to 8 px; in steps of 16 that is -16, 0 or 16, each
    about a third of the time, so G's 16-px grid keeps its phase."""
    offsets = draw_augment(3000, 64, ("translation",), _seeded(3), translation_step=16).translation
    values, counts = offsets.unique(return_counts=True)
    assert values.tolist() == [-16, 0, 16]
    assert all(0.30 < count / offsets.numel() < 0.36 for count in counts.tolist())


def test_a_translation_step_of_one_draws_what_diffaugment_draws():
    plain = draw_augment(500, 64, ALL_OPS, _seeded(4))
    stepped = draw_augment(500, 64, ALL_OPS, _seeded(4), translation_step=1)
    assert torch.equal(plain.translation, stepped.translation)
    assert torch.equal(plain.cutout, stepped.cutout)


@pytest.mark.parametrize("fill", ["zeros", "reflect"])
def test_held_back_translation_and_cutout_draw_nothing_and_change_nothing(fill):
    """Before `translation_cutout_from` the stream and the images are what colour alone
    makes them, bit for bit."""
    held_stream, colour_stream = _seeded(5), _seeded(5)
    held = draw_augment(64, 32, ALL_OPS, held_stream, translation_step=8, held_back=True)
    colour = draw_augment(64, 32, ("color",), colour_stream)
    assert torch.equal(held_stream.get_state(), colour_stream.get_state())
    x = torch.rand(64, 3, 32, 32, generator=_seeded(6)) * 2 - 1
    assert torch.equal(apply_augment(x, ALL_OPS, held, fill), apply_augment(x, ("color",), colour))


def test_with_probability_a_quarter_about_a_quarter_of_the_images_are_cut_out():
    draws = draw_augment(4000, 32, ("cutout",), _seeded(2), torch.tensor(0.25))
    cut = (draws.cutout != 32).all(dim=1).float().mean()
    assert 0.22 < float(cut) < 0.28


@pytest.mark.parametrize(("sign", "expected"), [(1.0, [0.25, 0.5, 0.75, 1.0, 1.0]), (-1.0, [0.0])])
def test_adaptive_probability_rises_while_d_is_sure_of_the_reals_and_stays_in_0_1(sign, expected):
    ada = AdaptiveProbability(target=0.6, step=0.25)
    for p in expected:
        ada.update(sign * torch.ones(8))  # every real logit on one side: r = +-1
        assert float(ada.p) == p


def test_adaptive_probability_falls_while_d_is_unsure():
    ada = AdaptiveProbability(target=0.6, step=0.25)
    ada.load_state_dict({"p": torch.tensor(0.5)})
    ada.update(torch.tensor([1.0, 1.0, -1.0, -1.0]))  # r = 0, below the target
    assert float(ada.p) == 0.25
