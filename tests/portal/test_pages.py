import pytest
from django.urls import reverse

from tests.factories import make_user, make_version


@pytest.fixture
def version(db):
    return make_version(owner=make_user("owner"), slug="ihc-tiles")


def test_home_lists_public_dataset(client, version):
    response = client.get("/")
    assert response.status_code == 200
    assert "Ihc-Tiles" in response.content.decode()


def test_dataset_page_shows_gallery_of_thumbnails(client, version):
    response = client.get(reverse("datasets:detail", args=["ihc-tiles"]))
    body = response.content.decode()
    image = version.images.first()
    assert reverse("datasets:image-thumbnail", args=[image.pk]) in body
    thumb = client.get(reverse("datasets:image-thumbnail", args=[image.pk]))
    assert thumb.status_code == 200
    assert b"".join(thumb.streaming_content)[:8] == b"\x89PNG\r\n\x1a\n"


def test_private_dataset_and_its_files_are_404_for_others(client, db):
    version = make_version(owner=make_user("owner"), slug="secret", visibility="private")
    image = version.images.first()
    client.force_login(make_user("other"))
    assert client.get(reverse("datasets:detail", args=["secret"])).status_code == 404
    assert client.get(reverse("datasets:image-file", args=[image.pk])).status_code == 404
    assert client.get(reverse("datasets:image-thumbnail", args=[image.pk])).status_code == 404


def test_admin_shows_version_with_thumbnails(client, version):
    client.force_login(make_user("staff", staff=True))
    response = client.get(reverse("admin:datasets_datasetversion_change", args=[version.pk]))
    assert response.status_code == 200
    image = version.images.first()
    assert reverse("datasets:image-thumbnail", args=[image.pk]) in response.content.decode()
    listing = client.get(reverse("admin:datasets_imagerecord_changelist"))
    assert listing.status_code == 200


def test_admin_shows_published_version_read_only(client, version):
    version.state = "published"
    version.save()
    client.force_login(make_user("staff", staff=True))
    response = client.get(reverse("admin:datasets_datasetversion_change", args=[version.pk]))
    assert response.status_code == 200
    assert 'name="description"' not in response.content.decode()
