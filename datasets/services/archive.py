"""A published version's ZIP, written once and recorded with its size and sha256."""

import hashlib
import tempfile

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import transaction

from datasets.archive_names import archive_file_name
from datasets.archives import ArchiveContents, write_zip
from datasets.metadata import version_urls
from datasets.models import DatasetVersion
from datasets.services.images import delete_stored_files


def build_archive(*, version: DatasetVersion) -> DatasetVersion:
    """Write the ZIP of a published version once, and record its name, size and sha256.

    The ZIP is written to a temporary file block by block (never whole in memory), then saved
    through the default storage. Safe to run twice, even at once: a version that has its
    archive keeps it, and the second file is deleted.
    """
    version = DatasetVersion.objects.select_related("dataset", "license", "derived_from").get(
        pk=version.pk
    )
    if not version.is_published:
        raise ValueError(f"{version.identifier} is a draft: its ZIP is streamed, not stored")
    if version.archive and default_storage.exists(version.archive.name):
        return version
    contents = ArchiveContents(version, urls=version_urls(version))
    with tempfile.TemporaryFile(dir=settings.ARCHIVE_TEMP_DIR or None) as scratch:
        write_zip(contents, scratch, date_time=version.published_at)
        size = scratch.tell()
        scratch.seek(0)
        sha256 = hashlib.file_digest(scratch, "sha256").hexdigest()
        scratch.seek(0)
        name = default_storage.save(
            f"archives/{version.dataset.slug}/{archive_file_name(version)}", File(scratch)
        )
    with transaction.atomic():
        locked = DatasetVersion.objects.select_for_update().get(pk=version.pk)
        if locked.archive and locked.archive.name != name:
            delete_stored_files([name])
            return locked
        locked.archive, locked.archive_size, locked.archive_sha256 = name, size, sha256
        locked.save(update_fields=["archive", "archive_size", "archive_sha256"])
    return locked
