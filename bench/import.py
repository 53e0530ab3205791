"""Benchmark of the import service: images per second, and whether memory grows with the archive.

Builds ZIPs of 64x64 PNG crops of the IHC slide that ships with scikit-image, imports each one
through datasets.services.import_dataset in a fresh process with a throwaway SQLite database and
media folder, and prints one JSON line: the 2,000-image run and, as its baseline, a 500-image run.
Equal peak RSS for both means pass 1 streams: memory does not grow with the number of images.

    .venv/bin/python bench/import.py [--images 2000] [--baseline-images 500]
"""

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from machine_info import machine

ROOT = Path(__file__).resolve().parent.parent
TILE = 64
CLASSES = ("G1", "G2", "G3")
TARGET_IMAGES_PER_S = 500


def build_zip(path: Path, images: int) -> None:
    """Random crops, rotations and flips of the 512x512 IHC slide: real tissue, every tile new."""
    import numpy as np
    from PIL import Image
    from skimage.data import immunohistochemistry

    slide = immunohistochemistry()
    rng = np.random.default_rng(images)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for index in range(images):
            y, x = rng.integers(0, slide.shape[0] - TILE, size=2)
            tile = np.rot90(slide[y : y + TILE, x : x + TILE], k=int(rng.integers(4)))
            if rng.random() < 0.5:
                tile = tile[:, ::-1]
            buffer = io.BytesIO()
            Image.fromarray(np.ascontiguousarray(tile)).save(buffer, format="PNG")
            archive.writestr(f"ihc/{CLASSES[index % 3]}/tile{index:05d}.png", buffer.getvalue())


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def run_child(zip_path: Path, work: Path) -> dict:
    """Import `zip_path` into a database and media folder of its own; return the figures."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        PORTAL_VAR_DIR=str(work),
        DATABASE_URL=f"sqlite:///{work / 'db.sqlite3'}",
        MEDIA_ROOT=str(work / "media"),
        STORAGE_BACKEND="filesystem",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from datasets.services import import_dataset

    call_command("migrate", verbosity=0)
    owner = get_user_model().objects.create_user(username="bench")
    rss_before = peak_rss_mb()
    started = time.perf_counter()
    result = import_dataset(
        source=zip_path, title="Bench IHC tiles", license_spdx="CC0-1.0", owner=owner
    )
    seconds = time.perf_counter() - started
    images = result.version.image_count
    return {
        "images": images,
        "seconds": round(seconds, 3),
        "images_per_s": round(images / seconds, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "import_rss_growth_mb": round(peak_rss_mb() - rss_before, 1),
    }


def measure(images: int, tmp: Path) -> dict:
    """Build the ZIP here, import it in a fresh interpreter so its peak RSS is its own."""
    work = tmp / f"run-{images}"
    work.mkdir()
    zip_path = tmp / f"ihc-{images}.zip"
    build_zip(zip_path, images)
    child = subprocess.run(
        [sys.executable, __file__, "--child", str(zip_path), "--work", str(work)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(child.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=2000)
    parser.add_argument("--baseline-images", type=int, default=500)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        print(json.dumps(run_child(arguments.child, arguments.work)))
        return
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        run = measure(arguments.images, Path(tmp))
        baseline = measure(arguments.baseline_images, Path(tmp))
    figures = {
        "bench": "import",
        "machine": machine(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        **run,
        "target_images_per_s": TARGET_IMAGES_PER_S,
        "baseline": baseline,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
