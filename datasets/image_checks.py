"""Whether a file's bytes are an image the catalogue accepts, decided by content alone.

An extension proves nothing, and Pillow's verify() alone is not enough: it checks a PNG's chunk
checksums but not that the pixel data is complete, so a truncated PNG passes it. Each image is
therefore verified and then fully decoded, with Pillow's decompression-bomb guard set to
IMPORT_MAX_IMAGE_PIXELS and its warning raised as an error.
"""

import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from PIL import Image, ImageFile, UnidentifiedImageError

ACCEPTED_FORMATS = ("PNG", "JPEG", "TIFF", "BMP")

# Each accepted format's first bytes: a file that starts like one but that Pillow cannot open is
# a damaged image, not a wrong kind of file, and the message should say so.
_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"II*\x00": "TIFF",
    b"MM\x00*": "TIFF",
    b"BM": "BMP",
}


class InvalidImage(Exception):
    """Not an image the catalogue takes: a non-image, another format, or a damaged file."""


class ImageTooLarge(Exception):
    """More pixels than the limit: refused as a possible decompression bomb, never skipped."""


@dataclass(frozen=True)
class ImageFacts:
    format: str
    width: int
    height: int


@contextmanager
def strict_pillow(*, max_pixels: int) -> Iterator[None]:
    """Pillow's guards are module globals; set them strictly for one check and restore them."""
    saved = Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES
    Image.MAX_IMAGE_PIXELS = max_pixels
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    finally:
        Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES = saved


def inspect_image(data: bytes, *, max_pixels: int) -> ImageFacts:
    """The format and size of an accepted image, or InvalidImage / ImageTooLarge saying why not."""
    try:
        with strict_pillow(max_pixels=max_pixels):
            with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as image:
                image.verify()
            with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as image:
                image.load()
                return ImageFacts(format=image.format, width=image.width, height=image.height)
    except UnidentifiedImageError:
        raise InvalidImage(_unidentified_reason(data)) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageTooLarge(
            f"image over {max_pixels} pixels (IMPORT_MAX_IMAGE_PIXELS); refused as a possible "
            "decompression bomb"
        ) from None
    except Exception as error:
        # Damaged files make Pillow raise almost anything (OSError, SyntaxError, ValueError,
        # struct.error, ...): each means the same thing here.
        raise InvalidImage(f"corrupt or truncated image ({error})") from error


def _unidentified_reason(data: bytes) -> str:
    for signature, format_name in _SIGNATURES.items():
        if data.startswith(signature):
            return f"corrupt {format_name} image (its header cannot be read)"
    return "not a PNG, JPEG, TIFF or BMP image (judged by content, not by name)"
