"""Hinge loss, and LeCam regularisation with its moving anchors.

LeCam (Tseng et al. 2021, "Regularizing GANs under limited data") keeps D's outputs on real
images near the running mean of its outputs on fakes, and vice versa, which bounds how far D
can push apart a small real set it has memorised. The anchors are exponential moving averages,
so they are training state and go into checkpoints.
"""

import torch
import torch.nn.functional as F
from torch import Tensor


def d_hinge_loss(real_logits: Tensor, fake_logits: Tensor) -> Tensor:
    return F.relu(1 - real_logits).mean() + F.relu(1 + fake_logits).mean()


def g_hinge_loss(fake_logits: Tensor) -> Tensor:
    return -fake_logits.mean()


class LeCam:
    """Moving anchors of D's mean output on real and on fake images, and the penalty."""

    def __init__(self, decay: float, device: torch.device | str = "cpu"):
        self.decay = decay
        self.real_anchor = torch.zeros((), device=device)
        self.fake_anchor = torch.zeros((), device=device)

    def update(self, real_logits: Tensor, fake_logits: Tensor) -> None:
        """Move the anchors towards this batch's means (before the penalty, as StudioGAN does).

        In place, so the anchors keep their memory: a captured training step (a CUDA graph)
        reads and writes the same tensors at every replay."""
        with torch.no_grad():
            self.real_anchor.lerp_(real_logits.float().mean(), 1 - self.decay)
            self.fake_anchor.lerp_(fake_logits.float().mean(), 1 - self.decay)

    def penalty(self, real_logits: Tensor, fake_logits: Tensor) -> Tensor:
        return (
            F.relu(real_logits - self.fake_anchor).square().mean()
            + F.relu(self.real_anchor - fake_logits).square().mean()
        )

    def state_dict(self) -> dict[str, Tensor]:
        return {"real_anchor": self.real_anchor, "fake_anchor": self.fake_anchor}

    def load_state_dict(self, state: dict[str, Tensor]) -> None:
        self.real_anchor.copy_(state["real_anchor"])
        self.fake_anchor.copy_(state["fake_anchor"])
