"""The database restarted under a running generation job: the task retries and finishes; and
the lease thread outlives a connection the server cut.

The restart runs on a private PostgreSQL server (tests/postgres.py), never the shared one.
Set-up and the final check run through `manage.py shell` on that server, as an operator's
commands would; the worker is a real `celery worker` process on the session's broker.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from generation import services
from generation.constants import JobState
from generation.models import GenerationJob, TrainingRun
from generation.worker import leases
from tests.generation.conftest import write_colour_classes
from tests.workers import ROOT, wait_for

pytestmark = [pytest.mark.services]

COUNT_PER_CLASS = 40


def prepare_job(upload: str) -> int:
    """In `manage.py shell` on the private server: the schema, a curator, a source set, a model
    trained here, and a queued generation job; returns the job's id."""
    from django.core.management import call_command

    from datasets.services import import_dataset
    from tests.factories import make_user
    from tests.generation.test_worker_jobs import train_model_here

    call_command("migrate", verbosity=0)
    owner = make_user("curator", staff=True)
    version = import_dataset(
        source=Path(upload), title="Colours", license_spdx="CC-BY-4.0", owner=owner
    ).version
    model = train_model_here(version, owner)
    job = services.start_generation(
        model=model, count_per_class=COUNT_PER_CLASS, classes=None, seed=0, user=owner
    )
    return job.pk


def check_job(job_id: int) -> None:
    """In `manage.py shell` on the private server: every planned image once, with its file."""
    from tests.generation.test_workers_services import assert_job_complete

    assert_job_complete(GenerationJob.objects.select_related("result_version").get(pk=job_id))


def manage_shell(code: str, database_url: str) -> str:
    env = {**os.environ, "DATABASE_URL": database_url, "MEDIA_ROOT": str(settings.MEDIA_ROOT)}
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return done.stdout


def test_database_restarted_mid_job_the_job_retries_and_finishes(
    private_postgres, workers, tmp_path
):
    write_colour_classes(tmp_path / "upload")
    out = manage_shell(
        "from tests.generation.test_database_restart import prepare_job; "
        f"print(prepare_job({str(tmp_path / 'upload')!r}))",
        private_postgres.url,
    )
    job_id = int(out.split()[-1])
    # A long stale period: the job queued during set-up is not re-enqueued at worker start, so
    # only the task's own retries can finish it.
    worker = workers(
        "gpu1",
        "gpu",
        DATABASE_URL=private_postgres.url,
        GENERATION_CHUNK_SIZE="8",
        GENERATION_HEARTBEAT_STALE_SECONDS="600",
    )

    def job() -> dict:
        (row,) = private_postgres.query(
            "SELECT state, progress_done, attempts, error FROM generation_generationjob "
            "WHERE id = %s",
            job_id,
        )
        return dict(zip(("state", "done", "attempts", "error"), row, strict=True))

    wait_for(lambda: job()["done"] > 0, timeout=120, interval=0.05, what="a first chunk")
    private_postgres.stop()
    wait_for(
        lambda: "retry: Retry in" in worker.output(),
        timeout=60,
        what="the task to fail on the lost database and be retried",
    )
    private_postgres.start()

    final = wait_for(
        lambda: (row := job())["state"] not in (JobState.QUEUED, JobState.RUNNING) and row,
        timeout=180,
        what="the job to end",
    )
    assert final["state"] == JobState.SUCCEEDED, (final["error"], worker.output()[-4000:])
    assert final["attempts"] >= 2
    assert final["done"] == COUNT_PER_CLASS * 3
    manage_shell(
        f"from tests.generation.test_database_restart import check_job; check_job({job_id})",
        private_postgres.url,
    )
    assert "re-enqueueing" not in worker.output()
    assert "Traceback" not in worker.output().split("retry: Retry in")[-1]


@pytest.mark.django_db(transaction=True)
def test_the_lease_thread_renews_again_after_its_connection_is_cut(source_version, owner):
    if connection.vendor != "postgresql":
        pytest.skip("cutting a session needs PostgreSQL (make test-services)")
    run = services.start_training(
        source_version=source_version, preset="tiny", overrides={}, user=owner, enqueue=False
    )
    assert leases.claim(TrainingRun, run.pk)
    beat = lambda: TrainingRun.objects.values_list("heartbeat_at", flat=True).get(pk=run.pk)  # noqa: E731
    with leases.kept(TrainingRun, run.pk):
        claimed_at = beat()
        wait_for(lambda: beat() > claimed_at, timeout=10, what="a first renewal")
        with connection.cursor() as cursor:  # the only other session on this test database
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            assert cursor.fetchall() == [(True,)]
        cut_at = timezone.now()
        wait_for(lambda: beat() > cut_at, timeout=10, what="a renewal on a new connection")
