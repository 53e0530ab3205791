"""Every input `manage.py import_dataset` refuses: one line naming the file and the problem, exit
code 1, and no row and no file left behind."""

import io
import os
import stat
import time
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from datasets import importing
from datasets.models import Dataset
from tests.datasets.uploads import (
    assert_nothing_stored,
    blank_png,
    catalogue_rows,
    class_folder_files,
    image_bytes,
    png_with_truncated_pixel_data,
    write_folder,
    write_zip,
)

pytestmark = pytest.mark.django_db

GOOD = class_folder_files({"G1": 2, "G2": 2})


@pytest.fixture
def refused(curator, media_root):
    """Run the command on `path`, expect CommandError matching `match`, and check that nothing
    was stored; returns the message."""

    def run(path, match: str, **options) -> str:
        rows_before = catalogue_rows()
        options.setdefault("title", "Grades")
        options.setdefault("license", "CC-BY-4.0")
        with pytest.raises(CommandError, match=match) as caught:
            call_command(
                "import_dataset", str(path), stdout=io.StringIO(), stderr=io.StringIO(), **options
            )
        message = str(caught.value)
        assert caught.value.returncode == 1
        assert "\n" not in message
        assert_nothing_stored(media_root, rows_before)
        return message

    return run


def test_import_rejects_a_file_that_is_not_a_zip_or_folder_and_stores_nothing(tmp_path, refused):
    path = tmp_path / "grades.zip"
    path.write_text("this is a text file")
    refused(path, r"^grades\.zip: not a ZIP archive or a folder")


def test_import_rejects_a_missing_path_and_stores_nothing(tmp_path, refused):
    refused(tmp_path / "nowhere.zip", "nowhere.zip: no such file or folder")


def test_import_rejects_an_empty_zip_and_stores_nothing(tmp_path, refused):
    refused(write_zip(tmp_path / "empty.zip", {}), r"^empty\.zip: the archive is empty")


def test_import_rejects_images_at_the_top_level_with_an_example_layout(tmp_path, refused):
    files = {"a.png": image_bytes(seed=1), "b.png": image_bytes(seed=2)}
    message = refused(write_zip(tmp_path / "flat.zip", files), "wrong class layout")
    assert "one folder per class" in message
    assert "G1/img001.png" in message
    assert "a.png" in message


def test_import_rejects_an_image_outside_the_class_folders(tmp_path, refused):
    files = GOOD | {"stray.png": image_bytes(seed=9)}
    refused(write_zip(tmp_path / "g.zip", files), r"^stray\.png: outside any class folder")


def test_import_rejects_a_class_folder_without_images_and_stores_nothing(tmp_path, refused):
    path = write_zip(tmp_path / "g.zip", GOOD, directories=("G3/",))
    refused(path, r"^G3/: wrong class layout: class folder holds no images")


def test_import_rejects_an_empty_class_folder_in_a_folder_source(tmp_path, refused):
    root = write_folder(tmp_path / "grades", GOOD)
    (root / "G3").mkdir()
    refused(root, r"^G3/: wrong class layout")


def test_import_rejects_a_corrupt_image_and_stores_nothing(tmp_path, refused):
    damaged = bytearray(image_bytes(size=(32, 32), seed=3))
    damaged[60] ^= 0xFF  # inside IDAT: its checksum no longer matches
    path = write_zip(tmp_path / "g.zip", GOOD | {"G2/bad.png": bytes(damaged)})
    refused(path, r"^G2/bad\.png: corrupt or truncated image")


def test_import_rejects_a_truncated_png_that_passes_verify(tmp_path, refused):
    path = write_zip(tmp_path / "g.zip", GOOD | {"G1/cut.png": png_with_truncated_pixel_data()})
    refused(path, r"^G1/cut\.png: corrupt or truncated image \(image file is truncated")


def test_import_rejects_a_file_cut_inside_its_header(tmp_path, refused):
    path = write_zip(tmp_path / "g.zip", GOOD | {"G1/cut.bmp": image_bytes("BMP")[:20]})
    refused(path, r"^G1/cut\.bmp: corrupt")


def test_import_rejects_a_non_image_file_and_stores_nothing(tmp_path, refused):
    path = write_zip(tmp_path / "g.zip", GOOD | {"G1/notes.txt": b"grading notes"})
    refused(path, r"^G1/notes\.txt: not a PNG, JPEG, TIFF or BMP image")


def test_import_judges_the_format_by_content_not_by_extension(tmp_path, refused):
    gif = image_bytes("GIF", seed=4)
    path = write_zip(tmp_path / "g.zip", GOOD | {"G1/really-a-gif.png": gif})
    refused(path, r"^G1/really-a-gif\.png: not a PNG, JPEG, TIFF or BMP image")


@pytest.mark.parametrize("name", ["../G1/evil.png", "G1/../../evil.png", "G1\\..\\..\\evil.png"])
def test_import_rejects_path_traversal_and_stores_nothing(tmp_path, refused, name):
    path = write_zip(tmp_path / "g.zip", GOOD | {name: image_bytes(seed=7)})
    refused(path, "path traversal")


@pytest.mark.parametrize("name", ["/etc/G1/evil.png", "C:/G1/evil.png"])
def test_import_rejects_absolute_paths_and_stores_nothing(tmp_path, refused, name):
    path = write_zip(tmp_path / "g.zip", GOOD | {name: image_bytes(seed=7)})
    refused(path, "absolute path")


def test_import_rejects_a_symlink_in_the_zip_and_stores_nothing(tmp_path, refused):
    path = write_zip(tmp_path / "g.zip", GOOD)
    with zipfile.ZipFile(path, "a") as archive:
        link = zipfile.ZipInfo("G1/passwd.png")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    refused(path, r"^G1/passwd\.png: symbolic link in the archive")


def test_import_rejects_a_symlink_in_a_folder_and_stores_nothing(tmp_path, refused):
    root = write_folder(tmp_path / "grades", GOOD)
    (tmp_path / "secret.png").write_bytes(image_bytes(seed=8))
    os.symlink(tmp_path / "secret.png", root / "G1" / "linked.png")
    refused(root, r"^G1/linked\.png: symbolic link")


def test_import_rejects_a_special_file_in_a_folder(tmp_path, refused):
    root = write_folder(tmp_path / "grades", GOOD)
    os.mkfifo(root / "G1" / "pipe.png")
    refused(root, r"^G1/pipe\.png: not a regular file")


def test_import_rejects_an_encrypted_entry_and_stores_nothing(tmp_path, refused):
    path = tmp_path / "g.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in GOOD.items():
            archive.writestr(name, data)
        archive.getinfo("G1/img0.png").flag_bits |= 0x1  # what the central directory will say
    refused(path, r"^G1/img0\.png: encrypted entry")


def test_import_rejects_a_name_listed_twice(tmp_path, refused):
    path = write_zip(tmp_path / "g.zip", GOOD)
    with zipfile.ZipFile(path, "a") as archive, pytest.warns(UserWarning, match="Duplicate"):
        archive.writestr("G1/img0.png", image_bytes(seed=50))
    refused(path, r"^G1/img0\.png: appears twice")


def test_import_rejects_more_entries_than_the_limit(tmp_path, refused, settings):
    settings.IMPORT_MAX_ENTRIES = 3
    refused(write_zip(tmp_path / "g.zip", GOOD), r"^g\.zip: 4 entries, over the limit of 3")


def test_import_rejects_more_entries_than_the_limit_in_a_folder(tmp_path, refused, settings):
    settings.IMPORT_MAX_ENTRIES = 3
    refused(write_folder(tmp_path / "grades", GOOD), "more than 3 entries")


def test_import_rejects_more_uncompressed_bytes_than_the_limit(tmp_path, refused, settings):
    settings.IMPORT_MAX_TOTAL_BYTES = sum(len(data) for data in GOOD.values()) - 1
    refused(write_zip(tmp_path / "g.zip", GOOD), "IMPORT_MAX_TOTAL_BYTES")


def test_import_rejects_a_file_above_the_file_limit(tmp_path, refused, settings):
    big = image_bytes(size=(64, 64), seed=11)
    settings.IMPORT_MAX_FILE_BYTES = len(big) - 1
    path = write_zip(tmp_path / "g.zip", GOOD | {"G1/big.png": big})
    refused(path, r"^G1/big\.png: \d+ bytes, over the limit .* \(IMPORT_MAX_FILE_BYTES\)")


def test_import_rejects_an_entry_whose_header_understates_its_size(tmp_path, refused):
    path = write_zip(tmp_path / "g.zip", GOOD)
    data = bytearray(path.read_bytes())
    central = data.index(b"PK\x01\x02")  # first central directory record: G1/img0.png
    data[central + 24 : central + 28] = (10).to_bytes(4, "little")  # uncompressed size
    path.write_bytes(bytes(data))
    refused(path, r"^G1/img0\.png: damaged archive entry \(Bad CRC-32")


def test_import_rejects_a_zip_bomb_entry_by_its_compression_ratio(tmp_path, refused):
    path = write_zip(tmp_path / "g.zip", GOOD | {"G1/bomb.png": bytes(8 * 1024 * 1024)})
    refused(path, r"^G1/bomb\.png: inflates \d+-fold, over the compression ratio limit of 100")


def test_import_rejects_an_archive_whose_overall_ratio_is_a_zip_bomb(tmp_path, refused):
    small_bombs = {f"G1/part{index}.png": bytes(512 * 1024) for index in range(8)}
    path = write_zip(tmp_path / "g.zip", GOOD | small_bombs)
    refused(path, r"^g\.zip: inflates \d+-fold, over the compression ratio limit")


@pytest.mark.parametrize("size", [(20, 20), (11, 10)])  # past Pillow's error, past its warning
def test_import_rejects_an_image_above_the_pixel_limit(tmp_path, refused, settings, size):
    settings.IMPORT_MAX_IMAGE_PIXELS = 100
    files = {"G1/small.png": image_bytes(size=(10, 10)), "G1/huge.png": image_bytes(size=size)}
    path = write_zip(tmp_path / "g.zip", files)
    refused(path, r"^G1/huge\.png: image over 100 pixels .* decompression bomb")


def test_import_never_skips_a_decompression_bomb(tmp_path, refused, settings):
    settings.IMPORT_MAX_IMAGE_PIXELS = 100
    files = {"G1/small.png": image_bytes(size=(10, 10)), "G1/huge.png": image_bytes(size=(30, 30))}
    refused(write_zip(tmp_path / "g.zip", files), "decompression bomb", skip_invalid=True)


def test_import_refuses_more_pixels_than_the_limit_before_decoding_any(tmp_path, refused):
    """20 blank 62-megapixel PNGs in a ZIP of a few KB: each under IMPORT_MAX_IMAGE_PIXELS,
    together over IMPORT_MAX_TOTAL_PIXELS. Their headers alone refuse them, at once."""
    blank = blank_png(7874, 7874)
    path = write_zip(tmp_path / "blank.zip", {f"G1/{index}.png": blank for index in range(20)})
    assert path.stat().st_size < 10_000

    started = time.monotonic()
    refused(
        path,
        r"^blank\.zip: its images hold more than 1000000000 pixels together, over the "
        r"limit per import \(IMPORT_MAX_TOTAL_PIXELS\)$",
    )
    assert time.monotonic() - started < 1  # milliseconds; checking all 20 takes over a second


def test_import_counts_the_pixels_it_decodes_where_headers_said_nothing(
    tmp_path, refused, settings, monkeypatch
):
    monkeypatch.setattr(importing, "HEADER_BYTES", 8)  # no header fits: only decoding counts
    settings.IMPORT_MAX_TOTAL_PIXELS = 3 * 64
    refused(write_zip(tmp_path / "g.zip", GOOD), r"^g\.zip: .* \(IMPORT_MAX_TOTAL_PIXELS\)$")


def test_import_takes_images_up_to_the_pixel_limit(tmp_path, curator, settings):
    settings.IMPORT_MAX_TOTAL_PIXELS = 4 * 64  # GOOD: four 8x8 images
    call_command(
        "import_dataset",
        str(write_zip(tmp_path / "g.zip", GOOD)),
        title="Grades",
        license="CC-BY-4.0",
        stdout=io.StringIO(),
    )
    assert Dataset.objects.get().versions.get().image_count == 4


def test_import_rejects_an_unknown_license_listing_the_known_ids(tmp_path, refused):
    message = refused(
        write_zip(tmp_path / "g.zip", GOOD), "license 'CC-BY-9.9' is unknown", license="CC-BY-9.9"
    )
    for spdx_id in ("CC-BY-4.0", "CC0-1.0", "CC-BY-NC-4.0", "ODbL-1.0", "CDLA-Permissive-2.0"):
        assert spdx_id in message


@pytest.mark.parametrize(
    ("orcid", "problem"),
    [
        ("0000-0002-1825-009", "is not an ORCID iD"),
        ("0000-0002-1825-0098", "check digit is 8, expected 7"),
    ],
)
def test_import_rejects_a_malformed_orcid(tmp_path, refused, orcid, problem):
    refused(
        write_zip(tmp_path / "g.zip", GOOD),
        f"creator 'Doe, Jane': .*{problem}",
        creator=[f"Doe, Jane|{orcid}|Example University"],
    )


def test_import_rejects_a_duplicate_slug(tmp_path, refused, curator):
    Dataset.objects.create(slug="grades", title="Older grades", owner=curator)
    refused(
        write_zip(tmp_path / "g.zip", GOOD),
        "slug 'grades' is already used by the dataset 'Older grades'",
        slug="grades",
    )


def test_import_rejects_an_unknown_owner(tmp_path, refused):
    refused(write_zip(tmp_path / "g.zip", GOOD), "--owner nobody: no such user", owner="nobody")
