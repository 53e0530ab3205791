"""Benchmark of ZIP downloads: throughput, and whether the web process's memory grows with the
version's size.

For each size (1,000 and 20,000 images of 64x64 IHC crops by default) it imports a ZIP of
class folders through datasets.services.import_dataset, publishes it and builds its archive
with the real services, in a throwaway SQLite database and media folder. Then it starts a fresh
gunicorn (one sync worker, on 127.0.0.1) on that database, downloads the ZIP through the
permission-checked view several times from this script, and reads the worker's peak RSS
(VmHWM). The baseline is reading the same ZIP file from disk in this process. One JSON line:

    .venv/bin/python bench/download.py [--sizes 1000 20000] [--repeats 3]
"""

import argparse
import http.client
import importlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# The import benchmark's ZIP builder and machine description: one way to make the test data.
import_bench = importlib.import_module("bench.import")

TARGET_MB_S = 200
TARGET_FLAT_MB = 20
BLOCK = 1024 * 1024


def environment(work: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "PORTAL_VAR_DIR": str(work),
        "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
        "MEDIA_ROOT": str(work / "media"),
        "STORAGE_BACKEND": "filesystem",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "PYTHONPATH": str(ROOT),
    }


def prepare(zip_path: Path, work: Path) -> None:
    """In a child process: import, publish and archive the images; print the ZIP's URL."""
    os.environ.update(environment(work))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.urls import reverse

    from datasets.services import CreatorSpec, build_archive, import_dataset, publish_version

    call_command("migrate", verbosity=0)
    owner = get_user_model().objects.create_user(username="bench")
    version = import_dataset(
        source=zip_path,
        title="Bench IHC tiles",
        license_spdx="CC0-1.0",
        owner=owner,
        creators=[CreatorSpec(name="Bench, Runner")],
        visibility="public",
    ).version
    version = build_archive(version=publish_version(version=version, user=owner))
    url = reverse("datasets:download", args=[version.dataset.slug, version.number])
    print(json.dumps({"url": url, "archive": str(work / "media" / version.archive.name)}))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(work: Path, port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--worker-class",
            "sync",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=environment(work),
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            get(port, "/datasets/", sink=bytearray(BLOCK))
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("gunicorn did not start")


def worker_pid(master: int) -> int:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return int(children[0])


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def get(port: int, path: str, *, sink: bytearray) -> int:
    """GET `path` and read the body into a reused buffer; the number of bytes received."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        if response.status != 200:
            raise OSError(f"{path}: HTTP {response.status}")
        view = memoryview(sink)
        received = 0
        while read := response.readinto(view):
            received += read
        return received
    finally:
        connection.close()


def file_read_mb_s(path: Path, sink: bytearray) -> float:
    started = time.perf_counter()
    with open(path, "rb", buffering=0) as handle:
        size = 0
        while read := handle.readinto(sink):
            size += read
    return size / 1e6 / (time.perf_counter() - started)


def measure(images: int, repeats: int, tmp: Path) -> dict:
    work = tmp / f"run-{images}"
    work.mkdir()
    zip_path = tmp / f"ihc-{images}.zip"
    import_bench.build_zip(zip_path, images)
    child = subprocess.run(
        [sys.executable, __file__, "--prepare", str(zip_path), "--work", str(work)],
        capture_output=True,
        text=True,
        check=True,
        env=environment(work),
    )
    prepared = json.loads(child.stdout.splitlines()[-1])
    sink = bytearray(BLOCK)
    port = free_port()
    server = start_server(work, port)
    try:
        pid = worker_pid(server.pid)
        get(port, prepared["url"].replace("/download/", "/"), sink=sink)  # the dataset page
        rss_before = peak_rss_mb(pid)
        rates = []
        for _ in range(repeats):
            started = time.perf_counter()
            size = get(port, prepared["url"], sink=sink)
            rates.append(size / 1e6 / (time.perf_counter() - started))
        peak = peak_rss_mb(pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {
        "images": images,
        "zip_mb": round(size / 1e6, 1),
        "mb_s_best": round(max(rates), 1),
        "mb_s_median": round(sorted(rates)[len(rates) // 2], 1),
        "worker_peak_rss_mb": round(peak, 1),
        "worker_rss_growth_during_downloads_mb": round(peak - rss_before, 1),
        "file_read_mb_s": round(file_read_mb_s(Path(prepared["archive"]), sink), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[1000, 20000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--prepare", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.prepare:
        prepare(arguments.prepare, arguments.work)
        return
    with tempfile.TemporaryDirectory(prefix="bench-download-") as tmp:
        small, large = (measure(size, arguments.repeats, Path(tmp)) for size in arguments.sizes)
    figures = {
        "bench": "download",
        "machine": import_bench.machine(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "server": "gunicorn, 1 sync worker, 127.0.0.1 (sendfile)",
        "runs": [small, large],
        "peak_rss_difference_mb": round(
            large["worker_peak_rss_mb"] - small["worker_peak_rss_mb"], 1
        ),
        "target_mb_s": TARGET_MB_S,
        "target_flat_within_mb": TARGET_FLAT_MB,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
