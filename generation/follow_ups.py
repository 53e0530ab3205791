"""What starts when a workflow finishes a step (generation.signals): the quality report of each
filled synthetic version (QUALITY_AFTER_GENERATION), and the demo's next step
(generation.demo_pipeline). Connected in GenerationConfig.ready, in web and worker processes.

Each receiver is called before its step's row is final, so a worker lost in between leaves the
row to be resumed and the receiver to be called again; what they start, they start once.
"""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver

from datasets.models import DatasetVersion
from generation import demo_pipeline, services, signals
from generation.exceptions import GenerationRejected
from generation.models import GanModel, GenerationJob, QualityReport, TrainingRun

logger = logging.getLogger(__name__)


@receiver(signals.model_registered, sender=TrainingRun)
def carry_the_demo_to_generation(*, run: TrainingRun, model: GanModel, **_) -> None:
    demo_pipeline.after_model_registered(run=run, model=model)


@receiver(signals.generation_finished, sender=GenerationJob)
def assess_the_synthetic_version(*, job: GenerationJob, version: DatasetVersion, **_) -> None:
    """Queue the report of the version the job filled, then let the demo follow it (the demo
    takes the report queued here, or starts its own when reports are not automatic)."""
    if settings.QUALITY_AFTER_GENERATION:
        queue_quality_report(job=job, version=version)
    demo_pipeline.after_generation(job=job, version=version)


@receiver(signals.quality_report_finished, sender=QualityReport)
def carry_the_demo_to_publication(*, report: QualityReport, **_) -> None:
    demo_pipeline.after_quality_report(report=report)


def queue_quality_report(*, job: GenerationJob, version: DatasetVersion) -> None:
    """The version's report. The job succeeds whatever happens here: a report that cannot
    start (one is under way already, after a retried job) is logged, and its curator can start
    one later."""
    try:
        services.start_quality_report(version=version, user=job.owner)
    except (GenerationRejected, PermissionDenied) as error:
        logger.warning("job %s: no quality report of %s: %s", job.pk, version, error)
