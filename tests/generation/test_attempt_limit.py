"""A run, job or report is not started for ever: after GENERATION_MAX_ATTEMPTS claims (retries
after outages, takeovers from dead workers) the next claim fails it with a message."""

import pytest
from django.utils import timezone

from generation.constants import JobState
from generation.models import TrainingRun
from generation.worker import leases

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(source_version, owner):
    return TrainingRun.objects.create(
        source_version=source_version, owner=owner, preset="tiny", config={}
    )


def test_claims_count_attempts_up_to_the_limit_then_the_row_fails_saying_why(run, settings):
    settings.GENERATION_MAX_ATTEMPTS = 3
    for attempt in (1, 2, 3):
        assert leases.claim(TrainingRun, run.pk)  # this worker again, as a retried task is
        run.refresh_from_db()
        assert (run.state, run.attempts) == (JobState.RUNNING, attempt)

    assert not leases.claim(TrainingRun, run.pk)

    run.refresh_from_db()
    assert run.state == JobState.FAILED
    assert run.attempts == 3
    assert run.error.startswith("gave up after 3 attempts: each one ended with its worker lost")
    assert run.finished_at is not None
    assert not leases.claim(TrainingRun, run.pk)  # a failed row stays failed


def test_a_live_holder_keeps_its_row_whatever_the_count(run, settings):
    settings.GENERATION_MAX_ATTEMPTS = 1
    TrainingRun.objects.filter(pk=run.pk).update(
        state=JobState.RUNNING, worker="elsewhere:1", attempts=5, heartbeat_at=timezone.now()
    )

    assert not leases.claim(TrainingRun, run.pk)

    run.refresh_from_db()
    assert (run.state, run.worker) == (JobState.RUNNING, "elsewhere:1")
