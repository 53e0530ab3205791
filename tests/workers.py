"""Real Celery worker processes for integration tests, on the test database and media folder.

No mocks: each worker is `celery -A portal worker` in its own process, talking to the same
database (the test database pytest-django created), the same storage folder and the broker of
the session (file-system folder, or Redis under make test-services).
"""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

from portal.celery import app

ROOT = Path(__file__).resolve().parent.parent


def database_url() -> str:
    """The URL of the database this test is using (pytest-django's test database)."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db["USER"] or "postgres"
    return f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def purge_broker() -> None:
    """Start every test with empty queues: a killed worker's messages must not leak onward."""
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        shutil.rmtree(settings.CELERY_BROKER_DIR, ignore_errors=True)
        for key in ("data_folder_in", "control_folder"):
            os.makedirs(settings.CELERY_BROKER_TRANSPORT_OPTIONS[key], exist_ok=True)
    else:
        for queue in ("gpu", "default"):
            with app.connection_for_write() as conn:
                conn.default_channel.queue_purge(queue)


def queued(queue: str) -> int:
    """How many messages wait on `queue` in the session's broker (folder or Redis)."""
    with app.connection_for_write() as conn:
        return conn.default_channel.queue_declare(queue=queue).message_count


class Worker:
    """`celery worker` on `queues`; with `beat`, also the schedule that runs the recovery step
    (production runs one `celery beat`; embedding it keeps tests to one process less). Variables
    in `extra_env` win over the test's own, e.g. DATABASE_URL for a private database server."""

    def __init__(self, name: str, queues: str, log_dir: Path, *, beat: bool = False, **extra_env):
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "PYTHONUNBUFFERED": "1",
            **extra_env,
        }
        self.log_path = log_dir / f"worker-{name}.log"
        self.log = open(self.log_path, "w")  # noqa: SIM115 (closed in stop())
        schedule = ["-B", "--schedule", str(log_dir / f"beat-{name}")] if beat else []
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "-Q",
                queues,
                "--pool=solo",
                "-n",
                f"{name}@%h",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                *schedule,
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill(self) -> None:
        """SIGKILL: the worker gets no chance to clean up, as when a host dies."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def output(self) -> str:
        self.log.flush()
        return self.log_path.read_text()


def wait_for(predicate, *, timeout: float, interval: float = 0.2, what: str = "condition"):
    """Poll `predicate` until it returns a truthy value; fail with `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
