"""Curator pages: upload a ZIP, edit a draft, publish it (refused without license or creators)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from datasets.constants import VersionState
from datasets.exceptions import PublishRefused
from datasets.models import Authorship, DatasetVersion, PublishedVersionError
from datasets.services import publish_version, update_draft
from tests.catalogue import JANE, imported_draft, published
from tests.datasets.uploads import (
    assert_nothing_stored,
    class_folder_files,
    image_bytes,
    write_zip,
)
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(db):
    return make_user("owner")


def upload_form(zip_bytes: bytes, **changes) -> dict:
    return {
        "archive": SimpleUploadedFile("tiles.zip", zip_bytes, content_type="application/zip"),
        "title": "Uploaded grades",
        "license": "CC-BY-4.0",
        "creators": "Doe, Jane | 0000-0002-1825-0097 | Example University\nRoe, Rick",
        "modality": "histology",
        "organ": "breast",
        "visibility": "public",
        "keywords": "grading, breast",
        "description": "Breast tissue tiles.",
        "version_description": "Cut from 3 slides.",
        **changes,
    }


def zip_bytes(tmp_path, files: dict[str, bytes]) -> bytes:
    return write_zip(tmp_path / "upload.zip", files).read_bytes()


def test_upload_creates_a_draft_and_shows_it(client, owner, tmp_path):
    client.force_login(owner)
    data = zip_bytes(tmp_path, class_folder_files({"G1": 2, "G2": 1}))

    response = client.post(reverse("datasets:upload"), upload_form(data))

    version = DatasetVersion.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("datasets:version", args=["uploaded-grades", 1])
    assert (version.state, version.image_count, version.license.spdx_id) == (
        "draft",
        3,
        "CC-BY-4.0",
    )
    assert version.dataset.owner == owner
    assert version.dataset.keywords == ["grading", "breast"]
    assert [a.creator.name for a in Authorship.objects.order_by("position")] == [
        "Doe, Jane",
        "Roe, Rick",
    ]
    page = client.get(response["Location"]).content.decode()
    assert "Imported 3 images in 2 classes" in page
    assert "This is a <strong>draft</strong>" in page


def test_upload_refusal_is_shown_on_the_form_and_nothing_is_stored(
    client, owner, tmp_path, media_root
):
    client.force_login(owner)
    files = class_folder_files({"G1": 2})
    files["G1/broken.png"] = image_bytes()[:40]
    data = zip_bytes(tmp_path, files)

    response = client.post(reverse("datasets:upload"), upload_form(data))

    assert response.status_code == 400
    assert "G1/broken.png: corrupt" in response.content.decode()
    assert_nothing_stored(media_root)


def test_upload_with_a_bad_orcid_is_refused_before_reading_the_zip(client, owner, tmp_path):
    client.force_login(owner)
    data = zip_bytes(tmp_path, class_folder_files({"G1": 1}))
    response = client.post(
        reverse("datasets:upload"), upload_form(data, creators="Doe, Jane | 0000-0002-1825-0098")
    )
    assert response.status_code == 400
    assert "check digit" in response.content.decode()
    assert not DatasetVersion.objects.exists()


def test_upload_needs_a_signed_in_user(client, tmp_path):
    response = client.get(reverse("datasets:upload"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_owner_edits_draft_metadata(client, owner, tmp_path):
    version = imported_draft(owner, tmp_path / "uploads", creators=[])
    client.force_login(owner)
    url = reverse("datasets:edit", args=[version.dataset.slug, 1])
    form = client.get(url)
    assert form.status_code == 200

    response = client.post(
        url,
        {
            "title": "Renamed grades",
            "description": "Now described.",
            "keywords": "tumour",
            "modality": "histology",
            "organ": "breast",
            "license": "CC0-1.0",
            "creators": "Roe, Rick | | Clinic",
            "version_description": "The data card.",
            "changes": "",
        },
    )

    assert response.status_code == 302
    version.refresh_from_db()
    dataset = version.dataset
    assert (dataset.title, version.license.spdx_id) == ("Renamed grades", "CC0-1.0")
    assert [c.affiliation for c in version.creators.all()] == ["Clinic"]
    assert "tumour" in dataset.search_text and "renamed" in dataset.search_text


def test_edit_form_puts_model_errors_on_their_fields(client, owner, tmp_path):
    version = imported_draft(owner, tmp_path / "uploads")
    client.force_login(owner)
    response = client.post(
        reverse("datasets:edit", args=[version.dataset.slug, 1]),
        {"title": "x" * 301, "modality": "histology", "license": ""},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "title" in errors and "license" in errors


def test_others_cannot_edit_or_publish_a_draft(client, owner, tmp_path):
    version = imported_draft(owner, tmp_path / "uploads", visibility="public")
    other = make_user("other")
    client.force_login(other)
    for name in ("datasets:edit", "datasets:publish"):
        assert client.get(reverse(name, args=[version.dataset.slug, 1])).status_code == 404
    with pytest.raises(PermissionDenied):
        publish_version(version=version, user=other)
    with pytest.raises(PermissionDenied):
        update_draft(
            version=version,
            user=other,
            title="Mine now",
            description="",
            keywords=[],
            modality="other",
            organ="",
            license=None,
            creators=[],
            version_description="",
        )


def test_publish_is_refused_without_license_and_creators(client, owner, tmp_path):
    version = imported_draft(owner, tmp_path / "uploads", creators=[])
    DatasetVersion.objects.filter(pk=version.pk).update(license=None)
    version.refresh_from_db()

    with pytest.raises(PublishRefused) as refusal:
        publish_version(version=version, user=owner)

    assert refusal.value.problems == [
        "choose a license: nobody may reuse data without one",
        "name at least one creator: a citation needs authors",
    ]
    client.force_login(owner)
    response = client.post(reverse("datasets:publish", args=[version.dataset.slug, 1]))
    assert response.status_code == 400
    assert "Choose a license" in response.content.decode()
    version.refresh_from_db()
    assert (version.state, version.published_at) == (VersionState.DRAFT, None)


def test_publish_page_freezes_the_version_and_enqueues_its_zip(
    client, owner, tmp_path, django_capture_on_commit_callbacks
):
    version = imported_draft(owner, tmp_path / "uploads")
    client.force_login(owner)
    url = reverse("datasets:publish", args=[version.dataset.slug, 1])
    assert "Publish version 1" in client.get(url).content.decode()

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(url)

    assert response.status_code == 302
    assert len(callbacks) == 1  # the archive task, sent once the transaction commits
    version.refresh_from_db()
    assert version.is_published and version.published_at is not None
    version.description = "changed afterwards"
    with pytest.raises(PublishedVersionError):
        version.save()
    assert client.get(reverse("datasets:edit", args=[version.dataset.slug, 1])).status_code == 404


def test_publishing_twice_is_refused(owner, tmp_path):
    version = published(owner, tmp_path / "uploads", archive=False, creators=[JANE])
    with pytest.raises(PublishRefused, match="published already"):
        publish_version(version=version, user=owner)
