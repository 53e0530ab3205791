"""Serving a stored file as browsers and download managers expect: ETag, Last-Modified, 304s,
and single byte ranges (206, or 416 when unsatisfiable) so an interrupted download resumes.

On the file system the response wraps the open file itself: gunicorn then hands the bytes to
the kernel (sendfile), so a 10 GB ZIP costs the web process no memory and little CPU. Object
stores (S3, GCS) have no local path: after the caller has checked permissions, the client is
redirected to a short-lived signed URL, and the store serves ranges itself.

Every answer names its file in a Content-Disposition (inline for images, attachment for
archives) and forbids content sniffing, and a signed URL makes the store send the same type
and disposition: a user's file is never rendered as anything but what the portal says it is.
"""

import os
import re
from dataclasses import dataclass
from datetime import datetime

from django.core.files.storage import default_storage
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
)
from django.utils.cache import get_conditional_response
from django.utils.http import content_disposition_header, http_date

_BYTE_RANGE = re.compile(r"^(\d*)-(\d*)$")


class Unsatisfiable(Exception):
    """The Range header asks for bytes the file does not have (answer 416)."""


@dataclass(frozen=True)
class Served:
    response: HttpResponseBase
    first_byte: int | None  # None when no body is sent (HEAD, 304, 416, redirect)


class FileRange:
    """`length` bytes of an open file from its current position. read() stops at the end of
    the range; fileno() lets gunicorn sendfile() exactly the range (it takes the offset from
    the descriptor and the length from Content-Length)."""

    def __init__(self, handle, length: int) -> None:
        self._handle = handle
        self._left = length

    def read(self, size: int = -1) -> bytes:
        if size < 0 or size > self._left:
            size = self._left
        data = self._handle.read(size)
        self._left -= len(data)
        return data

    def fileno(self) -> int:
        return self._handle.fileno()

    def close(self) -> None:
        self._handle.close()


def byte_range(header: str, size: int) -> tuple[int, int] | None:
    """The (first, last) byte asked for by a Range header, None to send the whole file, or
    Unsatisfiable. Only single ranges are served; a list of ranges gets the whole file, which
    RFC 9110 allows (a server may ignore Range)."""
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    match = _BYTE_RANGE.match(spec.strip())
    if match is None or match.groups() == ("", ""):
        raise Unsatisfiable(header)
    first, last = match.groups()
    if first == "":  # "-N": the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            raise Unsatisfiable(header)
        return max(size - length, 0), size - 1
    first = int(first)
    last = size - 1 if last == "" else min(int(last), size - 1)
    if first >= size or last < first:
        raise Unsatisfiable(header)
    return first, last


def serve_stored_file(
    request: HttpRequest,
    *,
    name: str,
    etag: str,
    content_type: str,
    file_name: str,
    as_attachment: bool,
    last_modified: datetime | None = None,
    cache_control: str = "private, max-age=3600",
) -> Served:
    """Answer GET or HEAD for the storage file `name`, whose content `etag` identifies, as
    `content_type`, named `file_name`, shown inline or (`as_attachment`) downloaded.
    Call only after checking that the user may have the file."""
    disposition = content_disposition_header(as_attachment, file_name)
    try:
        path = default_storage.path(name)
    except NotImplementedError:  # an object store: let it serve, through a signed URL
        url = default_storage.download_url(
            name, content_type=content_type, content_disposition=disposition
        )
        return _redirect_to_store(request, url)
    size = os.stat(path).st_size
    timestamp = int(last_modified.timestamp()) if last_modified else None
    headers = {
        "ETag": etag,
        "Accept-Ranges": "bytes",
        "Cache-Control": cache_control,
        "Content-Disposition": disposition,
        "X-Content-Type-Options": "nosniff",
    }
    if timestamp is not None:
        headers["Last-Modified"] = http_date(timestamp)
    conditional = get_conditional_response(request, etag=etag, last_modified=timestamp)
    if conditional is not None:  # 304 Not Modified, or 412 for a failed If-Match
        _set_headers(conditional, headers)
        return Served(conditional, first_byte=None)
    try:
        wanted = _wanted_range(request, etag=etag, size=size)
    except Unsatisfiable:
        response = HttpResponse(status=416)
        _set_headers(response, {**headers, "Content-Range": f"bytes */{size}"})
        return Served(response, first_byte=None)
    first, last = wanted or (0, size - 1)
    length = max(last - first + 1, 0)
    status = 206 if wanted else 200
    if wanted:
        headers["Content-Range"] = f"bytes {first}-{last}/{size}"
    if request.method == "HEAD":
        response = HttpResponse(status=status, content_type=content_type)
        _set_headers(response, {**headers, "Content-Length": str(length)})
        return Served(response, first_byte=None)
    handle = open(path, "rb")  # noqa: SIM115 (FileResponse closes it)
    handle.seek(first)
    response = FileResponse(FileRange(handle, length), status=status, content_type=content_type)
    _set_headers(response, {**headers, "Content-Length": str(length)})
    return Served(response, first_byte=first)


def _redirect_to_store(request: HttpRequest, url: str) -> Served:
    """The store answers the ranges; the first byte is what the client asked for, so that a
    resumed download through the redirect is not counted again."""
    header = request.headers.get("Range", "").replace(" ", "")
    from_start = request.method == "GET" and (not header or header.startswith("bytes=0-"))
    return Served(HttpResponseRedirect(url), first_byte=0 if from_start else None)


def _wanted_range(request: HttpRequest, *, etag: str, size: int) -> tuple[int, int] | None:
    header = request.headers.get("Range")
    if not header:
        return None
    if_range = request.headers.get("If-Range")
    if if_range and if_range.strip() != etag:
        return None  # the file changed since the first part was fetched: send all of it
    return byte_range(header, size)


def _set_headers(response: HttpResponseBase, headers: dict[str, str]) -> None:
    for key, value in headers.items():
        response[key] = value
