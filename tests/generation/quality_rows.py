"""Quality reports for page and API tests: the engine's real report on tiny images, stored as
the generation app stores it, on catalogue rows built by the real services and factories.

The synthetic set is six copies of real images and twelve noise images, so it is flagged as
memorized; the domain CNN trains for a few steps only (seconds), and Inception-v3 has no
weights offline, so the report says why it is unavailable, as in production without them.
"""

from functools import cache

import torch
from django.conf import settings
from django.utils import timezone

from datasets.constants import DatasetKind
from datasets.models import DatasetVersion
from gan_engine.quality import ClassifierConfig, quality_report
from generation.constants import JobState
from generation.models import QualityReport
from tests.factories import make_version

CLASSES = ("a", "b", "c")
PER_CLASS = 6
FAST = ClassifierConfig(widths=(8, 16), steps=5, batch_size=8)


@cache
def engine_report() -> dict:
    """gan_engine.quality's JSON for 18 real and 18 synthetic 16 x 16 images (once a session),
    with the test session's Inception setting: no Inception network, so the figures are the
    domain network's."""
    generator = torch.Generator().manual_seed(0)
    count = PER_CLASS * len(CLASSES)
    real = torch.randint(0, 256, (count, 3, 16, 16), dtype=torch.uint8, generator=generator)
    noise = torch.randint(0, 256, (count - 6, 3, 16, 16), dtype=torch.uint8, generator=generator)
    labels = [i // PER_CLASS for i in range(count)]
    report = quality_report(
        real,
        labels,
        torch.cat([real[:6], noise]),
        labels,
        CLASSES,
        classifier_config=FAST,
        inception_weights_path=settings.INCEPTION_WEIGHTS_PATH,  # as the portal's task passes it
    )
    return report.to_dict()


def source_and_synthetic(
    owner, *, slug: str = "tiles", visibility: str = "private"
) -> tuple[DatasetVersion, DatasetVersion]:
    """A real draft and a synthetic draft derived from it, both with stored PNGs."""
    source = make_version(owner=owner, slug=slug, visibility=visibility, classes=CLASSES)
    synthetic = make_version(
        owner=owner, slug=f"{slug}-synthetic", visibility=visibility, classes=CLASSES
    )
    synthetic.dataset.kind = DatasetKind.SYNTHETIC
    synthetic.dataset.save()
    synthetic.derived_from = source
    synthetic.save()
    return source, synthetic


def make_report(
    version: DatasetVersion, source: DatasetVersion, *, state: str = JobState.SUCCEEDED, **fields
) -> QualityReport:
    """A report row of `version` as the task leaves it: the engine's JSON, the figures the
    catalogue gates on, and the closest pair as ImageRecord ids (a synthetic and a real one)."""
    done = state == JobState.SUCCEEDED
    data = engine_report() if done else {}
    pair = {  # as generation.workflows.quality_reports.closest_pairs writes it
        "space": "pixels-16x16",
        "synthetic_image": version.images.order_by("pk").first().pk,
        "real_image": source.images.order_by("pk").first().pk,
        "distance": 0.0,
        "memorized": True,
    }
    fields = {
        "report": data,
        "memorization_threshold": 0.05,
        "memorized_share": data["memorization"]["memorized_share"] if done else None,
        "flagged": data["memorization"]["flagged"] if done else False,
        "closest_pairs": [pair] if done else [],
        "progress_done": 4 if done else 1,
        "progress_total": 4,
        "finished_at": timezone.now() if done else None,
        **fields,
    }
    return QualityReport.objects.create(
        version=version,
        source_version=source,
        owner=version.dataset.owner,
        state=state,
        seed=0,
        **fields,
    )
