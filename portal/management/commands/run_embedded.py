"""`make run`'s last step: the web server and one worker per queue, together.

The `gpu` worker trains, generates and evaluates, one task at a time; the `default` worker builds
published ZIPs and runs the recovery step (with the beat that schedules it). In separate
processes, a ZIP is built within seconds of publishing even while a 15-minute training holds the
gpu worker; in one, it waited for the training to end.

All run as child processes; each worker in a session of its own, so that Ctrl-C reaches only
this command, which then stops every child itself (SIGTERM and SIGHUP stop everything the same
way, and a worker whose runner was killed outright ends by itself: see portal.parent_watch).
A worker gets Celery's warm shutdown: the default worker finishes the ZIP or recovery step at
hand. A training does not end in seconds, so the gpu worker is killed
after a short grace; its run keeps its lease and checkpoints, and the recovery step at the next
start resumes it from the last checkpoint. Celery's cold shutdown is no shortcut: on the solo
pool it raises inside the running task, which then records the run as failed.
"""

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

POLL_SECONDS = 0.5
# Seconds each child has to stop on its own before it is killed.
WEB_GRACE_SECONDS = 10
DEFAULT_WORKER_GRACE_SECONDS = 10
GPU_WORKER_GRACE_SECONDS = 2
# prctl's option number, from <linux/prctl.h>.
PR_SET_PDEATHSIG = 1


class Command(BaseCommand):
    help = (
        "Serve the portal on 127.0.0.1:8000 with one worker on the gpu queue and one on the "
        "default queue (with the recovery beat)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--address", default="127.0.0.1:8000")

    def handle(self, *args, address: str, **options) -> None:
        # Installed before the children start, so that they do not inherit an ignored SIGINT
        # (as from a shell that started this command in the background).
        signal.signal(signal.SIGINT, _interrupt)
        signal.signal(signal.SIGTERM, _interrupt)
        signal.signal(signal.SIGHUP, _interrupt)  # the terminal closed
        schedule = str(settings.VAR_DIR / "celerybeat-schedule")
        gpu = worker("gpu")
        default = worker("default", "--beat", "--schedule", schedule)
        web = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", address, "--noreload"],
            preexec_fn=end_with_parent,
        )
        try:
            while all(child.poll() is None for child in (web, gpu, default)):
                time.sleep(POLL_SECONDS)
            raise CommandError("a child process ended on its own (see above); stopped the others")
        except KeyboardInterrupt:
            self.stdout.write("Stopping the web server and the workers ...")
        finally:
            stop(
                [
                    (web, WEB_GRACE_SECONDS, web.kill),
                    (gpu, GPU_WORKER_GRACE_SECONDS, lambda: kill_group(gpu)),
                    (default, DEFAULT_WORKER_GRACE_SECONDS, lambda: kill_group(default)),
                ]
            )


def worker(queue: str, *options: str) -> subprocess.Popen:
    """`celery worker` on `queue` alone, solo pool (one task at a time), named for the queue,
    in a session (and so a process group) of its own."""
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
        env={**os.environ, "PORTAL_PARENT_PID": str(os.getpid())},
    )


def end_with_parent() -> None:
    """Have the kernel SIGTERM the web server if this command is killed outright (Linux's
    parent-death signal): it shares our process group, but a SIGKILL reaches only us."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def kill_group(process: subprocess.Popen) -> None:
    """SIGKILL a worker with its own children (an embedded beat), which would outlive it."""
    with contextlib.suppress(ProcessLookupError):  # the whole group ended meanwhile
        os.killpg(process.pid, signal.SIGKILL)


def stop(children: list[tuple[subprocess.Popen, float, Callable[[], None]]]) -> None:
    """SIGTERM every child at once, then `kill()` each one still running after its grace
    period: stopping never takes longer than the longest grace, however many children."""
    started = time.monotonic()
    for process, _, _ in children:
        if process.poll() is None:
            process.terminate()
    for process, grace, kill in sorted(children, key=lambda child: child[1]):
        try:
            process.wait(timeout=max(0.0, started + grace - time.monotonic()))
        except subprocess.TimeoutExpired:
            kill()
            process.wait()
