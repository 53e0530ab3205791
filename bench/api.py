"""Latency and throughput of the API's lists under a bounded concurrent load.

Builds a throwaway var dir (PORTAL_VAR_DIR: SQLite database and media folder) holding 100 public
datasets with published versions, one of them with 20,000 images (their rows: the files list
reads rows, never the image files), starts gunicorn with 2 sync workers on 127.0.0.1, and sends
each endpoint the same number of requests from a fixed number of concurrent clients. Prints one
JSON line per endpoint (p50/p99 latency, requests per second, and the CPU time gunicorn's
workers spent per request, which other work on the machine does not change), the first being
the baseline measured in the same run: GET /api/v1/licenses/, nine rows and no subqueries.

    .venv/bin/python bench/api.py [--requests 1000] [--concurrency 4]
"""

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from machine_info import machine

ROOT = Path(__file__).resolve().parent.parent
DATASETS = 100
IMAGES = 20_000
WORKERS = 2
TARGET_P99_MS = 100
MODALITIES = ("histology", "ihc", "cytology", "fundus", "microscopy")
ORGANS = ("breast", "colon", "eye", "skin", "lung")


def build_catalogue(var_dir: Path) -> int:
    """Migrate a fresh database under `var_dir` and fill it; returns the big version's id."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="portal.settings", PORTAL_VAR_DIR=str(var_dir), DATABASE_URL=""
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from datasets.models import (
        Authorship,
        ClassLabel,
        Creator,
        Dataset,
        DatasetVersion,
        ImageRecord,
        License,
    )
    from datasets.search_text import build_search_text

    call_command("migrate", verbosity=0)
    owner = get_user_model().objects.create_user(username="bench")
    licenses = list(License.objects.all())
    now = timezone.now()
    with transaction.atomic():
        datasets = Dataset.objects.bulk_create(
            Dataset(
                slug=f"set-{i:03d}",
                title=f"{ORGANS[i % 5].title()} {MODALITIES[i % 5]} set {i}",
                description=f"Bench dataset {i} of {DATASETS}.",
                keywords=["bench", ORGANS[i % 5]],
                modality=MODALITIES[i % 5],
                organ=ORGANS[i % 5],
                kind="synthetic" if i % 3 == 0 else "real",
                owner=owner,
                visibility="public",
                search_text=build_search_text(
                    slug=f"set-{i:03d}",
                    title=f"{ORGANS[i % 5].title()} {MODALITIES[i % 5]} set {i}",
                    description="",
                    keywords=["bench"],
                    organ=ORGANS[i % 5],
                    class_names=["G1", "G2", "G3"],
                ),
            )
            for i in range(DATASETS)
        )
        labels = ClassLabel.objects.bulk_create(
            ClassLabel(dataset=dataset, name=name, position=position)
            for dataset in datasets
            for position, name in enumerate(("G1", "G2", "G3")[: 2 + dataset.pk % 2])
        )
        versions = DatasetVersion.objects.bulk_create(
            DatasetVersion(
                dataset=dataset,
                number=1,
                identifier=f"10.5072/{dataset.slug}.v1",
                state="published",
                published_at=now,
                license=licenses[i % len(licenses)],
                image_count=IMAGES if i == 0 else 0,
                metrics={"fid": 40.0} if i % 4 == 0 else {},
            )
            for i, dataset in enumerate(datasets)
        )
        creators = Creator.objects.bulk_create(
            Creator(name=f"Doe, Jane {i}") for i in range(DATASETS)
        )
        Authorship.objects.bulk_create(
            Authorship(version=version, creator=creator)
            for version, creator in zip(versions, creators, strict=True)
        )
        big = versions[0]
        big_labels = [label for label in labels if label.dataset_id == big.dataset_id]
        ImageRecord.objects.bulk_create(
            (
                ImageRecord(
                    version=big,
                    label=big_labels[i % len(big_labels)],
                    file=f"datasets/set-000/v1/{big_labels[i % len(big_labels)].name}/{i}.png",
                    width=64,
                    height=64,
                    size_bytes=9000,
                    sha256=f"{i:064x}",
                )
                for i in range(IMAGES)
            ),
            batch_size=2000,
        )
    return big.pk


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(var_dir: Path, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "PORTAL_VAR_DIR": str(var_dir),
        "DATABASE_URL": "",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        # The load comes from one address: the anonymous throttle would stop it at once.
        "API_RATE_ANON": "1000000/second",
    }
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "portal.wsgi:application",
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if get(port, "/api/v1/licenses/")[0] == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("gunicorn did not answer within 60 s")


def get(port: int, path: str) -> tuple[int, bytes]:
    """One request on a new connection, as gunicorn's sync workers serve them."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Accept": "application/json"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def workers_cpu_seconds(master: int) -> float:
    """CPU seconds (user and system) that gunicorn's workers, the children of `master`, used so
    far: the server's own cost of a request, whatever else the machine is busy with."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended while we looked
            continue
        if int(fields[1]) == master:
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def load(port: int, path: str, *, requests: int, concurrency: int, master: int) -> dict:
    """`requests` GETs of `path` from `concurrency` clients, each sending its next request as
    soon as its last one was answered; every answer must be a 200."""
    latencies: list[float] = []
    failures: list[int] = []
    left = iter(range(requests))
    lock = threading.Lock()

    def client() -> None:
        while True:
            with lock:
                if next(left, None) is None:
                    return
            started = time.perf_counter()
            status, _ = get(port, path)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if status != 200:
                    failures.append(status)

    for _ in range(min(50, requests)):  # warm the workers' caches and connections
        get(port, path)
    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    cpu_before = workers_cpu_seconds(master)
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    cpu = workers_cpu_seconds(master) - cpu_before
    if failures:
        raise RuntimeError(f"{path}: {len(failures)} answers were not 200: {failures[:5]}")
    latencies.sort()
    return {
        "requests": requests,
        "concurrency": concurrency,
        "p50_ms": round(1000 * latencies[len(latencies) // 2], 1),
        "p99_ms": round(1000 * latencies[int(len(latencies) * 0.99) - 1], 1),
        "requests_per_s": round(requests / seconds, 1),
        "server_cpu_ms_per_request": round(1000 * cpu / requests, 1),
    }


def deep_files_page(port: int, version_id: int) -> str:
    """The path of the files page that starts after image 19,000: deep in the cursor."""
    path = f"/api/v1/versions/{version_id}/files/?page_size=1000"
    for _ in range(IMAGES // 1000 - 1):
        status, body = get(port, path)
        assert status == 200, body
        following = urlsplit(json.loads(body)["next"])
        path = f"{following.path}?{following.query}"
    return path.replace("page_size=1000", "page_size=100")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-api-") as tmp:
        var_dir = Path(tmp)
        version_id = build_catalogue(var_dir)
        port = free_port()
        server = start_gunicorn(var_dir, port)
        try:
            endpoints = {
                "baseline: GET /api/v1/licenses/": "/api/v1/licenses/",
                "GET /api/v1/datasets/": "/api/v1/datasets/",
                "GET /api/v1/datasets/?q=breast&modality=histology&sort=title&facets=true": (
                    "/api/v1/datasets/?q=breast&modality=histology&sort=title&facets=true"
                ),
                "GET /api/v1/versions/<id>/files/": f"/api/v1/versions/{version_id}/files/",
                "GET /api/v1/versions/<id>/files/?cursor=<after 19,000>": deep_files_page(
                    port, version_id
                ),
            }
            for name, path in endpoints.items():
                figures = load(
                    port,
                    path,
                    requests=args.requests,
                    concurrency=args.concurrency,
                    master=server.pid,
                )
                print(
                    json.dumps(
                        {
                            "bench": "api",
                            "date": datetime.now(UTC).isoformat(timespec="seconds"),
                            "machine": machine(),
                            "server": f"gunicorn, {WORKERS} sync workers, SQLite",
                            "data": f"{DATASETS} datasets, {IMAGES} images in one version",
                            "endpoint": name,
                            **figures,
                            # Other work on the machine lengthens every figure: say how much.
                            "load_average_1m": round(os.getloadavg()[0], 2),
                            "target_p99_ms": TARGET_P99_MS,
                        }
                    ),
                    flush=True,
                )
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
