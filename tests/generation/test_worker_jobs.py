"""Training and generation through real Celery worker processes (no eager mode, no mocks).

Each test commits its rows (transactional database) so that the worker processes see them.
"""

import hashlib
from pathlib import Path

import pytest
from django.core.files.storage import default_storage

from datasets.models import ImageRecord
from generation import services
from generation.constants import JobState
from generation.models import GanModel, GeneratedImage, GenerationJob, TrainingRun
from generation.workflows.training import run_training
from tests.workers import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

TINY = {"iterations": 12, "eval_every": 12, "checkpoint_every": 6}


def state_of(model, pk: int) -> str:
    return model.objects.values_list("state", flat=True).get(pk=pk)


def finished(model, pk: int, worker_output) -> object:
    """The row once it succeeded; fails the test at once if it failed or was cancelled."""
    row = model.objects.get(pk=pk)
    assert row.state not in (JobState.FAILED, JobState.CANCELLED), (row.error, worker_output())
    return row if row.state == JobState.SUCCEEDED else None


def progressed(model, pk: int, worker_output, *, beyond: int = 0) -> bool:
    row = model.objects.get(pk=pk)
    assert row.state != JobState.FAILED, (row.error, worker_output())
    return row.progress_done > beyond


def train_model_here(source_version, owner, **overrides) -> GanModel:
    """A model trained in this process (the --sync path): for tests about generation."""
    run = services.start_training(
        source_version=source_version,
        preset="tiny",
        overrides={"iterations": 4, "eval_every": 0, **overrides},
        user=owner,
        enqueue=False,
    )
    run_training(run.pk)
    return GanModel.objects.get(training_run=run)


def assert_files_match_rows(version) -> None:
    """Every row's file exists with its sha256, and the version's folder holds no other file."""
    names = set()
    for record in ImageRecord.objects.filter(version=version):
        with default_storage.open(record.file.name, "rb") as handle:
            assert hashlib.sha256(handle.read()).hexdigest() == record.sha256
        names.add(record.file.name)
    root = Path(default_storage.path(f"datasets/{version.dataset.slug}/v{version.number}"))
    on_disk = {str(p.relative_to(default_storage.path(""))) for p in root.rglob("*") if p.is_file()}
    assert on_disk == names


def test_train_then_generate_through_a_worker(workers, source_version, owner):
    worker = workers("w1")
    run = services.start_training(
        source_version=source_version, preset="tiny", overrides=TINY, user=owner
    )
    wait_for(lambda: finished(TrainingRun, run.pk, worker.output), timeout=180, what="training")
    model = GanModel.objects.get(training_run=run)
    assert model.class_names == ["blue", "green", "red"]
    assert default_storage.exists(model.weights.name)
    evaluated = run.metric_points.exclude(extractor="")
    assert evaluated.count() == 1
    point = evaluated.get()
    assert point.iteration == 12
    assert point.kid_mean is not None
    assert point.extractor  # named, and not passed off as Inception FID without its weights
    # 36 images, fewer than any network's feature dimensions: never a comparable FID
    assert not point.fid_comparable
    assert "fid" in point.small_sample_notes
    assert run.metric_points.filter(g_loss__isnull=False).exists()

    job = services.start_generation(
        model=model, count_per_class=20, classes=None, seed=7, user=owner
    )
    job = wait_for(
        lambda: finished(GenerationJob, job.pk, worker.output), timeout=120, what="generation"
    )
    version = job.result_version
    assert version.dataset.kind == "synthetic"
    assert version.derived_from == source_version
    assert version.image_count == 60
    assert version.class_counts == {"blue": 20, "green": 20, "red": 20}
    rows = GeneratedImage.objects.filter(job=job)
    assert rows.count() == 60
    assert len(set(rows.values_list("seed", flat=True))) == 60
    assert_files_match_rows(version)
    first = version.images.order_by("pk").first()
    assert first.extra == {
        "model": str(model),
        "model_id": model.pk,
        "seed": rows.get(image=first).seed,
    }
    assert job.metrics["results"], "the synthetic set is measured against its source"
    assert version.metrics == job.metrics
    assert str(model) in version.description
    assert source_version.identifier in version.description


def test_worker_killed_mid_training_resumes_from_its_checkpoint(workers, source_version, owner):
    first = workers("w1")
    run = services.start_training(
        source_version=source_version,
        preset="tiny",
        overrides={"iterations": 120, "eval_every": 0, "checkpoint_every": 5},
        user=owner,
    )
    wait_for(
        lambda: TrainingRun.objects.get(pk=run.pk).checkpoint_iteration >= 5,
        timeout=120,
        what="a first checkpoint",
    )
    first.kill()
    killed_at = TrainingRun.objects.get(pk=run.pk)
    assert killed_at.state == JobState.RUNNING

    second = workers("w2")
    run = wait_for(
        lambda: finished(TrainingRun, run.pk, second.output), timeout=240, what="resumed training"
    )
    assert run.resumed_from_iteration >= 5
    assert run.attempts == 2
    assert GanModel.objects.filter(training_run=run, iterations=120).exists()


def test_worker_killed_mid_generation_resumes_without_duplicates_or_gaps(
    workers, source_version, owner
):
    model = train_model_here(source_version, owner)
    first = workers("w1", GENERATION_CHUNK_SIZE="16")
    job = services.start_generation(
        model=model, count_per_class=160, classes=["red", "blue"], seed=0, user=owner
    )
    wait_for(
        lambda: progressed(GenerationJob, job.pk, first.output),
        timeout=120,
        interval=0.05,
        what="a first stored chunk",
    )
    first.kill()
    assert state_of(GenerationJob, job.pk) == JobState.RUNNING

    second = workers("w2", GENERATION_CHUNK_SIZE="16")
    job = wait_for(
        lambda: finished(GenerationJob, job.pk, second.output), timeout=240, what="resumed job"
    )
    assert job.attempts == 2
    rows = GeneratedImage.objects.filter(job=job)
    assert rows.count() == 320
    seeds = list(rows.values_list("class_name", "seed"))
    assert len(set(seeds)) == 320
    expected = {("red", i) for i in range(160)} | {("blue", 160 + i) for i in range(160)}
    assert set(seeds) == expected
    assert job.result_version.image_count == 320
    assert_files_match_rows(job.result_version)


def test_cancel_a_queued_run_and_a_running_one(workers, source_version, owner):
    queued = services.start_training(
        source_version=source_version, preset="tiny", overrides=TINY, user=owner
    )
    services.cancel(task=queued, user=owner)
    assert state_of(TrainingRun, queued.pk) == JobState.CANCELLED

    worker = workers("w1")
    running = services.start_training(
        source_version=source_version,
        preset="tiny",
        overrides={"iterations": 5000, "eval_every": 0},
        user=owner,
    )
    wait_for(
        lambda: progressed(TrainingRun, running.pk, worker.output),
        timeout=120,
        what="training to start",
    )
    services.cancel(task=running, user=owner)
    wait_for(
        lambda: state_of(TrainingRun, running.pk) == JobState.CANCELLED,
        timeout=10,
        what="the running run to stop",
    )
    assert state_of(TrainingRun, queued.pk) == JobState.CANCELLED  # the worker left it alone
    assert not GanModel.objects.exists()
    assert "Traceback" not in worker.output()


def test_two_gpu_workers_share_jobs_and_lose_none(workers, source_version, owner):
    model = train_model_here(source_version, owner)
    started = [workers("w1", "gpu"), workers("w2", "gpu")]
    for worker in started:
        wait_for(lambda w=worker: "ready." in w.output(), timeout=60, what="worker start")
    jobs = [
        services.start_generation(
            model=model, count_per_class=40, classes=None, seed=1000 * i, user=owner
        )
        for i in range(4)
    ]
    for job in jobs:
        wait_for(lambda j=job: finished(GenerationJob, j.pk, str), timeout=240, what="all jobs")
    done = GenerationJob.objects.filter(pk__in=[job.pk for job in jobs])
    assert all(job.result_version.image_count == 120 for job in done)
    assert all(job.attempts == 1 for job in done)
    assert len({job.worker for job in done}) == 2
