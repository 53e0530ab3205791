"""`manage.py import_dataset`: arguments in, the identifier out, errors as exit code 1."""

import io
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from datasets.constants import Modality, Visibility
from datasets.models import DatasetVersion
from tests.datasets.uploads import class_folder_files, files_under, image_bytes, write_zip
from tests.factories import make_user

pytestmark = pytest.mark.django_db

ORCID = "0000-0002-1825-0097"


def run_import(path, **options) -> tuple[str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    options.setdefault("title", "Breast cancer grades")
    options.setdefault("license", "CC-BY-4.0")
    call_command("import_dataset", str(path), stdout=stdout, stderr=stderr, **options)
    return stdout.getvalue(), stderr.getvalue()


def test_import_command_prints_the_new_identifier_as_its_last_line(tmp_path, curator):
    path = write_zip(tmp_path / "g.zip", class_folder_files({"G1": 2, "G2": 1}))
    stdout, _ = run_import(path)

    version = DatasetVersion.objects.get()
    assert stdout.splitlines()[-1] == "10.5072/breast-cancer-grades.v1" == version.identifier
    assert "Imported 3 images" in stdout
    assert "classes: G1 2, G2 1" in stdout
    assert version.dataset.owner == curator  # the first superuser


def test_import_command_passes_every_option_to_the_catalogue(tmp_path, curator):
    other = make_user("pathologist")
    path = write_zip(tmp_path / "g.zip", class_folder_files({"G1": 1}))
    run_import(
        path,
        creator=[f"Doe, Jane|{ORCID}|Example University", "Roe, Richard"],
        modality=Modality.HISTOLOGY,
        organ="breast",
        visibility=Visibility.PUBLIC,
        description="Tiles.",
        keywords="grading, breast ,",
        version_description="Cut at 40x.",
        owner="pathologist",
        slug="bc-grades",
        license="cc-by-4.0",
    )

    version = DatasetVersion.objects.select_related("dataset", "license").get()
    dataset = version.dataset
    assert (dataset.slug, dataset.owner, dataset.visibility) == ("bc-grades", other, "public")
    assert (dataset.modality, dataset.organ, dataset.description) == (
        "histology",
        "breast",
        "Tiles.",
    )
    assert dataset.keywords == ["grading", "breast"]
    assert version.description == "Cut at 40x."
    assert version.license.spdx_id == "CC-BY-4.0"
    creators = version.creators.order_by("authorship__position")
    assert [(c.name, c.orcid) for c in creators] == [("Doe, Jane", ORCID), ("Roe, Richard", "")]


def test_import_command_with_skip_invalid_lists_each_skipped_file(tmp_path, curator):
    files = class_folder_files({"G1": 2, "G2": 1}) | {
        "G1/notes.txt": b"notes",
        "G2/cut.png": image_bytes(seed=8)[:30],
    }
    stdout, stderr = run_import(write_zip(tmp_path / "g.zip", files), skip_invalid=True)

    assert stderr.splitlines() == [
        "skipped G1/notes.txt: not a PNG, JPEG, TIFF or BMP image (judged by content, not by name)",
        "skipped G2/cut.png: corrupt PNG image (its header cannot be read)",
    ]
    assert "Imported 3 images" in stdout
    assert "2 files skipped" in stdout
    assert stdout.splitlines()[-1].endswith(".v1")


def test_import_command_without_a_superuser_asks_for_an_owner(tmp_path, media_root):
    path = write_zip(tmp_path / "g.zip", class_folder_files({"G1": 1}))
    with pytest.raises(CommandError, match="no superuser to own the dataset") as caught:
        run_import(path)
    assert caught.value.returncode == 1
    assert DatasetVersion.objects.count() == 0
    assert files_under(media_root) == []


def test_manage_py_import_dataset_exits_1_with_one_line_and_0_with_the_identifier(tmp_path):
    """The real command line, in a fresh process with its own SQLite database and media."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "PORTAL_VAR_DIR": str(tmp_path / "var"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "DJANGO_SUPERUSER_PASSWORD": "a-long-test-password",
    }

    def manage(*arguments: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, str(settings.BASE_DIR / "manage.py"), *arguments],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert manage("migrate", "--verbosity", "0").returncode == 0
    created = manage(
        "createsuperuser", "--noinput", "--username", "admin", "--email", "admin@example.org"
    )
    assert created.returncode == 0, created.stderr
    common = ["--title", "Grades", "--license", "CC-BY-4.0"]

    bad = write_zip(tmp_path / "bad.zip", {"../evil/x.png": image_bytes()})
    refused = manage("import_dataset", str(bad), *common)
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == [
        "CommandError: ../evil/x.png: path traversal ('..') in the archive; refused"
    ]
    assert not (tmp_path / "media").exists() or files_under(tmp_path / "media") == []

    good = write_zip(tmp_path / "good.zip", class_folder_files({"G1": 2, "G2": 2}))
    imported = manage("import_dataset", str(good), *common)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.splitlines()[-1] == "10.5072/grades.v1"
    assert len(files_under(tmp_path / "media")) == 4
