"""Resumable, verified downloads of a version's ZIP.

Bytes go to `<slug>-v<N>.zip.part`; an interrupted download leaves it there, and the next call
asks only for the rest (`Range: bytes=N-`, with `If-Range` naming the ZIP's sha256 so that a
changed file is sent whole). The finished file must match the sha256 the portal states, and
every file inside it must match the archive's MANIFEST.sha256, before it takes its final name:
a file under that name is always complete and correct, and a failed one is removed.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import requests

from abid.errors import VerificationError
from abid.manifest import verify_zip

CHUNK_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Downloaded:
    path: Path
    sha256: str
    resumed_from: int  # bytes that were on disk already (0: a fresh download)


def archive_name(version: dict) -> str:
    return f"{version['dataset']['slug']}-v{version['number']}.zip"


def download_archive(
    request: Callable[..., requests.Response],
    version: dict,
    folder: Path,
    *,
    progress: Callable[[int, int | None], None] | None = None,
) -> Downloaded:
    """Fetch `version`'s ZIP into `folder` with `request` (Client.request)."""
    archive = version["archive"]
    expected, size = archive["sha256"], archive["size"]
    target = folder / archive_name(version)
    if target.exists() and expected and sha256_of(target) == expected:
        return Downloaded(target, expected, resumed_from=size)
    folder.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    # A draft's ZIP is made while it is sent: no sha256 to resume against, so start over.
    offset = part.stat().st_size if part.exists() and expected else 0
    if not offset or offset < size:
        offset = _fetch(request, archive["url"], part, offset, expected, size, progress)
    digest = sha256_of(part)
    try:
        if expected and digest != expected:
            raise VerificationError(
                f"{target.name}: sha256 {digest} does not match the portal's {expected}; "
                "the partial file was removed, download it again"
            )
        verify_zip(part, name=target.name)
    except VerificationError:
        part.unlink()
        raise
    part.replace(target)
    return Downloaded(target, digest, resumed_from=offset)


def _fetch(request, url, part: Path, offset: int, expected: str, size, progress) -> int:
    """Append the missing bytes to `part` (all of them if the server sends the whole file);
    returns the offset the transfer really started from."""
    headers = {"Range": f"bytes={offset}-", "If-Range": f'"{expected}"'} if offset else {}
    with request("GET", url, headers=headers, stream=True) as response:
        if response.status_code != 206:
            offset = 0  # the whole file came back (a changed file, or no range support)
        with open(part, "ab" if offset else "wb") as handle:
            done = offset
            for chunk in response.iter_content(CHUNK_BYTES):
                handle.write(chunk)
                done += len(chunk)
                if progress is not None:
                    progress(done, size)
    return offset


def sha256_of(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
