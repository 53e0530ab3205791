"""Builders of uploaded image sets for the import tests: real ZIPs and folders of real images,
and the checks that a refused import left nothing behind."""

import io
import struct
import warnings
import zipfile
import zlib
from pathlib import Path

from PIL import Image, PngImagePlugin

from datasets.models import (
    Authorship,
    ClassLabel,
    Creator,
    Dataset,
    DatasetVersion,
    ImageRecord,
)

CATALOGUE_MODELS = (Dataset, DatasetVersion, ClassLabel, ImageRecord, Creator, Authorship)


def image_bytes(
    image_format: str = "PNG", *, size: tuple[int, int] = (8, 8), seed: int = 0
) -> bytes:
    """A small image whose pixels depend on `seed`, so that every file has its own sha256."""
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    image.paste((seed * 37 % 256, seed * 13 % 256, seed // 256 % 256), (0, 0, size[0], 1))
    buffer = io.BytesIO()
    image.save(buffer, format=image_format)
    return buffer.getvalue()


SCRIPT = "<script>document.title = 'script ran'; window.scriptRan = true;</script>"


def png_with_script() -> bytes:
    """A valid 8x8 PNG whose tEXt chunk holds a <script> element: a page, to a browser told that
    the file is text/html, that runs the script on the portal's origin."""
    image = Image.linear_gradient("L").resize((8, 8)).convert("RGB")
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", f"<html><body>{SCRIPT}</body></html>")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", pnginfo=text)
    return buffer.getvalue()


def blank_png(width: int, height: int) -> bytes:
    """A valid black-and-white PNG of any size, written chunk by chunk without holding its
    pixels: a 62-megapixel one is 8 KB, and it deflates to almost nothing in a ZIP."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1 bit, greyscale
    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte, then the row's bits
    pixels = zlib.compress(row * height, 9)
    return b"\x89PNG\r\n\x1a\n" + b"".join(
        _chunk(kind, body) for kind, body in ((b"IHDR", header), (b"IDAT", pixels), (b"IEND", b""))
    )


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + _crc(kind + body)


def png_with_truncated_pixel_data() -> bytes:
    """A PNG whose chunks all have valid checksums but whose compressed pixels stop short:
    Pillow's verify() accepts it, only decoding finds the damage."""
    data = image_bytes(size=(32, 32), seed=5)
    chunks, position = [], 8
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        if kind == b"IDAT":
            body = body[: len(body) // 2]
        chunks.append(_chunk(kind, body))
        position += 12 + length
    return data[:8] + b"".join(chunks)


def _crc(data: bytes) -> bytes:
    return struct.pack(">I", zlib.crc32(data) & 0xFFFFFFFF)


def class_folder_files(per_class: dict[str, int]) -> dict[str, bytes]:
    """`{"G1": 2}` -> `{"G1/img0.png": <png>, "G1/img1.png": <png>}`, every image distinct."""
    files, seed = {}, 0
    for class_name, count in per_class.items():
        for index in range(count):
            files[f"{class_name}/img{index}.png"] = image_bytes(seed=seed)
            seed += 1
    return files


def write_zip(path: Path, files: dict[str, bytes], *, directories: tuple[str, ...] = ()) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in directories:
            archive.writestr(zipfile.ZipInfo(name), b"")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "Duplicate name", wanted by one test
            for name, data in files.items():
                archive.writestr(name, data)
    return path


def write_folder(root: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return root


def catalogue_rows() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in CATALOGUE_MODELS}


def files_under(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


def assert_nothing_stored(media_root: Path, rows_before: dict[str, int] | None = None) -> None:
    """No catalogue row and no file was left by a refused or failed import."""
    empty = {model.__name__: 0 for model in CATALOGUE_MODELS}
    assert catalogue_rows() == (rows_before or empty)
    assert files_under(media_root) == []
