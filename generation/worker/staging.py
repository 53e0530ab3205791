"""Copies between Django storage and a worker's local folder.

The engine reads and writes local files; storage may be a bucket. Everything a task needs is
staged into a temporary folder and everything it makes is uploaded back, so no code assumes
that storage has local paths.
"""

import shutil
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage

from datasets.models import DatasetVersion


def stage_version(
    version: DatasetVersion,
    root: Path,
    *,
    classes: Sequence[str] | None = None,
    per_class_limit: int | None = None,
) -> int:
    """Write the version's images (of `classes`, at most `per_class_limit` each, first by id)
    as root/<class>/<id><ext>, the ImageFolder layout the engine reads; returns the count."""
    count = 0
    taken: Counter[str] = Counter()
    images = version.images.select_related("label").only("id", "file", "label__name")
    if classes is not None:
        images = images.filter(label__name__in=classes)
    for image in images.order_by("id").iterator(chunk_size=500):
        if per_class_limit is not None and taken[image.label.name] >= per_class_limit:
            continue
        taken[image.label.name] += 1
        folder = root / image.label.name
        folder.mkdir(parents=True, exist_ok=True)
        suffix = Path(image.file.name).suffix.lower()
        download(image.file.name, folder / f"{image.pk}{suffix}")
        count += 1
    return count


def download(name: str, path: Path) -> Path:
    with default_storage.open(name, "rb") as source, open(path, "wb") as target:
        shutil.copyfileobj(source, target, 1 << 20)
    return path


def upload(path: Path, name: str) -> str:
    """Store a local file under `name` (or a free variant of it); returns the stored name."""
    with open(path, "rb") as handle:
        return default_storage.save(name, File(handle))


def delete_quietly(name: str) -> None:
    if name:
        default_storage.delete(name)
