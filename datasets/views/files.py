"""Files: images, thumbnails and ZIPs, each only after the permission check of its version.

Nothing under MEDIA_ROOT has a URL of its own: these views are the only way to a file.
"""

from pathlib import PurePosixPath

from django.core.exceptions import PermissionDenied
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from datasets import selectors, services
from datasets.archive_names import archive_file_name
from datasets.archives import ArchiveContents, stream_zip
from datasets.constants import HitKind
from datasets.file_responses import serve_stored_file
from datasets.image_types import media_type_of
from datasets.metadata import version_urls
from datasets.models import DatasetVersion, ImageRecord
from datasets.thumbnails import ensure_thumbnail
from datasets.views.visitors import visitor_of

# How long a client waits before asking again for a ZIP that is being built.
ARCHIVE_RETRY_AFTER_SECONDS = 30


@require_safe
def image_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """An image as the type its stored name gives, which the import took from its content; a
    name that gives no image type (a row stored before that rule) is only ever downloaded."""
    image = _allowed_image(request, pk)
    content_type = media_type_of(image.file.name)
    return serve_stored_file(
        request,
        name=image.file.name,
        etag=f'"{image.sha256}"',
        content_type=content_type or "application/octet-stream",
        file_name=PurePosixPath(image.file.name).name,
        as_attachment=content_type is None,
    ).response


@require_safe
def image_thumbnail(request: HttpRequest, pk: int) -> HttpResponseBase:
    image = _allowed_image(request, pk)
    name = ensure_thumbnail(image)
    return serve_stored_file(
        request,
        name=name,
        etag=f'"{image.sha256}-thumbnail"',
        content_type="image/png",
        file_name=f"{PurePosixPath(image.file.name).stem}-thumbnail.png",
        as_attachment=False,
        cache_control="private, max-age=86400",
    ).response


@require_safe
def download(request: HttpRequest, slug: str, number: int) -> HttpResponseBase:
    """The ZIP of a version: the stored one of a published version, resumable with Range
    requests; a draft's made on the fly for its editors. A download is counted once per
    visitor and day, and only for a response that starts at the first byte."""
    version = selectors.version_for_page(user=request.user, slug=slug, number=number)
    if version is None:
        raise Http404("No such dataset version.")
    _require_files(request, version)
    if not version.is_published:
        return _draft_zip(request, version)
    if not version.archive:
        response = render(
            request, "datasets/archive_pending.html", {"version": version}, status=503
        )
        response["Retry-After"] = str(ARCHIVE_RETRY_AFTER_SECONDS)
        return response
    served = serve_stored_file(
        request,
        name=version.archive.name,
        etag=f'"{version.archive_sha256}"',
        content_type="application/zip",
        file_name=archive_file_name(version),
        as_attachment=True,
        last_modified=version.published_at,
    )
    if served.first_byte == 0:
        services.record_hit(version=version, kind=HitKind.DOWNLOAD, visitor=visitor_of(request))
    return served.response


def _draft_zip(request: HttpRequest, version: DatasetVersion) -> HttpResponseBase:
    """A draft changes until it is published, so its ZIP is never stored: it is streamed as
    it is made, without a length (and so without ranges)."""
    if request.method == "HEAD":
        response = HttpResponse(content_type="application/zip")
    else:
        contents = ArchiveContents(
            version, urls=version_urls(version, base=request.build_absolute_uri("/"))
        )
        response = StreamingHttpResponse(stream_zip(contents), content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(True, archive_file_name(version))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


def _allowed_image(request: HttpRequest, pk: int) -> ImageRecord:
    image = ImageRecord.objects.select_related("version__dataset").filter(pk=pk).first()
    if image is None:
        raise Http404("No such image.")
    _require_files(request, image.version)
    return image


def _require_files(request: HttpRequest, version: DatasetVersion) -> None:
    """404 where the version is not to be seen at all (private, or a draft of someone else's),
    403 where only its files are withheld (restricted, no approved request)."""
    access = selectors.file_access(user=request.user, version=version)
    if access is selectors.FileAccess.HIDDEN:
        raise Http404("No such file.")
    if access is selectors.FileAccess.DENIED:
        raise PermissionDenied("These files are shared on approved request only.")
