"""Re-enqueue the runs, jobs and quality reports no worker is doing (docs/deploy.md, section 2).

Runs at worker start (also picking up queued rows a lost broker forgot) and periodically
(celery beat). Re-enqueueing is always safe: the task claims its row first and does nothing
when another live worker holds it or it is finished.
"""

import logging
from datetime import datetime

from django.db import models
from django.utils.timesince import timesince

from generation import leases
from generation.constants import JobState
from generation.models import GenerationJob, QualityReport, TrainingRun

logger = logging.getLogger(__name__)


def orphans(model: type[models.Model], *, include_queued: bool) -> dict[int, datetime | None]:
    """Rows no worker is doing (leases.orphaned), each with the time it was queued when no
    worker ever claimed it, or None when it was claimed and its worker is gone: a row waiting
    behind busy workers must never be reported as abandoned."""
    pks = leases.orphaned(model, include_queued=include_queued)
    waiting = model.objects.filter(pk__in=pks, state=JobState.QUEUED)
    queued_at = dict(waiting.values_list("pk", "created_at"))
    return {pk: queued_at.get(pk) for pk in pks}


def why(queued_at: datetime | None) -> str:
    """Why a row of `orphans` is requeued, for logs and check_integrity."""
    if queued_at is None:
        return "its worker is gone"
    return f"queued {timesince(queued_at)} ago, no worker has started it"


def recover_orphaned_work(*, include_queued: bool) -> dict[str, list[int]]:
    from generation.tasks import generate_images, quality_report, train_run

    recovered = {"runs": [], "jobs": [], "quality_reports": []}
    for model, task, key in (
        (TrainingRun, train_run, "runs"),
        (GenerationJob, generate_images, "jobs"),
        (QualityReport, quality_report, "quality_reports"),
    ):
        for pk, queued_at in orphans(model, include_queued=include_queued).items():
            logger.warning("re-enqueueing %s %s: %s", model.__name__, pk, why(queued_at))
            result = task.delay(pk)
            model.objects.filter(pk=pk).update(celery_task_id=result.id)
            recovered[key].append(pk)
    return recovered
