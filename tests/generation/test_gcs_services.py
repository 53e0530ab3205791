"""The production storage path on Google Cloud Storage, against a GCS API emulator over HTTP
(tests/gcs.py): the storage API, the ZIP, and ranged downloads through V4 signed URLs."""

import hashlib
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from tests.catalogue import published

pytestmark = [pytest.mark.services]


def fetch(url: str, **headers: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as got:
        return got.status, got.read()


def test_files_are_saved_listed_read_and_deleted_in_the_bucket(gcs_storage):
    name = default_storage.save("datasets/colours/v1/red/a.png", ContentFile(b"\x89PNG" * 10))
    again = default_storage.save("datasets/colours/v1/red/a.png", ContentFile(b"other"))
    assert again != name  # never overwritten: stored files are immutable
    assert set(gcs_storage.keys("datasets/")) == {name, again}
    assert default_storage.listdir("datasets/colours/v1/red") == (
        [],
        ["a.png", again.split("/")[-1]],
    )
    with default_storage.open(name, "rb") as handle:
        assert handle.read() == b"\x89PNG" * 10
    assert default_storage.size(name) == 40
    default_storage.delete(name)
    assert not default_storage.exists(name)
    assert gcs_storage.keys("datasets/") == [again]


@pytest.mark.django_db(transaction=True)
def test_zip_download_is_a_v4_signed_url_that_serves_ranges(client, gcs_storage, tmp_path, owner):
    version = published(owner, tmp_path / "uploads", visibility="private")
    assert version.archive.name in gcs_storage.keys("archives/")
    client.force_login(owner)

    download = client.get(reverse("datasets:download", args=[version.dataset.slug, 1]))
    assert download.status_code == 302
    location = download["Location"]
    query = parse_qs(urlsplit(location).query)
    assert query["X-Goog-Algorithm"] == ["GOOG4-RSA-SHA256"]
    assert query["X-Goog-Expires"] == ["300"]
    status, whole = fetch(location)
    assert status == 200
    assert hashlib.sha256(whole).hexdigest() == version.archive_sha256
    status, part = fetch(location, Range="bytes=100-199")
    assert status == 206
    assert part == whole[100:200]
