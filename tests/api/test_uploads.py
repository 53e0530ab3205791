"""Uploading a ZIP of class folders through the API: a new private draft for the uploader, with
the checks of `manage.py import_dataset`, and nothing stored when it is refused."""

import io
import zipfile

import pytest
from django.urls import reverse

from datasets.models import DatasetVersion, ImageRecord
from tests.datasets.uploads import (
    assert_nothing_stored,
    class_folder_files,
    png_with_script,
    write_zip,
)

pytestmark = pytest.mark.django_db


def upload(client, archive, **fields):
    with open(archive, "rb") as handle:
        return client.post(
            "/api/v1/uploads/",
            {"archive": handle, "title": "Breast grades", "license": "CC-BY-4.0", **fields},
            format="multipart",
        )


def test_an_upload_becomes_a_private_draft_of_the_uploader(api, tmp_path):
    archive = write_zip(tmp_path / "grades.zip", class_folder_files({"G1": 2, "G2": 3}))
    response = upload(
        api("other"),
        archive,
        creators=["Doe, Jane|0000-0002-1825-0097|Example University", "Roe, Rick"],
        keywords=["breast", "grading"],
        modality="histology",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert response["Location"] == data["url"]
    assert (data["state"], data["dataset"]["visibility"]) == ("draft", "private")
    assert data["class_counts"] == {"G1": 2, "G2": 3}
    assert [creator["name"] for creator in data["creators"]] == ["Doe, Jane", "Roe, Rick"]
    version = DatasetVersion.objects.get(pk=data["id"])
    assert version.dataset.owner.username == "other"
    assert version.dataset.keywords == ["breast", "grading"]
    assert api("anonymous").get(data["url"]).status_code == 404


@pytest.mark.parametrize(
    ("files", "fields", "message"),
    [
        ({"G1/a.txt": b"not an image"}, {}, "G1/a.txt: not a PNG, JPEG, TIFF or BMP image"),
        ({"../escape.png": b"x", "G1/a.png": b"x"}, {}, "../escape.png: path traversal"),
        (None, {"license": "NOT-A-LICENSE"}, "license 'NOT-A-LICENSE' is unknown"),
        (None, {"creators": ["Doe, Jane|0000-0000-0000-0000"]}, "creator 'Doe, Jane'"),
    ],
)
def test_a_refused_upload_says_why_and_stores_nothing(
    api, tmp_path, media_root, files, fields, message
):
    archive = write_zip(tmp_path / "grades.zip", files or class_folder_files({"G1": 2, "G2": 2}))
    response = upload(api("other"), archive, **fields)
    assert response.status_code == 400, response.json()
    assert message in response.json()["detail"]
    assert_nothing_stored(media_root)


def test_a_file_that_is_not_a_zip_is_refused_by_its_name(api, tmp_path, media_root):
    archive = tmp_path / "grades.zip"
    archive.write_text("plain text")
    response = upload(api("other"), archive)
    assert response.status_code == 400
    assert response.json()["detail"].startswith("grades.zip: not a ZIP archive")
    assert_nothing_stored(media_root)


def test_uploading_needs_an_account(api, db):
    buffer = io.BytesIO()
    zipfile.ZipFile(buffer, "w").close()
    response = api("anonymous").post("/api/v1/uploads/", {"archive": buffer}, format="multipart")
    assert response.status_code == 401


def test_an_image_named_as_a_page_is_stored_and_served_as_the_png_it_is(api, client, tmp_path):
    files = class_folder_files({"c1": 1}) | {"c2/evil.html": png_with_script()}
    response = upload(api("other"), write_zip(tmp_path / "grades.zip", files))
    assert response.status_code == 201, response.json()

    image = ImageRecord.objects.get(original_name="c2/evil.html")
    assert image.file.name.endswith("/c2/evil.png")
    client.force_login(image.version.dataset.owner)
    served = client.get(reverse("datasets:image-file", args=[image.pk]))
    assert served.status_code == 200
    assert (served["Content-Type"], served["Content-Disposition"]) == (
        "image/png",
        'inline; filename="evil.png"',
    )
