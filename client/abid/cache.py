"""The local cache of unpacked versions, so that a second load of a version reads the disk.

`<root>/<key>/` holds one version's files as its ZIP has them (images/<class>/..., metadata.csv,
MANIFEST.sha256, ...) plus `abid-version.json`, the portal's description of the version. The key
is the version's identifier (`10.5072/breast-grades.v1` -> `10.5072_breast-grades.v1`): a
published version never changes, so its identifier names its bytes for good. The root is
`$ABID_CACHE`, else `$XDG_CACHE_HOME/abid`, else `~/.cache/abid`. An entry appears only whole:
it is unpacked under a hidden name and renamed when complete.
"""

import json
import os
import re
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

from abid.errors import AbidError
from abid.manifest import verify_zip

VERSION_FILE = "abid-version.json"


@dataclass(frozen=True)
class Entry:
    path: Path
    version: dict

    @property
    def identifier(self) -> str:
        return self.version["identifier"]

    def size(self) -> int:
        return sum(path.stat().st_size for path in self.path.rglob("*") if path.is_file())


def cache_root(root: str | Path | None = None) -> Path:
    if root:
        return Path(root)
    if os.environ.get("ABID_CACHE"):
        return Path(os.environ["ABID_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "abid"


def entry_key(identifier: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", identifier)


def cached(root: Path, version: dict) -> Path | None:
    """The entry of `version` when it is there and still stands for it: a published version's
    files never change, a draft's may, so a draft is never served from the cache."""
    path = root / entry_key(version["identifier"])
    if version["state"] == "published" and (path / VERSION_FILE).is_file():
        return path
    return None


def install(archive: Path, version: dict, root: Path) -> Path:
    """Unpack the ZIP at `archive` (checked against its manifest first) as `version`'s entry."""
    top = verify_zip(archive)
    key = entry_key(version["identifier"])
    staging = root / f".{key}.unpacking"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    with zipfile.ZipFile(archive) as zipped:
        for info in zipped.infolist():
            if info.is_dir():
                continue
            target = staging / info.filename.removeprefix(f"{top}/")
            target.parent.mkdir(parents=True, exist_ok=True)
            with zipped.open(info) as source, open(target, "wb") as sink:
                shutil.copyfileobj(source, sink)
    (staging / VERSION_FILE).write_text(json.dumps(version, indent=2))
    final = root / key
    shutil.rmtree(final, ignore_errors=True)  # a draft's older files
    staging.rename(final)
    return final


def entries(root: Path) -> list[Entry]:
    if not root.is_dir():
        return []
    return [
        Entry(path=path.parent, version=json.loads(path.read_text()))
        for path in sorted(root.glob(f"*/{VERSION_FILE}"))
    ]


def newest(root: Path, reference: str) -> Entry | None:
    """The cached published version with id `reference`, or the newest cached published version
    of the dataset whose slug is `reference`."""
    matching = [
        entry
        for entry in entries(root)
        if entry.version["state"] == "published"
        and reference in (str(entry.version["id"]), entry.version["dataset"]["slug"])
    ]
    return max(matching, key=lambda entry: entry.version["number"], default=None)


def remove(root: Path, identifier: str) -> Entry:
    """Delete the entry of the version `identifier` (or of the key `abid cache ls` shows)."""
    for entry in entries(root):
        if identifier in (entry.identifier, entry.path.name):
            shutil.rmtree(entry.path)
            return entry
    raise AbidError(f"no cached version {identifier!r} in {root} (see `abid cache ls`)")
