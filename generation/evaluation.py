"""The portal's choice of feature extractor for metrics during training and after generation.

The standard Inception-v3 FID weights give FID/IS/KID comparable with the literature; where
they cannot be loaded (no internet, no local copy in INCEPTION_WEIGHTS_PATH) the metrics fall
back to a substitute extractor that is recorded by its name and never labelled FID, and the
reason Inception was unavailable is kept beside the figures (DESIGN.md section 4).
"""

from dataclasses import dataclass

import torch
from django.conf import settings

from gan_engine import metrics
from gan_engine.extractors import INCEPTION


@dataclass
class PortalEvaluator:
    """Evaluator for gan_engine.train: Inception first; after one failure, the substitute only
    (each failed Inception attempt costs a network time-out)."""

    inception_unavailable: str = ""

    def __call__(self, real, fake, *, real_labels, fake_labels, class_names):
        options = {
            "real_labels": real_labels,
            "fake_labels": fake_labels,
            "class_names": class_names,
            "device": training_device(),
        }
        if not self.inception_unavailable:
            report = metrics.evaluate(
                real,
                fake,
                extractor=INCEPTION,
                weights_path=settings.INCEPTION_WEIGHTS_PATH or None,
                **options,
            )
            if any(result.available for result in report.results):
                return report
            self.inception_unavailable = report.results[0].reason
        return metrics.evaluate(
            real, fake, extractor=settings.SUBSTITUTE_EXTRACTOR, metrics=("fid", "kid"), **options
        )

    def notes(self) -> dict:
        if not self.inception_unavailable:
            return {}
        return {"inception_unavailable": self.inception_unavailable}


def training_device() -> str:
    """TRAINING_DEVICE, where "auto" means the GPU when the worker has one."""
    device = settings.TRAINING_DEVICE
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return device
