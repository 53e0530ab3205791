"""One quality report, as a worker executes it (issue 8): claim, stage, assess, store, gate.

The source version's uploaded images (un-augmented) and the synthetic version's images (at most
QUALITY_MAX_PER_CLASS per class, first by id) are staged from storage and assessed by
gan_engine.quality. The real train/held-out split and the domain CNN come from the source's
QualityBaseline: the first report on a source makes it, every later one reuses it, so reports
of different models and recipes made from one source are measured with the same yardstick.

The engine speaks in positions in the arrays it was given; the portal stores ImageRecord ids,
which survive a re-staging. A report whose memorized share is over the threshold holds the
version's publication until a curator overrides it; a later report that passes releases it.

A report is a function of its inputs and seed, so a retried or recovered attempt starts again
from the beginning: nothing is kept between attempts except a finished baseline.
"""

import logging
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.text import slugify
from torch import Tensor

from datasets.models import DatasetVersion
from datasets.quality_summary import QUALITY_KEY
from datasets.services import hold_publication, record_version_metrics
from gan_engine.data import list_image_folder, load_items
from gan_engine.quality import (
    PHASES,
    ClassifierConfig,
    DomainClassifier,
    RealSplit,
    quality_report,
)
from gan_engine.quality import QualityReport as EngineReport
from gan_engine.quality.memorization import REFERENCE_PERCENTILE
from generation import signals
from generation.constants import JobState
from generation.models import QualityBaseline, QualityReport
from generation.presentation.quality import quality_summary
from generation.worker import leases, staging
from generation.worker.evaluation import training_device
from generation.worker.progress import PhaseClock, ProgressReporter

logger = logging.getLogger(__name__)

STAGING = "staging"
# Per-image lists of the engine's memorization figures: thousands of numbers that no page
# shows, and positions in arrays that exist only during the report. The closest pairs stay.
PER_IMAGE_KEYS = ("distances", "nearest_real", "reference_distances")


@dataclass(frozen=True)
class StagedImages:
    """uint8 images with labels indexing `class_names`, and the ImageRecord id of each image."""

    images: Tensor
    labels: Tensor
    class_names: list[str]
    record_ids: list[int]


class _Stopped(Exception):
    """Raised between phases when the user cancelled or another worker took the report over."""


class _Phases:
    """Progress in phases (done / total, with an ETA) and the seconds each phase took."""

    def __init__(self, report: QualityReport, total: int):
        self.reporter = ProgressReporter(QualityReport, report.pk)
        self.clock = PhaseClock(QualityReport, report.pk)
        self.current = ExitStack()
        self.done = -1
        self.total = total

    def begin(self, name: str) -> None:
        """End the phase under way (recording its time), report progress, start `name`."""
        self.current.close()
        self.done = min(self.done + 1, self.total - 1)  # a re-assessment repeats phases
        self.reporter.report(self.done, self.total, force=True)
        if self.reporter.should_stop:
            raise _Stopped
        self.current.enter_context(self.clock.phase(f"{name}_seconds"))

    def end(self) -> None:
        self.current.close()


def run_quality_report(report_id: int) -> None:
    """Execute report `report_id` if this worker can claim it; a finished one is left as it is."""
    leases.execute(
        QualityReport,
        report_id,
        _assess_unless_stopped,
        related=("version__dataset", "source_version"),
    )


def _assess_unless_stopped(report: QualityReport) -> None:
    """Assess, ending quietly when the user cancels or another worker takes the report over."""
    try:
        _assess(report)
    except _Stopped:
        if QualityReport.objects.filter(pk=report.pk, cancel_requested=True).exists():
            leases.finish(QualityReport, report.pk, JobState.CANCELLED)
        else:
            logger.warning("quality report %s: another worker took it over", report.pk)


def _assess(report: QualityReport) -> None:
    baseline = QualityBaseline.objects.filter(source_version=report.source_version).first()
    phases = _Phases(report, total=len(PHASES) + 1 - (baseline is not None))
    with tempfile.TemporaryDirectory(prefix=f"quality-{report.pk}-") as tmp:
        phases.begin(STAGING)
        real, synthetic = stage_both(report, Path(tmp))
        result = assess(report, real, synthetic, baseline, Path(tmp), phases.begin)
        if baseline is None:
            baseline = store_baseline(report, result, real, Path(tmp))
            if baseline is None:  # another report stored one meanwhile: measure with that one
                baseline = QualityBaseline.objects.get(source_version=report.source_version)
                result = assess(report, real, synthetic, baseline, Path(tmp), phases.begin)
    phases.end()
    _store(report, result, real, synthetic, baseline)


def stage_both(report: QualityReport, root: Path) -> tuple[StagedImages, StagedImages]:
    """The source version's images and the synthetic version's (capped per class), read at the
    synthetic images' size, with the synthetic labels indexing the source's classes."""
    resolution = synthetic_resolution(report.version)
    staging.stage_version(report.source_version, root / "real")
    staging.stage_version(
        report.version, root / "synthetic", per_class_limit=settings.QUALITY_MAX_PER_CLASS
    )
    real = staged_images(root / "real", resolution)
    synthetic = staged_images(root / "synthetic", resolution, class_names=real.class_names)
    return real, synthetic


def synthetic_resolution(version: DatasetVersion) -> int:
    """The width most of the version's images have: a model's output size (they are square)."""
    widths = version.images.values("width").annotate(n=Count("id")).order_by("-n", "-width")
    return widths[0]["width"]


def staged_images(
    folder: Path, resolution: int, *, class_names: list[str] | None = None
) -> StagedImages:
    """Decode a folder written by staging.stage_version (files named by ImageRecord id).

    `class_names` (default: the folder's own) fixes what the labels index; a class folder
    outside it is refused by name.
    """
    items, names = list_image_folder(folder)
    class_names = class_names or names
    unknown = sorted(set(names) - set(class_names))
    if unknown:
        raise ValueError(f"classes {unknown} are not classes of the source version")
    position = {name: class_names.index(name) for name in names}
    items = [(path, position[names[label]]) for path, label in items]
    loaded = load_items(items, class_names, resolution)
    return StagedImages(
        loaded.as_uint8(), loaded.labels, class_names, [int(path.stem) for path, _ in items]
    )


def assess(
    report: QualityReport,
    real: StagedImages,
    synthetic: StagedImages,
    baseline: QualityBaseline | None,
    root: Path,
    on_phase,
) -> EngineReport:
    """gan_engine's report, with the baseline's split and domain CNN where there is one."""
    split, classifier = None, None
    if baseline is not None:
        split = stored_split(baseline, real.record_ids)
        weights = staging.download(baseline.classifier.name, root / "domain-cnn.pt")
        classifier = DomainClassifier.load(weights)
    return quality_report(
        real.images,
        real.labels,
        synthetic.images,
        synthetic.labels,
        real.class_names,
        seed=report.seed,
        split=split,
        memorization_threshold=report.memorization_threshold,
        inception_weights_path=settings.INCEPTION_WEIGHTS_PATH or None,
        device=training_device(),
        classifier_config=ClassifierConfig(steps=settings.QUALITY_CLASSIFIER_STEPS),
        domain_tag=domain_tag(report.source_version),
        domain_classifier=classifier,
        on_phase=on_phase,
    )


def domain_tag(source: DatasetVersion) -> str:
    """The domain CNN's name after the version it learned from: 10.5072/colours.v1 ->
    10-5072-colours-v1, so its figures read `domain-cnn-10-5072-colours-v1`."""
    return slugify(source.identifier.replace("/", "-").replace(".", "-"))


def stored_split(baseline: QualityBaseline, record_ids: list[int]) -> RealSplit:
    """The baseline's split as positions in this staging of the source's images."""
    position = {record_id: index for index, record_id in enumerate(record_ids)}
    stored = [*baseline.train_images, *baseline.held_out_images]
    missing = [record_id for record_id in stored if record_id not in position]
    if missing:
        raise ValueError(
            f"{len(missing)} images of the quality baseline of {baseline.source_version} are no "
            f"longer in it (e.g. ImageRecord {missing[0]}): its split no longer fits"
        )
    return RealSplit(
        tuple(sorted(position[i] for i in baseline.train_images)),
        tuple(sorted(position[i] for i in baseline.held_out_images)),
    )


def store_baseline(
    report: QualityReport, result: EngineReport, real: StagedImages, root: Path
) -> QualityBaseline | None:
    """Keep the report's split (as ImageRecord ids) and domain CNN as the source's baseline;
    None when another report stored one first (its file is then removed again)."""
    tag = domain_tag(report.source_version)
    path = root / f"domain-cnn-{tag}.pt"
    result.domain_classifier.save(path)
    stored = staging.upload(path, f"quality/{path.name}")
    classifier = result.domain_classifier
    try:
        with transaction.atomic():
            return QualityBaseline.objects.create(
                source_version=report.source_version,
                seed=result.seed,
                train_images=[real.record_ids[i] for i in result.split.train],
                held_out_images=[real.record_ids[i] for i in result.split.held_out],
                classifier=stored,
                classifier_config={
                    **classifier.config.to_dict(),
                    "resolution": classifier.resolution,
                    "class_names": list(classifier.class_names),
                    "fingerprint": classifier.fingerprint(),
                },
                extractor_name=result.domain_extractor,
            )
    except IntegrityError:
        staging.delete_quietly(stored)
        return None


def report_json(result: EngineReport, real: StagedImages, synthetic: StagedImages) -> dict:
    """The engine's report with ImageRecord ids for its image positions, without per-image
    lists and without the split (the baseline holds it, as ids)."""
    data = result.to_dict()
    del data["split"]
    data["synthetic_per_class_cap"] = settings.QUALITY_MAX_PER_CLASS
    data["resolution"] = int(real.images.shape[-1])
    for space in data["memorization"]["spaces"]:
        for key in PER_IMAGE_KEYS:
            del space[key]
        space["closest_pairs"] = [
            {
                "synthetic_image": synthetic.record_ids[pair["synthetic_index"]],
                "real_image": real.record_ids[pair["real_index"]],
                "distance": pair["distance"],
                "memorized": pair["distance"] <= space["threshold"],
            }
            for pair in space["closest_pairs"]
        ]
    return data


def closest_pairs(data: dict) -> list[dict]:
    """Every space's closest pairs in one list, each naming its space, for review."""
    return [
        {"space": space["space"], **pair}
        for space in data["memorization"]["spaces"]
        for pair in space["closest_pairs"]
    ]


def hold_reason(report: QualityReport, share: float) -> str:
    """The finding a curator must answer before publishing, in one sentence."""
    return (
        f"Quality report {report.pk}: {percent(share)} of the synthetic images are as close to "
        f"a real image as the closest {percent(REFERENCE_PERCENTILE / 100)} of real images are "
        f"to their nearest other real image (the limit is "
        f"{percent(report.memorization_threshold)}), so they may copy real images."
    )


def percent(share: float) -> str:
    """0.05 -> 5%, 0.025 -> 2.5%, 1/12 -> 8.3%."""
    return f"{round(share * 100, 1):g}%"


def _store(
    report: QualityReport,
    result: EngineReport,
    real: StagedImages,
    synthetic: StagedImages,
    baseline: QualityBaseline,
) -> None:
    """Write the report and gate the version's publication on it, together (and publish the
    demo's version on it)."""
    data = report_json(result, real, synthetic)
    share = result.memorization.memorized_share
    flagged = result.memorization.flagged
    with transaction.atomic():
        QualityReport.objects.filter(pk=report.pk).update(
            baseline=baseline,
            report=data,
            memorized_share=share,
            flagged=flagged,
            closest_pairs=closest_pairs(data),
            state=JobState.SUCCEEDED,
            error="",
            progress_done=F("progress_total"),
            finished_at=timezone.now(),
            eta_seconds=None,
        )
        hold_publication(
            version=report.version, reason=hold_reason(report, share) if flagged else ""
        )
        report.report = data
        record_summary(report)
        signals.quality_report_finished.send(QualityReport, report=report)


def record_summary(report: QualityReport) -> None:
    """The report's key figures and data-card lines in the draft's `metrics["quality"]`, where
    the catalogue's ZIP README and Croissant read them (datasets.quality_summary); a published
    version never changes."""
    record_version_metrics(version=report.version, metrics={QUALITY_KEY: quality_summary(report)})
