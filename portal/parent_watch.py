"""A worker started by `manage.py run_embedded` ends when that command dies.

The runner stops its workers itself on Ctrl-C, SIGTERM and SIGHUP, but SIGKILL (or a crash)
gives it no chance: the workers, each in a session of its own, would then train on with no
one left to stop them. The runner passes its process id in PORTAL_PARENT_PID; a daemon thread
in the worker polls it and ends the worker's whole process group (its embedded beat too) once
that process is gone. A training killed this way keeps its lease and checkpoints, so the next
start resumes it, as after any other stop of the gpu worker.
"""

import os
import signal
import threading
import time

from celery.signals import worker_init

POLL_SECONDS = 1.0


def parent_alive(pid: int) -> bool:
    """Whether `pid` still runs; a reparented worker (getppid changed) means it does not."""
    if os.getppid() != pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it runs, under another user
        return True
    return True


def watch(pid: int) -> None:
    """Poll until `pid` is gone, then SIGKILL this process group: no graceful path is left,
    since the one who would have waited for it is dead."""
    while parent_alive(pid):
        time.sleep(POLL_SECONDS)
    os.killpg(os.getpgrp(), signal.SIGKILL)


@worker_init.connect
def start_watchdog(**_) -> None:
    pid = os.environ.get("PORTAL_PARENT_PID")
    if pid:
        threading.Thread(target=watch, args=(int(pid),), name="parent-watch", daemon=True).start()
