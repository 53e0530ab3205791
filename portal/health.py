"""`/healthz`: can this process reach what it needs? Database, broker and storage.

For load balancers, Docker health checks and monitoring: 200 when every check passes, 503
otherwise, with one entry per check. Errors are named by their class only; the details go to
the log, since the endpoint is public and must not reveal host names or credentials.
"""

import logging
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection

logger = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 3


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_broker() -> None:
    """A new connection to the broker; the file-system broker has none, so its folders must be
    writable instead (a worker and the web share them)."""
    url = settings.CELERY_BROKER_URL
    if url.startswith("filesystem://"):
        for key in ("data_folder_in", "control_folder"):
            probe = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS[key]) / f".healthz-{uuid.uuid4()}"
            probe.write_bytes(b"ok")
            probe.unlink()
        return
    with Connection(url, connect_timeout=BROKER_TIMEOUT_SECONDS) as broker:
        broker.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)


def check_storage() -> None:
    """Write, read back and delete a tiny file: a bucket that refuses writes fails here."""
    name = default_storage.save(f"healthz/probe-{uuid.uuid4()}.txt", ContentFile(b"ok"))
    try:
        with default_storage.open(name, "rb") as handle:
            if handle.read() != b"ok":
                raise OSError("the probe file read back differently")
    finally:
        default_storage.delete(name)


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "broker": check_broker,
    "storage": check_storage,
}


def run_checks() -> dict[str, dict]:
    results = {}
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            check()
        except Exception as error:
            logger.exception("health check %s failed", name)
            results[name] = {"ok": False, "error": type(error).__name__}
        else:
            results[name] = {"ok": True}
        results[name]["seconds"] = round(time.monotonic() - started, 3)
    return results


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = run_checks()
    ok = all(result["ok"] for result in checks.values())
    return JsonResponse({"ok": ok, "checks": checks}, status=200 if ok else 503)
