"""Pass 1 of an import: read an uploaded image set into a checked plan, storing nothing.

The layout is found from names alone, before any content is read: class folders at the top, or
one wrapping folder holding them (as "Compress folder" makes). Then the images' headers are
read, so that an import asking to decode too many pixels is refused before a pixel is decoded.
Then each file is read, one at a time so that memory does not grow with the archive, hashed,
verified and fully decoded. Only a plan whose every image passed reaches pass 2
(`datasets.services`), which writes. Each image is planned under the extension of the format
found in its bytes (`datasets.image_types`), whatever its name in the upload said.
"""

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from datasets.archive_sources import ImageSource, ImportLimits, SourceEntry
from datasets.exceptions import ImportRejected
from datasets.image_checks import ImageTooLarge, InvalidImage, header_facts, inspect_image
from datasets.image_types import name_for_format

# ClassLabel.name's length.
MAX_CLASS_NAME_LENGTH = 100

LAYOUT_EXAMPLE = "e.g. G1/img001.png, G1/img002.png, G2/img003.png"

# Bytes read from each file to find its declared size: a PNG's or BMP's header is in the first
# few dozen, a JPEG's after its EXIF and colour profile, which are rarely longer.
HEADER_BYTES = 64 * 1024


@dataclass(frozen=True)
class ClassFile:
    entry: SourceEntry
    class_name: str
    name_in_class: str  # the path below the class folder: nested folders belong to the class


@dataclass(frozen=True)
class ClassLayout:
    files: list[ClassFile]
    class_names: list[str]  # sorted: a class's position is its index
    outside: list[SourceEntry]  # files at the top level, in no class folder


@dataclass(frozen=True)
class PlannedImage:
    entry: SourceEntry  # its name is the one in the upload, kept as the image's original name
    class_name: str
    name_in_class: str  # below the class folder, with the extension of the detected format
    width: int
    height: int
    sha256: str


@dataclass
class ImportPlan:
    class_names: list[str]
    images: list[PlannedImage] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "path: reason"
    files_read: int = 0


def class_layout(label: str, entries: list[SourceEntry]) -> ClassLayout:
    """Which class each file belongs to, or ImportRejected when there are no class folders."""
    if not any(not entry.is_dir for entry in entries):
        raise ImportRejected(f"{label}: the archive is empty (no files besides ignored ones)")
    depth = 1 if _has_wrapping_folder(entries) else 0
    files: list[ClassFile] = []
    outside: list[SourceEntry] = []
    class_names: set[str] = set()
    for entry in entries:
        parts = entry.parts[depth:]
        if entry.is_dir:
            if len(parts) == 1:
                class_names.add(parts[0])
        elif len(parts) == 1:
            outside.append(entry)
        else:
            class_names.add(parts[0])
            files.append(ClassFile(entry, parts[0], "/".join(parts[1:])))
    if not class_names:
        raise ImportRejected(
            f"{label}: wrong class layout: images must be in one folder per class "
            f"({LAYOUT_EXAMPLE}), found {outside[0].name} at the top level"
        )
    _check_class_folders(sorted(class_names), files)
    return ClassLayout(files=files, class_names=sorted(class_names), outside=outside)


def _has_wrapping_folder(entries: list[SourceEntry]) -> bool:
    """One top-level folder that itself holds folders wraps the class folders.

    A single class with nested folders (`G1/patient7/a.png`) reads the same way; with one class
    only, that is the lesser surprise than taking a wrapper for a class.
    """
    if len({entry.parts[0] for entry in entries}) != 1:
        return False
    return any(len(entry.parts) > (1 if entry.is_dir else 2) for entry in entries)


def _check_class_folders(class_names: list[str], files: list[ClassFile]) -> None:
    filled = {file.class_name for file in files}
    for name in class_names:
        if len(name) > MAX_CLASS_NAME_LENGTH:
            raise ImportRejected(
                f"{name[:40]}...: wrong class layout: class folder name longer than "
                f"{MAX_CLASS_NAME_LENGTH} characters"
            )
        if name not in filled:
            raise ImportRejected(f"{name}/: wrong class layout: class folder holds no images")


def plan_import(
    source: ImageSource,
    *,
    limits: ImportLimits,
    skip_invalid: bool,
    progress: Callable[[int, int], None] | None = None,
) -> ImportPlan:
    """Read and check every file of `source`; with `skip_invalid`, list bad files and go on.

    Refusals that point at a hostile archive (traversal, links, bombs, limits) are never
    skipped. `progress(done, total)` is called after each file read.
    """
    layout = class_layout(source.label, source.entries())
    plan = ImportPlan(class_names=layout.class_names)
    outside_reason = f"outside any class folder ({LAYOUT_EXAMPLE})"
    for entry in layout.outside:
        _refuse_or_skip(plan, entry, outside_reason, skip_invalid)
    files = sorted(layout.files, key=lambda file: (file.class_name, file.name_in_class))
    declared = PixelBudget(source.label, limits.max_total_pixels)
    for file in files:
        declared.spend(_declared_pixels(source, file.entry, limits))
    decoded = PixelBudget(source.label, limits.max_total_pixels)
    total_bytes = 0
    for file in files:
        data = source.read(file.entry)
        total_bytes += len(data)
        if total_bytes > limits.max_total_bytes:
            raise ImportRejected(
                f"{source.label}: more than {limits.max_total_bytes} bytes uncompressed "
                "(IMPORT_MAX_TOTAL_BYTES)"
            )
        planned = _plan_image(plan, file, data, limits, skip_invalid)
        if planned is not None:
            decoded.spend(planned.width * planned.height)
        plan.files_read += 1
        if progress is not None:
            progress(plan.files_read, len(files))
    _check_every_class_kept(plan)
    return plan


class PixelBudget:
    """IMPORT_MAX_TOTAL_PIXELS: a 5 KB ZIP of blank 62-megapixel PNGs passes every size and
    ratio limit, yet decoding it would hold a worker for minutes."""

    def __init__(self, label: str, limit: int) -> None:
        self.label = label
        self.limit = limit
        self.spent = 0

    def spend(self, pixels: int) -> None:
        self.spent += pixels
        if self.spent > self.limit:
            raise ImportRejected(
                f"{self.label}: its images hold more than {self.limit} pixels together, over "
                "the limit per import (IMPORT_MAX_TOTAL_PIXELS)"
            )


def _declared_pixels(source: ImageSource, entry: SourceEntry, limits: ImportLimits) -> int:
    """The pixels an image's header declares; 0 when the header says nothing readable, as the
    full check counts every image it decodes anyway."""
    head = source.read_head(entry, HEADER_BYTES)
    try:
        facts = header_facts(io.BytesIO(head), max_pixels=limits.max_image_pixels)
    except ImageTooLarge as problem:
        raise ImportRejected(f"{entry.name}: {problem}") from None
    return facts.width * facts.height if facts else 0


def _plan_image(
    plan: ImportPlan, file: ClassFile, data: bytes, limits: ImportLimits, skip_invalid: bool
) -> PlannedImage | None:
    """The checked image added to the plan, or None when it was skipped."""
    try:
        facts = inspect_image(data, max_pixels=limits.max_image_pixels)
    except ImageTooLarge as problem:
        raise ImportRejected(f"{file.entry.name}: {problem}") from None
    except InvalidImage as problem:
        _refuse_or_skip(plan, file.entry, str(problem), skip_invalid)
        return None
    planned = PlannedImage(
        entry=file.entry,
        class_name=file.class_name,
        name_in_class=name_for_format(file.name_in_class, facts.format),
        width=facts.width,
        height=facts.height,
        sha256=hashlib.sha256(data).hexdigest(),
    )
    plan.images.append(planned)
    return planned


def _refuse_or_skip(plan: ImportPlan, entry: SourceEntry, reason: str, skip_invalid: bool) -> None:
    if not skip_invalid:
        raise ImportRejected(f"{entry.name}: {reason}")
    plan.skipped.append(f"{entry.name}: {reason}")


def _check_every_class_kept(plan: ImportPlan) -> None:
    """A class whose every file was skipped would vanish from the dataset unnoticed."""
    kept = {image.class_name for image in plan.images}
    for name in plan.class_names:
        if name not in kept:
            raise ImportRejected(
                f"{name}/: wrong class layout: class folder holds no valid images "
                "(every file in it was skipped)"
            )
