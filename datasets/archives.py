"""The ZIP of a version, as one ordered list of members.

    <slug>-v<N>/images/<class>/<file>   the images, one folder per class (ImageFolder layout)
    <slug>-v<N>/metadata.csv            file_name, label, and each image's `extra` (model, seed)
    <slug>-v<N>/LICENSE.txt             license name, SPDX id, URL, summary, attribution notice
    <slug>-v<N>/README.md               the data card
    <slug>-v<N>/CITATION.bib
    <slug>-v<N>/datacite.json
    <slug>-v<N>/croissant.json
    <slug>-v<N>/MANIFEST.sha256         `sha256sum -c` format, every file above

The same members are written to a file once for a published version (`write_zip`, zipfile) and
streamed on the fly for a draft (`stream_zip`, zipstream-ng). Either way each member's bytes are
produced only when it is written, one block at a time, and hashed as they pass: memory does not
grow with the number of images, and MANIFEST.sha256 states the bytes actually written. An image
whose bytes no longer match the sha256 recorded at import stops the archive (ArchiveError).
"""

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import BinaryIO

from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from zipstream import ZIP_DEFLATED, ZIP_STORED, ZipStream

from datasets import selectors
from datasets.archive_names import top_folder
from datasets.citations import citation_bibtex, citation_facts, citation_text
from datasets.croissant import croissant, unpacked
from datasets.metadata import VersionUrls, datacite
from datasets.models import DatasetVersion, ImageRecord
from datasets.quality_summary import quality_summary_of

BLOCK_SIZE = 1024 * 1024
MANIFEST = "MANIFEST.sha256"


class ArchiveError(Exception):
    """The archive cannot be made truthfully (a stored image changed since it was imported)."""


@dataclass(frozen=True)
class Member:
    name: str  # path below the archive's top folder
    chunks: Iterator[bytes]  # a generator: nothing is read before the member is written
    compress: bool  # images are compressed already; deflating them only costs time


def metadata_columns(version: DatasetVersion) -> list[str]:
    """file_name, label, then every key of the images' `extra` (model and seed for generated
    images), sorted, so a column never depends on which image came first."""
    keys: set[str] = set()
    for extra in version.images.exclude(extra={}).values_list("extra", flat=True).iterator():
        keys.update(extra)
    return ["file_name", "label", *sorted(keys)]


class ArchiveContents:
    """The members of `version`'s ZIP, in order. Iterate `members()` once, writing each member
    before asking for the next: the last members state the hashes of the earlier ones."""

    def __init__(self, version: DatasetVersion, *, urls: VersionUrls) -> None:
        self.version = version
        self.urls = urls
        self.root = top_folder(version)
        self.creators = selectors.creators_of(version=version)
        self.source = selectors.public_source(version=version)
        self.columns = metadata_columns(version)
        self.hashes: dict[str, str] = {}

    def members(self) -> Iterator[Member]:
        for image, path in self._image_paths():
            yield self._member(path, _stored_file(image), compress=False)
        yield self._member("metadata.csv", self._metadata_csv(), compress=True)
        for name, render in (
            ("LICENSE.txt", self._license),
            ("README.md", self._readme),
            ("CITATION.bib", self._citation),
            ("datacite.json", self._datacite),
            ("croissant.json", self._croissant),
            (MANIFEST, self._manifest),
        ):
            yield self._member(name, _rendered(render), compress=True)

    def _member(self, name: str, chunks: Iterator[bytes], *, compress: bool) -> Member:
        return Member(name=name, chunks=self._recorded(name, chunks), compress=compress)

    def _recorded(self, name: str, chunks: Iterator[bytes]) -> Iterator[bytes]:
        digest = hashlib.sha256()
        for chunk in chunks:
            digest.update(chunk)
            yield chunk
        self.hashes[name] = digest.hexdigest()

    def _image_paths(self) -> Iterator[tuple[ImageRecord, str]]:
        """Each image and its path in the archive; the same order every time it is asked."""
        taken: set[str] = set()
        images = (
            self.version.images.select_related("label")
            .order_by("label__position", "label__name", "pk")
            .iterator(chunk_size=2000)
        )
        for image in images:
            name = PurePosixPath(image.file.name).name
            path = f"images/{_folder_name(image.label.name)}/{name}"
            if path in taken:  # two classes' files never clash; one class's rarely, but may
                path = f"images/{_folder_name(image.label.name)}/{image.pk}-{name}"
            taken.add(path)
            yield image, path

    def _metadata_csv(self) -> Iterator[bytes]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(self.columns)
        for image, path in self._image_paths():
            extra = image.extra or {}
            writer.writerow([path, image.label.name, *(extra.get(c, "") for c in self.columns[2:])])
            if buffer.tell() >= BLOCK_SIZE:
                yield buffer.getvalue().encode()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue().encode()

    def _context(self) -> dict:
        facts = citation_facts(version=self.version, creators=self.creators)
        return {
            "version": self.version,
            "dataset": self.version.dataset,
            "license": self.version.license,
            "creators": self.creators,
            "root": self.root,
            "citation": citation_text(facts),
            "class_counts": selectors.class_counts(version=self.version),
            "urls": self.urls,
            "source": self.source,
            "quality": quality_summary_of(self.version),
        }

    def _license(self) -> str:
        return render_to_string("datasets/archive/LICENSE.txt", self._context())

    def _readme(self) -> str:
        return render_to_string("datasets/archive/README.md", self._context())

    def _citation(self) -> str:
        return citation_bibtex(citation_facts(version=self.version, creators=self.creators))

    def _datacite(self) -> str:
        return _json(
            datacite(
                version=self.version, creators=self.creators, urls=self.urls, source=self.source
            )
        )

    def _croissant(self) -> str:
        extensions = {
            PurePosixPath(name).suffix.lstrip(".").lower()
            for name in self.hashes
            if name.startswith("images/")
        }
        return _json(
            croissant(
                version=self.version,
                creators=self.creators,
                urls=self.urls,
                source=self.source,
                distribution=unpacked(
                    metadata_sha256=self.hashes["metadata.csv"],
                    metadata_columns=self.columns,
                    image_extensions=extensions,
                ),
            )
        )

    def _manifest(self) -> str:
        return "".join(f"{digest}  {name}\n" for name, digest in self.hashes.items())


def write_zip(contents: ArchiveContents, target: BinaryIO, *, date_time: datetime) -> None:
    """Write the archive into `target`, a seekable binary file. Every entry gets `date_time`,
    so building a version's archive twice gives the same bytes."""
    stamp = date_time.timetuple()[:6]
    with zipfile.ZipFile(target, "w", allowZip64=True) as archive:
        for member in contents.members():
            info = zipfile.ZipInfo(f"{contents.root}/{member.name}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED if member.compress else zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            with archive.open(info, "w") as entry:
                for chunk in member.chunks:
                    entry.write(chunk)


def stream_zip(contents: ArchiveContents) -> Iterator[bytes]:
    """The archive as a stream of bytes, made while it is sent (a draft's ZIP has no file)."""
    stream = ZipStream(compress_type=ZIP_STORED)
    for member in contents.members():
        stream.add(
            member.chunks,
            f"{contents.root}/{member.name}",
            compress_type=ZIP_DEFLATED if member.compress else ZIP_STORED,
        )
        yield from stream.file()
    yield from stream.footer()


def _stored_file(image: ImageRecord) -> Iterator[bytes]:
    digest = hashlib.sha256()
    with default_storage.open(image.file.name, "rb") as handle:
        while block := handle.read(BLOCK_SIZE):
            digest.update(block)
            yield block
    if digest.hexdigest() != image.sha256:
        raise ArchiveError(
            f"{image.file.name}: its bytes no longer match the sha256 recorded at import"
        )


def _rendered(render: Callable[[], str]) -> Iterator[bytes]:
    """Render only when the member is written: the last members read what came before."""
    yield render().encode()


def _folder_name(class_name: str) -> str:
    """A class name as one safe path segment (import already refuses '/', '..' and the like)."""
    name = class_name.replace("/", "_").replace("\\", "_")
    return name if name not in ("", ".", "..") else "_"


def _json(data: dict) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
