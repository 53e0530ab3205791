"""Consistency of the catalogue's rows with the files in storage (`manage.py check_integrity`).

Rows and files live in two systems with no shared transaction, so a crash, a manual delete in a
bucket or a bad disk can leave a row without its file, a file without its row, or a file whose
bytes no longer match the recorded sha256. This module finds those and, when asked, repairs
what can be repaired without losing data:

- orphan files (no row points at them) are deleted once older than a grace period, so that a
  file just written by an import whose rows are not yet committed is never taken for one;
- an image of a draft version whose file is missing or corrupt loses its row (and the corrupt
  file), and the version's counts are recomputed: a draft is still being curated;
- a published version is immutable (docs/security.md): its images are reported, never
  touched; a fix is a new version. Only its ZIP, a file derived from the immutable contents and
  one of the fields a published version may still change, is cleared and queued for a rebuild;
- an image stored under an extension that is not its format's (rows imported before the
  stored name came from the detected format, e.g. a PNG stored as `evil.html`) is renamed to
  that format's extension, in every version that shares it: its bytes stay the same, only the
  type it is served with changes (docs/security.md).

The generation app adds its own files and its stuck jobs (generation.integrity): this module
knows nothing of it, so the catalogue stays usable on its own.
"""

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from datasets.constants import VersionState
from datasets.image_checks import header_facts
from datasets.image_types import media_type_of, name_for_format
from datasets.models import DatasetVersion, ImageRecord
from datasets.thumbnails import thumbnail_name

# Where the catalogue writes: images, their thumbnails and the ZIPs of published versions.
CATALOGUE_PREFIXES = ("datasets/", "thumbnails/", "archives/")


@dataclass(frozen=True)
class Finding:
    kind: str  # missing, orphan, corrupt, misnamed, stuck
    subject: str  # a storage name, or a row such as "GenerationJob 12"
    detail: str
    fixed: bool = False


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)

    def add(self, kind: str, subject: str, detail: str, *, fixed: bool = False) -> None:
        self.findings.append(Finding(kind, subject, detail, fixed))

    @property
    def left(self) -> list[Finding]:
        """Problems still there after this run: what an operator must look at."""
        return [finding for finding in self.findings if not finding.fixed]

    def summary(self) -> str:
        if not self.findings:
            return "No problems found."
        counts = Counter(finding.kind for finding in self.findings)
        fixed = Counter(finding.kind for finding in self.findings if finding.fixed)
        lines = [f"{kind}: {counts[kind]} found, {fixed[kind]} fixed" for kind in sorted(counts)]
        lines += [
            f"  [{'fixed' if f.fixed else 'left'}] {f.kind} {f.subject}: {f.detail}"
            for f in self.findings
        ]
        return "\n".join(lines)


def stored_files(prefix: str) -> Iterator[str]:
    """Every file under `prefix` (a folder name ending in '/'), through the storage API only."""
    folder = prefix.rstrip("/")
    try:
        folders, files = default_storage.listdir(folder)
    except FileNotFoundError:  # the file system has no folder until something is written
        return
    for name in files:
        yield f"{folder}/{name}"
    for sub in folders:
        yield from stored_files(f"{folder}/{sub}/")


def sha256_of(name: str) -> str:
    with default_storage.open(name, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def referenced_files() -> set[str]:
    """Storage names the catalogue's rows point at, thumbnails included (named by content)."""
    names = set(ImageRecord.objects.values_list("file", flat=True))
    names |= set(DatasetVersion.objects.exclude(archive="").values_list("archive", flat=True))
    for sha256 in ImageRecord.objects.values_list("sha256", flat=True).distinct():
        names.add(thumbnail_name(ImageRecord(sha256=sha256)))
    return names


def check_orphans(
    report: Report,
    *,
    prefixes: Iterable[str],
    referenced: set[str],
    min_age: timedelta,
    fix: bool,
) -> None:
    """Files under `prefixes` that no row references and that are older than `min_age`."""
    cutoff = timezone.now() - min_age
    for prefix in prefixes:
        for name in stored_files(prefix):
            if name in referenced or default_storage.get_modified_time(name) > cutoff:
                continue
            if fix:
                default_storage.delete(name)
            report.add("orphan", name, "no row refers to this file", fixed=fix)


def check_images(report: Report, *, fix: bool, hashes: bool) -> None:
    """Every ImageRecord's file exists and (with `hashes`) still has its sha256."""
    broken: dict[int, list[tuple[ImageRecord, str]]] = {}
    images = ImageRecord.objects.select_related("version").order_by("id")
    for image in images.iterator(chunk_size=500):
        problem = _file_problem(image.file.name, image.sha256, hashes=hashes)
        if problem is None:
            continue
        if image.version.state == VersionState.PUBLISHED or not fix:
            note = " (published: immutable, publish a fixed version)" if fix else ""
            report.add(problem[0], image.file.name, f"image {image.pk}: {problem[1]}{note}")
        else:
            broken.setdefault(image.version_id, []).append((image, problem[0]))
    for version_id, rows in broken.items():
        _drop_draft_images(report, version_id, rows)


def check_catalogue(report: Report, *, fix: bool, hashes: bool) -> None:
    """Images and ZIPs against their files; orphans are checked by the caller, once it knows
    every app's references."""
    from datasets.tasks import build_archive

    check_images(report, fix=fix, hashes=hashes)
    check_image_names(report, fix=fix, every_file=hashes)
    check_archives(report, fix=fix, hashes=hashes, rebuild=build_archive.delay)


def check_image_names(report: Report, *, fix: bool, every_file: bool) -> None:
    """Image files whose extension is not the one of the format found in their bytes.

    Without `every_file` (--no-hashes reads no file it need not) only names whose extension is
    no image type's are read: those are the ones a browser could be told to render as a page.
    """
    names = ImageRecord.objects.order_by("file").values_list("file", flat=True).distinct()
    # Listed first: renaming updates rows of the table a cursor would still be reading.
    suspects = [name for name in names if every_file or media_type_of(name) is None]
    for name in suspects:
        if not default_storage.exists(name):
            continue  # check_images reports it missing
        with default_storage.open(name, "rb") as handle:
            facts = header_facts(handle, max_pixels=None)
        if facts is None:
            report.add("misnamed", name, "not a PNG, JPEG, TIFF or BMP image by its content")
            continue
        wanted = name_for_format(name, facts.format)
        if wanted == name:
            continue
        detail = f"a {facts.format} image under another extension"
        if fix:
            detail += f"; renamed {_rename_image_file(name, wanted)}"
        report.add("misnamed", name, detail, fixed=fix)


def _rename_image_file(name: str, wanted: str) -> str:
    """Copy the file to `wanted` (or a free name next to it), point every row at the copy, then
    delete the old file: a crash in between leaves an orphan, never a row without its file."""
    with default_storage.open(name, "rb") as handle:
        new_name = default_storage.save(wanted, handle)
    ImageRecord.objects.filter(file=name).update(file=new_name)
    default_storage.delete(name)
    return new_name


def check_archives(
    report: Report, *, fix: bool, hashes: bool, rebuild: Callable[[int], object]
) -> None:
    """ZIPs of published versions exist and match their sha256; `rebuild(version_id)` queues a
    new one after --fix cleared a bad one (the ZIP is derived, so nothing is lost)."""
    versions = DatasetVersion.objects.exclude(archive="").order_by("id")
    for version in versions.only("id", "state", "archive", "archive_sha256"):
        problem = _file_problem(version.archive.name, version.archive_sha256, hashes=hashes)
        if problem is None:
            continue
        name = version.archive.name
        if fix:
            if problem[0] == "corrupt":
                default_storage.delete(name)
            version.archive, version.archive_size, version.archive_sha256 = "", None, ""
            version.save(update_fields=["archive", "archive_size", "archive_sha256"])
            transaction.on_commit(lambda pk=version.pk: rebuild(pk))
        detail = f"ZIP of version {version.pk}: {problem[1]}" + ("; rebuild queued" if fix else "")
        report.add(problem[0], name, detail, fixed=fix)


def _file_problem(name: str, sha256: str, *, hashes: bool) -> tuple[str, str] | None:
    if not default_storage.exists(name):
        return "missing", "the file is missing"
    if hashes and sha256 and sha256_of(name) != sha256:
        return "corrupt", "its sha256 differs from the recorded one"
    return None


def _drop_draft_images(
    report: Report, version_id: int, rows: list[tuple[ImageRecord, str]]
) -> None:
    """Remove a draft's broken images and recompute its counts from the rows that remain."""
    with transaction.atomic():
        version = DatasetVersion.objects.select_for_update().get(pk=version_id)
        if version.state == VersionState.PUBLISHED:  # published since the scan: hands off
            for image, kind in rows:
                report.add(kind, image.file.name, f"image {image.pk}: version was published")
            return
        ImageRecord.objects.filter(pk__in=[image.pk for image, _ in rows]).delete()
        remaining = version.images.values("label__name").annotate(
            n=Count("id"), size=Sum("size_bytes")
        )
        version.class_counts = {row["label__name"]: row["n"] for row in remaining}
        version.image_count = sum(version.class_counts.values())
        version.total_bytes = sum(row["size"] for row in remaining)
        version.save(update_fields=["class_counts", "image_count", "total_bytes"])
    for image, kind in rows:
        if kind == "corrupt":
            default_storage.delete(image.file.name)
        report.add(kind, image.file.name, f"image {image.pk} removed from draft", fixed=True)
