"""Beat's recovery steps do not pile up behind a busy worker: a step still queued when the next
one is due expires unrun. Real `celery beat` and a real worker on the session's broker.

Every recovery step that runs requeues the run of a dead worker and logs it, so the worker's log
counts the steps that ran.
"""

import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from generation.constants import JobState
from generation.models import TrainingRun
from tests.workers import ROOT, Worker, database_url, purge_broker, queued, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

STEPS_WHILE_BUSY = 5


@pytest.fixture
def beat(tmp_path):
    """`celery beat` alone, scheduling a recovery step every second, on empty queues."""
    purge_broker()
    log = open(tmp_path / "beat.log", "w")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "beat",
            "--loglevel=INFO",
            "--schedule",
            str(tmp_path / "beat-schedule"),
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "GENERATION_RECOVERY_INTERVAL_SECONDS": "1",
        },
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield process
    process.terminate()
    process.wait(timeout=15)
    log.close()


def test_recovery_steps_queued_behind_a_busy_worker_expire(source_version, owner, beat, tmp_path):
    orphan = TrainingRun.objects.create(
        owner=owner,
        source_version=source_version,
        preset="tiny",
        state=JobState.RUNNING,
        worker="a-host-that-is-gone:4242",
        heartbeat_at=timezone.now() - timedelta(hours=1),
    )
    # No worker takes the default queue yet: as when the only one is busy for a long task.
    wait_for(
        lambda: queued("default") >= STEPS_WHILE_BUSY,
        timeout=120,
        what=f"{STEPS_WHILE_BUSY} recovery steps from beat",
    )
    beat.terminate()
    beat.wait(timeout=15)
    assert queued("gpu") == 0

    worker = Worker("default", "default", tmp_path)
    try:
        wait_for(lambda: queued("default") == 0, timeout=120, what="the worker to take them")
        time.sleep(2)  # the last one taken finishes (a step takes milliseconds)
        # The worker's own step at its start requeues the run once; every stale step it takes
        # is discarded unrun. Read from this worker's log, not from the gpu queue's length,
        # which any other process on the shared broker could change.
        log = worker.output()
        taken = log.count("Task generation.tasks.recover_orphaned_work[")
        assert taken >= STEPS_WHILE_BUSY, log
        assert log.count("Discarding revoked task") == taken, log
        assert log.count(f"re-enqueueing TrainingRun {orphan.pk}:") == 1, log
        assert queued("gpu") >= 1
    finally:
        worker.stop()
    assert TrainingRun.objects.get(pk=orphan.pk).celery_task_id
    purge_broker()
