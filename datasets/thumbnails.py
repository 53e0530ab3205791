"""Thumbnails of catalogue images, made once and cached in the default storage."""

import io

from django.core.files.base import ContentFile
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
    if default_storage.exists(name):
        return name
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
    try:
        return default_storage.save(name, ContentFile(buffer.getvalue()))
    except FileExistsError:
        return name
