"""Thumbnails of catalogue images, made once and cached in the default storage.

A thumbnail's name is fixed by its image's content, and it is written whole under that name or
not at all: two requests for the same uncached thumbnail at once write the same bytes to the
same name, and neither leaves a second file (`...-128_XXXXXXX.png`) behind.
"""

import io
import os
import tempfile
from pathlib import Path

from django.core.files.storage import default_storage
from PIL import Image

from datasets.models import ImageRecord

THUMBNAIL_SIZE = 128


def thumbnail_name(image: ImageRecord) -> str:
    # Keyed by content hash: identical images share a thumbnail and a changed file gets a new one.
    return f"thumbnails/{image.sha256[:2]}/{image.sha256}-{THUMBNAIL_SIZE}.png"


def ensure_thumbnail(image: ImageRecord) -> str:
    """Return the storage name of the image's thumbnail, creating it on first use."""
    name = thumbnail_name(image)
    if not default_storage.exists(name):
        store_whole(name, thumbnail_png(image))
    return name


def thumbnail_png(image: ImageRecord) -> bytes:
    with image.file.open("rb") as handle, Image.open(handle) as source:
        source = source.convert("RGB")
        # Nearest-neighbour upscaling keeps small tiles crisp; big images are downscaled smoothly.
        if max(source.size) <= THUMBNAIL_SIZE:
            scale = THUMBNAIL_SIZE // max(source.size)
            thumb = source.resize((source.width * scale, source.height * scale), Image.NEAREST)
        else:
            thumb = source.copy()
            thumb.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE), Image.LANCZOS)
        buffer = io.BytesIO()
        thumb.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def store_whole(name: str, data: bytes) -> None:
    """Write `data` as the file `name`, replacing it atomically if it is there.

    Storage.save() would pick another name when the file exists. On the file system the bytes
    go to a hidden file in the same folder first, then are renamed over `name` (an atomic step);
    an object store replaces a whole object in one step by itself.
    """
    try:
        path = Path(default_storage.path(name))
    except NotImplementedError:
        with default_storage.open(name, "wb") as handle:
            handle.write(data)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".", delete=False) as part:
        part.write(data)
    try:
        os.chmod(part.name, default_storage.file_permissions_mode or 0o644)
        os.replace(part.name, path)
    except BaseException:
        os.unlink(part.name)
        raise
