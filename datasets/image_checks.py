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
from typing import BinaryIO

from PIL import Image, ImageFile, UnidentifiedImageError

from datasets.image_types import IMAGE_TYPES

# Only formats with a media type to serve them as: what is accepted can always be named for it.
ACCEPTED_FORMATS = tuple(IMAGE_TYPES)

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
def strict_pillow(*, max_pixels: int | None) -> Iterator[None]:
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
        raise ImageTooLarge(_too_large_reason(max_pixels)) from None
    except Exception as error:
        # Damaged files make Pillow raise almost anything (OSError, SyntaxError, ValueError,
        # struct.error, ...): each means the same thing here.
        raise InvalidImage(f"corrupt or truncated image ({error})") from error


def header_facts(stream: BinaryIO, *, max_pixels: int | None) -> ImageFacts | None:
    """The format and size an image's header declares, read without decoding a pixel; None when
    `stream` (perhaps only the file's first bytes) holds no readable header of an accepted
    format (the full check says why). ImageTooLarge over `max_pixels` (None: no limit)."""
    try:
        with (
            strict_pillow(max_pixels=max_pixels),
            Image.open(stream, formats=ACCEPTED_FORMATS) as image,
        ):
            return ImageFacts(format=image.format, width=image.width, height=image.height)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageTooLarge(_too_large_reason(max_pixels)) from None
    except Exception:  # a cut-off header makes Pillow raise almost anything, as in inspect_image
        return None


def _too_large_reason(max_pixels: int | None) -> str:
    return (
        f"image over {max_pixels} pixels (IMPORT_MAX_IMAGE_PIXELS); refused as a possible "
        "decompression bomb"
    )


def _unidentified_reason(data: bytes) -> str:
    for signature, format_name in _SIGNATURES.items():
        if data.startswith(signature):
            return f"corrupt {format_name} image (its header cannot be read)"
    return "not a PNG, JPEG, TIFF or BMP image (judged by content, not by name)"
