"""The image formats the catalogue takes, each with the file extensions it is stored under and
the media type it is served as.

A stored image's name ends in the extension of the format Pillow detected in its bytes, never
the one its uploader chose: a PNG uploaded as `evil.html` is stored as `evil.png`. The type it
is served with is then read back from that extension, and a name whose extension is not in this
table (a row from before this rule) is served as a download, never rendered by a browser.
docs/security.md says why.
"""

from dataclasses import dataclass
from pathlib import PurePosixPath


@dataclass(frozen=True)
class ImageType:
    media_type: str
    extensions: tuple[str, ...]  # the first is the one given to a misnamed file


# Keyed by Pillow's format names: the only formats the import checks accept.
IMAGE_TYPES = {
    "PNG": ImageType("image/png", (".png",)),
    "JPEG": ImageType("image/jpeg", (".jpg", ".jpeg")),
    "TIFF": ImageType("image/tiff", (".tif", ".tiff")),
    "BMP": ImageType("image/bmp", (".bmp",)),
}

_BY_EXTENSION = {
    extension: image_type
    for image_type in IMAGE_TYPES.values()
    for extension in image_type.extensions
}


def name_for_format(name: str, image_format: str) -> str:
    """`name` with an extension of `image_format`: kept when it already is one (in any case),
    replaced or added otherwise ("evil.html" -> "evil.png", "scan" -> "scan.png")."""
    path = PurePosixPath(name)
    image_type = IMAGE_TYPES[image_format]
    if path.suffix.lower() in image_type.extensions:
        return name
    stem = name[: -len(path.suffix)] if path.suffix else name
    return stem + image_type.extensions[0]


def media_type_of(name: str) -> str | None:
    """The media type of a stored image named `name`, None when its extension is no image's."""
    image_type = _BY_EXTENSION.get(PurePosixPath(name).suffix.lower())
    return image_type.media_type if image_type else None
