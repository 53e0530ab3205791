"""The runs, jobs and quality reports no worker is doing (docs/deploy.md, section 2), and why:
generation.tasks.requeue_orphans sends them again, check_integrity reports them.
"""

from datetime import datetime

from django.db import models
from django.utils.timesince import timesince

from generation.constants import JobState
from generation.worker import leases


def orphans(model: type[models.Model], *, include_queued: bool) -> dict[int, datetime | None]:
    """Rows no worker is doing (leases.orphaned), each with the time it was queued when no
    worker ever claimed it, or None when it was claimed and its worker is gone: a row waiting
    behind busy workers must never be reported as abandoned."""
    pks = leases.orphaned(model, include_queued=include_queued)
    waiting = model.objects.filter(pk__in=pks, state=JobState.QUEUED)
    queued_at = dict(waiting.values_list("pk", "created_at"))
    return {pk: queued_at.get(pk) for pk in pks}


def why(queued_at: datetime | None) -> str:
    """Why a row of `orphans` is requeued, for logs and check_integrity."""
    if queued_at is None:
        return "its worker is gone"
    return f"queued {timesince(queued_at)} ago, no worker has started it"
