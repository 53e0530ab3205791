"""Writes to the catalogue: importing an uploaded image set, and storing image files.

Every door calls these functions (the import_dataset command, the demo seeder, upload pages and
the API, and the generation job through `store_images`): the rules live here, and the doors only
translate arguments in and ImportRejected out.
"""

import contextlib
import functools
import hashlib
import logging
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.text import slugify

from datasets.archive_sources import ImageSource, ImportLimits, open_source
from datasets.constants import DatasetKind, ImageOrigin, Modality, VersionState, Visibility
from datasets.exceptions import ImportRejected
from datasets.importing import ImportPlan, PlannedImage, plan_import
from datasets.models import (
    Authorship,
    ClassLabel,
    Creator,
    Dataset,
    DatasetVersion,
    ImageRecord,
    License,
    PublishedVersionError,
)
from datasets.orcid import normalize_orcid

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]

# Rows per INSERT: large enough to amortise the round trip, small enough for SQLite's variable
# limit and for a bounded list in memory.
IMAGE_BATCH_SIZE = 500

_UNSAFE_NAME_CHARACTERS = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class CreatorSpec:
    """A creator as a curator writes one; checked on construction, so a bad one never exists."""

    name: str
    orcid: str = ""
    affiliation: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", self.name.strip())
        object.__setattr__(self, "orcid", normalize_orcid(self.orcid))
        object.__setattr__(self, "affiliation", self.affiliation.strip())
        creator = Creator(name=self.name, orcid=self.orcid, affiliation=self.affiliation)
        try:
            # Field checks only (ORCID format and check digit, lengths): no database needed.
            creator.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            raise ImportRejected(f"creator {self.name!r}: {_one_line(error)}") from None

    @classmethod
    def parse(cls, text: str) -> "CreatorSpec":
        """`Name|ORCID|Affiliation`, as typed after --creator; ORCID and affiliation optional."""
        fields = text.split("|")
        if len(fields) > 3:
            raise ImportRejected(
                f"creator {text!r}: expected 'Name|ORCID|Affiliation', found {len(fields)} fields"
            )
        return cls(*fields)


@dataclass
class ImportResult:
    version: DatasetVersion
    skipped: list[str]  # "path: reason", one per file left out by skip_invalid


@dataclass(frozen=True)
class NewImage:
    """An image to store in a version; its bytes are read only when it is written."""

    label: ClassLabel
    file_name: str  # the name below the class folder; "a/b.png" is flattened to "a_b.png"
    width: int
    height: int
    read: Callable[[], bytes]
    sha256: str = ""  # when known already, the bytes written must still have it
    original_name: str = ""
    origin: str = ImageOrigin.UPLOADED


@dataclass(frozen=True)
class StoredImages:
    names: list[str]  # storage names written, for a caller whose transaction fails later
    total_bytes: int


def version_identifier(dataset: Dataset, number: int) -> str:
    """The DOI-like identifier of a version: `<DOI_PREFIX>/<slug>.v<N>` (DESIGN.md section 3)."""
    return f"{settings.DOI_PREFIX}/{dataset.slug}.v{number}"


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
    _check_distinct_creators(creators)
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


def store_images(
    *, version: DatasetVersion, images: Sequence[NewImage], progress: Progress | None = None
) -> StoredImages:
    """Write image files and their ImageRecords into a draft version, and add them to its counts.

    Call it inside transaction.atomic(): on any failure it deletes the files it wrote and
    re-raises, so the caller's transaction takes the rows back. Files go through
    default_storage unchanged, under `datasets/<slug>/v<N>/<class>/<name>`.
    """
    if version.is_published:
        raise PublishedVersionError(f"{version.identifier} is published: it takes no new images")
    if not transaction.get_connection().in_atomic_block:
        # Outside a transaction each batch of rows would commit on its own and outlive a failure.
        raise RuntimeError("store_images must run inside transaction.atomic()")
    folder = f"datasets/{version.dataset.slug}/v{version.number}"
    names: list[str] = []
    counts: Counter[str] = Counter()
    total_bytes = 0
    batch: list[ImageRecord] = []
    try:
        for done, image in enumerate(images, start=1):
            record = _store_image(version, image, folder)
            names.append(record.file.name)
            counts[image.label.name] += 1
            total_bytes += record.size_bytes
            batch.append(record)
            if len(batch) == IMAGE_BATCH_SIZE:
                ImageRecord.objects.bulk_create(batch)
                batch = []
            if progress is not None:
                progress(done, len(images))
        ImageRecord.objects.bulk_create(batch)
        _add_to_counts(version, counts, total_bytes)
    except BaseException:
        delete_stored_files(names)
        raise
    return StoredImages(names=names, total_bytes=total_bytes)


def delete_stored_files(names: Iterable[str]) -> None:
    """Remove files written by a failed write; a failed delete must not hide the first error."""
    for name in names:
        try:
            default_storage.delete(name)
        except Exception:
            logger.exception("Could not delete %s while undoing a failed write", name)


def _one_line(error: ValidationError) -> str:
    """A model ValidationError as one line, field names first."""
    if hasattr(error, "error_dict"):
        return "; ".join(
            f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


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
        slug = _free_slug(title)
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
        raise ImportRejected(_one_line(error)) from None
    return dataset


def _free_slug(title: str) -> str:
    """The title's slug, with -2, -3, ... appended while another dataset has it."""
    max_length = Dataset._meta.get_field("slug").max_length - 10
    base = slugify(title)[:max_length].strip("-") or "dataset"
    taken = set(Dataset.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def _check_distinct_creators(creators: Sequence[CreatorSpec]) -> None:
    orcids = [creator.orcid for creator in creators if creator.orcid]
    for orcid, count in Counter(orcids).items():
        if count > 1:
            raise ImportRejected(f"creator ORCID iD {orcid} is listed {count} times")


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
            dataset.save()
            labels = {
                name: ClassLabel.objects.create(dataset=dataset, name=name, position=position)
                for position, name in enumerate(plan.class_names)
            }
            version = DatasetVersion(
                dataset=dataset,
                number=1,
                state=VersionState.DRAFT,
                identifier=version_identifier(dataset, 1),
                license=license,
                description=version_description,
            )
            version.full_clean()
            version.save()
            _add_authors(version, creators)
            images = [_new_image(planned, labels, source) for planned in plan.images]
            written = store_images(version=version, images=images, progress=progress).names
    except BaseException:
        # store_images removed its own files; these are the ones of a transaction that then
        # failed to commit.
        delete_stored_files(written)
        _remove_empty_folders(f"datasets/{dataset.slug}")
        raise
    return version


def _add_authors(version: DatasetVersion, creators: Sequence[CreatorSpec]) -> None:
    Authorship.objects.bulk_create(
        Authorship(version=version, creator=_creator(spec), position=position)
        for position, spec in enumerate(creators)
    )


def _creator(spec: CreatorSpec) -> Creator:
    """The creator already known by this ORCID iD (an iD names one person), or a new one."""
    if spec.orcid:
        creator, _ = Creator.objects.get_or_create(
            orcid=spec.orcid, defaults={"name": spec.name, "affiliation": spec.affiliation}
        )
        return creator
    return Creator.objects.create(name=spec.name, affiliation=spec.affiliation)


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


def _store_image(version: DatasetVersion, image: NewImage, folder: str) -> ImageRecord:
    data = image.read()
    sha256 = hashlib.sha256(data).hexdigest()
    if image.sha256 and sha256 != image.sha256:
        raise ImportRejected(
            f"{image.original_name or image.file_name}: changed after it was checked; "
            "import it again"
        )
    wanted = f"{folder}/{_safe_part(image.label.name, 'class')}/{_safe_file_name(image.file_name)}"
    name = default_storage.save(wanted, ContentFile(data))
    return ImageRecord(
        version=version,
        label=image.label,
        file=name,
        original_name=image.original_name,
        width=image.width,
        height=image.height,
        size_bytes=len(data),
        sha256=sha256,
        origin=image.origin,
    )


def _add_to_counts(version: DatasetVersion, counts: Counter[str], total_bytes: int) -> None:
    """Added to, not replaced: a generation job stores a version's images in several calls."""
    version.class_counts = dict(Counter(version.class_counts) + counts)
    version.image_count += sum(counts.values())
    version.total_bytes += total_bytes
    version.save(update_fields=["class_counts", "image_count", "total_bytes"])


def _safe_part(text: str, fallback: str, max_length: int = 100) -> str:
    """ASCII letters, digits, '.', '_' and '-' only: every storage and file system takes them."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _UNSAFE_NAME_CHARACTERS.sub("_", ascii_text).strip("._")[:max_length] or fallback


def _safe_file_name(path_in_class: str) -> str:
    path = PurePosixPath(path_in_class)
    stem = str(path.with_suffix("")) if path.suffix else path_in_class
    suffix = _safe_part(path.suffix, "", max_length=10)
    return _safe_part(stem, "image") + (f".{suffix}" if suffix else "")


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
