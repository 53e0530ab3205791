"""The import service on good input: what it creates, in the database and in storage."""

import hashlib

import pytest
from django.core.files.storage import default_storage
from django.db import transaction

from datasets.constants import DatasetKind, ImageOrigin, Modality, VersionState, Visibility
from datasets.models import ClassLabel, Creator, ImageRecord
from datasets.services import (
    CreatorSpec,
    ImportRejected,
    NewImage,
    import_dataset,
    store_images,
    version_identifier,
)
from tests.datasets.uploads import (
    assert_nothing_stored,
    class_folder_files,
    image_bytes,
    write_folder,
    write_zip,
)

pytestmark = pytest.mark.django_db

ORCID = "0000-0002-1825-0097"


def import_source(source, owner, **arguments):
    arguments.setdefault("title", "Breast cancer grades")
    arguments.setdefault("license_spdx", "CC-BY-4.0")
    return import_dataset(source=source, owner=owner, **arguments)


def mixed_format_files() -> dict[str, bytes]:
    return {
        "G1/a.png": image_bytes("PNG", seed=1),
        "G1/b.png": image_bytes("PNG", seed=2),
        "G2/c.jpg": image_bytes("JPEG", size=(12, 10), seed=3),
        "G2/d.tif": image_bytes("TIFF", seed=4),
        "G2/e.bmp": image_bytes("BMP", seed=5),
    }


def test_import_zip_creates_dataset_version_classes_and_images(tmp_path, curator, settings):
    settings.DOI_PREFIX = "10.9999"
    files = mixed_format_files()
    result = import_source(
        write_zip(tmp_path / "grades.zip", files),
        curator,
        modality=Modality.HISTOLOGY,
        organ="breast",
        keywords=["grading", " ", "BreakHis"],
        description="Tiles of breast tissue.",
        version_description="How the tiles were cut.",
    )

    version = result.version
    dataset = version.dataset
    assert result.skipped == []
    assert (dataset.slug, dataset.title, dataset.kind) == (
        "breast-cancer-grades",
        "Breast cancer grades",
        DatasetKind.REAL,
    )
    assert (dataset.owner, dataset.visibility, dataset.modality, dataset.organ) == (
        curator,
        Visibility.PRIVATE,
        Modality.HISTOLOGY,
        "breast",
    )
    assert dataset.keywords == ["grading", "BreakHis"]
    assert (version.number, version.state, version.license.spdx_id) == (
        1,
        VersionState.DRAFT,
        "CC-BY-4.0",
    )
    assert version.identifier == "10.9999/breast-cancer-grades.v1"
    assert version.description == "How the tiles were cut."
    assert list(dataset.classes.values_list("name", "position")) == [("G1", 0), ("G2", 1)]
    assert version.class_counts == {"G1": 2, "G2": 3}
    assert version.image_count == 5
    assert version.total_bytes == sum(len(data) for data in files.values())


def test_import_stores_original_bytes_with_matching_sha256(tmp_path, curator):
    files = mixed_format_files()
    version = import_source(write_zip(tmp_path / "grades.zip", files), curator).version

    records = {record.original_name: record for record in version.images.select_related("label")}
    assert set(records) == set(files)
    for original_name, record in records.items():
        with default_storage.open(record.file.name) as stored:
            stored_bytes = stored.read()
        assert stored_bytes == files[original_name]
        assert record.sha256 == hashlib.sha256(stored_bytes).hexdigest()
        assert record.size_bytes == len(stored_bytes)
        assert record.origin == ImageOrigin.UPLOADED
        assert record.label.name == original_name.split("/")[0]
        assert record.file.name.startswith(f"datasets/breast-cancer-grades/v1/{record.label}/")
    assert (records["G2/c.jpg"].width, records["G2/c.jpg"].height) == (12, 10)


def test_import_folder_gives_the_same_catalogue_as_the_zip(tmp_path, curator):
    files = mixed_format_files()
    version = import_source(write_folder(tmp_path / "grades", files), curator).version

    assert version.class_counts == {"G1": 2, "G2": 3}
    assert sorted(version.images.values_list("original_name", flat=True)) == sorted(files)
    for record in version.images.all():
        with default_storage.open(record.file.name) as stored:
            assert hashlib.sha256(stored.read()).hexdigest() == record.sha256


def test_import_strips_a_wrapping_folder_ignores_debris_and_keeps_nested_images(tmp_path, curator):
    files = {
        "upload/G1/a.png": image_bytes(seed=1),
        "upload/G1/patient7/b.png": image_bytes(seed=2),
        "upload/G2/c.png": image_bytes(seed=3),
        "upload/G2/.DS_Store": b"\0\0\0\1Bud1",
        "upload/G2/Thumbs.db": b"not an image",
        "upload/.hidden/x.png": b"not an image",
        "__MACOSX/upload/G1/._a.png": b"\0\5\26\7AppleDouble",
    }
    version = import_source(write_zip(tmp_path / "upload.zip", files), curator).version

    assert version.class_counts == {"G1": 2, "G2": 1}
    nested = version.images.get(original_name="upload/G1/patient7/b.png")
    assert nested.label.name == "G1"
    assert nested.file.name == "datasets/breast-cancer-grades/v1/G1/patient7_b.png"


def test_import_links_creators_in_order_and_reuses_a_creator_by_orcid(tmp_path, curator):
    known = Creator.objects.create(name="Carberry, Josiah", orcid=ORCID, affiliation="Brown")
    creators = [
        CreatorSpec.parse("Doe, Jane||Example University"),
        CreatorSpec.parse(f"Carberry, J.|https://orcid.org/{ORCID}|"),
    ]
    zip_path = write_zip(tmp_path / "g.zip", class_folder_files({"G1": 1}))
    version = import_source(zip_path, curator, creators=creators).version

    authors = list(version.creators.order_by("authorship__position"))
    assert [author.name for author in authors] == ["Doe, Jane", "Carberry, Josiah"]
    assert authors[1] == known
    assert authors[0].affiliation == "Example University"
    assert Creator.objects.count() == 2


def test_import_gives_a_taken_title_slug_a_number(tmp_path, curator):
    zip_path = write_zip(tmp_path / "g.zip", class_folder_files({"G1": 1}))
    first = import_source(zip_path, curator).version
    second = import_source(zip_path, curator).version
    custom = import_source(zip_path, curator, slug="my-grades").version

    assert first.dataset.slug == "breast-cancer-grades"
    assert second.dataset.slug == "breast-cancer-grades-2"
    assert second.identifier == version_identifier(second.dataset, 1)
    assert custom.identifier.endswith("/my-grades.v1")


def test_import_reports_progress_up_to_its_total(tmp_path, curator):
    calls = []
    zip_path = write_zip(tmp_path / "g.zip", class_folder_files({"G1": 3, "G2": 2}))
    import_source(zip_path, curator, progress=lambda done, total: calls.append((done, total)))

    assert calls[0] == (1, 10)
    assert calls[-1] == (10, 10)
    assert [done for done, _ in calls] == list(range(1, 11))


def test_import_with_skip_invalid_lists_skipped_files_and_imports_the_rest(tmp_path, curator):
    files = class_folder_files({"G1": 2, "G2": 1}) | {
        "G1/notes.txt": b"grading notes",
        "G2/broken.png": image_bytes(seed=9)[:40],
        "README.md": b"# my data",
    }
    result = import_source(write_zip(tmp_path / "g.zip", files), curator, skip_invalid=True)

    assert result.version.class_counts == {"G1": 2, "G2": 1}
    assert sorted(line.split(":")[0] for line in result.skipped) == [
        "G1/notes.txt",
        "G2/broken.png",
        "README.md",
    ]
    assert all(": " in line for line in result.skipped)


def test_store_images_adds_generated_images_to_a_draft_and_its_counts(tmp_path, curator):
    zip_path = write_zip(tmp_path / "g.zip", class_folder_files({"G1": 1, "G2": 1}))
    version = import_source(zip_path, curator).version
    label = ClassLabel.objects.get(dataset=version.dataset, name="G2")
    generated = [image_bytes(size=(64, 64), seed=100 + index) for index in range(3)]

    with transaction.atomic():
        stored = store_images(
            version=version,
            images=[
                NewImage(
                    label=label,
                    file_name=f"seed-{index}.png",
                    width=64,
                    height=64,
                    read=lambda data=data: data,
                    origin=ImageOrigin.GENERATED,
                )
                for index, data in enumerate(generated)
            ],
        )

    version.refresh_from_db()
    assert version.class_counts == {"G1": 1, "G2": 4}
    assert version.image_count == 5
    assert stored.total_bytes == sum(len(data) for data in generated)
    records = ImageRecord.objects.filter(version=version, origin=ImageOrigin.GENERATED)
    assert sorted(record.file.name for record in records) == sorted(stored.names)
    assert stored.names[0] == "datasets/breast-cancer-grades/v1/G2/seed-0.png"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Doe, Jane", CreatorSpec(name="Doe, Jane")),
        (f" Doe, Jane | {ORCID} | Uni ", CreatorSpec("Doe, Jane", ORCID, "Uni")),
        (f"Doe, Jane|orcid.org/{ORCID}", CreatorSpec("Doe, Jane", ORCID)),
    ],
)
def test_creator_spec_parses_name_orcid_and_affiliation(text, expected):
    assert CreatorSpec.parse(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("|0000-0002-1825-0097|Uni", "name"),
        ("Doe|0000-0002-1825-0098", "check digit is 8, expected 7"),
        ("Doe|0000-0002-1825", "is not an ORCID iD"),
        ("Doe|a|b|c", "expected 'Name|ORCID|Affiliation'"),
    ],
)
def test_creator_spec_rejects_bad_text_in_one_line(text, message):
    with pytest.raises(ImportRejected, match=message) as caught:
        CreatorSpec.parse(text)
    assert "\n" not in str(caught.value)


def test_import_failing_in_the_write_phase_leaves_no_files_and_no_rows(
    tmp_path, curator, settings, media_root
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "tests.datasets.failing_storage.FailingOnNthSaveStorage",
            "OPTIONS": {"fail_on_save": 3},
        },
    }
    zip_path = write_zip(tmp_path / "g.zip", class_folder_files({"G1": 2, "G2": 2}))

    with pytest.raises(OSError, match="disk full"):
        import_source(zip_path, curator, creators=[CreatorSpec(name="Doe, Jane")])

    assert default_storage.saves == 3  # two files were written before the failure
    assert_nothing_stored(media_root)
    assert not (media_root / "datasets" / "breast-cancer-grades").exists()
