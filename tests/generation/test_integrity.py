"""`manage.py check_integrity` on real storage and a real database, with planted faults."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.utils import timezone

from datasets.constants import VersionState
from datasets.models import DatasetVersion, ImageRecord
from datasets.services import build_archive
from generation.constants import JobState
from generation.models import TrainingRun
from tests.catalogue import published
from tests.factories import make_user
from tests.workers import purge_broker

pytestmark = pytest.mark.django_db


def check(*, fix: bool = False) -> tuple[str, bool]:
    """The command's output, and whether it reported problems left (a non-zero exit)."""
    out = StringIO()
    try:
        call_command("check_integrity", fix=fix, orphan_min_age=0, stdout=out)
    except CommandError:
        return out.getvalue(), True
    return out.getvalue(), False


def corrupt(name: str) -> None:
    default_storage.delete(name)
    assert default_storage.save(name, ContentFile(b"not the image any more")) == name


def test_planted_faults_are_found_then_fixed(source_version):
    images = list(source_version.images.order_by("id"))
    deleted, corrupted = images[0], images[-1]
    default_storage.delete(deleted.file.name)
    corrupt(corrupted.file.name)
    orphan = default_storage.save("datasets/colours/v1/red/stray.png", ContentFile(b"x"))
    stray_checkpoint = default_storage.save("runs/999/checkpoint-0000100.pt", ContentFile(b"x"))

    output, problems = check()
    assert problems
    assert "missing: 1 found, 0 fixed" in output
    assert "corrupt: 1 found, 0 fixed" in output
    assert "orphan: 2 found, 0 fixed" in output
    assert default_storage.exists(orphan)  # a check without --fix changes nothing
    assert ImageRecord.objects.filter(version=source_version).count() == len(images)

    output, problems = check(fix=True)
    assert not problems, output
    assert "missing: 1 found, 1 fixed" in output
    assert "corrupt: 1 found, 1 fixed" in output
    assert not default_storage.exists(orphan)
    assert not default_storage.exists(stray_checkpoint)
    assert not default_storage.exists(corrupted.file.name)
    version = DatasetVersion.objects.get(pk=source_version.pk)
    remaining = ImageRecord.objects.filter(version=version)
    assert remaining.count() == version.image_count == len(images) - 2
    assert sum(version.class_counts.values()) == version.image_count
    assert version.total_bytes == sum(image.size_bytes for image in remaining)

    assert check() == ("No problems found.\n", False)


def test_published_images_are_reported_never_changed(source_version, owner):
    DatasetVersion.objects.filter(pk=source_version.pk).update(
        state=VersionState.PUBLISHED, published_at=timezone.now()
    )
    image = source_version.images.first()
    corrupt(image.file.name)

    output, problems = check(fix=True)
    assert problems
    assert "corrupt: 1 found, 0 fixed" in output and "immutable" in output
    assert ImageRecord.objects.filter(pk=image.pk).exists()
    assert default_storage.exists(image.file.name)


def test_stuck_run_of_a_dead_worker_is_requeued(source_version, owner):
    purge_broker()
    run = TrainingRun.objects.create(
        owner=owner,
        source_version=source_version,
        preset="tiny",
        state=JobState.RUNNING,
        worker="a-host-that-is-gone:4242",
        heartbeat_at=timezone.now() - timedelta(hours=1),
    )
    output, problems = check()
    assert problems and f"stuck TrainingRun {run.pk}: its worker is gone" in output

    output, problems = check(fix=True)
    assert not problems
    assert "requeued" in output
    assert TrainingRun.objects.get(pk=run.pk).celery_task_id  # a new message is on its way
    purge_broker()


def test_corrupt_zip_of_a_published_version_is_cleared_and_rebuilt(
    tmp_path, django_capture_on_commit_callbacks
):
    version = published(make_user("owner"), tmp_path / "uploads")
    corrupt(version.archive.name)

    with django_capture_on_commit_callbacks() as rebuilds:
        output, problems = check(fix=True)
    assert not problems, output
    assert "corrupt: 1 found, 1 fixed" in output and "rebuild queued" in output
    assert len(rebuilds) == 1
    version.refresh_from_db()
    assert (version.archive.name, version.archive_sha256) == ("", "")
    assert version.images.count() == version.image_count  # the contents are untouched

    rebuilt = build_archive(version=version)  # what the queued task runs
    assert default_storage.exists(rebuilt.archive.name)
    assert check() == ("No problems found.\n", False)
