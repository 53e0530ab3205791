"""Celery tasks: thin shells around the workflows (generation.workflows), and the one way a row
is sent to its task (`enqueue`), used by the services and by recovery.

Each task imports its workflow when it runs: the web processes import this module to send
tasks, and must not load PyTorch and the engine to do so.

acks_late with reject_on_worker_lost (settings) lets brokers with acknowledgements redeliver a
dead worker's task; the database lease and recovery cover brokers that do not. A database or a
bucket that goes away mid-task (generation.worker.faults) is retried with back-off.
"""

import logging

from celery import shared_task
from celery.signals import worker_ready
from django.db import close_old_connections

from generation.models import GenerationJob, QualityReport, TrackedTask, TrainingRun
from generation.worker import recovery
from generation.worker.faults import TRANSIENT_FAULTS
from portal.log_context import task_context

logger = logging.getLogger(__name__)

RETRY = {"autoretry_for": TRANSIENT_FAULTS, "retry_backoff": 2, "max_retries": 10}


@shared_task(acks_late=True, **RETRY)
def train_run(run_id: int) -> None:
    from generation.workflows import training

    close_old_connections()
    with task_context(f"run={run_id}"):
        training.run_training(run_id)


@shared_task(acks_late=True, **RETRY)
def generate_images(job_id: int) -> None:
    from generation.workflows import generating

    close_old_connections()
    with task_context(f"job={job_id}"):
        generating.run_generation(job_id)


@shared_task(acks_late=True, **RETRY)
def quality_report(report_id: int) -> None:
    from generation.workflows import quality_reports

    close_old_connections()
    with task_context(f"quality_report={report_id}"):
        quality_reports.run_quality_report(report_id)


@shared_task
def recover_orphaned_work() -> dict[str, list[int]]:
    return requeue_orphans(include_queued=False)


@worker_ready.connect
def recover_at_worker_start(**_) -> None:
    requeue_orphans(include_queued=True)


# Each kind of row, its task, and its key in requeue_orphans' answer.
TASKS = {
    TrainingRun: (train_run, "runs"),
    GenerationJob: (generate_images, "jobs"),
    QualityReport: (quality_report, "quality_reports"),
}


def enqueue(model: type[TrackedTask], pk: int) -> None:
    """Send row `pk` to its Celery task (routed by settings.CELERY_TASK_ROUTES) and record the
    task id, which the pages show and operators look up."""
    task, _ = TASKS[model]
    result = task.delay(pk)
    model.objects.filter(pk=pk).update(celery_task_id=result.id)


def requeue_orphans(*, include_queued: bool) -> dict[str, list[int]]:
    """Re-enqueue the rows no worker is doing (generation.worker.recovery): at worker start,
    also the queued rows a lost broker forgot; periodically (celery beat), the abandoned ones.
    Always safe: a task claims its row first and does nothing when another live worker holds it
    or it is finished."""
    requeued = {key: [] for _, key in TASKS.values()}
    for model, (_, key) in TASKS.items():
        for pk, queued_at in recovery.orphans(model, include_queued=include_queued).items():
            logger.warning("re-enqueueing %s %s: %s", model.__name__, pk, recovery.why(queued_at))
            enqueue(model, pk)
            requeued[key].append(pk)
    return requeued
