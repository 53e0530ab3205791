"""A bucket that refuses writes in the middle of a generation job (S3 over HTTP: moto_server
behind a proxy that answers 403 AccessDenied to writes, tests/s3.py).

While writes are refused no row points at a missing file and the job stays running, retried by
its task with back-off; once writes are allowed again the retry finishes it without gaps or
duplicates, and sweeps the files a refused chunk could not delete.
"""

import hashlib

import pytest

from datasets.models import ImageRecord
from generation import services
from generation.constants import JobState
from generation.models import GeneratedImage, GenerationJob
from generation.workflows.generating import plan
from tests.generation.test_worker_jobs import finished, train_model_here
from tests.s3 import CREDENTIALS
from tests.workers import wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def assert_every_row_has_its_file(bucket, version, *, and_no_other_file: bool) -> None:
    folder = f"datasets/{version.dataset.slug}/v{version.number}/"
    stored = set(bucket.keys(folder))
    rows = dict(ImageRecord.objects.filter(version=version).values_list("file", "sha256"))
    assert set(rows) <= stored, f"rows without files: {sorted(set(rows) - stored)}"
    if and_no_other_file:
        assert stored == set(rows), f"files without rows: {sorted(stored - set(rows))}"
    for name, sha256 in rows.items():
        body = bucket.client.get_object(Bucket=bucket.name, Key=name)["Body"].read()
        assert hashlib.sha256(body).hexdigest() == sha256


def test_a_bucket_refusing_writes_mid_job_leaves_it_consistent_and_resumable(
    s3_storage, write_refusing_proxy, workers, source_version, owner
):
    model = train_model_here(source_version, owner)
    worker = workers(
        "gpu1",
        "gpu",
        GENERATION_CHUNK_SIZE="8",
        STORAGE_BACKEND="s3",
        AWS_STORAGE_BUCKET_NAME=s3_storage.name,
        AWS_S3_ENDPOINT_URL=write_refusing_proxy.url,
        AWS_S3_REGION_NAME=CREDENTIALS["region_name"],
        AWS_ACCESS_KEY_ID=CREDENTIALS["access_key"],
        AWS_SECRET_ACCESS_KEY=CREDENTIALS["secret_key"],
    )
    wait_for(lambda: "ready." in worker.output(), timeout=90, what="the worker to start")
    # One chunk of 8 files is stored; the next is refused after 4 of its files.
    write_refusing_proxy.refuse_writes_after(12)
    job = services.start_generation(
        model=model, count_per_class=16, classes=None, seed=0, user=owner
    )
    wait_for(
        lambda: "retry: Retry in" in worker.output(),
        timeout=120,
        what="the refused write to fail the attempt and schedule a retry",
    )
    assert "StorageUnavailable" in worker.output()
    held = GenerationJob.objects.select_related("result_version__dataset").get(pk=job.pk)
    assert held.state == JobState.RUNNING, held.error
    assert held.progress_done == 8
    assert GeneratedImage.objects.filter(job=held).count() == 8
    # The refused chunk's first files stay behind (their deletes were refused too): files
    # without rows are harmless, rows without files are not.
    assert_every_row_has_its_file(s3_storage, held.result_version, and_no_other_file=False)
    assert write_refusing_proxy.refused >= 2

    write_refusing_proxy.allow_writes()
    job = wait_for(
        lambda: finished(GenerationJob, job.pk, worker.output),
        timeout=120,
        what="the retried job",
    )
    assert job.attempts >= 2
    assert "re-enqueueing" not in worker.output()  # the task's own retries finished it
    rows = GeneratedImage.objects.filter(job=job)
    expected = {(item.class_name, item.seed) for item in plan(job)}
    assert rows.count() == len(expected) == 48
    assert set(rows.values_list("class_name", "seed")) == expected
    assert job.result_version.image_count == 48
    assert_every_row_has_its_file(s3_storage, job.result_version, and_no_other_file=True)
