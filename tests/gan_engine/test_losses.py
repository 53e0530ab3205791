"""Hinge loss and LeCam regularisation."""

import torch

from gan_engine.losses import LeCam, d_hinge_loss, g_hinge_loss


def test_hinge_losses_are_zero_for_confident_correct_logits():
    real, fake = torch.tensor([1.5, 2.0]), torch.tensor([-1.0, -3.0])
    assert d_hinge_loss(real, fake) == 0
    assert d_hinge_loss(torch.tensor([0.0]), torch.tensor([0.0])) == 2
    assert g_hinge_loss(torch.tensor([1.0, 3.0])) == -2


def test_lecam_anchors_are_moving_averages_of_the_mean_logits():
    lecam = LeCam(decay=0.9)
    lecam.update(torch.tensor([2.0, 4.0]), torch.tensor([-1.0]))
    assert torch.isclose(lecam.real_anchor, torch.tensor(0.3))
    assert torch.isclose(lecam.fake_anchor, torch.tensor(-0.1))


def test_lecam_penalises_real_above_fake_anchor_and_fake_below_real_anchor():
    lecam = LeCam(decay=0.0)
    lecam.update(torch.tensor([1.0]), torch.tensor([-1.0]))  # anchors: real 1, fake -1
    assert lecam.penalty(torch.tensor([-1.0]), torch.tensor([1.0])) == 0
    assert lecam.penalty(torch.tensor([1.0]), torch.tensor([-1.0])) == 4 + 4


def test_lecam_state_round_trip():
    lecam = LeCam(decay=0.5)
    lecam.update(torch.tensor([1.0]), torch.tensor([-2.0]))
    restored = LeCam(decay=0.5)
    restored.load_state_dict(lecam.state_dict())
    assert restored.state_dict() == lecam.state_dict()
