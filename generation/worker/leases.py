"""Who holds a run or a job: a lease in the database, renewed by heartbeats.

Brokers alone do not redeliver a dead worker's task in time (the file-system broker never does,
Redis only after its visibility timeout), so each task claims its row before working, renews the
claim while it works, and a recovery step re-enqueues rows whose holder is gone.
The claim is a single conditional UPDATE, so two workers can never both win it.
"""

import logging
import os
import socket
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection, models
from django.db.models import Q
from django.utils import timezone

from generation.constants import JobState
from generation.worker.faults import TRANSIENT_FAULTS

logger = logging.getLogger(__name__)


def worker_identity() -> str:
    """`host:pid` of this process: enough to tell, on the same host, whether the holder lives."""
    return f"{socket.gethostname()}:{os.getpid()}"


def stale_after() -> timedelta:
    return timedelta(seconds=settings.GENERATION_HEARTBEAT_STALE_SECONDS)


def holder_is_gone(worker: str, heartbeat_at) -> bool:
    """A holder is gone when its heartbeat is stale, or at once when it was a process of this
    host that no longer exists (a SIGKILLed worker on a laptop is detected without waiting)."""
    if not worker or heartbeat_at is None:
        return True
    if timezone.now() - heartbeat_at > stale_after():
        return True
    host, _, pid = worker.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        return not _process_exists(int(pid))
    return False


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def claim(model: type[models.Model], pk: int) -> bool:
    """Take the lease on row `pk` for this process; False when another live worker holds it or
    the row is no longer active. Counts the attempt."""
    row = model.objects.filter(pk=pk).values("state", "worker", "heartbeat_at", "attempts").first()
    if row is None or row["state"] not in (JobState.QUEUED, JobState.RUNNING):
        return False
    me = worker_identity()
    if row["worker"] not in ("", me) and not holder_is_gone(row["worker"], row["heartbeat_at"]):
        return False
    if row["attempts"] >= settings.GENERATION_MAX_ATTEMPTS:
        give_up(model, pk, row)
        return False
    now = timezone.now()
    # Compare-and-set on the holder we just read: a concurrent claimer changes it and loses here.
    won = model.objects.filter(
        pk=pk, worker=row["worker"], heartbeat_at=row["heartbeat_at"]
    ).update(
        worker=me,
        heartbeat_at=now,
        state=JobState.RUNNING,
        attempts=models.F("attempts") + 1,
        started_at=models.functions.Coalesce("started_at", models.Value(now)),
    )
    return won == 1


def give_up(model: type[models.Model], pk: int, row: dict) -> None:
    """Fail a row started GENERATION_MAX_ATTEMPTS times, saying so, unless it changed since."""
    attempts = row["attempts"]
    logger.error("%s %s: giving up after %s attempts", model.__name__, pk, attempts)
    model.objects.filter(pk=pk, worker=row["worker"], attempts=attempts).update(
        state=JobState.FAILED,
        error=(
            f"gave up after {attempts} attempts: each one ended with its worker lost or the "
            "database or storage unavailable (see the workers' logs); start a new one when the "
            "cause is fixed"
        ),
        finished_at=timezone.now(),
        eta_seconds=None,
    )


def heartbeat(model: type[models.Model], pk: int, **fields) -> bool:
    """Renew the lease and write progress fields; False when the lease was lost (another worker
    took over after this one looked dead), which tells the caller to stop at once."""
    return (
        model.objects.filter(pk=pk, worker=worker_identity()).update(
            heartbeat_at=timezone.now(), **fields
        )
        == 1
    )


def orphaned(model: type[models.Model], *, include_queued: bool) -> list[int]:
    """Running rows whose holder is gone; with `include_queued` (at worker start, when the broker
    may have lost its messages) also queued rows nobody picked up for a stale period."""
    wanted = Q(state=JobState.RUNNING)
    if include_queued:
        wanted |= Q(state=JobState.QUEUED, created_at__lt=timezone.now() - stale_after())
    candidates = model.objects.filter(wanted)
    return [
        row["pk"]
        for row in candidates.values("pk", "worker", "heartbeat_at")
        if holder_is_gone(row["worker"], row["heartbeat_at"])
    ]


@contextmanager
def kept(model: type[models.Model], pk: int) -> Iterator[None]:
    """Renew the lease from a background thread while the body runs.

    Progress reports renew it too, but a single long step (an Inception evaluation of thousands
    of images, a slow upload) must not make a live worker look dead to the recovery step.
    """
    stop = threading.Event()
    interval = max(1.0, settings.GENERATION_HEARTBEAT_STALE_SECONDS / 4)

    def renew() -> None:
        try:
            while not stop.wait(interval):
                try:
                    model.objects.filter(pk=pk, worker=worker_identity()).update(
                        heartbeat_at=timezone.now()
                    )
                except DatabaseError:
                    # A missed beat is retried next interval; the work itself reports real errors.
                    # A connection the server cut stays unusable until closed: the next beat
                    # opens a new one, so a restarted database does not silence the heartbeat.
                    logger.warning("could not renew the lease of %s %s", model.__name__, pk)
                    connection.close()
        finally:
            connection.close()

    thread = threading.Thread(target=renew, name=f"lease-{model.__name__}-{pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def execute(
    model: type[models.Model],
    pk: int,
    work: Callable[[models.Model], None],
    *,
    related: tuple[str, ...] = (),
    traceback_field: str = "",
) -> None:
    """A tracked task's life in a worker, the same for runs, jobs and reports: claim the row
    (doing nothing when it is finished or held by a live worker), honour a cancel requested
    before the start, keep the lease while `work(row)` runs, let transient faults reach the
    Celery task's retry with the row still resumable, and record any other failure on the row
    (with the traceback's tail in `traceback_field`, where the row keeps one) before re-raising.
    """
    name = model._meta.verbose_name
    if not claim(model, pk):
        logger.info("%s %s: not claimed (finished, cancelled or held by a live worker)", name, pk)
        return
    row = model.objects.select_related(*related).get(pk=pk)
    if row.cancel_requested:
        finish(model, pk, JobState.CANCELLED)
        return
    try:
        with kept(model, pk):
            work(row)
    except TRANSIENT_FAULTS:
        raise  # the database or the bucket went away: the task retries; the row stays resumable
    except Exception as error:
        logger.exception("%s %s failed", name, pk)
        extra = {traceback_field: traceback.format_exc()[-4000:]} if traceback_field else {}
        finish(model, pk, JobState.FAILED, error=f"{type(error).__name__}: {error}", **extra)
        raise


def finish(model: type[models.Model], pk: int, state: str, *, error: str = "", **fields) -> None:
    """Put a row in its final `state`: no ETA any more, the time it ended, why it failed."""
    model.objects.filter(pk=pk).update(
        state=state, error=error, finished_at=timezone.now(), eta_seconds=None, **fields
    )
