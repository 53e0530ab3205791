"""The production storage path against a real S3 API server (moto_server over HTTP): import,
thumbnails, training and generation, the ZIP, ranged downloads through presigned URLs signed
for the public endpoint, and check_integrity on a bucket."""

import hashlib
import urllib.request
from io import StringIO
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse

from generation import services
from generation.models import GanModel, GeneratedImage
from generation.workflows import generating
from tests.catalogue import published
from tests.generation.tiny_runs import train_tiny

# Training writes from a lease thread beside the test's connection: committed transactions.
pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def fetch(url: str, **headers: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as got:
        return got.status, got.read()


def test_import_thumbnail_zip_and_ranged_download(client, s3_storage, tmp_path, owner):
    version = published(owner, tmp_path / "uploads", visibility="private")
    image = version.images.first()
    assert image.file.name in s3_storage.keys("datasets/")
    assert version.archive.name in s3_storage.keys("archives/")

    client.force_login(owner)
    thumbnail = client.get(reverse("datasets:image-thumbnail", args=[image.pk]))
    assert thumbnail.status_code == 302
    assert any(key.startswith("thumbnails/") for key in s3_storage.keys("thumbnails/"))

    download = client.get(reverse("datasets:download", args=[version.dataset.slug, 1]))
    assert download.status_code == 302
    location = download["Location"]
    assert urlsplit(location).hostname == "localhost"  # signed for the public endpoint
    assert parse_qs(urlsplit(location).query)["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    whole = s3_storage.client.get_object(Bucket=s3_storage.name, Key=version.archive.name)
    zip_bytes = whole["Body"].read()
    assert hashlib.sha256(zip_bytes).hexdigest() == version.archive_sha256

    status, part = fetch(location, Range="bytes=100-199")
    assert status == 206
    assert part == zip_bytes[100:200]
    status, image_bytes = fetch(thumbnail["Location"])
    assert status == 200 and image_bytes.startswith(b"\x89PNG")


def test_train_and_generate_with_every_file_in_the_bucket(s3_storage, source_version, owner):
    run = train_tiny(source_version, owner, iterations=4, eval_every=4)
    model = GanModel.objects.get(training_run=run)
    assert model.weights.name in s3_storage.keys("models/")
    job = services.start_generation(
        model=model, count_per_class=3, classes=None, seed=1, user=owner, enqueue=False
    )
    generating.run_generation(job.pk)
    rows = GeneratedImage.objects.filter(job=job).select_related("image")
    assert rows.count() == 9
    stored = set(s3_storage.keys("datasets/"))
    for row in rows:
        assert row.image.file.name in stored
        with default_storage.open(row.image.file.name, "rb") as handle:
            assert hashlib.file_digest(handle, "sha256").hexdigest() == row.image.sha256


def test_check_integrity_lists_and_fixes_a_bucket(s3_storage, source_version):
    orphan = default_storage.save("datasets/colours/v1/red/stray.png", ContentFile(b"x"))
    out = StringIO()
    call_command("check_integrity", fix=True, orphan_min_age=0, stdout=out)
    assert f"[fixed] orphan {orphan}" in out.getvalue()
    assert orphan not in s3_storage.keys("datasets/")
    assert len(s3_storage.keys("datasets/")) == source_version.image_count
