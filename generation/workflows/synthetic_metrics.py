"""How far a synthetic version is from its source: KID/FID (or a named substitute) per class.

Both sides are staged from storage and read at the model's resolution; each is capped per class
(SYNTHETIC_METRICS_MAX_PER_CLASS) so the cost stays bounded for versions of 100k images.
"""

import tempfile
from pathlib import Path

from django.conf import settings

from datasets.models import DatasetVersion
from gan_engine.data import load_image_folder
from generation.worker import staging
from generation.worker.evaluation import PortalEvaluator


def measure_against_source(
    *, version: DatasetVersion, source: DatasetVersion, resolution: int
) -> dict:
    """The evaluation report (JSON-safe) of `version` against the un-augmented `source`."""
    classes = list(version.class_counts) or None
    limit = settings.SYNTHETIC_METRICS_MAX_PER_CLASS
    with tempfile.TemporaryDirectory(prefix="metrics-") as tmp:
        real_dir, fake_dir = Path(tmp) / "real", Path(tmp) / "fake"
        staging.stage_version(source, real_dir, classes=classes, per_class_limit=limit)
        staging.stage_version(version, fake_dir, classes=classes, per_class_limit=limit)
        real = load_image_folder(real_dir, resolution)
        fake = load_image_folder(fake_dir, resolution)
    if real.class_names != fake.class_names:
        raise ValueError(
            f"source classes {real.class_names} differ from synthetic classes {fake.class_names}"
        )
    evaluator = PortalEvaluator()
    report = evaluator(
        real.as_uint8(),
        fake.as_uint8(),
        real_labels=real.labels,
        fake_labels=fake.labels,
        class_names=real.class_names,
    )
    return {**report.to_dict(), **evaluator.notes()}
