"""Celery tasks: thin shells around generation.training, generating, quality_reports and recovery.

acks_late with reject_on_worker_lost (settings) lets brokers with acknowledgements redeliver a
dead worker's task; the database lease and recovery cover brokers that do not. A database or a
bucket that goes away mid-task (generation.faults) is retried with back-off.
"""

from celery import shared_task
from celery.signals import worker_ready
from django.db import close_old_connections

from generation import generating, quality_reports, recovery, training
from generation.faults import TRANSIENT_FAULTS
from portal.log_context import task_context

RETRY = {"autoretry_for": TRANSIENT_FAULTS, "retry_backoff": 2, "max_retries": 10}


@shared_task(acks_late=True, **RETRY)
def train_run(run_id: int) -> None:
    close_old_connections()
    with task_context(f"run={run_id}"):
        training.run_training(run_id)


@shared_task(acks_late=True, **RETRY)
def generate_images(job_id: int) -> None:
    close_old_connections()
    with task_context(f"job={job_id}"):
        generating.run_generation(job_id)


@shared_task(acks_late=True, **RETRY)
def quality_report(report_id: int) -> None:
    close_old_connections()
    with task_context(f"quality_report={report_id}"):
        quality_reports.run_quality_report(report_id)


@shared_task
def recover_orphaned_work() -> dict[str, list[int]]:
    return recovery.recover_orphaned_work(include_queued=False)


@worker_ready.connect
def recover_at_worker_start(**_) -> None:
    recovery.recover_orphaned_work(include_queued=True)
