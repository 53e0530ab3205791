"""The home page and the catalogue's admin."""

import pytest
from django.urls import reverse

from datasets.models import Dataset
from tests.catalogue import imported_draft, published
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(db):
    return make_user("owner")


def test_home_shows_featured_newest_and_counts(client, owner, tmp_path):
    old = published(owner, tmp_path / "uploads", title="Featured grades", archive=False)
    Dataset.objects.filter(pk=old.dataset_id).update(featured=True)
    published(owner, tmp_path / "uploads", title="Newest tiles", archive=False)
    imported_draft(owner, tmp_path / "uploads", title="Unpublished draft")

    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert [d.title for d, _ in response.context["featured"]] == ["Featured grades"]
    assert [d.title for d, _ in response.context["newest"]] == ["Newest tiles", "Featured grades"]
    assert response.context["counts"] == {
        "datasets": 2,
        "synthetic": 0,
        "images": 8,
        "downloads": 0,
    }
    assert "Unpublished draft" not in response.content.decode()


def test_admin_shows_version_with_thumbnails(client, owner, tmp_path):
    version = imported_draft(owner, tmp_path / "uploads")
    client.force_login(make_user("staff", staff=True))
    response = client.get(reverse("admin:datasets_datasetversion_change", args=[version.pk]))
    assert response.status_code == 200
    image = version.images.first()
    assert reverse("datasets:image-thumbnail", args=[image.pk]) in response.content.decode()
    assert client.get(reverse("admin:datasets_imagerecord_changelist")).status_code == 200


def test_admin_shows_published_version_read_only(client, owner, tmp_path):
    version = published(owner, tmp_path / "uploads", archive=False)
    client.force_login(make_user("staff", staff=True))
    response = client.get(reverse("admin:datasets_datasetversion_change", args=[version.pk]))
    assert response.status_code == 200
    assert 'name="description"' not in response.content.decode()


def test_admin_publish_action_uses_the_publish_service(client, owner, tmp_path):
    ready = imported_draft(owner, tmp_path / "uploads", title="Ready")
    no_creators = imported_draft(owner, tmp_path / "uploads", title="No creators", creators=[])
    client.force_login(make_user("staff", staff=True))
    response = client.post(
        reverse("admin:datasets_datasetversion_changelist"),
        {"action": "publish", "_selected_action": [ready.pk, no_creators.pk]},
        follow=True,
    )
    html = response.content.decode()
    assert f"Published {ready.identifier}" in html
    assert "name at least one creator" in html
    ready.refresh_from_db()
    no_creators.refresh_from_db()
    assert (ready.is_published, no_creators.is_published) == (True, False)
