"""Importing an uploaded ZIP or folder of class folders as a new real dataset: every file checked
before anything is written, then every row and file written or none."""

import contextlib
import functools
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction

from datasets.archive_sources import ImageSource, ImportLimits, open_source
from datasets.constants import DatasetKind, Modality, Visibility
from datasets.exceptions import ImportRejected
from datasets.importing import ImportPlan, PlannedImage, plan_import
from datasets.models import ClassLabel, Dataset, DatasetVersion, License
from datasets.services.creators import CreatorSpec, check_distinct_creators, one_line
from datasets.services.entry import free_slug, save_with_first_draft
from datasets.services.images import NewImage, Progress, delete_stored_files, store_images


@dataclass
class ImportResult:
    version: DatasetVersion
    skipped: list[str]  # "path: reason", one per file left out by skip_invalid


def import_dataset(
    *,
    source: Path,
    title: str,
    license_spdx: str,
    owner: AbstractBaseUser,
    creators: Sequence[CreatorSpec] = (),
    modality: str = Modality.OTHER,
    organ: str = "",
    visibility: str = Visibility.PRIVATE,
    description: str = "",
    keywords: Sequence[str] = (),
    version_description: str = "",
    slug: str | None = None,
    skip_invalid: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Import a ZIP or folder of class folders as a new real dataset with a draft version 1.

    Everything is checked before anything is stored: the arguments, then every entry of the
    source (pass 1, `datasets.importing`). Rows and files are then written in one transaction
    (pass 2); if that fails, the files already written are removed and the rows roll back.
    Refused input raises ImportRejected with one line naming the file or argument.

    `progress(done, total)` counts each file once when checked and once when stored; `total`
    shrinks when skip_invalid leaves files out.
    """
    license = _license(license_spdx)
    dataset = _new_dataset(
        title=title,
        slug=slug,
        owner=owner,
        modality=modality,
        organ=organ,
        visibility=visibility,
        description=description,
        keywords=keywords,
    )
    check_distinct_creators(creators)
    limits = ImportLimits.from_settings()
    with open_source(Path(source), limits) as image_source:
        plan = plan_import(
            image_source,
            limits=limits,
            skip_invalid=skip_invalid,
            progress=_checking_progress(progress),
        )
        version = _write_import(
            dataset=dataset,
            plan=plan,
            source=image_source,
            license=license,
            creators=creators,
            version_description=version_description,
            progress=_storing_progress(progress, files_read=plan.files_read),
        )
    return ImportResult(version=version, skipped=plan.skipped)


def _license(spdx_id: str) -> License:
    """SPDX ids are case-insensitive, so `cc-by-4.0` finds CC-BY-4.0."""
    license = License.objects.filter(spdx_id__iexact=spdx_id.strip()).first()
    if license is None:
        known = ", ".join(License.objects.values_list("spdx_id", flat=True))
        raise ImportRejected(f"license {spdx_id!r} is unknown; known SPDX ids: {known}")
    return license


def _new_dataset(
    *,
    title: str,
    slug: str | None,
    owner: AbstractBaseUser,
    modality: str,
    organ: str,
    visibility: str,
    description: str,
    keywords: Sequence[str],
) -> Dataset:
    """The dataset to create, checked but not saved: nothing is written before pass 1 passes."""
    title = title.strip()
    if not title:
        raise ImportRejected("title: a dataset needs a title")
    if slug is None:
        slug = free_slug(title)
    else:
        taken = Dataset.objects.filter(slug=slug).first()
        if taken is not None:
            raise ImportRejected(
                f"slug {slug!r} is already used by the dataset {taken.title!r}; choose another"
            )
    dataset = Dataset(
        title=title,
        slug=slug,
        owner=owner,
        kind=DatasetKind.REAL,
        modality=modality,
        organ=organ.strip(),
        visibility=visibility,
        description=description,
        keywords=[keyword.strip() for keyword in keywords if keyword.strip()],
    )
    try:
        dataset.full_clean()
    except ValidationError as error:
        raise ImportRejected(one_line(error)) from None
    return dataset


def _write_import(
    *,
    dataset: Dataset,
    plan: ImportPlan,
    source: ImageSource,
    license: License,
    creators: Sequence[CreatorSpec],
    version_description: str,
    progress: Progress | None,
) -> DatasetVersion:
    """Pass 2: every row and file of the import, or none of them."""
    written: list[str] = []
    try:
        with transaction.atomic():
            version, labels = save_with_first_draft(
                dataset=dataset,
                class_names=plan.class_names,
                creators=creators,
                license=license,
                description=version_description,
            )
            images = [_new_image(planned, labels, source) for planned in plan.images]
            written = store_images(version=version, images=images, progress=progress).names
    except BaseException:
        # store_images removed its own files; these are the ones of a transaction that then
        # failed to commit.
        delete_stored_files(written)
        _remove_empty_folders(f"datasets/{dataset.slug}")
        raise
    return version


def _new_image(
    planned: PlannedImage, labels: dict[str, ClassLabel], source: ImageSource
) -> NewImage:
    return NewImage(
        label=labels[planned.class_name],
        file_name=planned.name_in_class,
        width=planned.width,
        height=planned.height,
        read=functools.partial(source.read, planned.entry),
        sha256=planned.sha256,
        original_name=planned.entry.name,
    )


def _remove_empty_folders(prefix: str) -> None:
    """FileSystemStorage leaves the folders it made; remove those a failed import left empty."""
    try:
        top = Path(default_storage.path(prefix))
    except NotImplementedError:  # object stores have no folders
        return
    if not top.is_dir():
        return
    for folder, _, _ in os.walk(top, topdown=False):
        with contextlib.suppress(OSError):  # not empty: holds someone else's files
            Path(folder).rmdir()


def _checking_progress(progress: Progress | None) -> Progress | None:
    """Pass 1 is half the work: each file is read once to check it and once to store it."""
    if progress is None:
        return None

    def report(done: int, total: int) -> None:
        progress(done, 2 * total)

    return report


def _storing_progress(progress: Progress | None, *, files_read: int) -> Progress | None:
    if progress is None:
        return None

    def report(done: int, total: int) -> None:
        progress(files_read + done, files_read + total)

    return report
