"""The domain CNN as a named feature network for gan_engine.metrics.

A small classifier trained on a few hundred tiles separates its classes mostly by colour, and
its pooled features measured little else: a KID on them could not tell GAN runs apart (six
CPU runs on the demo set sat near the real-vs-real floor).
The features here are texture statistics instead, as in style transfer: for each stage of the
network, every channel's spatial mean and spatial standard deviation. Means carry colour and
what is present; standard deviations carry how it varies across the tile - grain, contrast,
structure - which the test suite checks on sets that share their mean colour.

The network is registered under `domain-cnn-<tag>` with fid_comparable=False, so a Fréchet
distance on it is never labelled FID.
"""

import torch
from torch import Tensor, nn

from gan_engine.extractors import register_extractor
from gan_engine.quality.classifier import DomainClassifier, one_thread, to_input

NAME_PREFIX = "domain-cnn-"


class TextureStatistics(nn.Module):
    """uint8 images -> per-channel spatial mean and std of every stage's BatchNorm output."""

    def __init__(self, classifier: DomainClassifier):
        super().__init__()
        self.resolution = classifier.resolution
        self.network = classifier.network()
        self.num_features = 2 * sum(classifier.config.widths)

    @one_thread()
    def forward(self, images: Tensor) -> Tensor:
        outputs = self.network.stage_outputs(to_input(images, self.resolution))
        return torch.cat(
            [s for out in outputs for s in (out.mean(dim=(2, 3)), out.std(dim=(2, 3)))], dim=1
        )


def register_domain_extractor(classifier: DomainClassifier, tag: str | None = None) -> str:
    """Register the classifier's texture statistics; returns the name to pass to the metrics.

    `tag` names it after what it was trained on (e.g. a dataset version); by default the
    weights' fingerprint, so two different networks never share a name.
    """
    name = NAME_PREFIX + (tag or classifier.fingerprint())
    register_extractor(name, lambda _weights_path: TextureStatistics(classifier))
    return name
