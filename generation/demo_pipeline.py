"""The demo of a fresh `make run`, carried on by itself from the demo training run to a
published synthetic version.

seed_demo starts it with the demo run; generation.follow_ups moves it on as the workflows
finish their steps: the registered model generates DEMO_IMAGES_PER_CLASS images a class, the
finished generation job gets its quality report, and the finished report publishes the version
(public, under the source's license, with a named demo creator) unless the report holds it.
Each step is an ordinary run, job or report with its own page; the pipeline row only remembers
which ones are the demo's, so a step announced twice (a retried task) or anyone else's work
moves nothing. DEMO_PIPELINE=0 stops it at any stage.
"""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction

from datasets.constants import Visibility
from datasets.exceptions import CurationRefused, PublishRefused
from datasets.models import DatasetVersion
from datasets.services import CreatorSpec, add_creators, change_visibility, publish_version
from generation import services
from generation.constants import ACTIVE_STATES, DemoStage
from generation.exceptions import GenerationRejected
from generation.models import DemoPipeline, GanModel, GenerationJob, QualityReport, TrainingRun

logger = logging.getLogger(__name__)

DEMO_CREATOR = CreatorSpec(name="ABID demo")
# The demo's images are the same on every machine: seeds are part of what makes them.
DEMO_SEED = 0


def start(*, run: TrainingRun) -> DemoPipeline | None:
    """Make `run` the demo's first step; None when the demo is off or has been started before
    (it happens once per database, as the demo set is built once)."""
    if not settings.DEMO_PIPELINE:
        return None
    with transaction.atomic():
        if DemoPipeline.objects.exists():
            return None
        return DemoPipeline.objects.create(training_run=run)


def _advance(stage: str, **match) -> DemoPipeline | None:
    """The pipeline at `stage` whose step is `match`, locked for this transaction; None when
    the demo is off, or this step is not the demo's or was handled already."""
    if not settings.DEMO_PIPELINE:
        return None
    return DemoPipeline.objects.select_for_update().filter(stage=stage, **match).first()


def after_model_registered(*, run: TrainingRun, model: GanModel) -> None:
    """Generate the demo's synthetic version from the demo run's model."""
    with transaction.atomic():
        pipeline = _advance(DemoStage.TRAINING, training_run=run)
        if pipeline is None:
            return
        try:
            job = services.start_generation(
                model=model,
                count_per_class=settings.DEMO_IMAGES_PER_CLASS,
                classes=None,
                seed=DEMO_SEED,
                user=run.owner,
            )
        except (GenerationRejected, PermissionDenied) as error:
            _stop(pipeline, f"the generation job could not start: {error}")
            return
        pipeline.generation_job = job
        pipeline.stage = DemoStage.GENERATING
        pipeline.save(update_fields=["generation_job", "stage", "updated_at"])


def after_generation(*, job: GenerationJob, version: DatasetVersion) -> None:
    """Follow the quality report of the demo's synthetic version: the one the job queued
    (QUALITY_AFTER_GENERATION), or a new one."""
    with transaction.atomic():
        pipeline = _advance(DemoStage.GENERATING, generation_job=job)
        if pipeline is None:
            return
        report = version.quality_reports.filter(state__in=ACTIVE_STATES).first()
        if report is None:
            try:
                report = services.start_quality_report(version=version, user=job.owner)
            except (GenerationRejected, PermissionDenied) as error:
                _stop(pipeline, f"the quality report could not start: {error}")
                return
        pipeline.quality_report = report
        pipeline.stage = DemoStage.ASSESSING
        pipeline.save(update_fields=["quality_report", "stage", "updated_at"])


def after_quality_report(*, report: QualityReport) -> None:
    """Publish the demo's synthetic version once its report is stored, unless the report holds
    it: then say why."""
    with transaction.atomic():
        pipeline = _advance(DemoStage.ASSESSING, quality_report=report)
        if pipeline is None:
            return
        version = DatasetVersion.objects.select_related("dataset").get(pk=report.version_id)
        if version.is_held:
            _stop(pipeline, version.publication_hold)
            return
        owner = pipeline.training_run.owner
        try:
            with transaction.atomic():
                _publish(version, owner)
        except (PublishRefused, CurationRefused, PermissionDenied) as error:
            _stop(pipeline, f"publishing was refused: {error}")
            return
        pipeline.stage = DemoStage.PUBLISHED
        pipeline.save(update_fields=["stage", "updated_at"])
    logger.info("demo: published %s", version.identifier)


def _publish(version: DatasetVersion, owner) -> None:
    """Public, credited and published, all through the catalogue's services."""
    if not version.creators.exists():
        add_creators(version=version, creators=[DEMO_CREATOR])
    if version.dataset.visibility != Visibility.PUBLIC:
        change_visibility(dataset=version.dataset, user=owner, visibility=Visibility.PUBLIC)
    publish_version(version=version, user=owner)


def _stop(pipeline: DemoPipeline, reason: str) -> None:
    """Record why the demo ends before publishing; its pages show the reason."""
    logger.warning("demo: not published: %s", reason)
    pipeline.stage = DemoStage.HELD
    pipeline.reason = reason
    pipeline.save(update_fields=["stage", "reason", "updated_at"])
