"""`make run`'s last step: the web server and one worker per queue, together.

The `gpu` worker trains, generates and evaluates, one task at a time; the `default` worker builds
published ZIPs and runs the recovery step (with the beat that schedules it). In separate
processes, a ZIP is built within seconds of publishing even while a 15-minute training holds the
gpu worker; in one, it waited for the training to end.

All run as child processes; each worker in a session of its own so that Ctrl-C reaches only this
command and the web server, and this command then stops the workers with Celery's cold shutdown
(SIGQUIT) instead of waiting for a training task to end - the run resumes from its last
checkpoint at the next start. SIGTERM stops everything the same way, so no worker outlives it.
"""

import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

STOP_GRACE_SECONDS = 10
POLL_SECONDS = 0.5


class Command(BaseCommand):
    help = (
        "Serve the portal on 127.0.0.1:8000 with one worker on the gpu queue and one on the "
        "default queue (with the recovery beat)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--address", default="127.0.0.1:8000")

    def handle(self, *args, address: str, **options) -> None:
        signal.signal(signal.SIGTERM, _interrupt)
        schedule = str(settings.VAR_DIR / "celerybeat-schedule")
        workers = [worker("gpu"), worker("default", "--beat", "--schedule", schedule)]
        web = subprocess.Popen([sys.executable, "manage.py", "runserver", address, "--noreload"])
        children = [web, *workers]
        try:
            while all(child.poll() is None for child in children):
                time.sleep(POLL_SECONDS)
            self.stderr.write("A child process ended; stopping the others.")
        except KeyboardInterrupt:
            self.stdout.write("Stopping the web server and the workers ...")
        finally:
            stop([(web, signal.SIGINT), *((w, signal.SIGQUIT) for w in workers)])


def worker(queue: str, *options: str) -> subprocess.Popen:
    """`celery worker` on `queue` alone, solo pool (one task at a time), named for the queue."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "-Q",
            queue,
            "-n",
            f"{queue}@%h",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            *options,
        ],
        start_new_session=True,
    )


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def stop(processes: list[tuple[subprocess.Popen, int]]) -> None:
    """Ask every child politely at once, then insist on those still running after the grace
    period: stopping takes at most one grace period, however many children there are."""
    for process, first_signal in processes:
        if process.poll() is None:
            process.send_signal(first_signal)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for process, _ in processes:
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
