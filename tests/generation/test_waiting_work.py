"""A run queued behind a busy worker is waiting, not abandoned: `check_integrity` and the
recovery step's log say which, on a real database with the test session's real broker."""

import contextlib
import logging
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from generation import tasks
from generation.constants import JobState
from generation.models import TrainingRun
from tests.workers import purge_broker

pytestmark = pytest.mark.django_db


def check_integrity(*, fix: bool = False) -> str:
    out = StringIO()
    with contextlib.suppress(CommandError):  # problems left: the output says which
        call_command("check_integrity", fix=fix, orphan_min_age=0, stdout=out)
    return out.getvalue()


@pytest.fixture
def queued_long_ago(source_version, owner):
    """A run queued an hour ago that no worker has claimed, as when the only gpu worker spends
    that hour on another training."""
    purge_broker()
    run = TrainingRun.objects.create(owner=owner, source_version=source_version, preset="tiny")
    TrainingRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - timedelta(hours=1))
    yield run
    purge_broker()


def test_check_integrity_calls_a_queued_run_waiting_not_stuck(queued_long_ago):
    output = check_integrity()
    assert f"waiting TrainingRun {queued_long_ago.pk}: queued 1" in output, output
    assert "no worker has started it" in output
    assert "stuck" not in output and "worker is gone" not in output

    output = check_integrity(fix=True)
    assert f"[fixed] waiting TrainingRun {queued_long_ago.pk}" in output and "requeued" in output
    assert TrainingRun.objects.get(pk=queued_long_ago.pk).state == JobState.QUEUED


def test_check_integrity_still_calls_a_run_with_a_dead_worker_stuck(queued_long_ago):
    TrainingRun.objects.filter(pk=queued_long_ago.pk).update(
        state=JobState.RUNNING,
        worker="a-host-that-is-gone:4242",
        heartbeat_at=timezone.now() - timedelta(hours=1),
    )
    output = check_integrity()
    assert f"stuck TrainingRun {queued_long_ago.pk}: its worker is gone" in output, output
    assert "waiting" not in output


def test_recovery_log_says_a_queued_run_is_waiting(queued_long_ago, caplog):
    with caplog.at_level(logging.WARNING, logger="generation.tasks"):
        recovered = tasks.requeue_orphans(include_queued=True)
    assert recovered["runs"] == [queued_long_ago.pk]
    assert "no worker has started it" in caplog.text
    assert "worker is gone" not in caplog.text
