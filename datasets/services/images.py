"""Image files and their rows in a draft version: written through default_storage, counted, shared
between versions; undone on failure."""

import hashlib
import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from datasets.constants import ImageOrigin
from datasets.exceptions import ImportRejected
from datasets.models import ClassLabel, DatasetVersion, ImageRecord, PublishedVersionError

logger = logging.getLogger(__name__)


Progress = Callable[[int, int], None]


# Rows per INSERT: large enough to amortise the round trip, small enough for SQLite's variable
# limit and for a bounded list in memory.
IMAGE_BATCH_SIZE = 500


_UNSAFE_NAME_CHARACTERS = re.compile(r"[^A-Za-z0-9._-]+")


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


def share_images(*, source: DatasetVersion, target: DatasetVersion) -> None:
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
