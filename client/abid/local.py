"""A version's files on disk, as the loaders read them: the images and each one's row of
metadata.csv (file_name, label, and for generated images the model and seed that made them).

Class indices follow the sorted class names, as torchvision's ImageFolder and Hugging Face's
imagefolder number them, so the same name gets the same index in a real version and in a
synthetic version derived from it; pass `classes=` to fix another order.

The portal's versions carry no train/test split: `split="train"` or `"test"` is a fixed split by
a hash of each file's path (TEST_FRACTION of each class's files, about), the same on every
machine and for every run, so a test image never moves into training.
"""

import csv
import hashlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from abid import cache
from abid.api import Client
from abid.errors import AbidError, Unreachable
from abid.manifest import verify_folder

TEST_FRACTION = 0.2
SPLITS = (None, "all", "train", "test")


@dataclass(frozen=True)
class Sample:
    path: Path
    label: str
    extra: dict  # metadata.csv's other columns; ints where every value is one (model_id, seed)


@dataclass(frozen=True)
class LocalVersion:
    folder: Path
    classes: list[str]
    samples: list[Sample]
    extra_columns: list[str]


def resolve(
    slug_or_path: str | Path,
    *,
    url: str | None = None,
    token: str | None = None,
    cache_dir: str | Path | None = None,
    progress: bool = True,
) -> Path:
    """The folder of a version: a folder given by path (checked against its MANIFEST.sha256),
    else a slug or version id fetched through the local cache. When the portal cannot be
    reached, the newest cached version of that slug (or that version id) is used, and said."""
    path = Path(slug_or_path)
    if path.is_dir():
        verify_folder(path)
        return path
    if path.exists() or "/" in str(slug_or_path):
        raise AbidError(f"{path}: expected a version's unpacked folder or a dataset slug")
    client = Client.from_config(url, token)
    root = cache.cache_root(cache_dir)
    try:
        version = client.version(str(slug_or_path))
    except Unreachable:
        entry = cache.newest(root, str(slug_or_path))
        if entry is None:
            raise
        print(f"abid: {client.url} unreachable, using cached {entry.identifier}", file=sys.stderr)
        return entry.path
    with tqdm(
        total=version["archive"]["size"], unit="B", unit_scale=True, disable=not progress
    ) as bar:
        return client.fetch(
            version, cache_dir=root, progress=lambda done, total: bar.update(done - bar.n)
        )


def read_version(
    folder: Path, *, split: str | None = None, classes: Sequence[str] | None = None
) -> LocalVersion:
    if split not in SPLITS:
        raise AbidError(f"split {split!r}: expected one of train, test, all")
    with open(folder / "metadata.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    names = sorted({row["label"] for row in rows})
    if classes is not None:
        unknown = sorted(set(names) - set(classes))
        if unknown:
            raise AbidError(f"{folder}: class {unknown[0]!r} is not among classes={classes!r}")
        names = list(classes)
    columns = [c for c in (rows[0].keys() if rows else ()) if c not in ("file_name", "label")]
    typed = {column: _typed([row[column] for row in rows]) for column in columns}
    samples = [
        Sample(
            path=folder / row["file_name"],
            label=row["label"],
            extra={column: typed[column][index] for column in columns},
        )
        for index, row in enumerate(rows)
        if _in_split(row["file_name"], split)
    ]
    return LocalVersion(folder=folder, classes=names, samples=samples, extra_columns=columns)


def _in_split(file_name: str, split: str | None) -> bool:
    if split in (None, "all"):
        return True
    bucket = int.from_bytes(hashlib.sha256(file_name.encode()).digest()[:8]) / 2**64
    return (bucket < TEST_FRACTION) == (split == "test")


def _typed(values: list[str]) -> list:
    """A column's values as ints when every one is an integer (seeds, model ids)."""
    try:
        return [int(value) for value in values]
    except ValueError:
        return values
