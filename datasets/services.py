"""Writes to the catalogue: importing an uploaded image set, storing image files, editing and
publishing drafts, building a published version's ZIP, access requests and counters.

Every door calls these functions (the import_dataset command, the demo seeder, upload pages and
the API, and the generation job through `store_images`): the rules live here, and the doors only
translate arguments in and ImportRejected, PublishRefused, PermissionDenied out.
"""

import contextlib
import functools
import hashlib
import hmac
import logging
import os
import re
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.text import slugify

from datasets import doi_registration, related_works, selectors, tasks
from datasets.archive_names import archive_file_name
from datasets.archive_sources import ImageSource, ImportLimits, open_source
from datasets.archives import ArchiveContents, write_zip
from datasets.constants import (
    RESERVED_SLUGS,
    AccessState,
    DatasetKind,
    HitKind,
    ImageOrigin,
    Modality,
    VersionState,
    Visibility,
)
from datasets.exceptions import (
    AccessRequestRefused,
    CurationRefused,
    ImportRejected,
    PublishRefused,
)
from datasets.importing import ImportPlan, PlannedImage, plan_import
from datasets.metadata import version_urls
from datasets.models import (
    AccessRequest,
    Authorship,
    ClassLabel,
    Creator,
    Dataset,
    DatasetVersion,
    ImageRecord,
    License,
    PublishedVersionError,
    VersionHit,
    VisibilityChange,
)
from datasets.orcid import normalize_orcid
from datasets.search_text import build_search_text

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]

# Rows per INSERT: large enough to amortise the round trip, small enough for SQLite's variable
# limit and for a bounded list in memory.
IMAGE_BATCH_SIZE = 500
# A hold is overridden with a reason a reader can weigh, not a click.
MIN_OVERRIDE_REASON = 20

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
    # Facts that reproduce or describe the image, e.g. {"model": "sagan v1", "seed": 17}: each
    # key becomes a column of the download's metadata.csv.
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class StoredImages:
    names: list[str]  # storage names written, for a caller whose transaction fails later
    total_bytes: int


def version_identifier(dataset: Dataset, number: int) -> str:
    """The DOI-like identifier of a version: `<DOI_PREFIX>/<slug>.v<N>`."""
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
    taken |= RESERVED_SLUGS
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
            version, labels = _save_with_first_draft(
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


def _save_with_first_draft(
    *, dataset: Dataset, class_names: Sequence[str], creators: Sequence[CreatorSpec], **fields
) -> tuple[DatasetVersion, dict[str, ClassLabel]]:
    """The rows every new dataset starts with, imported or synthetic: the dataset (already
    checked by the caller), its classes in order, and draft version 1 with `fields` and its
    creators. Returns the draft and the classes by name, for the images that follow."""
    dataset.save()
    labels = {}
    for position, name in enumerate(class_names):
        labels[name] = label = ClassLabel(dataset=dataset, name=name, position=position)
        label.full_clean()
        label.save()
    refresh_search_text(dataset=dataset)
    version = DatasetVersion(
        dataset=dataset,
        number=1,
        state=VersionState.DRAFT,
        identifier=version_identifier(dataset, 1),
        **fields,
    )
    version.full_clean()
    version.save()
    add_creators(version=version, creators=creators)
    return version, labels


def add_creators(*, version: DatasetVersion, creators: Sequence[CreatorSpec]) -> None:
    """Name `creators` as the authors of a draft that has none yet, in citation order."""
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
        extra=image.extra,
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


# --- Synthetic drafts --------------------------------------------------------------------------


def create_synthetic_draft(
    *,
    source: DatasetVersion,
    slug_base: str,
    title: str,
    description: str,
    owner: AbstractBaseUser,
    class_names: Sequence[str],
    creators: Sequence[CreatorSpec] = (),
    visibility: str = Visibility.PRIVATE,
    version_description: str = "",
) -> DatasetVersion:
    """A new synthetic dataset derived from `source`, with its classes and an empty draft
    version 1 that a generation job then fills through `store_images`.

    The same rules as an import: every row is checked (`full_clean`) and the slug is the first
    free, unreserved one made from `slug_base`, because the slug becomes the version's
    identifier and its storage folder. The draft takes the source's license and keywords; the
    source's creators are credited through the lineage (`derived_from`), not as authors.
    Call it inside the caller's transaction when another row must point at the draft.
    """
    _check_distinct_creators(creators)
    dataset = Dataset(
        slug=_free_slug(slug_base),
        title=title.strip()[: Dataset._meta.get_field("title").max_length],
        description=description,
        keywords=[*source.dataset.keywords, "synthetic", "GAN"],
        modality=source.dataset.modality,
        organ=source.dataset.organ,
        kind=DatasetKind.SYNTHETIC,
        owner=owner,
        visibility=visibility,
    )
    dataset.full_clean()
    with transaction.atomic():
        version, _ = _save_with_first_draft(
            dataset=dataset,
            class_names=class_names,
            creators=creators,
            license=source.license,
            derived_from=source,
            description=version_description,
        )
    return version


def record_version_metrics(
    *, version: DatasetVersion, metrics: dict, description: str | None = None
) -> DatasetVersion:
    """Merge `metrics` into a draft's measured figures (and replace its data card when given).

    Measurements arrive after the images, from jobs that run on their own (the synthetic set's
    KID/FID, then its quality report), so each adds its keys to what is there under a row lock
    instead of overwriting the other's. A published version never changes: it is left as it is.
    """
    with transaction.atomic():
        locked = DatasetVersion.objects.select_for_update().get(pk=version.pk)
        if locked.is_published:
            return locked
        locked.metrics = {**locked.metrics, **metrics}
        fields = ["metrics"]
        if description is not None:
            locked.description = description
            fields.append("description")
        locked.save(update_fields=fields)
    version.metrics = locked.metrics
    version.description = locked.description
    return locked


# --- The catalogue entry -----------------------------------------------------------------------


def refresh_search_text(*, dataset: Dataset) -> None:
    """Rebuild what the search matches for `dataset`. Call it after creating a dataset's classes
    or changing its title, description, keywords or organ (import, edit and publish do)."""
    dataset.search_text = build_search_text(
        slug=dataset.slug,
        title=dataset.title,
        description=dataset.description,
        keywords=dataset.keywords,
        organ=dataset.organ,
        class_names=dataset.classes.values_list("name", flat=True),
    )
    Dataset.objects.filter(pk=dataset.pk).update(search_text=dataset.search_text)


def update_draft(
    *,
    version: DatasetVersion,
    user: AbstractBaseUser,
    title: str,
    description: str,
    keywords: Sequence[str],
    modality: str,
    organ: str,
    license: License | None,
    creators: Sequence[CreatorSpec],
    version_description: str,
    changes: str = "",
) -> DatasetVersion:
    """Change a draft's metadata and its dataset's description, all or nothing.

    Title, description, keywords, modality and organ belong to the dataset and so show on every
    version's page; the license, creators and data card belong to this draft. Visibility is not
    a draft's: it changes who sees the published versions at once (see `change_visibility`).
    Raises PermissionDenied for non-editors, PublishedVersionError for a published version and
    ValidationError (by field) for bad values.
    """
    dataset = version.dataset
    if not selectors.is_editor(user=user, dataset=dataset):
        raise PermissionDenied("only the dataset's owner, collaborators and staff edit it")
    if version.is_published:
        raise PublishedVersionError(f"{version.identifier} is published: create a new version")
    _check_distinct_creators(creators)
    with transaction.atomic():
        dataset.title = title.strip()
        dataset.description = description
        dataset.keywords = [keyword.strip() for keyword in keywords if keyword.strip()]
        dataset.modality = modality
        dataset.organ = organ.strip()
        dataset.full_clean()
        dataset.save()
        version.license = license
        version.description = version_description
        version.changes = changes
        version.full_clean()
        version.save()
        Authorship.objects.filter(version=version).delete()
        add_creators(version=version, creators=creators)
        refresh_search_text(dataset=dataset)
    return version


def change_visibility(
    *, dataset: Dataset, user: AbstractBaseUser, visibility: str
) -> VisibilityChange:
    """Make `dataset` public, restricted or private, and record who did it, when, from what.

    Visibility decides at once who sees every published version and its files, so it is the
    owner's (and staff's) decision, taken on its own, never a side effect of saving a draft.
    Raises PermissionDenied for anyone else, collaborators included, and CurationRefused for an
    unknown value or the current one.
    """
    if not selectors.manages_dataset(user=user, dataset=dataset):
        raise PermissionDenied("only the dataset's owner and staff change its visibility")
    if visibility not in Visibility.values:
        choices = ", ".join(Visibility.values)
        raise CurationRefused(f"visibility {visibility!r} is unknown; choose one of {choices}")
    with transaction.atomic():
        locked = Dataset.objects.select_for_update().get(pk=dataset.pk)
        if locked.visibility == visibility:
            raise CurationRefused(f"{locked.slug} is {visibility} already")
        change = VisibilityChange.objects.create(
            dataset=locked,
            changed_by=user,
            from_visibility=locked.visibility,
            to_visibility=visibility,
        )
        Dataset.objects.filter(pk=locked.pk).update(
            visibility=visibility, updated_at=change.changed_at
        )
    dataset.visibility = visibility
    return change


# --- Publishing and the published ZIP ----------------------------------------------------------


def publish_version(*, version: DatasetVersion, user: AbstractBaseUser) -> DatasetVersion:
    """Freeze a draft: check it, mark it published with its date, and build its ZIP.

    In one transaction with the version's row locked, so two curators pressing Publish at once
    publish it once. From then on DatasetVersion.save() refuses any change but the counters and
    the archive. The ZIP is built by a Celery task on the `default` queue, enqueued only once
    the transaction has committed (a worker must find the version published).
    """
    if not selectors.is_editor(user=user, dataset=version.dataset):
        raise PermissionDenied("only the dataset's owner, collaborators and staff publish it")
    with transaction.atomic():
        locked = DatasetVersion.objects.select_for_update().get(pk=version.pk)
        problems = selectors.publish_problems(version=locked)
        if problems:
            raise PublishRefused(problems)
        locked.state = VersionState.PUBLISHED
        locked.published_at = timezone.now()
        locked.save(update_fields=["state", "published_at"])
        refresh_search_text(dataset=locked.dataset)
        transaction.on_commit(functools.partial(tasks.build_archive.delay, locked.pk))
        if doi_registration.is_configured():  # else identifiers stay test-prefix ones
            transaction.on_commit(functools.partial(tasks.register_dois.delay, locked.pk))
    return locked


def hold_publication(*, version: DatasetVersion, reason: str) -> None:
    """Stop a draft from being published until a curator overrides `reason` (empty: release).

    Called by checks that run after the images exist, such as the quality report's memorization
    test. A new hold replaces an earlier override: the curator's reason answered the old finding.
    """
    if version.is_published:
        return
    DatasetVersion.objects.filter(pk=version.pk).update(
        publication_hold=reason,
        hold_override_reason="",
        hold_overridden_by=None,
        hold_overridden_at=None,
    )
    version.refresh_from_db(
        fields=[
            "publication_hold",
            "hold_override_reason",
            "hold_overridden_by",
            "hold_overridden_at",
        ]
    )


def override_publication_hold(
    *, version: DatasetVersion, user: AbstractBaseUser, reason: str
) -> DatasetVersion:
    """Let a held draft be published: the curator's written reason is stored and shown with it."""
    if not selectors.is_editor(user=user, dataset=version.dataset):
        raise PermissionDenied("only the dataset's owner, collaborators and staff override a hold")
    reason = reason.strip()
    if not version.publication_hold:
        raise PublishRefused([f"{version.identifier} has no publication hold to override"])
    if len(reason) < MIN_OVERRIDE_REASON:
        raise PublishRefused(
            [f"write why the hold should be overridden (at least {MIN_OVERRIDE_REASON} characters)"]
        )
    DatasetVersion.objects.filter(pk=version.pk, state=VersionState.DRAFT).update(
        hold_override_reason=reason, hold_overridden_by=user, hold_overridden_at=timezone.now()
    )
    version.refresh_from_db()
    return version


def queue_missing_archives(*, versions: QuerySet) -> int:
    """Queue a ZIP build for each published version of `versions` that has none; returns how
    many. For a build that failed for good (its task gave up): the task is a no-op once built."""
    missing = list(
        versions.filter(state=VersionState.PUBLISHED, archive="").values_list("pk", flat=True)
    )
    for pk in missing:
        transaction.on_commit(functools.partial(tasks.build_archive.delay, pk))
    return len(missing)


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


# --- Access to restricted files ----------------------------------------------------------------


def request_access(*, dataset: Dataset, user: AbstractBaseUser, message: str = "") -> AccessRequest:
    """Ask the editors of a restricted dataset for its files; asking again after a refusal
    reopens the request."""
    if dataset.visibility != Visibility.RESTRICTED:
        raise AccessRequestRefused("only restricted datasets take access requests")
    if selectors.can_view_files(user=user, dataset=dataset):
        raise AccessRequestRefused("you have access to these files already")
    access_request, _ = AccessRequest.objects.update_or_create(
        dataset=dataset,
        user=user,
        defaults={
            "message": message.strip(),
            "state": AccessState.PENDING,
            "decided_at": None,
            "decided_by": None,
        },
    )
    return access_request


def decide_access_request(
    *, access_request: AccessRequest, user: AbstractBaseUser, approve: bool
) -> AccessRequest:
    """Approve or refuse a request; refusing an approved one takes the access back."""
    if not selectors.is_editor(user=user, dataset=access_request.dataset):
        raise PermissionDenied("only the dataset's owner, collaborators and staff decide")
    access_request.state = AccessState.APPROVED if approve else AccessState.REJECTED
    access_request.decided_at = timezone.now()
    access_request.decided_by = user
    access_request.save(update_fields=["state", "decided_at", "decided_by"])
    return access_request


# --- Counters ----------------------------------------------------------------------------------


def visitor_key(*, user: AbstractBaseUser | AnonymousUser, address: str) -> str:
    """Who is counting: the user, or else the IP address, as a keyed hash (no address stored)."""
    who = f"user:{user.pk}" if user.is_authenticated else f"ip:{address}"
    return hmac.new(settings.SECRET_KEY.encode(), who.encode(), hashlib.sha256).hexdigest()[:32]


def record_hit(*, version: DatasetVersion, kind: str, visitor: str) -> bool:
    """Count a view or download of a published version once per visitor and day, so that
    reloading a page or resuming a download does not inflate the counters. True if counted."""
    if not version.is_published:
        return False
    counter = {HitKind.VIEW: "view_count", HitKind.DOWNLOAD: "download_count"}[kind]
    with transaction.atomic():
        _, created = VersionHit.objects.get_or_create(
            version=version, kind=kind, visitor=visitor, day=timezone.now().date()
        )
        if created:
            DatasetVersion.objects.filter(pk=version.pk).update(**{counter: F(counter) + 1})
    return created


# --- New versions and collaborators ------------------------------------------------------------


def creator_for_user(user: AbstractBaseUser) -> CreatorSpec | None:
    """`user` as a citation names them ("Family, Given"), or None for an account without a name:
    a username is no author's name, so such a draft asks its curator for creators instead."""
    name = ", ".join(part for part in (user.last_name.strip(), user.first_name.strip()) if part)
    if not name:
        return None
    return CreatorSpec(name=name[: Creator._meta.get_field("name").max_length])


def new_draft_version(*, dataset: Dataset, user: AbstractBaseUser) -> DatasetVersion:
    """Open the next version of `dataset` as a draft that starts as a copy of its newest
    published version: the same images, license, creators, data card, metrics and lineage.

    A published version never changes, so a fix (license, creators, data card) is a new version.
    Images are shared, not copied: the draft's ImageRecords point at the published version's
    stored files, which never change and which nothing deletes while a row names them, so a new
    version of 20,000 images costs rows, not bytes. One draft at a time, so edits do not split.
    Raises PermissionDenied for non-editors and CurationRefused while a draft exists.
    """
    if not selectors.is_editor(user=user, dataset=dataset):
        raise PermissionDenied("only the dataset's owner, collaborators and staff add versions")
    with transaction.atomic():
        Dataset.objects.select_for_update().get(pk=dataset.pk)  # two clicks make one draft
        versions = dataset.versions.order_by("-number")
        draft = versions.filter(state=VersionState.DRAFT).first()
        if draft is not None:
            raise CurationRefused(
                f"version {draft.number} is a draft already: edit and publish it first"
            )
        base = versions.first()
        if base is None:
            raise CurationRefused(f"{dataset.slug} has no version to start a new one from")
        number = base.number + 1
        version = DatasetVersion(
            dataset=dataset,
            number=number,
            state=VersionState.DRAFT,
            identifier=version_identifier(dataset, number),
            license=base.license,
            description=base.description,
            derived_from=base.derived_from,
            class_counts=base.class_counts,
            metrics=base.metrics,
            image_count=base.image_count,
            total_bytes=base.total_bytes,
        )
        version.full_clean()
        version.save()
        Authorship.objects.bulk_create(
            Authorship(version=version, creator_id=creator_id, position=position)
            for creator_id, position in base.authorship_set.values_list("creator_id", "position")
        )
        _share_images(source=base, target=version)
        related_works.copy_to(source=base, target=version)
    return version


def _share_images(*, source: DatasetVersion, target: DatasetVersion) -> None:
    """ImageRecords of `target` for every image of `source`, in bounded batches."""
    fields = [
        field.attname
        for field in ImageRecord._meta.concrete_fields
        if not field.primary_key and field.name not in ("version", "created_at")
    ]
    rows = source.images.order_by("pk").values(*fields).iterator(chunk_size=IMAGE_BATCH_SIZE)
    batch: list[ImageRecord] = []
    for row in rows:
        batch.append(ImageRecord(version=target, **row))
        if len(batch) == IMAGE_BATCH_SIZE:
            ImageRecord.objects.bulk_create(batch)
            batch = []
    ImageRecord.objects.bulk_create(batch)


def add_collaborator(
    *, dataset: Dataset, user: AbstractBaseUser, username: str
) -> AbstractBaseUser:
    """Let the account `username` edit and publish `dataset`'s drafts and see its files.

    Only the owner and staff choose collaborators: the owner answers for who handles the data.
    Raises PermissionDenied for anyone else and CurationRefused, naming the username, for an
    unknown account, the owner or a collaborator already listed.
    """
    _check_manages_collaborators(user=user, dataset=dataset)
    username = username.strip()
    if not username:
        raise CurationRefused("username: give the username of the person to add")
    collaborator = get_user_model().objects.filter(username=username, is_active=True).first()
    if collaborator is None:
        raise CurationRefused(f"username {username!r}: no such account; they must sign up first")
    if collaborator.pk == dataset.owner_id:
        raise CurationRefused(f"{username} owns this dataset already")
    if dataset.collaborators.filter(pk=collaborator.pk).exists():
        raise CurationRefused(f"{username} is a collaborator already")
    dataset.collaborators.add(collaborator)
    return collaborator


def remove_collaborator(
    *, dataset: Dataset, user: AbstractBaseUser, collaborator: AbstractBaseUser
) -> None:
    """Take back a collaborator's right to edit, publish and see the files of `dataset`."""
    _check_manages_collaborators(user=user, dataset=dataset)
    dataset.collaborators.remove(collaborator)


def _check_manages_collaborators(*, user: AbstractBaseUser, dataset: Dataset) -> None:
    if not selectors.manages_dataset(user=user, dataset=dataset):
        raise PermissionDenied("only the dataset's owner and staff choose its collaborators")
