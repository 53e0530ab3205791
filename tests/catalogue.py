"""Builders of catalogue datasets for page, download and browser tests, through the real
services: a ZIP of real PNGs imported by import_dataset, published by publish_version, its
archive built by build_archive. No rows are faked, so what the pages show is what users get."""

import io
import zipfile
from collections.abc import Sequence
from pathlib import Path

from datasets.models import DatasetVersion
from datasets.services import CreatorSpec, build_archive, import_dataset, publish_version
from tests.datasets.uploads import class_folder_files, write_zip

ORCID = "0000-0002-1825-0097"
JANE = CreatorSpec(name="Doe, Jane", orcid=ORCID, affiliation="Example University")


def imported_draft(
    owner,
    folder: Path,
    *,
    title: str = "Breast cancer grades",
    per_class: dict[str, int] | None = None,
    visibility: str = "public",
    license_spdx: str = "CC-BY-4.0",
    creators: Sequence[CreatorSpec] = (JANE,),
    **fields,
) -> DatasetVersion:
    """A new dataset with a draft v1 of small PNGs, imported from a ZIP written in `folder`."""
    files = class_folder_files(per_class or {"G1": 2, "G2": 2})
    folder.mkdir(parents=True, exist_ok=True)
    archive = write_zip(folder / f"{len(list(folder.iterdir()))}.zip", files)
    result = import_dataset(
        source=archive,
        title=title,
        license_spdx=license_spdx,
        owner=owner,
        creators=creators,
        visibility=visibility,
        **fields,
    )
    return result.version


def published(owner, folder: Path, *, archive: bool = True, **fields) -> DatasetVersion:
    """A published v1 (with its ZIP built, unless `archive` is False)."""
    version = publish_version(version=imported_draft(owner, folder, **fields), user=owner)
    if archive:
        version = build_archive(version=version)
    return version


def zip_members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return {info.filename: archive.read(info) for info in archive.infolist()}


def body(response) -> bytes:
    """The bytes of any response, streaming or not."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content
