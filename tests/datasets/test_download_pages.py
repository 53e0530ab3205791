"""Downloads: what the ZIP holds (datasets/archives.py), resumable range requests, ETags, the
counter that a reload does not inflate, and drafts streamed on the fly."""

import csv
import hashlib
import io
import json
import logging

import pytest
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse

from datasets.models import DatasetVersion
from datasets.services import NewImage, build_archive, store_images
from tests.catalogue import body, imported_draft, published, zip_members
from tests.datasets.uploads import image_bytes
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(db):
    return make_user("owner")


@pytest.fixture
def version(owner, tmp_path) -> DatasetVersion:
    return published(
        owner,
        tmp_path / "uploads",
        per_class={"G1": 3, "G2": 2},
        license_spdx="CC-BY-NC-4.0",
        keywords=["grading"],
        version_description="Tiles cut from 12 slides.",
    )


def download_url(version: DatasetVersion) -> str:
    return reverse("datasets:download", args=[version.dataset.slug, version.number])


def test_zip_holds_images_by_class_and_every_metadata_file(client, version):
    response = client.get(download_url(version))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="breast-cancer-grades-v1.zip"'
    members = zip_members(body(response))
    root = "breast-cancer-grades-v1/"
    assert sorted(name for name in members if "/images/" not in name) == [
        root + name
        for name in sorted(
            [
                "CITATION.bib",
                "LICENSE.txt",
                "MANIFEST.sha256",
                "README.md",
                "croissant.json",
                "datacite.json",
                "metadata.csv",
            ]
        )
    ]
    images = sorted(name for name in members if "/images/" in name)
    assert [name.split("/")[2] for name in images] == ["G1", "G1", "G1", "G2", "G2"]
    for record in version.images.all():
        stored = default_storage.open(record.file.name).read()
        assert members[f"{root}images/{record.label.name}/{record.file.name.split('/')[-1]}"] == (
            stored
        )


def test_every_file_in_the_manifest_matches_and_none_is_missing(client, version):
    members = zip_members(body(client.get(download_url(version))))
    root = "breast-cancer-grades-v1/"
    manifest = members[root + "MANIFEST.sha256"].decode().splitlines()
    listed = {}
    for line in manifest:
        digest, name = line.split("  ", 1)
        listed[name] = digest
    assert set(listed) == {name[len(root) :] for name in members} - {"MANIFEST.sha256"}
    for name, digest in listed.items():
        assert hashlib.sha256(members[root + name]).hexdigest() == digest, name


def test_license_file_names_the_license_and_the_attribution(client, version):
    members = zip_members(body(client.get(download_url(version))))
    license_text = members["breast-cancer-grades-v1/LICENSE.txt"].decode()
    assert "Creative Commons Attribution Non Commercial 4.0 International" in license_text
    assert "SPDX-License-Identifier: CC-BY-NC-4.0" in license_text
    assert "https://creativecommons.org/licenses/by-nc/4.0/legalcode" in license_text
    assert "Attribution notice" in license_text
    assert "Doe, J. (" in license_text  # the citation to credit
    assert "Commercial use is not permitted." in license_text


def test_metadata_files_describe_the_version(client, version):
    members = zip_members(body(client.get(download_url(version))))
    root = "breast-cancer-grades-v1/"
    rows = list(csv.DictReader(io.StringIO(members[root + "metadata.csv"].decode())))
    assert len(rows) == 5
    assert {row["label"] for row in rows} == {"G1", "G2"}
    assert all(root + row["file_name"] in members for row in rows)
    readme = members[root + "README.md"].decode()
    assert "Tiles cut from 12 slides." in readme and "| G1 | 3 |" in readme
    assert "@misc{breast_cancer_grades_v1" in members[root + "CITATION.bib"].decode()
    datacite = json.loads(members[root + "datacite.json"])["data"]["attributes"]
    assert datacite["doi"] == version.identifier
    assert datacite["rightsList"][0]["rightsIdentifier"] == "cc-by-nc-4.0"
    assert datacite["creators"][0]["nameIdentifiers"][0]["nameIdentifier"].endswith(
        "0000-0002-1825-0097"
    )
    croissant = json.loads(members[root + "croissant.json"])
    assert croissant["conformsTo"] == "http://mlcommons.org/croissant/1.1"
    metadata_file = croissant["distribution"][0]
    assert metadata_file["sha256"] == hashlib.sha256(members[root + "metadata.csv"]).hexdigest()


def test_generated_images_add_their_extra_columns_to_metadata_csv(client, owner, tmp_path):
    draft = imported_draft(
        owner, tmp_path / "uploads", title="Synthetic grades", per_class={"G1": 1}
    )
    label = draft.dataset.classes.get()
    with transaction.atomic():
        store_images(
            version=draft,
            images=[
                NewImage(
                    label=label,
                    file_name=f"seed-{seed}.png",
                    width=8,
                    height=8,
                    read=lambda seed=seed: image_bytes(seed=100 + seed),
                    origin="generated",
                    extra={"model": "sagan v1", "seed": seed},
                )
                for seed in (7, 8)
            ],
        )
    client.force_login(owner)
    members = zip_members(body(client.get(download_url(draft))))
    metadata = members["synthetic-grades-v1/metadata.csv"].decode().splitlines()
    assert metadata == [
        "file_name,label,model,seed",
        "images/G1/img0.png,G1,,",
        "images/G1/seed-7.png,G1,sagan v1,7",
        "images/G1/seed-8.png,G1,sagan v1,8",
    ]


def test_range_requests_reassemble_the_identical_zip(client, version):
    whole = body(client.get(download_url(version)))
    size = len(whole)
    assert size == version.archive_size
    assert hashlib.sha256(whole).hexdigest() == version.archive_sha256

    cut = size // 3
    first = client.get(download_url(version), headers={"Range": f"bytes=0-{cut - 1}"})
    rest = client.get(
        download_url(version),
        headers={"Range": f"bytes={cut}-", "If-Range": f'"{version.archive_sha256}"'},
    )

    assert (first.status_code, rest.status_code) == (206, 206)
    assert first["Content-Range"] == f"bytes 0-{cut - 1}/{size}"
    assert rest["Content-Range"] == f"bytes {cut}-{size - 1}/{size}"
    assert int(rest["Content-Length"]) == size - cut
    assert body(first) + body(rest) == whole


def test_suffix_range_gives_the_last_bytes(client, version):
    whole = body(client.get(download_url(version)))
    response = client.get(download_url(version), headers={"Range": "bytes=-100"})
    assert response.status_code == 206
    assert body(response) == whole[-100:]


@pytest.mark.parametrize(
    "header", ["bytes=999999999-", "bytes=50-10", "bytes=-0", "bytes=abc", "bytes=-"]
)
def test_unsatisfiable_range_is_416_with_the_size(client, version, header):
    response = client.get(download_url(version), headers={"Range": header})
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{version.archive_size}"


def test_range_for_a_changed_file_sends_the_whole_file(client, version):
    response = client.get(
        download_url(version), headers={"Range": "bytes=10-", "If-Range": '"an-old-etag"'}
    )
    assert response.status_code == 200
    assert len(body(response)) == version.archive_size


def test_etag_and_conditional_get(client, version):
    response = client.get(download_url(version))
    assert response["ETag"] == f'"{version.archive_sha256}"'
    assert response["Accept-Ranges"] == "bytes"
    assert int(response["Content-Length"]) == version.archive_size
    again = client.get(download_url(version), headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304
    assert again.content == b""


def test_head_sends_headers_only_and_does_not_count(client, version):
    response = client.head(download_url(version))
    assert response.status_code == 200
    assert int(response["Content-Length"]) == version.archive_size
    version.refresh_from_db()
    assert version.download_count == 0


def test_download_counts_once_per_visitor_and_day_and_not_for_resumed_parts(client, version):
    url = download_url(version)
    client.get(url)
    client.get(url)  # a reload
    client.get(url, headers={"Range": "bytes=100-"})  # a resumed download
    version.refresh_from_db()
    assert version.download_count == 1

    client.get(url, REMOTE_ADDR="192.0.2.7")  # another visitor
    client.force_login(make_user("reader"))
    client.get(url, headers={"Range": "bytes=0-99"})  # a download manager's first part
    version.refresh_from_db()
    assert version.download_count == 3


def test_published_version_without_its_zip_yet_answers_503_with_retry_after(
    client, owner, tmp_path
):
    version = published(owner, tmp_path / "uploads", archive=False)
    response = client.get(download_url(version))
    assert response.status_code == 503
    assert response["Retry-After"]
    assert "being prepared" in response.content.decode()


def test_draft_zip_is_streamed_to_its_owner_with_a_true_manifest(client, owner, tmp_path):
    draft = imported_draft(owner, tmp_path / "uploads", license_spdx="CC0-1.0")
    client.force_login(owner)

    response = client.get(download_url(draft))

    assert response.status_code == 200
    assert response.streaming
    assert response["Cache-Control"] == "no-store"
    members = zip_members(body(response))
    root = "breast-cancer-grades-v1/"
    for line in members[root + "MANIFEST.sha256"].decode().splitlines():
        digest, name = line.split("  ", 1)
        assert hashlib.sha256(members[root + name]).hexdigest() == digest
    assert "CC0-1.0" in members[root + "LICENSE.txt"].decode()
    draft.refresh_from_db()
    assert draft.download_count == 0 and not draft.archive


def test_build_archive_builds_once(version):
    again = build_archive(version=version)
    assert again.archive.name == version.archive.name
    assert again.archive_sha256 == version.archive_sha256
    assert len(default_storage.listdir(f"archives/{version.dataset.slug}")[1]) == 1


def test_publishing_builds_the_zip_through_the_celery_task(
    client, owner, tmp_path, settings, django_capture_on_commit_callbacks
):
    from datasets.services import publish_version

    settings.CELERY_TASK_ALWAYS_EAGER = True
    draft = imported_draft(owner, tmp_path / "uploads")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        publish_version(version=draft, user=owner)
    assert len(callbacks) == 1
    draft.refresh_from_db()
    assert draft.archive and draft.archive_size > 0
    response = client.get(download_url(draft))
    assert hashlib.sha256(body(response)).hexdigest() == draft.archive_sha256


def test_a_changed_image_file_stops_the_archive(owner, tmp_path):
    from datasets.archives import ArchiveError

    version = published(owner, tmp_path / "uploads", archive=False)
    image = version.images.first()
    with open(default_storage.path(image.file.name), "ab") as handle:
        handle.write(b"tampered")
    with pytest.raises(ArchiveError, match="no longer match"):
        build_archive(version=version)
    version.refresh_from_db()
    assert not version.archive


def test_the_zips_croissant_loads_in_mlcroissant_without_warnings(
    client, version, tmp_path, caplog
):
    """The ZIP's croissant.json is Croissant 1.1 with the context the standard documents (else
    mlcroissant logs that the `@context` is not standard), and mlcroissant reads the unpacked
    files it describes: every image with its class."""
    import mlcroissant

    members = zip_members(body(client.get(download_url(version))))
    for name, content in members.items():
        (tmp_path / "unpacked" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "unpacked" / name).write_bytes(content)
    document = tmp_path / "unpacked/breast-cancer-grades-v1/croissant.json"
    with caplog.at_level(logging.WARNING):
        dataset = mlcroissant.Dataset(jsonld=document)
    assert [record.getMessage() for record in caplog.records] == []
    issues = dataset.metadata.ctx.issues
    assert not issues.errors and not issues.warnings, issues.report()
    labels = sorted(record["images/label"].decode() for record in dataset.records("images"))
    assert labels == ["G1", "G1", "G1", "G2", "G2"]
