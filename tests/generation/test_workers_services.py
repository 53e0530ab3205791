"""Many workers on the production broker (make test-services: PostgreSQL and Redis): two `gpu`
workers and a `default` one share a mixed batch without losing or repeating a task, and a
SIGKILLed worker's job is finished by the other, live `gpu` worker after the recovery step.

Each test commits its rows (transactional database) so that the worker processes see them.
"""

import re
from collections import Counter

import pytest
from django.core.files.storage import default_storage

from datasets.integrity import sha256_of
from datasets.models import DatasetVersion
from generation import services
from generation.constants import JobState
from generation.models import GanModel, GeneratedImage, GenerationJob, TrainingRun
from generation.workflows.generating import plan
from tests.catalogue import published
from tests.generation.test_worker_jobs import (
    assert_files_match_rows,
    finished,
    progressed,
    train_model_here,
)
from tests.workers import wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

TASK_RECEIVED = re.compile(r"Task (\S+)\[([0-9a-f-]+)\] received")
GPU_TASKS = {"generation.tasks.train_run", "generation.tasks.generate_images"}
# The mixed batch: two training runs, three generation jobs, one ZIP build.
BATCH = Counter(
    {
        "generation.tasks.train_run": 2,
        "generation.tasks.generate_images": 3,
        "datasets.build_archive": 1,
    }
)


def ready(*started) -> None:
    for worker in started:
        wait_for(lambda w=worker: "ready." in w.output(), timeout=90, what=f"{worker.log_path}")


def received_tasks(*started) -> list[tuple[str, str]]:
    """(task name, task id) of every message any of the workers took from the broker."""
    return [match for worker in started for match in TASK_RECEIVED.findall(worker.output())]


def assert_job_complete(job: GenerationJob) -> None:
    """Every planned (class, seed) has exactly one row and one file, and nothing else does."""
    rows = GeneratedImage.objects.filter(job=job)
    expected = {(item.class_name, item.seed) for item in plan(job)}
    assert rows.count() == len(expected) == job.count_per_class * len(job.class_names)
    assert set(rows.values_list("class_name", "seed")) == expected
    assert job.result_version.image_count == len(expected)
    assert_files_match_rows(job.result_version)


def test_two_gpu_workers_and_a_default_worker_share_a_mixed_batch(
    workers, source_version, owner, tmp_path
):
    model = train_model_here(source_version, owner)
    started = [workers("gpu1", "gpu"), workers("gpu2", "gpu"), workers("default1", "default")]
    ready(*started)
    output = lambda: "\n".join(worker.output() for worker in started)  # noqa: E731

    runs = [
        services.start_training(
            source_version=source_version,
            preset="tiny",
            overrides={"iterations": 4, "eval_every": 0, "seed": index},
            user=owner,
        )
        for index in range(2)
    ]
    jobs = [
        services.start_generation(
            model=model, count_per_class=8, classes=None, seed=1000 * index, user=owner
        )
        for index in range(3)
    ]
    # Publishing queues the ZIP build on `default` once the transaction commits.
    version = published(owner, tmp_path / "uploads", archive=False)

    for run in runs:
        wait_for(lambda r=run: finished(TrainingRun, r.pk, output), timeout=180, what="training")
    for job in jobs:
        wait_for(lambda j=job: finished(GenerationJob, j.pk, output), timeout=180, what="jobs")
    version = wait_for(
        lambda: DatasetVersion.objects.exclude(archive="").filter(pk=version.pk).first(),
        timeout=120,
        what="the ZIP build on the default queue",
    )

    trained = list(TrainingRun.objects.filter(pk__in=[run.pk for run in runs]))
    for run in trained:
        assert run.attempts == 1
        assert GanModel.objects.filter(training_run=run, iterations=4).count() == 1
    done = list(GenerationJob.objects.filter(pk__in=[job.pk for job in jobs]))
    for job in done:
        assert job.attempts == 1
        assert_job_complete(job)
    all_seeds = GeneratedImage.objects.filter(job__in=done).values_list("seed", flat=True)
    assert len(set(all_seeds)) == len(all_seeds) == 3 * 24
    assert sha256_of(version.archive.name) == version.archive_sha256
    assert default_storage.exists(version.archive.name)

    # Each message was taken once, by a worker of its queue; both GPU workers had work.
    # (Finished jobs queue follow-up work too, such as quality reports: it must not be taken
    # twice either, but it is not part of the batch.)
    received = received_tasks(*started)
    assert len({task_id for _, task_id in received}) == len(received)
    assert Counter(name for name, _ in received if name in BATCH) == BATCH
    assert len({row.worker for row in [*done, *trained]}) == 2
    on_default = {name for name, _ in received_tasks(started[2])}
    on_gpu = {name for name, _ in received_tasks(*started[:2])}
    assert "datasets.build_archive" in on_default - on_gpu
    assert not on_default & GPU_TASKS


def test_a_killed_gpu_worker_s_job_is_finished_by_the_other_gpu_worker(
    workers, source_version, owner
):
    model = train_model_here(source_version, owner)
    chunks = {"GENERATION_CHUNK_SIZE": "8", "GENERATION_RECOVERY_INTERVAL_SECONDS": "2"}
    gpu = [workers("gpu1", "gpu", **chunks), workers("gpu2", "gpu", **chunks)]
    # The one beat of the deployment schedules the recovery step onto `default`.
    beat = workers("default1", "default", beat=True, **chunks)
    ready(*gpu, beat)
    output = lambda: "\n".join(worker.output() for worker in [*gpu, beat])  # noqa: E731

    job = services.start_generation(
        model=model, count_per_class=60, classes=None, seed=0, user=owner
    )
    wait_for(
        lambda: progressed(GenerationJob, job.pk, output),
        timeout=120,
        interval=0.05,
        what="a first stored chunk",
    )
    holder_pid = int(GenerationJob.objects.get(pk=job.pk).worker.rpartition(":")[2])
    (victim,) = [worker for worker in gpu if worker.pid == holder_pid]
    (survivor,) = [worker for worker in gpu if worker is not victim]
    victim.kill()
    killed_at = GenerationJob.objects.get(pk=job.pk)
    assert killed_at.state == JobState.RUNNING
    assert killed_at.progress_done < killed_at.progress_total

    job = wait_for(
        lambda: finished(GenerationJob, job.pk, output), timeout=180, what="the taken-over job"
    )
    assert job.worker.endswith(f":{survivor.pid}")
    assert job.attempts == 2
    assert_job_complete(job)
    assert "re-enqueueing GenerationJob" in beat.output()
