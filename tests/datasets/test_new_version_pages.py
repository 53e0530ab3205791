"""A new version of a published dataset: a draft copy of the newest published version, opened
from the dataset's page by its editors, edited and published while the old version stays."""

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from datasets.exceptions import CurationRefused
from datasets.models import DatasetVersion
from datasets.services import build_archive, new_draft_version, publish_version
from tests.catalogue import JANE, published, zip_members
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(db):
    return make_user("owner")


@pytest.fixture
def v1(owner, tmp_path):
    return published(
        owner,
        tmp_path / "uploads",
        creators=[JANE],
        version_description="Cut from 3 slides.",
    )


def new_version_url(version: DatasetVersion) -> str:
    return reverse("datasets:new-version", args=[version.dataset.slug])


def test_new_version_is_a_draft_copy_that_shares_the_published_files(client, owner, v1):
    client.force_login(owner)

    response = client.post(new_version_url(v1))

    v2 = DatasetVersion.objects.get(dataset=v1.dataset, number=2)
    assert response.status_code == 302
    assert response["Location"] == reverse("datasets:edit", args=[v1.dataset.slug, 2])
    assert (v2.state, v2.identifier) == ("draft", f"10.5072/{v1.dataset.slug}.v2")
    assert (v2.license, v2.description, v2.class_counts, v2.image_count, v2.total_bytes) == (
        v1.license,
        v1.description,
        v1.class_counts,
        v1.image_count,
        v1.total_bytes,
    )
    assert list(v2.creators.all()) == list(v1.creators.all())
    assert sorted(v2.images.values_list("file", "sha256", "label")) == sorted(
        v1.images.values_list("file", "sha256", "label")
    )
    assert (v2.archive.name, v2.download_count) == ("", 0)
    page = client.get(response["Location"]).content.decode()
    assert "Version 2 is a draft copy of version 1" in page


def test_the_new_version_is_edited_and_published_while_the_old_one_stays(client, owner, v1):
    client.force_login(owner)
    client.post(new_version_url(v1))
    v2 = DatasetVersion.objects.get(dataset=v1.dataset, number=2)
    client.post(
        reverse("datasets:edit", args=[v1.dataset.slug, 2]),
        {
            "title": v1.dataset.title,
            "modality": "other",
            "license": "CC0-1.0",
            "creators": "Doe, Jane | 0000-0002-1825-0097\nRoe, Rick | | Clinic",
            "version_description": "Cut from 3 slides.",
            "changes": "Released under CC0; Rick Roe added.",
        },
    )

    v2 = build_archive(version=publish_version(version=v2, user=owner))

    v1.refresh_from_db()
    assert (v1.license.spdx_id, v1.creators.count()) == ("CC-BY-4.0", 1)
    assert (v2.license.spdx_id, v2.creators.count(), v2.is_published) == ("CC0-1.0", 2, True)
    assert all(default_storage.exists(name) for name in v1.images.values_list("file", flat=True))
    with default_storage.open(v2.archive.name) as archive:
        members = zip_members(archive.read())
    images = [name for name in members if "/images/" in name]
    assert len(images) == v2.image_count == v1.image_count
    page = client.get(reverse("datasets:version", args=[v1.dataset.slug, 1])).content.decode()
    assert "This is not the latest version" in page


def test_a_second_draft_is_refused_with_a_message(client, owner, v1):
    client.force_login(owner)
    client.post(new_version_url(v1))

    response = client.post(new_version_url(v1), follow=True)

    assert DatasetVersion.objects.filter(dataset=v1.dataset).count() == 2
    assert "No new version was opened: version 2 is a draft already" in response.content.decode()
    with pytest.raises(CurationRefused, match="version 2 is a draft already"):
        new_draft_version(dataset=v1.dataset, user=owner)


def test_dataset_page_offers_a_new_version_to_editors_only_when_no_draft_is_open(client, owner, v1):
    page = reverse("datasets:detail", args=[v1.dataset.slug])
    client.force_login(owner)
    assert new_version_url(v1) in client.get(page).content.decode()
    new_draft_version(dataset=v1.dataset, user=owner)
    v1_page = reverse("datasets:version", args=[v1.dataset.slug, 1])
    assert new_version_url(v1) not in client.get(v1_page).content.decode()
    client.force_login(make_user("reader"))
    assert new_version_url(v1) not in client.get(page).content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("other", 404), ("collaborator", 302), ("staff", 302)],
)
def test_who_may_open_a_new_version(client, owner, v1, who, status):
    if who == "collaborator":
        user = make_user(who)
        v1.dataset.collaborators.add(user)
    elif who != "anonymous":
        user = make_user(who, staff=who == "staff")
    if who != "anonymous":
        client.force_login(user)

    response = client.post(new_version_url(v1))

    assert response.status_code == status
    opened = DatasetVersion.objects.filter(dataset=v1.dataset, number=2).exists()
    assert opened == (who in ("collaborator", "staff"))
    if who == "anonymous":
        assert response["Location"].startswith(reverse("login"))


def test_new_version_takes_post_only(client, owner, v1):
    client.force_login(owner)
    assert client.get(new_version_url(v1)).status_code == 405
    assert not DatasetVersion.objects.filter(number=2).exists()
