import pytest
from django.db.models import F

from datasets.models import DatasetVersion, PublishedVersionError
from tests.factories import make_user, make_version


@pytest.fixture
def published(db):
    version = make_version(owner=make_user())
    version.state = "published"
    version.save()
    return DatasetVersion.objects.get(pk=version.pk)


def test_published_version_refuses_metadata_changes(published):
    published.description = "rewritten after publication"
    with pytest.raises(PublishedVersionError, match="is published and cannot be changed"):
        published.save()
    assert DatasetVersion.objects.get(pk=published.pk).description == ""


def test_published_version_cannot_be_unpublished(published):
    published.state = "draft"
    with pytest.raises(PublishedVersionError):
        published.save()


def test_published_version_cannot_be_deleted(published):
    with pytest.raises(PublishedVersionError, match="cannot be deleted"):
        published.delete()
    assert DatasetVersion.objects.filter(pk=published.pk).exists()


def test_published_version_still_counts_downloads(published):
    published.download_count = 3
    published.save(update_fields=["download_count"])
    DatasetVersion.objects.filter(pk=published.pk).update(view_count=F("view_count") + 1)
    published.refresh_from_db()
    assert (published.download_count, published.view_count) == (3, 1)


def test_draft_version_can_be_edited(db):
    version = make_version(owner=make_user())
    version.description = "fixed a typo"
    version.save()
    assert DatasetVersion.objects.get(pk=version.pk).description == "fixed a typo"
