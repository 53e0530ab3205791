"""User files are stored and served as the type found in their bytes, never the one their name
claimed: a PNG uploaded as `evil.html` is stored as `evil.png` and served as image/png, and
every file answer names its file (inline or attachment) and forbids content sniffing."""

import io
import re

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.urls import reverse
from PIL import Image

from datasets.models import ImageRecord
from datasets.services import NewImage, import_dataset, store_images
from tests.catalogue import imported_draft, published
from tests.datasets.test_curation_pages import upload_form
from tests.datasets.uploads import class_folder_files, image_bytes, png_with_script, write_zip
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(db):
    return make_user("owner")


def tiff_with_its_directory_last() -> bytes:
    """A TIFF as libtiff writes big ones: pixels first, the image file directory at the end."""
    buffer = io.BytesIO()
    Image.linear_gradient("L").resize((8, 8)).save(buffer, format="TIFF")
    return buffer.getvalue()


def import_files(owner, tmp_path, files: dict[str, bytes]):
    archive = write_zip(tmp_path / "upload.zip", class_folder_files({"c1": 1}) | files)
    return import_dataset(
        source=archive, title="Polyglots", license_spdx="CC-BY-4.0", owner=owner
    ).version


def served_image(client, version, original_name: str):
    image = version.images.get(original_name=original_name)
    return image, client.get(reverse("datasets:image-file", args=[image.pk]))


@pytest.mark.parametrize(
    ("uploaded_as", "data", "stored_as", "media_type"),
    [
        ("c2/evil.html", png_with_script(), "evil.png", "image/png"),
        ("c2/photo.png", image_bytes("JPEG"), "photo.jpg", "image/jpeg"),
        ("c2/scan", tiff_with_its_directory_last(), "scan.tif", "image/tiff"),
        ("c2/slide.JPEG", image_bytes("JPEG"), "slide.JPEG", "image/jpeg"),
        ("c2/tile.bmp.txt", image_bytes("BMP"), "tile.bmp.bmp", "image/bmp"),
    ],
)
def test_an_image_is_stored_and_served_as_the_format_found_in_its_bytes(
    client, owner, tmp_path, uploaded_as, data, stored_as, media_type
):
    version = import_files(owner, tmp_path, {uploaded_as: data})
    client.force_login(owner)

    image, response = served_image(client, version, uploaded_as)

    assert image.file.name.endswith(f"/c2/{stored_as}")
    assert response.status_code == 200
    assert response["Content-Type"] == media_type
    assert response["Content-Disposition"] == f'inline; filename="{stored_as}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == data


def test_the_polyglot_uploaded_through_the_page_is_a_png(client, owner, tmp_path):
    archive = write_zip(
        tmp_path / "upload.zip", class_folder_files({"c1": 1}) | {"c2/evil.html": png_with_script()}
    )
    client.force_login(owner)

    response = client.post(reverse("datasets:upload"), upload_form(archive.read_bytes()))

    assert response.status_code == 302
    image = ImageRecord.objects.get(original_name="c2/evil.html")
    assert image.file.name.endswith("/c2/evil.png")
    served = client.get(reverse("datasets:image-file", args=[image.pk]))
    assert (served["Content-Type"], served["X-Content-Type-Options"]) == ("image/png", "nosniff")


@pytest.mark.parametrize("in_memory", [True, False], ids=["small upload", "upload on disk"])
def test_a_refused_page_upload_names_the_users_file_not_a_temporary_one(
    client, owner, tmp_path, settings, in_memory
):
    """The upload handler keeps small uploads in memory and writes big ones to `tmpXXXX.zip`;
    either way the refusal names `tiles.zip`, the file the user chose."""
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024**2 if in_memory else 0
    bombs = {f"G1/part{index}.png": bytes(512 * 1024) for index in range(8)}
    archive = write_zip(tmp_path / "upload.zip", class_folder_files({"G1": 2}) | bombs)
    client.force_login(owner)

    response = client.post(reverse("datasets:upload"), upload_form(archive.read_bytes()))

    assert response.status_code == 400
    page = response.content.decode()
    assert re.search(r"tiles\.zip: inflates \d+-fold, over the compression ratio limit", page)
    assert not re.search(r"tmp\w+\.zip", page)


def test_every_file_answer_names_its_file_and_forbids_sniffing(client, owner, tmp_path):
    version = published(owner, tmp_path / "uploads")
    draft = imported_draft(owner, tmp_path / "drafts", title="A draft")
    image = version.images.first()
    client.force_login(owner)
    answers = {
        "image": (reverse("datasets:image-file", args=[image.pk]), "inline"),
        "thumbnail": (reverse("datasets:image-thumbnail", args=[image.pk]), "inline"),
        "zip": (reverse("datasets:download", args=[version.dataset.slug, 1]), "attachment"),
        "draft zip": (reverse("datasets:download", args=[draft.dataset.slug, 1]), "attachment"),
    }
    for what, (url, disposition) in answers.items():
        for method in (client.get, client.head):
            response = method(url)
            assert response.status_code == 200, what
            assert response["X-Content-Type-Options"] == "nosniff", what
            assert response["Content-Disposition"].startswith(f"{disposition}; filename="), what


def store_legacy_image(version, name: str, data: bytes) -> ImageRecord:
    """An image stored under the name its uploader chose, as imports did before names came
    from the detected format."""
    with transaction.atomic():
        store_images(
            version=version,
            images=[
                NewImage(
                    label=version.dataset.classes.first(),
                    file_name=name,
                    width=8,
                    height=8,
                    read=lambda: data,
                    original_name=name,
                )
            ],
        )
    return version.images.get(original_name=name)


def test_an_old_row_with_a_page_extension_is_only_downloaded_until_check_integrity_renames_it(
    client, owner, tmp_path
):
    version = imported_draft(owner, tmp_path / "uploads")
    image = store_legacy_image(version, "evil.html", png_with_script())
    old_name = image.file.name
    url = reverse("datasets:image-file", args=[image.pk])
    client.force_login(owner)

    before = client.get(url)
    assert before["Content-Type"] == "application/octet-stream"
    assert before["Content-Disposition"] == 'attachment; filename="evil.html"'

    with pytest.raises(CommandError):
        call_command("check_integrity", orphan_min_age=0, stdout=io.StringIO())
    out = io.StringIO()
    call_command("check_integrity", fix=True, orphan_min_age=0, stdout=out)

    assert f"[fixed] misnamed {old_name}: a PNG image under another extension" in out.getvalue()
    image.refresh_from_db()
    assert image.file.name == old_name.removesuffix(".html") + ".png"
    assert not default_storage.exists(old_name)
    after = client.get(url)
    assert (after["Content-Type"], after["Content-Disposition"]) == (
        "image/png",
        'inline; filename="evil.png"',
    )
    assert b"".join(after.streaming_content) == png_with_script()
    call_command("check_integrity", orphan_min_age=0, stdout=io.StringIO())  # nothing left


def test_check_integrity_without_hashes_still_renames_a_page_extension(owner, tmp_path):
    version = imported_draft(owner, tmp_path / "uploads")
    image = store_legacy_image(version, "evil.html", png_with_script())

    call_command(
        "check_integrity", fix=True, no_hashes=True, orphan_min_age=0, stdout=io.StringIO()
    )

    image.refresh_from_db()
    assert image.file.name.endswith("/evil.png")


def test_check_integrity_renames_a_file_shared_by_two_versions_once(owner, tmp_path):
    from datasets.services import new_draft_version, publish_version

    first = imported_draft(owner, tmp_path / "uploads")
    store_legacy_image(first, "evil.html", png_with_script())
    publish_version(version=first, user=owner)
    second = new_draft_version(dataset=first.dataset, user=owner)

    call_command("check_integrity", fix=True, orphan_min_age=0, stdout=io.StringIO())

    names = {image.file.name for image in ImageRecord.objects.filter(original_name="evil.html")}
    assert len(names) == 1
    assert names.pop().endswith("/evil.png")
    assert second.images.filter(original_name="evil.html").exists()


@pytest.mark.parametrize(
    ("export_format", "file_name"),
    [
        ("datacite", "breast-cancer-grades-v1.datacite.json"),
        ("croissant", "breast-cancer-grades-v1.croissant.json"),
        ("jsonld", "breast-cancer-grades-v1.jsonld"),
        ("bib", "breast-cancer-grades-v1.bib"),
        ("txt", "breast-cancer-grades-v1.txt"),
    ],
)
def test_a_metadata_export_is_saved_as_a_file(client, owner, tmp_path, export_format, file_name):
    version = published(owner, tmp_path / "uploads", archive=False)

    response = client.get(f"/api/v1/versions/{version.pk}.{export_format}")

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{file_name}"'
    assert response["X-Content-Type-Options"] == "nosniff"
