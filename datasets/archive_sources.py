"""Reading an uploaded image set, a ZIP archive or a folder, without trusting it.

Both kinds of source first list their entries (a ZIP from its central directory, before a byte
is inflated), so that hostile names, links, encryption and every IMPORT_* limit are refused
before anything is read. Then they hand out one entry's bytes at a time, counting what actually
arrives: the sizes in a ZIP's headers are written by whoever made the archive.
"""

import os
import re
import stat
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from django.conf import settings

from datasets.exceptions import ImportRejected

# Debris that archivers and file browsers add: never part of the data, never read.
IGNORED_FOLDERS = frozenset({"__MACOSX"})
IGNORED_FILES = frozenset({"Thumbs.db", "desktop.ini"})

# ImageRecord.original_name holds the path inside the archive.
MAX_NAME_LENGTH = 500

# Below this size the compression ratio says nothing about danger (a 12 KB uniform BMP deflates
# 200-fold and harms no one), so the ratio limit judges only entries, and archives, above it.
RATIO_FLOOR_BYTES = 1024 * 1024

_ENCRYPTED_FLAG = 0x1
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class ImportLimits:
    """The IMPORT_* settings, read when an import starts (tests and deployments change them)."""

    max_entries: int
    max_total_bytes: int
    max_file_bytes: int
    max_compression_ratio: int
    max_image_pixels: int
    max_total_pixels: int

    @classmethod
    def from_settings(cls) -> "ImportLimits":
        return cls(
            max_entries=settings.IMPORT_MAX_ENTRIES,
            max_total_bytes=settings.IMPORT_MAX_TOTAL_BYTES,
            max_file_bytes=settings.IMPORT_MAX_FILE_BYTES,
            max_compression_ratio=settings.IMPORT_MAX_COMPRESSION_RATIO,
            max_image_pixels=settings.IMPORT_MAX_IMAGE_PIXELS,
            max_total_pixels=settings.IMPORT_MAX_TOTAL_PIXELS,
        )


@dataclass(frozen=True)
class SourceEntry:
    """A file or folder of a source, named by its '/'-separated path from the source's root."""

    name: str
    is_dir: bool
    size: int
    compressed_size: int

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(self.name.split("/"))


class ImageSource(Protocol):
    label: str

    def entries(self) -> list[SourceEntry]:
        """Every entry that is not debris, after refusing hostile names and declared sizes."""

    def read(self, entry: SourceEntry) -> bytes:
        """The entry's bytes, refused if more arrive than its declared size or the file limit."""

    def read_head(self, entry: SourceEntry, size: int) -> bytes:
        """At most the first `size` bytes of the entry: enough for an image's header."""


def is_ignored(parts: tuple[str, ...]) -> bool:
    """Debris (`__MACOSX/`, `Thumbs.db`) and hidden files or folders such as `.DS_Store`."""
    return (
        any(part in IGNORED_FOLDERS or part.startswith(".") for part in parts)
        or parts[-1] in IGNORED_FILES
    )


def checked_name(raw: str) -> str:
    """The entry name as a clean relative path, or ImportRejected if it could land elsewhere.

    Backslashes count as separators: Windows archivers write them and extractors honour them.
    """
    name = raw.replace("\\", "/")
    if name.startswith("/") or _WINDOWS_DRIVE.match(name):
        raise ImportRejected(f"{raw}: absolute path in the archive; entries must be relative")
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise ImportRejected(f"{raw}: path traversal ('..') in the archive; refused")
    if any(ord(char) < 32 for char in name):
        raise ImportRejected(f"{raw!r}: control characters in an entry name; refused")
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise ImportRejected(f"{raw!r}: entry name is not valid UTF-8") from None
    if len(name) > MAX_NAME_LENGTH:
        raise ImportRejected(f"{raw[:80]}...: entry name longer than {MAX_NAME_LENGTH} characters")
    return "/".join(parts)


def check_declared_sizes(label: str, files: list[SourceEntry], limits: ImportLimits) -> None:
    """Refuse, from sizes alone, what would be too big to read or could be a ZIP bomb."""
    total = compressed = 0
    for entry in files:
        if entry.size > limits.max_file_bytes:
            raise ImportRejected(
                f"{entry.name}: {entry.size} bytes, over the limit of {limits.max_file_bytes} "
                "per file (IMPORT_MAX_FILE_BYTES)"
            )
        check_compression_ratio(entry.name, entry.size, entry.compressed_size, limits)
        total += entry.size
        compressed += entry.compressed_size
    if total > limits.max_total_bytes:
        raise ImportRejected(
            f"{label}: {total} bytes uncompressed, over the limit of {limits.max_total_bytes} "
            "(IMPORT_MAX_TOTAL_BYTES)"
        )
    check_compression_ratio(label, total, compressed, limits)


def check_compression_ratio(name: str, size: int, compressed: int, limits: ImportLimits) -> None:
    if size < RATIO_FLOOR_BYTES:
        return
    ratio = size / max(compressed, 1)
    if ratio > limits.max_compression_ratio:
        raise ImportRejected(
            f"{name}: inflates {ratio:.0f}-fold, over the compression ratio limit of "
            f"{limits.max_compression_ratio} (IMPORT_MAX_COMPRESSION_RATIO); a possible ZIP bomb"
        )


def check_read_size(entry: SourceEntry, data: bytes, limits: ImportLimits) -> None:
    """What arrived must match what was declared: headers and folders can change or lie."""
    if len(data) > limits.max_file_bytes:
        raise ImportRejected(
            f"{entry.name}: more than {limits.max_file_bytes} bytes (IMPORT_MAX_FILE_BYTES)"
        )
    if len(data) > entry.size:
        raise ImportRejected(
            f"{entry.name}: {len(data)} bytes arrived where {entry.size} were declared"
        )


class ZipSource:
    def __init__(self, archive: zipfile.ZipFile, label: str, limits: ImportLimits) -> None:
        self._zip = archive
        self._infos: dict[str, zipfile.ZipInfo] = {}
        self.label = label
        self.limits = limits

    def entries(self) -> list[SourceEntry]:
        infos = self._zip.infolist()
        if len(infos) > self.limits.max_entries:
            raise ImportRejected(
                f"{self.label}: {len(infos)} entries, over the limit of "
                f"{self.limits.max_entries} (IMPORT_MAX_ENTRIES)"
            )
        kept = []
        for info in infos:
            name = self._checked_entry(info)
            if name and not is_ignored(tuple(name.split("/"))):
                self._infos[name] = info
                kept.append(
                    SourceEntry(
                        name=name,
                        is_dir=info.is_dir(),
                        size=info.file_size,
                        compressed_size=info.compress_size,
                    )
                )
        check_declared_sizes(self.label, [e for e in kept if not e.is_dir], self.limits)
        return kept

    def _checked_entry(self, info: zipfile.ZipInfo) -> str:
        """Refuse every entry an extractor could turn against us, kept or ignored alike."""
        name = checked_name(info.filename)
        if stat.S_ISLNK(info.external_attr >> 16):
            raise ImportRejected(f"{info.filename}: symbolic link in the archive; refused")
        if info.flag_bits & _ENCRYPTED_FLAG:
            raise ImportRejected(f"{info.filename}: encrypted entry; upload an unencrypted ZIP")
        if name in self._infos:
            raise ImportRejected(f"{info.filename}: appears twice in the archive")
        return name

    def read(self, entry: SourceEntry) -> bytes:
        data = self.read_head(entry, self.limits.max_file_bytes + 1)
        check_read_size(entry, data, self.limits)
        return data

    def read_head(self, entry: SourceEntry, size: int) -> bytes:
        try:
            with self._zip.open(self._infos[entry.name]) as handle:
                return handle.read(size)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as error:
            raise ImportRejected(f"{entry.name}: damaged archive entry ({error})") from error


class FolderSource:
    def __init__(self, root: Path, limits: ImportLimits) -> None:
        self.root = root
        self.label = root.name or str(root)
        self.limits = limits

    def entries(self) -> list[SourceEntry]:
        entries = sorted(self._walk(), key=lambda entry: entry.name)
        check_declared_sizes(self.label, [e for e in entries if not e.is_dir], self.limits)
        return entries

    def _walk(self) -> Iterator[SourceEntry]:
        """Every entry below the root, refusing links and special files; debris not entered."""
        count = 0
        pending = [(self.root, "")]
        while pending:
            directory, prefix = pending.pop()
            try:
                items = list(os.scandir(directory))
            except OSError as error:
                raise ImportRejected(
                    f"{prefix or self.label}: cannot be listed ({error.strerror})"
                ) from error
            for item in items:
                name = checked_name(prefix + item.name)
                if is_ignored(tuple(name.split("/"))):
                    continue
                count += 1
                if count > self.limits.max_entries:
                    raise ImportRejected(
                        f"{self.label}: more than {self.limits.max_entries} entries "
                        "(IMPORT_MAX_ENTRIES)"
                    )
                yield self._entry(item, name)
                if item.is_dir(follow_symlinks=False):
                    pending.append((Path(item.path), name + "/"))

    def _entry(self, item: os.DirEntry, name: str) -> SourceEntry:
        if item.is_symlink():
            raise ImportRejected(f"{name}: symbolic link in the folder; links are not followed")
        if item.is_dir(follow_symlinks=False):
            return SourceEntry(name=name, is_dir=True, size=0, compressed_size=0)
        if not item.is_file(follow_symlinks=False):
            raise ImportRejected(f"{name}: not a regular file")
        size = item.stat(follow_symlinks=False).st_size
        return SourceEntry(name=name, is_dir=False, size=size, compressed_size=size)

    def read(self, entry: SourceEntry) -> bytes:
        data = self.read_head(entry, self.limits.max_file_bytes + 1)
        check_read_size(entry, data, self.limits)
        return data

    def read_head(self, entry: SourceEntry, size: int) -> bytes:
        # O_NOFOLLOW: a file swapped for a link after listing is still not followed.
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
        try:
            with os.fdopen(os.open(self.root / entry.name, flags), "rb") as handle:
                return handle.read(size)
        except OSError as error:
            raise ImportRejected(f"{entry.name}: cannot be read ({error.strerror})") from error


@contextmanager
def open_source(path: Path, limits: ImportLimits) -> Iterator[ImageSource]:
    """The folder or ZIP archive at `path`; anything else is refused with a one-line message."""
    if path.is_dir():
        yield FolderSource(path, limits)
        return
    if not path.exists():
        raise ImportRejected(f"{path}: no such file or folder")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise ImportRejected(f"{path.name}: not a ZIP archive or a folder ({error})") from error
    with archive:
        yield ZipSource(archive, path.name, limits)
