"""Re-enqueue the runs, jobs and quality reports of workers that died (DESIGN.md section 8).

Runs at worker start (also picking up queued rows a lost broker forgot) and periodically
(celery beat). Re-enqueueing is always safe: the task claims its row first and does nothing
when another live worker holds it or it is finished.
"""

import logging

from generation import leases
from generation.models import GenerationJob, QualityReport, TrainingRun

logger = logging.getLogger(__name__)


def recover_orphaned_work(*, include_queued: bool) -> dict[str, list[int]]:
    from generation.tasks import generate_images, quality_report, train_run

    recovered = {"runs": [], "jobs": [], "quality_reports": []}
    for model, task, key in (
        (TrainingRun, train_run, "runs"),
        (GenerationJob, generate_images, "jobs"),
        (QualityReport, quality_report, "quality_reports"),
    ):
        for pk in leases.orphaned(model, include_queued=include_queued):
            logger.warning("re-enqueueing %s %s: its worker is gone", model.__name__, pk)
            result = task.delay(pk)
            model.objects.filter(pk=pk).update(celery_task_id=result.id)
            recovered[key].append(pk)
    return recovered
