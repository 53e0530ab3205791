"""The admin is one more door: a published dataset's slug is fixed (it is in identifiers and
storage names), collaborators change through the service with its checks, and the ZIP action
queues builds through the service."""

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from datasets.admin import DatasetAdmin, DatasetVersionAdmin
from datasets.models import Dataset, DatasetVersion
from tests.catalogue import imported_draft, published
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def staff_request(user):
    request = RequestFactory().post("/admin/")
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_the_slug_is_read_only_once_a_version_is_published(tmp_path):
    owner = make_user("curator", staff=True)
    model_admin = DatasetAdmin(Dataset, admin.site)
    request = staff_request(owner)
    draft = imported_draft(owner, tmp_path / "a", title="Draft set")
    done = published(owner, tmp_path / "b", title="Published set", archive=False)

    assert "slug" not in model_admin.get_readonly_fields(request, draft.dataset)
    assert "slug" in model_admin.get_readonly_fields(request, done.dataset)
    assert model_admin.get_prepopulated_fields(request, done.dataset) == {}


def test_collaborators_change_through_the_service(tmp_path):
    owner = make_user("curator", staff=True)
    helper = make_user("helper")
    dataset = imported_draft(owner, tmp_path / "a").dataset
    model_admin = DatasetAdmin(Dataset, admin.site)
    request = staff_request(owner)

    model_admin._save_collaborators(request, dataset, {helper, owner})

    assert list(dataset.collaborators.all()) == [helper]
    assert [str(m) for m in get_messages(request)] == [
        f"{dataset.slug}: curator owns this dataset already"
    ]
    model_admin._save_collaborators(request, dataset, set())
    assert not dataset.collaborators.exists()


def test_build_archives_queues_only_published_versions_without_a_zip(
    tmp_path, django_capture_on_commit_callbacks
):
    owner = make_user("curator", staff=True)
    draft = imported_draft(owner, tmp_path / "a", title="Draft set")
    missing = published(owner, tmp_path / "b", title="No zip", archive=False)
    built = published(owner, tmp_path / "c", title="Zipped")
    model_admin = DatasetVersionAdmin(DatasetVersion, admin.site)
    request = staff_request(owner)

    with django_capture_on_commit_callbacks() as callbacks:
        model_admin.build_archives(
            request, DatasetVersion.objects.filter(pk__in=[draft.pk, missing.pk, built.pk])
        )

    assert len(callbacks) == 1
    assert [str(m) for m in get_messages(request)] == ["Queued 1 archive builds."]
