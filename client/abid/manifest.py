"""Checks of a version's files against the MANIFEST.sha256 inside its ZIP (`sha256sum -c`
format, one line per file). The ZIP's own sha256, stated by the portal, proves the transfer; the
manifest proves each file, also after the ZIP is unpacked, and names the one that is wrong."""

import hashlib
import zipfile
from pathlib import Path, PurePosixPath

from abid.errors import VerificationError

MANIFEST = "MANIFEST.sha256"


def parse_manifest(text: str, *, source: str) -> dict[str, str]:
    """`{relative path: sha256}` from the manifest's lines."""
    hashes = {}
    for number, line in enumerate(text.splitlines(), start=1):
        digest, separator, name = line.partition("  ")
        if not separator or len(digest) != 64 or not name:
            raise VerificationError(f"{source}: line {number} of {MANIFEST} is malformed")
        hashes[name] = digest
    return hashes


def verify_zip(path: Path, *, name: str = "") -> str:
    """Check every member of the ZIP at `path` (called `name` in messages) against its manifest;
    returns the archive's top folder (`<slug>-v<N>`). Raises VerificationError naming the first
    file that fails."""
    source = name or path.name
    with zipfile.ZipFile(path) as archive:
        files = [info for info in archive.infolist() if not info.is_dir()]
        top = _top_folder(source, [info.filename for info in files])
        try:
            manifest = archive.read(f"{top}/{MANIFEST}").decode()
        except KeyError:
            raise VerificationError(f"{source}: the archive has no {MANIFEST}") from None
        expected = parse_manifest(manifest, source=source)
        found = {}
        for info in files:
            name = info.filename.removeprefix(f"{top}/")
            if name != MANIFEST:
                with archive.open(info) as member:
                    found[name] = hashlib.file_digest(member, "sha256").hexdigest()
    _compare(source, expected, found)
    return top


def verify_folder(folder: Path) -> None:
    """Check an unpacked version's folder against the manifest it holds."""
    manifest = folder / MANIFEST
    if not manifest.is_file():
        raise VerificationError(f"{folder}: no {MANIFEST} (is this a version's folder?)")
    expected = parse_manifest(manifest.read_text(), source=str(folder))
    found = {}
    for name in expected:
        path = folder / name
        if path.is_file():
            with open(path, "rb") as handle:
                found[name] = hashlib.file_digest(handle, "sha256").hexdigest()
    _compare(str(folder), expected, found, extra_allowed=True)


def _compare(
    source: str, expected: dict[str, str], found: dict[str, str], *, extra_allowed=False
) -> None:
    for name, digest in expected.items():
        if name not in found:
            raise VerificationError(f"{source}: {name} is listed in {MANIFEST} but missing")
        if found[name] != digest:
            raise VerificationError(f"{source}: {name} does not match its sha256 in {MANIFEST}")
    unlisted = sorted(set(found) - set(expected))
    if unlisted and not extra_allowed:
        raise VerificationError(f"{source}: {unlisted[0]} is not listed in {MANIFEST}")


def _top_folder(source: str, names: list[str]) -> str:
    """The one folder every member lives in; a member outside it, absolute or climbing out
    with `..`, makes the archive unsafe to unpack."""
    tops = {PurePosixPath(name).parts[0] for name in names if name}
    unsafe = [n for n in names if n.startswith("/") or ".." in PurePosixPath(n).parts]
    if len(tops) != 1 or unsafe:
        raise VerificationError(f"{source}: not a version's archive (one top folder expected)")
    return tops.pop()
